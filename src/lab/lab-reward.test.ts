// The lab's reward is the twin's: LabEnv scores each measured step with the transition kernel's `measuredStep`, and
// on the same inputs (the observation the agent acted on, the action) that gives the twin's reward to the bit,
// traffic cost of a started migration included. No lab is needed: the twin's own observations are the inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { TransitionKernel, transitionParams } from '../core/transition.js';
import { TwinEnv } from '../twin/env.js';
import { loadScenario } from '../twin/scenario-loader.js';
import { edgeMigrationCosts } from '../twin/world.js';

test("the lab's kernel reward equals the twin's on the same observation and action, traffic cost included", () => {
  const base = loadScenario('sr111-train');
  // The lab's semantics: instant migrations, the paper's layout; the edge model's traffic cost and breach penalty on,
  // no modelled blackout (a measured RTT carries the real one).
  const spec = { ...base.spec, terminateOnViolation: false, reward: { ...base.spec.reward, trafficCostPerGiB: 2, violationPenalty: 2 } };
  const scenario = { ...base, spec };
  const traffic = edgeMigrationCosts(spec).trafficCost;
  assert.ok(traffic > 0, 'the scenario charges traffic');
  const kernel = new TransitionKernel(transitionParams(spec));
  const env = new TwinEnv(scenario, 3);
  const rng = new Rng(11);
  const n = env.nodes;
  let migrations = 0, steps = 0;
  for (let e = 0; e < 5; e++) {
    let { observation } = env.reset({ seed: e });
    for (;;) {
      const obs = Float64Array.from(observation);
      const a = rng.uniform() < 0.2 ? rng.int(n + 1) : 0;
      const r = env.step(a);
      const lab = kernel.measuredStep(obs[0]! - 1, a, obs.subarray(1, 1 + n), obs.subarray(1 + n, 1 + 2 * n), n, traffic);
      assert.equal(lab, r.reward, `episode ${e} step ${steps}: lab ${lab} vs twin ${r.reward}`);
      assert.equal(kernel.terminatedLast, r.terminated);
      if (r.info.migrated) migrations++;
      steps++;
      if (r.terminated || r.truncated) break;
      observation = r.observation;
    }
  }
  assert.ok(migrations > 10, `migrations exercised: ${migrations}`);
});
