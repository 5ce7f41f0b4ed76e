import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FollowMePolicy, GreedyPolicy, SlaGreedyPolicy } from '../agents/baselines/index.js';
import { baselineRegistry } from '../agents/registry.js';
import { PAPER_REWARD_PARAMS } from '../core/reward.js';
import { Rng } from '../core/rng.js';
import { decideFleet, demandMillicores, type FleetView } from './bulk-decide.js';
import { bulkScorerFor, followMeScorer, greedyScorer } from './bulk-score.js';
import { parseControllerConfig, type ControllerConfigInput } from './config.js';
import { actionMask } from './gates.js';
import type { InFlight, Workload } from './migrate/types.js';
import { RttTable } from './observe/rtt-table.js';
import type { Timed } from './observe/types.js';
import { workloadKey, type WorkloadKey } from './workload-key.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');

function config(nodes: string[], over: Partial<ControllerConfigInput> = {}) {
  return parseControllerConfig({ nodes, observation: { rtt: { source: 'http-json', url: 'http://x' } }, migration: { maxConcurrent: 5, cooldownMs: 60_000 }, fleet: { enabled: true }, ...over }, 'test');
}

function workload(i: number, node: string, o: { cpu?: string; lastMigration?: string } = {}): Workload {
  return {
    kind: 'pod',
    namespace: 'ns',
    name: `w${i}`,
    user: `u${i}`,
    node,
    object: { metadata: { name: `w${i}`, namespace: 'ns', annotations: o.lastMigration ? { 'remora.io/last-migration-at': o.lastMigration } : {} }, spec: { containers: [{ name: 'c', image: 'x', resources: o.cpu ? { requests: { cpu: o.cpu } } : {} }] } },
  };
}

function loads(nodes: string[], value = 2, atMs = NOW): Map<string, Timed> {
  return new Map(nodes.map((n) => [n, { value, atMs }]));
}

/** Every user's RTT: `near` ms on `best`, 30 ms elsewhere. */
function table(users: number, nodes: string[], best: (u: number) => string, near = 2): RttTable {
  const t = new RttTable(nodes, 3);
  for (let u = 0; u < users; u++) nodes.forEach((n, j) => t.push(t.slot(`u${u}`), j, n === best(u) ? near + u * 0.01 : 30, NOW));
  return t;
}

const view = (nodes: string[], o: Partial<FleetView> = {}): FleetView => ({ nowMs: NOW, loads: loads(nodes), readyNodes: new Set(nodes), inFlight: new Map(), capacityMillis: nodes.map(() => 4000), ...o });

test('a herd toward one node: the caps hold, the target stays under its ceiling, every refusal has a reason, highest gain first', () => {
  const nodes = ['a', 'b', 'c'];
  // 20 workloads of 500m on a and c, every user nearest to b (4 cores, ceiling 90 % = 3600m, 1000m there already).
  const ws = Array.from({ length: 20 }, (_, i) => workload(i, i % 2 ? 'a' : 'c', { cpu: '500m' }));
  ws.push(workload(20, 'b', { cpu: '1' }));
  const d = decideFleet(ws, table(21, nodes, () => 'b'), view(nodes), config(nodes), followMeScorer());
  // 5 per cluster, 2 per source node; b holds 1000m + 500m per arrival ≤ 3600m → at most 5 arrivals by cpu (4 here by the caps of 2 sources).
  assert.equal(d.moves.length, 4, 'two sources × 2 outbound');
  const bySource = new Map<string, number>();
  for (const m of d.moves) bySource.set(ws[m.index]!.node, (bySource.get(ws[m.index]!.node) ?? 0) + 1);
  assert.deepEqual([...bySource.values()], [2, 2]);
  for (let k = 1; k < d.moves.length; k++) assert.ok(d.moves[k - 1]!.gain >= d.moves[k]!.gain, 'highest gain first');
  // The highest gains are the lowest-index users (near RTT grows with u): they go first.
  assert.deepEqual(d.moves.map((m) => m.index).sort((x, y) => x - y), [0, 1, 2, 3]);
  const deferred = ws.map((_, i) => d.reason[i]).filter((r) => r === 'node-cap');
  assert.equal(deferred.length, 16);
  assert.equal(d.deferred['node-cap'], 16);
  for (let i = 4; i < 20; i++) assert.match(d.event[i]!.message, /deferred: the source node's outbound cap \(2\)/);
  assert.equal(d.reason[20], 'policy', 'the one already on b waits (its policy chose Wait)');
  assert.ok(!d.moves.some((m) => m.index === 20));
});

test('the projected cpu of the target refuses arrivals past the ceiling (capacity), and the cluster cap counts in-flight migrations', () => {
  const nodes = ['a', 'b', 'c', 'd'];
  const ws = Array.from({ length: 6 }, (_, i) => workload(i, nodes[i % 3 === 0 ? 0 : i % 3 === 1 ? 2 : 3]!, { cpu: '1500m' }));
  // b: 4000m, ceiling 90 % = 3600m: two arrivals of 1500m fit, a third does not.
  const d = decideFleet(ws, table(6, nodes, () => 'b'), view(nodes), config(nodes, { migration: { maxConcurrent: 10, cooldownMs: 0 }, fleet: { enabled: true, maxOutboundPerNode: 5 } }), followMeScorer());
  assert.equal(d.moves.length, 2);
  assert.equal(d.deferred.capacity, 4);
  const inFlight = new Map<WorkloadKey, InFlight>([[workloadKey('pod', 'ns', 'x'), { id: 'remora-x-1', kind: 'pod', backend: 'recreate', namespace: 'ns', workload: 'x', sourceNode: 'd', targetNode: 'c', startedAtMs: NOW, object: { metadata: { name: 'remora-x-1' } } }]]);
  const d2 = decideFleet(ws, table(6, nodes, () => 'b'), view(nodes, { inFlight }), config(nodes, { migration: { maxConcurrent: 2, cooldownMs: 0 }, fleet: { enabled: true, maxOutboundPerNode: 5 } }), followMeScorer());
  assert.equal(d2.moves.length, 1, 'cap 2 with one already in flight');
  assert.equal(d2.deferred['cluster-cap'], 5);
});

test('the per-workload gates, at fleet scale: in-flight lock, invalid or stale observation (same text), cooldown', () => {
  const nodes = ['a', 'b'];
  const ws = [workload(0, 'a'), workload(1, 'a'), workload(2, 'a', { lastMigration: new Date(NOW - 10_000).toISOString() }), workload(3, 'a')];
  // u0..u2 measured now, nearest to b; u3's samples are 20 s old (maxAgeMs 15 s).
  const fresh = new RttTable(nodes, 3);
  for (let u = 0; u < 3; u++) nodes.forEach((n, j) => fresh.push(fresh.slot(`u${u}`), j, n === 'b' ? 2 : 30, NOW));
  nodes.forEach((_, j) => fresh.push(fresh.slot('u3'), j, 5, NOW - 20_000));
  const inFlight = new Map<WorkloadKey, InFlight>([[workloadKey('pod', 'ns', 'w0'), { id: 'remora-w0-3', kind: 'pod', backend: 'recreate', namespace: 'ns', workload: 'w0', sourceNode: 'a', targetNode: 'b', startedAtMs: NOW, object: { metadata: { name: 'remora-w0-3' } } }]]);
  const d = decideFleet(ws, fresh, view(nodes, { inFlight }), config(nodes), followMeScorer());
  assert.equal(d.reason[0], 'in-flight');
  assert.equal(d.detail[0], 'remora-w0-3');
  assert.equal(d.reason[1], 'policy');
  assert.deepEqual(d.moves.map((m) => [m.index, m.target]), [[1, 'b']]);
  assert.equal(d.reason[2], 'cooldown');
  assert.equal(d.reason[3], 'invalid-observation');
  assert.equal(d.event[3]!.reason, 'ObservationInvalid');
  assert.match(d.event[3]!.message, /^forced Wait: RTT of a is stale \(20000 ms > 15000 ms\); RTT of b is stale/);
  // A missing load makes everyone wait, with the node named.
  const noLoad = decideFleet(ws, fresh, view(nodes, { loads: new Map([['a', { value: 2, atMs: NOW }]]) }), config(nodes), followMeScorer());
  assert.equal(noLoad.moves.length, 0);
  assert.match(noLoad.event[1]!.message, /load of b missing/);
  // Loads are judged on their own budget (observation.loadMaxAgeMs), as every observation is: 20 s old loads pass a
  // 30 s budget with RTTs held to 15 s, fail without it; a negative load is never acted on.
  const oldLoads = view(nodes, { loads: loads(nodes, 2, NOW - 20_000) });
  const slowCfg = config(nodes, { observation: { rtt: { source: 'http-json', url: 'http://x' }, maxAgeMs: 15_000, loadMaxAgeMs: 30_000 } });
  assert.equal(decideFleet(ws, fresh, oldLoads, slowCfg, followMeScorer()).reason[1], 'policy');
  const strict = decideFleet(ws, fresh, oldLoads, config(nodes, { observation: { rtt: { source: 'http-json', url: 'http://x' }, maxAgeMs: 15_000 } }), followMeScorer());
  assert.match(strict.event[1]!.message, /load of a is stale \(20000 ms > 15000 ms\)/);
  const negative = decideFleet(ws, fresh, view(nodes, { loads: new Map([...loads(nodes)].map(([n, t]) => [n, n === 'b' ? { ...t, value: -1 } : t])) }), config(nodes), followMeScorer());
  assert.equal(negative.moves.length, 0);
  assert.match(negative.event[1]!.message, /load of b is negative \(-1\)/);
  // An unusable observation also says why its user's RTT read failed, when the path knows.
  const told = decideFleet([{ ...ws[1]!, user: 'nobody' }], fresh, view(nodes, { rttError: () => 'probe: timeout' }), config(nodes), followMeScorer());
  assert.match(told.event[0]!.message, /RTT of a missing.*last RTT read failed \(probe: timeout\)/);
});

test('the vectorised heuristics choose what the per-workload policies choose, on random observations and masks', () => {
  const rng = new Rng(7);
  const n = 6;
  const rows = 400;
  const len = 2 * n + 1;
  const obs = new Float64Array(rows * len);
  const masks = new Uint8Array(rows * (n + 1));
  const nodes = Array.from({ length: n }, (_, j) => `e${j}`);
  for (let r = 0; r < rows; r++) {
    const cur = 1 + rng.int(n);
    obs[r * len] = cur;
    for (let j = 0; j < n; j++) {
      obs[r * len + 1 + j] = 1 + rng.uniform() * 40;
      obs[r * len + 1 + n + j] = 1 + rng.uniform() * 20;
    }
    const ready = new Set(nodes.filter(() => rng.uniform() < 0.7));
    masks.set(actionMask(nodes, ready, nodes[cur - 1]!), r * (n + 1));
  }
  const cases = [
    [followMeScorer(), new FollowMePolicy(n)],
    [greedyScorer(PAPER_REWARD_PARAMS, false), new GreedyPolicy(PAPER_REWARD_PARAMS, n)],
    [greedyScorer(PAPER_REWARD_PARAMS, true), new SlaGreedyPolicy(PAPER_REWARD_PARAMS, n)],
  ] as const;
  for (const [scorer, policy] of cases) {
    const values = new Float64Array(rows * (n + 1));
    scorer.score(obs, masks, rows, n, values);
    let moves = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * (n + 1);
      const cur = obs[r * len]!;
      let best = 0;
      for (let a = 1; a <= n; a++) if (masks[o + a] === 1 && values[o + a]! > values[o + best]!) best = a;
      const want = policy.act(obs.slice(r * len, (r + 1) * len), masks.slice(o, o + n + 1));
      const got = best === cur ? 0 : best;
      assert.equal(got, want, `${scorer.name}, row ${r}`);
      if (want !== 0) moves++;
    }
    assert.ok(moves > 20, `${scorer.name} moved ${moves} of ${rows}: the comparison covers moves`);
  }
});

test('batch scorers by registry name; stateful policies have none (one line), unknown names the registry error', () => {
  const o = { nodes: 3, reward: PAPER_REWARD_PARAMS, batchRows: 16, cwd: '/' };
  assert.equal(bulkScorerFor('sla-greedy', baselineRegistry(), o).name, 'sla-greedy');
  assert.throws(() => bulkScorerFor('hysteresis', baselineRegistry(), o), /--policy: expected a policy with a batch form .* hysteresis keeps per-workload state, got hysteresis/);
  assert.throws(() => bulkScorerFor('folow-me', baselineRegistry(), o), /folow-me/);
});

test('RttTable keeps the Eq. 1 window: the mean of the last 4 samples kept per pair, repeats dropped', () => {
  const rng = new Rng(3);
  const t = new RttTable(['a', 'b'], 4);
  // The reference: every kept sample per pair, in a plain list.
  const kept = new Map<string, { v: number; at: number }[]>();
  let at = NOW;
  for (let k = 0; k < 50; k++) {
    const u = `u${rng.int(5)}`;
    const j = rng.int(2);
    const v = rng.uniform() * 30;
    at += rng.int(3) * 1000; // sometimes the same time: a repeat
    t.push(t.slot(u), j, v, at);
    const list = kept.get(`${u}/${j}`) ?? [];
    if (!list.length || at > list.at(-1)!.at) list.push({ v, at });
    kept.set(`${u}/${j}`, list);
    const last = list.slice(-4);
    assert.ok(Math.abs(t.average(t.find(u), j) - last.reduce((s, x) => s + x.v, 0) / last.length) < 1e-12);
    assert.equal(t.newestAt(t.find(u), j), last.at(-1)!.at);
    assert.deepEqual(t.get(u, ['a', 'b'][j]!), { value: t.average(t.find(u), j), atMs: last.at(-1)!.at });
  }
  t.retain(new Set(['u1']));
  assert.equal(t.find('u2'), -1);
  assert.equal(t.users, 1);
});

test('demand: pod requests summed, VMI requests or cores, else the default', () => {
  assert.equal(demandMillicores(workload(0, 'a', { cpu: '250m' }), 100), 250);
  assert.equal(demandMillicores(workload(0, 'a'), 100), 100);
  assert.equal(demandMillicores({ kind: 'vm', object: { metadata: { name: 'v' }, spec: { domain: { cpu: { cores: 2 } } } } }, 100), 2000);
  assert.equal(demandMillicores({ kind: 'vm', object: { metadata: { name: 'v' }, spec: { domain: { resources: { requests: { cpu: '1.5' } } } } } }, 100), 1500);
});

test('deferral Events are recorded once per cause: a wish deferred again for the same reason keeps its Event quiet', () => {
  const nodes = ['a', 'b'];
  const ws = Array.from({ length: 4 }, (_, i) => workload(i, 'a'));
  const d = decideFleet(ws, table(4, nodes, () => 'b'), view(nodes), config(nodes, { migration: { maxConcurrent: 1, cooldownMs: 0 } }), followMeScorer());
  for (let i = 0; i < 4; i++) if (d.reason[i] !== 'policy') assert.ok(!d.clears[i]!.includes('cap'), `workload ${i} deferred: the cap topic must stay set`);
});
