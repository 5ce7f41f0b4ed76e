// The residual DAgger agent: before any update it is exactly its rule; a saved model plays the same actions after
// loading; a header that mixes a residual agent with a plain one is one line naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../core/rng.js';
import { InvalidInputError } from '../../core/errors.js';
import { DaggerFields } from '../../agents/dagger-config.js';
import { DaggerLearner } from '../../agents/dagger.js';
import { loadModel } from '../../agents/policy-file.js';
import { emptyRange, residualArgmax, widenRange, withinRange } from '../../agents/residual-policy.js';
import { SCALE_FREE_FEATURES } from '../../agents/scale-free-features.js';
import { loadScenario, makeEnv } from '../../twin/index.js';
import { contextFor, resolvePolicy } from '../policies.js';

const scenario = loadScenario('sr111-edge', {});

/** Actions of `a` and `b` over the same episodes (each driven by `a`), for `episodes` episodes. */
async function sameActions(a: { reset(): void; act(o: Float64Array, m: Uint8Array): number }, b: { reset(): void; act(o: Float64Array, m: Uint8Array): number }, episodes: number): Promise<[number[], number[]]> {
  const env = makeEnv(scenario, 5);
  const xs: number[] = [], ys: number[] = [];
  for (let e = 0; e < episodes; e++) {
    let r = env.reset();
    a.reset();
    b.reset();
    for (;;) {
      const x = a.act(r.observation, r.info.actionMask), y = b.act(r.observation, r.info.actionMask);
      xs.push(x);
      ys.push(y);
      const s = env.step(x);
      if (s.terminated || s.truncated) break;
      r = s;
    }
  }
  return [xs, ys];
}

/** A residual learner over lookahead on `scenario` with random weights off zero, so the residual matters. */
function noisyLearner(dagger: Record<string, unknown>, weightSeed: number): DaggerLearner {
  const ctx = contextFor(scenario, 1);
  const learner = new DaggerLearner(DaggerFields.parse(dagger), ctx.reward, true, 3, new Rng(2), { rttBaseMs: ctx.rttBaseMs!, migration: ctx.migration! });
  const p = learner.network.params, rng = new Rng(weightSeed);
  for (let i = 0; i < p.length; i++) p[i] = rng.normal() * 0.3;
  return learner;
}

for (const rule of ['sla-greedy', 'lookahead'] as const) {
  test(`an untrained residual agent over ${rule} plays exactly ${rule}`, async () => {
    const ctx = contextFor(scenario, 1);
    const learner = new DaggerLearner(DaggerFields.parse({ prior: { rule } }), ctx.reward, true, 3, new Rng(1), { rttBaseMs: ctx.rttBaseMs!, migration: ctx.migration! });
    const [mine, theirs] = await sameActions(learner.policy(), await resolvePolicy(rule, { seed: 1, scenario }, process.cwd()), 3);
    assert.ok(mine.length > 100);
    assert.deepEqual(mine, theirs);
  });
}

test('a saved residual model loads and plays the same actions; a residual header without its prior is one line', async () => {
  const ctx = contextFor(scenario, 1);
  const learner = noisyLearner({ prior: { rule: 'lookahead' } }, 3);
  const dir = mkdtempSync(join(tmpdir(), 'remora-dagger-'));
  const path = learner.save(dir, { scenario: 'sr111-edge', seed: 2, steps: 0, episodes: 0, updates: 0, meanReward: null, config: {} });
  const [before, after] = await sameActions(learner.policy(), loadModel(path).policy(), 3);
  assert.deepEqual(after, before);
  const header = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  delete header.prior;
  writeFileSync(path, JSON.stringify(header));
  assert.throws(() => loadModel(path), (e: unknown) => e instanceof InvalidInputError && /agent: expected dagger with a node-seq network, the scale-free features and a prior/.test(e.message) && !e.message.includes('\n'));
});

test('the deviation margin: 0 is greedy over prior + residual, a margin defers to the rule unless the gain exceeds it', () => {
  // Wait, node 1 (the rule's choice, prior 0), node 2 (prior −1, serving node 3 is −∞).
  const prior = Float64Array.from([-1, 0, -1, -Infinity]);
  const q = new Float64Array(4);
  // The residual lifts node 2 to 0.8 above the rule's action.
  const residual = [0, 0.2, 2, 0];
  assert.equal(residualArgmax(prior, residual, 3, q), 2);
  assert.equal(residualArgmax(prior, residual, 3, q, 0.5), 2, 'a gain of 0.8 clears a margin of 0.5');
  assert.equal(residualArgmax(prior, residual, 3, q, 0.8), 1, 'a gain equal to the margin is not enough');
  assert.equal(residualArgmax(prior, residual, 3, q, 1000), 1, 'a margin beyond any residual is the rule');
  // Where the greedy action is the rule's own, the margin changes nothing.
  assert.equal(residualArgmax(prior, [0, 0, 0, 0], 3, q, 1000), 1);
});

test('a saved residual model keeps its deviation margin; with a huge margin a trained residual plays its rule', async () => {
  const ctx = contextFor(scenario, 1);
  const learner = noisyLearner({ prior: { rule: 'lookahead' } }, 4);
  const dir = mkdtempSync(join(tmpdir(), 'remora-dagger-'));
  const path = learner.save(dir, { scenario: 'sr111-edge', seed: 2, steps: 0, episodes: 0, updates: 0, meanReward: null, config: {} }, undefined, 1000);
  assert.equal(loadModel(path).header.prior?.margin, 1000);
  const rule = await resolvePolicy('lookahead', { seed: 1, scenario }, process.cwd());
  const [loaded, ruled] = await sameActions(loadModel(path).policy(), rule, 3);
  assert.deepEqual(loaded, ruled);
  // The same weights without the margin deviate somewhere, or the check above proves nothing.
  const [greedy, ruled2] = await sameActions(learner.policy(), await resolvePolicy('lookahead', { seed: 1, scenario }, process.cwd()), 3);
  assert.notDeepEqual(greedy, ruled2);
});

test('the feature range: a residual with a range plays its rule on any state outside it, and a saved model keeps it', async () => {
  const ctx = contextFor(scenario, 1);
  const learner = noisyLearner({ prior: { rule: 'lookahead' }, outOfRange: 'defer' }, 4);
  const rule = () => resolvePolicy('lookahead', { seed: 1, scenario }, process.cwd());
  // An empty range covers nothing: every state is outside it, so the policy is the rule.
  const empty = emptyRange(SCALE_FREE_FEATURES);
  const [gated, ruled] = await sameActions(learner.policy(undefined, 0, empty), await rule(), 3);
  assert.deepEqual(gated, ruled);
  // An unbounded range gates nothing: the same weights deviate from the rule somewhere.
  const all = { lo: new Float64Array(SCALE_FREE_FEATURES).fill(-Infinity), hi: new Float64Array(SCALE_FREE_FEATURES).fill(Infinity) };
  const [open, ruled2] = await sameActions(learner.policy(undefined, 0, all), await rule(), 3);
  assert.notDeepEqual(open, ruled2);
  // The range is what the labelled states covered, and it survives a save and a load.
  const x = Float64Array.from({ length: 2 * SCALE_FREE_FEATURES }, (_, i) => i - 5);
  const r = emptyRange(SCALE_FREE_FEATURES);
  widenRange(r, x, 2);
  assert.equal(r.lo[0], -5);
  assert.equal(r.hi[0], SCALE_FREE_FEATURES - 5);
  assert.ok(withinRange(r, x, 2));
  x[3] = 1e6;
  assert.ok(!withinRange(r, x, 2));
  const dir = mkdtempSync(join(tmpdir(), 'remora-dagger-'));
  const path = learner.save(dir, { scenario: 'sr111-edge', seed: 2, steps: 0, episodes: 0, updates: 0, meanReward: null, config: {} }, undefined, 0, empty);
  const [loaded, ruled3] = await sameActions(loadModel(path).policy(), await rule(), 3);
  assert.deepEqual(loaded, ruled3);
});
