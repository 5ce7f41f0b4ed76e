import { trainDagger } from '../src/experiments/train/dagger-train.js';
import { DaggerFields } from '../src/agents/dagger-config.js';
import { loadScenario } from '../src/twin/index.js';
import { evaluatePolicy } from '../src/experiments/evaluate/evaluate.js';
import { resolvePolicy } from '../src/experiments/policies.js';

const train = process.argv[2] ?? 'sr111-edge';
const vals = (process.argv[3] ?? 'sr111-edge-validation,sr111-edge-validation-roundtrip').split(',');
const steps = Number(process.argv[4] ?? 20000);
const seed = Number(process.argv[5] ?? 1);
const cfg = DaggerFields.parse(JSON.parse(process.argv[6] ?? '{}'));
const sc = loadScenario(train, {});
const valSc = vals.map((v) => loadScenario(v, {}));
const t0 = Date.now();
const caches = valSc.map(() => new Map());
const learner = trainDagger({ scenario: sc, steps, envSeed: seed * 7 + 1, agentSeed: seed * 13 + 5, config: cfg, onIteration: (it, l) => {
  const pol = l.policy();
  const pcts = valSc.map((v, i) => evaluatePolicy(pol, v, { episodes: 20, seed: 1000 }, caches[i]).metrics.pctOfOracle.toFixed(2));
  console.log(`it ${it.iteration} steps ${it.steps} eps ${it.episodes} samples ${it.samples} beta ${it.beta.toFixed(3)} loss ${it.loss.toFixed(4)} val ${pcts.join(' ')} ${((Date.now() - t0) / 1000).toFixed(0)}s`);
} });
for (const name of ['sla-greedy', 'lookahead']) {
  const pcts = [];
  for (const [i, v] of valSc.entries()) pcts.push(evaluatePolicy(await resolvePolicy(name, { seed: 1, scenario: v }, process.cwd()), v, { episodes: 20, seed: 1000 }, caches[i]).metrics.pctOfOracle.toFixed(2));
  console.log(name, pcts.join(' '));
}
void learner;
