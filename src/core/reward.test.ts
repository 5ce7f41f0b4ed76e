import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageRtt, loadReward, migrationPenalty, nodeLoad, reward, rttReward } from './reward.js';

const close = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('Eq.4 reproduces the paper example: RTTs (3,5,6) ms, R_min 1, R_max 20', () => {
  const rtts = [3, 5, 6];
  const sla = { min: 1, max: 20 };
  const r = rtts.map((x) => rttReward(x, rtts, sla));
  close(r[0]!, 0.6833);
  close(r[1]!, -0.2833);
  close(r[2]!, -0.6333);
  // The paper prints them truncated to one decimal.
  assert.deepEqual(r.map((x) => Math.trunc(x * 10) / 10), [0.6, -0.2, -0.6]);
});

test('Eq.5 has the same form as Eq.4 and ranks the least loaded node best', () => {
  const loads = [1.5, 3, 11];
  const sla = { min: 1, max: 12 };
  const r = loads.map((l) => loadReward(l, loads, sla));
  assert.ok(r[0]! > r[1]! && r[1]! > r[2]!);
  close(r[0]!, 1 / 1.5 - 1.5 / 12 + 1 - 1.5 / 11, 1e-12);
});

test('Eq.6/7 penalty: cost/2 only when above max AND the worst candidate', () => {
  assert.equal(migrationPenalty(25, [3, 10, 25], 20, 4), 2);
  assert.equal(migrationPenalty(22, [3, 22, 25], 20, 4), 0, 'above max but not the worst');
  assert.equal(migrationPenalty(6, [3, 5, 6], 20, 4), 0, 'worst but within SLA');
});

test('Eq.2 load clips cpu and mem to [0, 0.99]', () => {
  assert.equal(nodeLoad(0, 0), 1);
  close(nodeLoad(0.5, 0.5), 4, 1e-12);
  close(nodeLoad(1.5, 2), 10000, 1e-6);
  assert.equal(nodeLoad(-0.3, 0), 1);
});

test('Eq.1 averages the samples; no samples is NaN, and NaN load inputs stay NaN', () => {
  assert.equal(averageRtt([2, 4, 6]), 4);
  assert.ok(Number.isNaN(averageRtt([])));
  assert.ok(Number.isNaN(nodeLoad(Number.NaN, 0.2)));
  assert.ok(Number.isNaN(nodeLoad(0.2, Number.NaN)));
});

test('Eq.8 sums the local rewards and subtracts both penalties', () => {
  const x = { rttMs: 25, rttsMs: [3, 10, 25], load: 13, loads: [2, 3, 13], rttSla: { min: 1, max: 20 }, loadSla: { min: 1, max: 12 }, migrationCost: 4 };
  const expected = rttReward(25, x.rttsMs, x.rttSla) + loadReward(13, x.loads, x.loadSla) - 4;
  close(reward(x), expected, 1e-12);
});
