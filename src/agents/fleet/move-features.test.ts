/** The fleet agent's view of a candidate move, and the move's externality, on hand-made rows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadReward, nodeLoad, type RewardParams } from '../../core/reward.js';
import { oneStepScore } from '../../core/one-step-scores.js';
import { MOVE_FEATURES, MoveExternality, MoveFeatureWriter, projectedLoad, type RowContext } from './move-features.js';

const p: RewardParams = { rttSla: { min: 1, max: 20 }, loadSla: { min: 1, max: 12 }, migrationCost: 2 };
const n = 5;
/** One row: serving node 2 (1-based), RTTs and loads per node. */
const rtt = [30, 12, 8, 25, 9];
const load = [2, 13, 3, 4, 11];
const obs = Float64Array.from([2, ...rtt, ...load]);
const slots = { clusterFree: 0.6, outboundFree: (j: number) => (j === 1 ? 0.5 : 1) };
const ctx: RowContext = { demand: 1, capacity: [100, 100, 50, 100, 100], slots };

test('the candidates are the k lowest-RTT legal nodes but the serving one, lowest first', () => {
  const w = new MoveFeatureWriter(p, 3);
  w.beginTick(obs, 0, n);
  const masks = Uint8Array.from([1, 1, 1, 1, 0, 1]); // node 4 (0-based 3) is not Ready
  const out = new Float64Array(3 * MOVE_FEATURES);
  const c = w.row(obs, 0, n, masks, 0, ctx, out, 0);
  assert.equal(c, 3);
  // Legal and not serving (node index 1): 0 (30 ms), 2 (8 ms), 4 (9 ms); node 3 is masked.
  assert.deepEqual([...w.nodes.subarray(0, c)], [2, 4, 0]);
  // With every other node masked, there is nothing to score.
  assert.equal(w.row(obs, 0, n, Uint8Array.from([1, 0, 1, 0, 0, 0]), 0, ctx, out, 0), 0);
});

test('each feature is the stated quantity: RTTs over R_max, loads over L_max, the Eq. 8 advantage, slots', () => {
  const w = new MoveFeatureWriter(p, 2);
  w.beginTick(obs, 0, n);
  const out = new Float64Array(2 * MOVE_FEATURES);
  w.row(obs, 0, n, new Uint8Array(n + 1).fill(1), 0, ctx, out, 0);
  const f = out.subarray(0, MOVE_FEATURES); // the best candidate: node 2 (8 ms, load 3)
  assert.equal(w.nodes[0], 2);
  const R = 20, L = 12;
  assert.equal(f[0], 12 / R);
  assert.equal(f[1], 8 / R);
  assert.equal(f[2], 0); // node 2 has the row's lowest RTT
  assert.equal(f[3], 13 / L);
  assert.equal(f[4], 3 / L);
  assert.equal(f[5], (2 + 13 + 3 + 4 + 11) / 5 / L);
  assert.equal(f[6], 0); // serving node overloaded (13 > 12)
  assert.equal(f[7], 1);
  const s = (r: number, l: number) => oneStepScore(p, r, 8, 30, l, 2, 13);
  assert.ok(Math.abs(f[8]! - (s(8, 3) - s(12, 13))) < 1e-12);
  assert.equal(f[9], 2 / 5); // inside: node 2 (8 ms, 3) and node 4 (9 ms, 11)
  assert.equal(f[10], 0);
  assert.equal(f[11], 1 / 50);
  assert.equal(f[12], 0.6);
  assert.equal(f[13], 0.5); // the serving node's outbound slots
  // The second candidate (node 4) is ranked 1 of 2.
  assert.equal(out[MOVE_FEATURES + 10], 0.5);
  // Rewriting the target load at the observed load changes nothing.
  const again = Float64Array.from(f);
  w.writeTargetLoad(again, 0, 3, w.stay, w.rttMin, w.rttMax);
  assert.deepEqual([...again], [...f]);
});

test('projectedLoad is Eq. 2 with the added share on both resources', () => {
  assert.equal(projectedLoad(0.5, 0.2, 50, 100, 50), nodeLoad(0.5, 0.2));
  assert.ok(Math.abs(projectedLoad(0.5, 0.2, 50, 100, 60) - nodeLoad(0.6, 0.3)) < 1e-12);
});

test('externality: leaving an overloaded node brings its other users inside; arriving pushes a node over L_max', () => {
  const penalty = 10;
  const ext = new MoveExternality(p, penalty);
  // Four rows: three on node 1 (0-based), one on node 2.
  const D = 1 + 2 * n;
  const rows = new Float64Array(4 * D);
  for (let r = 0; r < 4; r++) rows.set([r < 3 ? 2 : 3, ...rtt, ...load], r * D);
  ext.beginTick(rows, D, 4, new Uint8Array(4), n);
  assert.deepEqual([...ext.hosted.subarray(0, n)], [0, 3, 1, 0, 0]);
  // Node 1 at cpu = mem = 0.715 (L ≈ 12.3 > 12); one service of 1 % leaves: L ≈ 11.4, inside again.
  const ns = { used: [0, 71.5, 10, 0, 70.8], capacity: [100, 100, 100, 100, 100], cpu: [0, 0.715, 0.1, 0, 0.708], mem: [0, 0.715, 0.1, 0, 0.708] };
  const before = nodeLoad(0.715, 0.715), after = nodeLoad(0.705, 0.705);
  assert.ok(before > 12 && after < 12);
  const u = (l: number) => loadReward(l, [2, 13], p.loadSla) - (l > 12 ? penalty : 0);
  const leave = ext.leave(1, 1, ns);
  assert.ok(Math.abs(leave - 2 * (u(after) - u(before))) < 1e-9, 'the two users left behind gain their load terms and lose the penalty');
  assert.ok(leave > 2 * penalty * 0.9);
  // Node 4 (0-based) hosts nobody: arriving there costs no one anything, however loaded.
  assert.equal(ext.arrive(4, 5, 70.8, ns), 0);
  // Node 2 hosts one user: a service big enough to overload it costs that user the penalty.
  const big = ext.arrive(2, 62, 10, ns);
  const l0 = nodeLoad(0.1, 0.1), l1 = nodeLoad(0.72, 0.72);
  assert.ok(Math.abs(big - (u(l1) - u(l0))) < 1e-9);
  assert.ok(big < -penalty);
  // Arrival at a projected use already higher (earlier decisions this tick) is scored from there.
  assert.ok(ext.arrive(2, 1, 60, ns) < ext.arrive(2, 1, 10, ns));
});
