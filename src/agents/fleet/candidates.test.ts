// Fleet candidates: the first candidate of every row is exactly the single-user rule's choice (one
// follow-me, one sla-greedy), the O(N) one-step scores equal the baselines' Eq. 8, and the coordinated policy's
// decisions keep to the caps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAPER_REWARD_PARAMS } from '../../core/reward.js';
import { Rng } from '../../core/rng.js';
import { FollowMePolicy } from '../baselines/simple.js';
import { SlaGreedyPolicy } from '../baselines/sla-greedy.js';
import { oneStepReward } from '../baselines/greedy.js';
import { CoordinationConfigSchema } from '../coordination.js';
import { CandidateBuffer, firstCandidates, followMeCandidates, OneStepScores, slaGreedyCandidates, type FleetRows } from './candidates.js';
import { fleetRegistry } from './fleet-policies.js';
import type { FleetEnv, FleetStep } from '../../core/fleet-env.js';

/** Random rows in the paper's layout: RTTs 1-60 ms, loads 1-30 (some over L_max), some migrations masked. */
function randomRows(rng: Rng, rows: number, n: number): FleetRows {
  const D = 2 * n + 1, A = n + 1;
  const obs = new Float64Array(rows * D), masks = new Uint8Array(rows * A);
  const loads = Array.from({ length: n }, () => 1 + 29 * rng.uniform() ** 2);
  for (let r = 0; r < rows; r++) {
    obs[r * D] = 1 + rng.int(n);
    for (let j = 0; j < n; j++) {
      obs[r * D + 1 + j] = 1 + 59 * rng.uniform();
      obs[r * D + 1 + n + j] = loads[j]!;
    }
    const busy = rng.uniform() < 0.1;
    masks[r * A] = 1;
    for (let a = 1; a < A; a++) masks[r * A + a] = busy ? 0 : rng.uniform() < 0.85 ? 1 : 0;
  }
  return { rows, D, A, nodes: n, observations: obs, actionMasks: masks, skip: new Uint8Array(rows), demand: new Float64Array(rows).fill(1) };
}

test('O(N) one-step scores equal oneStepReward (Eq. 8) node by node', () => {
  const rng = new Rng(3);
  for (const n of [3, 7, 100]) {
    const f = randomRows(rng, 20, n);
    const out = new Float64Array(n);
    const scores = new OneStepScores(PAPER_REWARD_PARAMS);
    for (let r = 0; r < f.rows; r++) {
      const o = f.observations.subarray(r * f.D, (r + 1) * f.D);
      scores.write(f.observations, r * f.D, n, out, 0);
      for (let j = 0; j < n; j++) assert.equal(out[j], oneStepReward(o, n, j + 1, PAPER_REWARD_PARAMS));
    }
  }
});

test('the first candidate of every row is what FollowMePolicy and SlaGreedyPolicy choose', () => {
  const rng = new Rng(11);
  const c = new CandidateBuffer();
  for (const n of [3, 10, 100]) {
    const f = randomRows(rng, 300, n);
    const actions = new Int32Array(f.rows);
    const follow = new FollowMePolicy(n), sla = new SlaGreedyPolicy(PAPER_REWARD_PARAMS, n);
    for (const [name, gen, single] of [
      ['follow-me', () => followMeCandidates(f, PAPER_REWARD_PARAMS, 3, c), follow],
      ['sla-greedy', () => slaGreedyCandidates(f, PAPER_REWARD_PARAMS, 3, 10, c), sla],
    ] as const) {
      gen();
      firstCandidates(c, f.rows, actions);
      let moves = 0;
      for (let r = 0; r < f.rows; r++) {
        const o = f.observations.subarray(r * f.D, (r + 1) * f.D), m = f.actionMasks.subarray(r * f.A, (r + 1) * f.A);
        assert.equal(actions[r], single.act(o, m), `${name}, N = ${n}, row ${r}`);
        if (actions[r] !== 0) moves++;
      }
      assert.ok(moves > 0, `${name} moves someone`);
      for (let i = 0; i < c.count; i++) assert.ok(c.gain[i]! > 0, `${name}: candidate gains are positive`);
    }
  }
});

test('the coordinated policies keep to the caps and never pick a busy user', () => {
  const rng = new Rng(5);
  const n = 10;
  const f = randomRows(rng, 500, n);
  const caps = { parallelOutboundMigrationsPerNode: 2, parallelMigrationsPerCluster: 7 };
  const ns = {
    used: new Float64Array(n).fill(30), capacity: new Float64Array(n).fill(100), outboundInFlight: new Int32Array(n), clusterInFlight: 2,
    cpu: new Float64Array(n).fill(0.3), mem: new Float64Array(n).fill(0.3), demand: new Float64Array(500).fill(1), cpuDemand: new Float64Array(500).fill(0.01), memDemand: new Float64Array(500).fill(0.01), busy: new Uint8Array(500),
  };
  ns.outboundInFlight[0] = 2;
  for (let r = 0; r < 500; r++) ns.busy[r] = f.actionMasks[r * f.A + 1] === 0 && f.actionMasks[r * f.A + 2] === 0 ? 1 : 0;
  const env = { observationSpace: { low: new Float64Array(f.D) }, actionSpace: { n: f.A }, nodes: n, nodeState: ns, caps } as unknown as FleetEnv;
  const step = { rows: 500, t: 0, ids: new Int32Array(500), observations: f.observations, actionMasks: f.actionMasks, rewards: new Float64Array(500), terminated: new Uint8Array(500), truncated: new Uint8Array(500), joined: new Uint8Array(500) } as FleetStep;
  for (const name of ['follow-me+coord', 'sla-greedy+coord']) {
    const p = fleetRegistry().resolve(name, { reward: PAPER_REWARD_PARAMS, coordination: CoordinationConfigSchema.parse(caps), inFlight: false }, process.cwd());
    const out = new Int32Array(500);
    p.act(step, env, out);
    const outbound = new Int32Array(n);
    let moved = 0;
    for (let r = 0; r < 500; r++) {
      if (out[r] === 0) continue;
      moved++;
      assert.equal(f.actionMasks[r * f.A + out[r]!], 1, `${name}: row ${r} got a masked action`);
      outbound[f.observations[r * f.D]! - 1]++;
    }
    assert.equal(moved, 5, `${name}: the cluster cap leaves 5 slots (7 - 2 in flight)`);
    assert.equal(outbound[0], 0, `${name}: node 1 is at its outbound cap`);
    for (let j = 0; j < n; j++) assert.ok(outbound[j]! <= 2, `${name}: node ${j + 1}`);
  }
});
