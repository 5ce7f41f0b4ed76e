// `lookahead` on hand-built observation sequences: it moves before a one-step rule when the RTT trend says the
// next node will be better, never plays a masked action, and with one step of horizon and free instant migrations
// reduces to the one-step rules it generalises (greedy without termination, sla-greedy with it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Policy } from '../../core/env.js';
import { observationLength } from '../../core/observation.js';
import type { RewardParams } from '../../core/reward.js';
import { Rng } from '../../core/rng.js';
import { GreedyPolicy } from './greedy.js';
import { INSTANT_MIGRATION, type MigrationModel } from './lookahead-plan.js';
import { LookaheadPolicy } from './lookahead.js';
import { SlaGreedyPolicy } from './sla-greedy.js';

const PARAMS: RewardParams = { rttSla: { min: 1, max: 20 }, loadSla: { min: 1, max: 12 }, migrationCost: 2 };
/** The edge overlay's pod migration: 2 steps of pre-copy, a 1.5 s blackout (225 ms in Eq. 1), 0.5 traffic, penalty 2. */
const EDGE: MigrationModel = { durationSteps: 2, spikeMs: 225, trafficCost: 0.5, violationPenalty: 2, terminateOnViolation: false };

function obs(current: number, rtts: number[], loads: number[], inFlight: boolean): Float64Array {
  const n = rtts.length;
  const o = new Float64Array(observationLength(n, inFlight));
  o[0] = current;
  rtts.forEach((x, j) => (o[1 + j] = x));
  loads.forEach((x, j) => (o[1 + n + j] = x));
  return o;
}

/** The step at which `p` first migrates on a drive from node 1 towards node 2 (RTTs 1.2 ms a step apart), or -1. */
function firstMigrationStep(p: Policy, inFlight: boolean): { step: number; target: number } {
  p.reset();
  const mask = Uint8Array.of(1, 1, 1, 1);
  for (let t = 0; t < 30; t++) {
    const a = p.act(obs(1, [4 + 0.6 * t, 30 - 0.6 * t, 55], [1.5, 1.5, 1.5], inFlight), mask);
    if (a !== 0) return { step: t, target: a };
  }
  return { step: -1, target: 0 };
}

test('on a drive where the RTT trend makes node 2 better, lookahead starts the timed migration before sla-greedy', () => {
  const la = firstMigrationStep(new LookaheadPolicy({}, PARAMS, 3, EDGE), true);
  const sg = firstMigrationStep(new SlaGreedyPolicy(PARAMS, 3), true);
  assert.equal(la.target, 2);
  assert.equal(sg.target, 2);
  assert.ok(sg.step > 0, `sla-greedy moves once node 2 scores better (step ${sg.step})`);
  // Node 2 overtakes node 1 at step 21.7 (RTTs equal); a 2-step pre-copy has to start about 2 steps before that.
  assert.ok(la.step >= 0 && la.step < sg.step, `lookahead at step ${la.step}, sla-greedy at step ${sg.step}`);
});

test('without a trend (every node holds still) lookahead behaves like its one-step core and waits', () => {
  const p = new LookaheadPolicy({}, PARAMS, 3, EDGE);
  for (let t = 0; t < 10; t++) assert.equal(p.act(obs(1, [5, 30, 55], [1.5, 1.5, 1.5], true), Uint8Array.of(1, 1, 1, 1)), 0);
});

test('reset() forgets the trend: the first observation after it is planned with no history', () => {
  const p = new LookaheadPolicy({}, PARAMS, 3, EDGE);
  const mask = Uint8Array.of(1, 1, 1, 1);
  const ramp = (t: number) => obs(1, [4 + 0.6 * t, 30 - 0.6 * t, 55], [1.5, 1.5, 1.5], true);
  let moved = -1;
  for (let t = 0; t < 30 && moved < 0; t++) if (p.act(ramp(t), mask) !== 0) moved = t;
  assert.ok(moved > 0);
  p.reset();
  // The step it moved at, seen alone, holds every RTT still: node 1 (about 16 ms) stays inside the SLA, so it waits.
  assert.equal(p.act(ramp(moved), mask), 0);
});

test('lookahead never picks a masked action (random observations and masks, both layouts and both models)', () => {
  const rng = new Rng(17);
  for (const model of [INSTANT_MIGRATION, EDGE]) {
    for (const inFlight of [false, true]) {
      const p = new LookaheadPolicy({ horizonSteps: 6 }, PARAMS, 4, model);
      for (let ep = 0; ep < 20; ep++) {
        p.reset();
        for (let t = 0; t < 25; t++) {
          const rtts = Array.from({ length: 4 }, () => rng.uniformIn(1, 60));
          const loads = Array.from({ length: 4 }, () => rng.uniformIn(1, 20));
          const mask = Uint8Array.from({ length: 5 }, (_, a) => (a === 0 ? 1 : rng.uniform() < 0.5 ? 1 : 0));
          const a = p.act(obs(1 + Math.floor(rng.uniform() * 4), rtts, loads, inFlight), mask);
          assert.equal(mask[a], 1, `action ${a} under mask ${Array.from(mask)}`);
        }
      }
    }
  }
});

test('with every migrate action masked (a migration in flight) lookahead waits', () => {
  const p = new LookaheadPolicy({}, PARAMS, 3, EDGE);
  assert.equal(p.act(obs(1, [25, 2, 50], [1.5, 1.5, 1.5], true), Uint8Array.of(1, 0, 0, 0)), 0);
});

test('H = 1 with free instant migrations: greedy when a breach does not end the episode, sla-greedy when it does', () => {
  const rng = new Rng(5);
  const free: MigrationModel = { ...INSTANT_MIGRATION, terminateOnViolation: false };
  const cases: [MigrationModel, Policy][] = [[free, new GreedyPolicy(PARAMS, 3)], [INSTANT_MIGRATION, new SlaGreedyPolicy(PARAMS, 3)]];
  for (const [model, rule] of cases) {
    const la = new LookaheadPolicy({ horizonSteps: 1 }, PARAMS, 3, model);
    let moves = 0;
    for (let i = 0; i < 2000; i++) {
      // RTTs and loads on both sides of the SLA, so breaches and the SLA-constrained choice both occur.
      const rtts = [rng.uniformIn(1, 40), rng.uniformIn(1, 40), rng.uniformIn(1, 40)];
      const loads = [rng.uniformIn(1, 20), rng.uniformIn(1, 20), rng.uniformIn(1, 20)];
      const mask = Uint8Array.from({ length: 4 }, (_, a) => (a === 0 || rng.uniform() < 0.8 ? 1 : 0));
      const o = obs(1 + Math.floor(rng.uniform() * 3), rtts, loads, false);
      const expected = rule.act(o, mask);
      if (expected !== 0) moves++;
      assert.equal(la.act(o, mask), expected, `${rule.name}: rtts ${rtts} loads ${loads} mask ${Array.from(mask)}`);
    }
    assert.ok(moves > 200, `${rule.name} migrates in ${moves} of 2000 cases: the comparison covers both choices`);
  }
});

test('a bad config is one clear error naming the field', () => {
  assert.throws(() => new LookaheadPolicy({ horizonSteps: 0 }, PARAMS, 3), /horizonSteps/);
});
