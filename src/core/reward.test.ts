import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  averageRtt, combineRewardTerms, loadReward, MAX_LOAD, migrationPenalty, migrationTrafficCost, nodeLoad, reward, rewardTerms, rttReward,
  slaViolationPenalty, switchoverRttMs, type RewardTerms,
} from './reward.js';
import { Rng } from './rng.js';

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

// ---------------------------------------------------------------------------------------------------------------
// Edge model terms (beyond the paper)

test('switchoverRttMs is 1000 · D² / (2 · Δ · N) ms, and 0 without downtime', () => {
  close(switchoverRttMs(1.5, 1, 5), (1000 * 1.5 * 1.5) / (2 * 1 * 5), 1e-9);
  close(switchoverRttMs(0.2, 1, 5), 4, 1e-9);
  close(switchoverRttMs(3, 0.5, 8), (1000 * 9) / 8, 1e-9);
  assert.equal(switchoverRttMs(0, 1, 5), 0);
  assert.equal(switchoverRttMs(-1, 1, 5), 0, 'a negative downtime is none');
  // Quadratic in D, inverse in Δ and in N.
  close(switchoverRttMs(2, 1, 5) / switchoverRttMs(1, 1, 5), 4, 1e-12);
  close(switchoverRttMs(1, 2, 5) / switchoverRttMs(1, 1, 5), 0.5, 1e-12);
  close(switchoverRttMs(1, 1, 10) / switchoverRttMs(1, 1, 5), 0.5, 1e-12);
});

/**
 * Monte-Carlo of the derivation: probes leave every `spacingS`; a blackout of `downtimeS` starts at a uniformly
 * random phase; a probe sent inside it is answered when the service resumes. The extra delay of the affected probes,
 * averaged over a window of `window` probes (Eq. 1), in ms, averaged over `trials` blackouts.
 */
function simulatedSpikeMs(downtimeS: number, spacingS: number, window: number, trials: number, rng: Rng): number {
  let total = 0;
  for (let k = 0; k < trials; k++) {
    const start = rng.uniform() * spacingS; // the probes are at 0, Δ, 2Δ, ...: only the phase matters
    const end = start + downtimeS;
    let extraS = 0;
    for (let i = 1; i * spacingS < end; i++) {
      const sent = i * spacingS;
      if (sent >= start) extraS += end - sent;
    }
    total += (1000 * extraS) / window;
  }
  return total / trials;
}

test('switchoverRttMs matches a Monte-Carlo of probes delayed by a blackout at a random phase (D < Δ and D > Δ)', () => {
  const rng = new Rng(20240909);
  const cases: [number, number, number][] = [
    [0.3, 1, 5], // D < Δ: at most one probe is hit
    [0.2, 1, 5], // the VM calibration of the edge overlay
    [1.5, 1, 5], // the pod calibration (Δ = 5 s / 5 transmissions)
    [3.7, 1, 5], // D > Δ: several probes
    [1.5, 0.25, 10],
  ];
  for (const [d, delta, n] of cases) {
    assert.ok(Math.ceil(d / delta) <= n, 'the window holds every delayed probe');
    const sim = simulatedSpikeMs(d, delta, n, 40000, rng);
    const formula = switchoverRttMs(d, delta, n);
    const rel = Math.abs(sim - formula) / formula;
    assert.ok(rel < 0.04, `D=${d} s, Δ=${delta} s, N=${n}: simulated ${sim.toFixed(3)} ms vs formula ${formula.toFixed(3)} ms (${(100 * rel).toFixed(1)} %)`);
  }
});

test('migrationTrafficCost is stateGiB · costPerGiB (edge overlay: pod 0.5, VM 2; 0 when off)', () => {
  assert.equal(migrationTrafficCost(0.25, 2), 0.5);
  assert.equal(migrationTrafficCost(1, 2), 2);
  assert.equal(migrationTrafficCost(3, 0), 0);
  assert.equal(migrationTrafficCost(0, 5), 0);
  close(migrationTrafficCost(0.7, 1.3), 0.91, 1e-12);
});

test('slaViolationPenalty charges the penalty only on a violated step', () => {
  assert.equal(slaViolationPenalty(true, 2), 2);
  assert.equal(slaViolationPenalty(false, 2), 0);
  assert.equal(slaViolationPenalty(true, 0), 0);
});

test('MAX_LOAD is the bound of Eq. 2 (a saturated node)', () => {
  close(MAX_LOAD, 1e4, 1e-6);
  close(nodeLoad(1, 1), MAX_LOAD, 1e-9);
});

test('rewardTerms + combineRewardTerms equal reward() and the individual equations, on random inputs', () => {
  const rng = new Rng(7);
  const out: RewardTerms = { rtt: NaN, load: NaN, rttPenalty: NaN, loadPenalty: NaN };
  let penalised = 0;
  for (let k = 0; k < 2000; k++) {
    const n = 2 + rng.int(5);
    const rtts = Array.from({ length: n }, () => rng.uniformIn(0.5, 60));
    const loads = Array.from({ length: n }, () => 1 + rng.uniformIn(0, 1) ** 3 * 40);
    const j = rng.int(n);
    const x = { rttMs: rtts[j]!, rttsMs: rtts, load: loads[j]!, loads, rttSla: { min: 1, max: 20 }, loadSla: { min: 1, max: 12 }, migrationCost: rng.uniformIn(0, 4) };
    const t = rewardTerms(x, out);
    assert.equal(t, out, 'writes into and returns out');
    assert.equal(t.rtt, rttReward(x.rttMs, rtts, x.rttSla));
    assert.equal(t.load, loadReward(x.load, loads, x.loadSla));
    assert.equal(t.rttPenalty, migrationPenalty(x.rttMs, rtts, 20, x.migrationCost));
    assert.equal(t.loadPenalty, migrationPenalty(x.load, loads, 12, x.migrationCost));
    assert.equal(combineRewardTerms(t), reward(x));
    if (t.rttPenalty > 0 || t.loadPenalty > 0) penalised++;
  }
  assert.ok(penalised > 50, `penalties exercised (${penalised} cases)`);
});
