// The deferral priority: which rows it marks urgent (in breach, or breaching before a move started next tick could
// finish), and that a shorter observed migration outranks a longer one at equal urgency. Its effect on a fleet is
// tested in experiments/fleet/fleet-eval.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FleetEnv, FleetStep } from '../../core/fleet-env.js';
import { DeferralPriority } from './deferral-priority.js';

const P = { rttSla: { min: 0, max: 10 }, loadSla: { min: 0, max: 90 }, migrationCost: 1 } as unknown as ConstructorParameters<typeof DeferralPriority>[0];

/** Two nodes; rows are (user id, serving node 1-based, RTT to it, busy). */
function tick(rows: Array<[id: number, cur: number, rtt: number, busy: number]>): { step: FleetStep; env: FleetEnv } {
  const D = 5, n = 2;
  const obs = new Float64Array(rows.length * D);
  rows.forEach(([, cur, rtt], r) => {
    obs[r * D] = cur;
    obs[r * D + cur] = rtt;
    obs[r * D + (cur === 1 ? 2 : 1)] = 5;
    obs[r * D + 1 + n] = 50;
    obs[r * D + 2 + n] = 50;
  });
  const step = { rows: rows.length, t: 0, ids: Int32Array.from(rows.map((x) => x[0])), observations: obs } as unknown as FleetStep;
  const env = { nodes: n, maxUsers: 8, observationSpace: { low: new Float64Array(D) }, nodeState: { busy: Uint8Array.from(rows.map((x) => x[3])) } } as unknown as FleetEnv;
  return { step, env };
}

test('urgent: in breach, or the RTT trend crosses the SLA before a move started next tick could finish', () => {
  const d = new DeferralPriority(P);
  d.reset();
  // User 0 approaches the limit fast (4 → 7: 3 ms a tick, 1.5 after smoothing), user 1 slowly, user 2 is in breach.
  let { step, env } = tick([[0, 1, 4, 0], [1, 1, 2, 0], [2, 1, 12, 0]]);
  d.observe(step, env);
  assert.deepEqual([...d.urgent.subarray(0, 3)], [0, 0, 1], 'no trend yet: only the breach is urgent');
  ({ step, env } = tick([[0, 1, 7, 0], [1, 1, 2.2, 0], [2, 1, 12, 0]]));
  d.observe(step, env);
  // User 0: 3 ms left at 1.5 ms a tick = 2 ticks ≤ p + 1 = 2 (p = 1 before any move is seen): urgent.
  // User 1: 7.8 ms left at 0.1 ms a tick: it can wait.
  assert.deepEqual([...d.urgent.subarray(0, 3)], [1, 0, 1]);
});

test('at equal urgency the user whose migration holds a slot for fewer ticks goes first', () => {
  const d = new DeferralPriority(P);
  d.reset();
  // User 0 migrates for 1 tick, user 1 for 3 ticks; then both are in breach.
  const busy = [[1, 1], [0, 1], [0, 1], [0, 0]];
  for (const [b0, b1] of busy) d.observe(tick([[0, 1, 5, b0!], [1, 1, 5, b1!]]).step, tick([[0, 1, 5, b0!], [1, 1, 5, b1!]]).env);
  const { step, env } = tick([[0, 1, 15, 0], [1, 1, 15, 0]]);
  d.observe(step, env);
  assert.deepEqual([...d.ticks.subarray(0, 2)], [1, 3]);
  const keys = d.fill({ count: 2, user: [0, 1], from: [0, 0], to: [1, 1], gain: [1, 9], demand: [1, 1] });
  assert.ok(keys[0]! > keys[1]!, `1/1 before 1/3 whatever the gain: ${keys[0]} vs ${keys[1]}`);
});
