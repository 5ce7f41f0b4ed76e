import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import {
  CoordinationConfigSchema,
  CoordinationScratch,
  DEFAULT_COORDINATION,
  DEFER_REASON_NAMES,
  DeferReason,
  coordinate,
  type Candidates,
  type FleetLoad,
} from './coordination.js';

function cands(rows: Array<[user: number, from: number, to: number, gain: number, demand: number]>): Candidates {
  return {
    count: rows.length,
    user: rows.map((r) => r[0]),
    from: rows.map((r) => r[1]),
    to: rows.map((r) => r[2]),
    gain: rows.map((r) => r[3]),
    demand: rows.map((r) => r[4]),
  };
}
const idle = (nodes: number, used = 0, capacity = 100): FleetLoad => ({
  used: Array(nodes).fill(used),
  capacity: Array(nodes).fill(capacity),
  outboundInFlight: Array(nodes).fill(0),
  clusterInFlight: 0,
});

test('defaults are KubeVirt\'s caps', () => {
  assert.equal(DEFAULT_COORDINATION.parallelOutboundMigrationsPerNode, 2);
  assert.equal(DEFAULT_COORDINATION.parallelMigrationsPerCluster, 5);
  assert.throws(() => CoordinationConfigSchema.parse({ parallelMigrationsPerCluster: -1 }));
  assert.equal(DEFER_REASON_NAMES[DeferReason.capacity], 'capacity');
});

test('the herd: everyone wants the same empty node; projected load stops it at the ceiling', () => {
  // 10 users on nodes 0..4 (two each) all want node 5; each brings 20 units, node 5 holds 90 at the 0.9 ceiling.
  const rows: Array<[number, number, number, number, number]> = [];
  for (let u = 0; u < 10; u++) rows.push([u, u % 5, 5, 1 + u / 100, 20]);
  const cfg = CoordinationConfigSchema.parse({ parallelMigrationsPerCluster: 100, parallelOutboundMigrationsPerNode: 100 });
  const r = coordinate(10, idle(6), cands(rows), cfg);
  assert.equal(r.accepted.length, 4, '4 × 20 = 80 ≤ 90 < 100');
  // The highest gains win: users 9, 8, 7, 6.
  assert.deepEqual([...r.target].map((t, u) => (t >= 0 ? u : -1)).filter((u) => u >= 0), [6, 7, 8, 9]);
  for (let u = 0; u < 6; u++) assert.equal(r.reason[u], DeferReason.capacity);
  assert.equal(r.projectedUsed[5], 80);
});

test('caps: per-node outbound and per-cluster, counting migrations already in flight', () => {
  const load = idle(4);
  load.outboundInFlight = [1, 0, 0, 0];
  load.clusterInFlight = 1;
  // Users 0-2 leave node 0, users 3-6 leave node 1; all to node 3, small demand.
  const rows: Array<[number, number, number, number, number]> = [
    [0, 0, 3, 9, 1], [1, 0, 3, 8, 1], [2, 0, 3, 7, 1],
    [3, 1, 3, 6, 1], [4, 1, 3, 5, 1], [5, 1, 3, 4, 1], [6, 1, 3, 3, 1],
  ];
  const r = coordinate(7, load, cands(rows));
  // Node 0 has one in flight: one more may leave (user 0). Node 1: two (users 3, 4). Cluster: 1 + 3 = 4 < 5, so user 5 is
  // refused by node 1's cap, not the cluster's; then the cluster has room for one more but no source may send it.
  assert.deepEqual([...r.target], [3, -1, -1, 3, 3, -1, -1]);
  assert.equal(r.reason[1], DeferReason.nodeCap);
  assert.equal(r.reason[5], DeferReason.nodeCap);
  const tight = coordinate(7, load, cands(rows), { ...DEFAULT_COORDINATION, parallelMigrationsPerCluster: 3 });
  assert.deepEqual([...tight.target], [3, -1, -1, 3, -1, -1, -1]);
  assert.equal(tight.reason[4], DeferReason.clusterCap);
});

test('one move per user: its best feasible candidate, alternatives when the best is full', () => {
  const load = idle(3);
  load.used = [0, 85, 0];
  const rows: Array<[number, number, number, number, number]> = [
    [0, 0, 1, 5, 10], // best, but node 1 would reach 95 > 90
    [0, 0, 2, 3, 10], // second choice fits
    [1, 0, 2, 0, 10], // no gain: stays
    [2, 2, 1, Number.NaN, 1], // NaN never moves
  ];
  const r = coordinate(3, load, cands(rows));
  assert.deepEqual([...r.target], [2, -1, -1]);
  assert.equal(r.reason[0], DeferReason.accepted);
  assert.equal(r.gain[0], 3);
  assert.equal(r.reason[1], DeferReason.none);
  assert.equal(r.reason[2], DeferReason.none);
});

test('busy users are never moved and say so', () => {
  const r = coordinate(2, idle(2), cands([[0, 0, 1, 5, 1], [1, 0, 1, 4, 1]]), DEFAULT_COORDINATION, { busy: [1, 0] });
  assert.deepEqual([...r.target], [-1, 1]);
  assert.equal(r.reason[0], DeferReason.busy);
});

test('rescore: a candidate whose target took load is re-ranked at the projected load (lazy greedy)', () => {
  // Gains fall with the target's load: g = base − used/10. Users 0 and 1 both prefer node 2 (base 5, 4.9) over node 1
  // (base 4.5, 4.4). After user 0 takes node 2 (used 0 → 30), user 1's gain there is 4.9 − 3 = 1.9 < 4.4 at node 1.
  const rows: Array<[number, number, number, number, number]> = [
    [0, 0, 2, 5, 30], [0, 0, 1, 4.5, 30], [1, 0, 2, 4.9, 30], [1, 0, 1, 4.4, 30],
  ];
  const base = rows.map((r) => r[3]);
  const c = cands(rows);
  const cfg = { ...DEFAULT_COORDINATION, parallelOutboundMigrationsPerNode: 5 };
  const r = coordinate(2, idle(3), c, cfg, { rescore: (i, used) => base[i]! - used / 10 });
  assert.deepEqual([...r.target], [2, 1]);
  const without = coordinate(2, idle(3), c, cfg);
  assert.deepEqual([...without.target], [2, 2], 'without rescoring both herd onto node 2');
});

test('matches brute force on random small instances', () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 200; trial++) {
    const nodes = 2 + rng.int(3);
    const users = 1 + rng.int(6);
    const load: FleetLoad = {
      used: Array.from({ length: nodes }, () => rng.int(80)),
      capacity: Array(nodes).fill(100),
      outboundInFlight: Array.from({ length: nodes }, () => rng.int(2)),
      clusterInFlight: rng.int(3),
    };
    const rows: Array<[number, number, number, number, number]> = [];
    for (let u = 0; u < users; u++) {
      const from = rng.int(nodes);
      for (let to = 0; to < nodes; to++) if (to !== from && rng.uniform() < 0.7) rows.push([u, from, to, rng.uniform() * 10 - 1, 5 + rng.int(20)]);
    }
    const c = cands(rows);
    const cfg = { ...DEFAULT_COORDINATION, parallelMigrationsPerCluster: 2 + rng.int(4) };
    const r = coordinate(users, load, c, cfg, { scratch: new CoordinationScratch() });
    // Invariants: feasibility of the accepted set.
    const used = Array.from(load.used);
    const out = Array.from(load.outboundInFlight);
    for (const i of r.accepted) {
      used[c.to[i]!] += c.demand[i]!;
      out[c.from[i]!]++;
    }
    assert.ok(r.accepted.length + load.clusterInFlight <= Math.max(load.clusterInFlight, cfg.parallelMigrationsPerCluster));
    for (let j = 0; j < nodes; j++) {
      if (used[j]! > load.used[j]!) assert.ok(used[j]! <= 90 + 1e-9, `node ${j} over the ceiling`);
      if (out[j]! > load.outboundInFlight[j]!) assert.ok(out[j]! <= 2);
    }
    // Greedy order: accepted gains are non-increasing, and every refused positive-gain user has a reason.
    const gains = r.accepted.map((i) => c.gain[i]!);
    for (let k = 1; k < gains.length; k++) assert.ok(gains[k - 1]! >= gains[k]!);
    for (let u = 0; u < users; u++) {
      const best = Math.max(-Infinity, ...rows.filter((x) => x[0] === u).map((x) => x[3]));
      if (best > 0 && r.target[u]! < 0) assert.notEqual(r.reason[u], DeferReason.none, `user ${u} dropped silently`);
    }
  }
});

test('10k users × 3 candidates coordinate in one pass with reused buffers', () => {
  const users = 10_000;
  const nodes = 100;
  const rng = new Rng(3);
  const rows = { user: new Int32Array(3 * users), from: new Int32Array(3 * users), to: new Int32Array(3 * users), gain: new Float64Array(3 * users), demand: new Float64Array(3 * users) };
  for (let k = 0; k < 3 * users; k++) {
    rows.user[k] = k % users;
    rows.from[k] = (k % users) % nodes;
    rows.to[k] = rng.int(nodes);
    rows.gain[k] = rng.uniform();
    rows.demand[k] = 1;
  }
  const scratch = new CoordinationScratch();
  const load = idle(nodes, 50);
  const cfg = { ...DEFAULT_COORDINATION, parallelMigrationsPerCluster: 500 };
  const a = coordinate(users, load, { count: 3 * users, ...rows }, cfg, { scratch });
  const accepted = a.accepted.length;
  assert.equal(accepted, 200, 'every node may send 2: 100 × 2');
  const b = coordinate(users, load, { count: 3 * users, ...rows }, cfg, { scratch });
  assert.equal(b.accepted.length, accepted, 'same input, same answer, from reused buffers');
});

test('priority: ranks by the caller\'s key, keeps every cap and the ceiling, drops nobody silently (random instances)', () => {
  const rng = new Rng(29);
  for (let trial = 0; trial < 300; trial++) {
    const nodes = 2 + rng.int(3);
    const users = 1 + rng.int(7);
    const load: FleetLoad = {
      used: Array.from({ length: nodes }, () => rng.int(80)),
      capacity: Array(nodes).fill(100),
      outboundInFlight: Array.from({ length: nodes }, () => rng.int(2)),
      clusterInFlight: rng.int(3),
    };
    const rows: Array<[number, number, number, number, number]> = [];
    for (let u = 0; u < users; u++) {
      const from = rng.int(nodes);
      for (let to = 0; to < nodes; to++) if (to !== from && rng.uniform() < 0.7) rows.push([u, from, to, rng.uniform() * 10 - 1, 5 + rng.int(20)]);
    }
    const c = cands(rows);
    const priority = rows.map(() => rng.int(4)); // coarse keys: ties are common, so first come, first served is exercised
    const gainsBefore = [...(c.gain as number[])];
    const cfg = { ...DEFAULT_COORDINATION, parallelMigrationsPerCluster: 2 + rng.int(4) };
    // Re-scoring halves a candidate's gain once its target took load: never raises it (the lazy greedy's premise).
    const r = coordinate(users, load, c, cfg, { scratch: new CoordinationScratch(), priority, rescore: (i) => c.gain[i]! / 2 });
    assert.deepEqual([...(c.gain as number[])], gainsBefore, 'the caller\'s gains are not written');
    const used = Array.from(load.used);
    const out = Array.from(load.outboundInFlight);
    for (const i of r.accepted) {
      assert.ok(c.gain[i]! > 0, 'only moves worth making');
      used[c.to[i]!] += c.demand[i]!;
      out[c.from[i]!]++;
    }
    assert.ok(r.accepted.length + load.clusterInFlight <= Math.max(load.clusterInFlight, cfg.parallelMigrationsPerCluster));
    for (let j = 0; j < nodes; j++) {
      if (used[j]! > load.used[j]!) assert.ok(used[j]! <= 90 + 1e-9, `node ${j} over the ceiling`);
      if (out[j]! > load.outboundInFlight[j]!) assert.ok(out[j]! <= 2, `node ${j} over the outbound cap`);
    }
    // Acceptance order: priorities non-increasing; among equal priorities, candidate (arrival) order.
    for (let k = 1; k < r.accepted.length; k++) {
      const a = r.accepted[k - 1]!, b = r.accepted[k]!;
      assert.ok(priority[a]! > priority[b]! || (priority[a] === priority[b] && a < b), `order at ${k}`);
    }
    const acceptedUsers = new Set(r.accepted.map((i) => c.user[i]!));
    assert.equal(acceptedUsers.size, r.accepted.length, 'one move per user');
    for (let u = 0; u < users; u++) {
      const best = Math.max(-Infinity, ...rows.filter((x) => x[0] === u).map((x) => x[3]));
      if (best > 0 && r.target[u]! < 0) assert.notEqual(r.reason[u], DeferReason.none, `user ${u} dropped silently`);
    }
    // Brute force: no refused user's candidate with a higher priority than the last accepted one was feasible
    // when the cluster cap still had room (the cap, not the order, is what turned it away).
    if (r.accepted.length === 0 && load.clusterInFlight < cfg.parallelMigrationsPerCluster) {
      for (let i = 0; i < rows.length; i++) {
        const [, from, to, g, d] = rows[i]!;
        if (g > 0 && load.outboundInFlight[from]! < 2 && load.used[to]! + d <= 90) assert.fail(`candidate ${i} was feasible and worth it, yet nothing moved`);
      }
    }
  }
});

test('priority: equal keys are first come, first served; a higher key jumps the queue for the last cluster slot', () => {
  const rows: Array<[number, number, number, number, number]> = [[0, 0, 2, 9, 1], [1, 1, 2, 1, 1], [2, 0, 1, 5, 1]];
  const cfg = { ...DEFAULT_COORDINATION, parallelMigrationsPerCluster: 1 };
  assert.deepEqual([...coordinate(3, idle(3), cands(rows), cfg, { priority: [0, 0, 0] }).target], [2, -1, -1]);
  assert.deepEqual([...coordinate(3, idle(3), cands(rows), cfg).target], [2, -1, -1], 'by gain, user 0 (9) too');
  const r = coordinate(3, idle(3), cands(rows), cfg, { priority: [0, 1, 0] });
  assert.deepEqual([...r.target], [-1, 2, -1]);
  assert.equal(r.reason[0], DeferReason.clusterCap);
  assert.equal(r.gain[1], 1, 'the result reports the gain, not the priority');
});
