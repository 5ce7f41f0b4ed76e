// The residual DAgger agent learns from the twin's oracle where its rule falls short (fixed seeds; thresholds
// relative to the oracle and the best heuristic, `lookahead` included). It trains 24k steps on the edge model's
// training days, its checkpoint chosen on the validation days (seed 77), and is scored on 30 other episodes of the
// one-way validation days (seed 4242), never the test days. Measured with these seeds:
// - over sla-greedy: 97.87 % of the oracle, sla-greedy 95.05 %: 2.8 pp past its own rule, 0.7 pp short of lookahead;
// - over lookahead: 97.44 %, lookahead 98.56 %: here the residual LOSES 1.1 pp to its own rule. The test says so, and
//   fails if it falls further behind.
// (The validation round trip is not used: on these 30 episodes its oracle returns are small and every policy's
// percentage swings, greedy 83 % against lookahead 55 %.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrainConfig } from '../../agents/config.js';
import { HEURISTICS } from '../../agents/registry.js';
import { loadScenario } from '../../twin/index.js';
import { evaluatePolicy, type OracleCache } from '../evaluate/evaluate.js';
import { resolvePolicy } from '../policies.js';
import { PRODUCT_PRESETS } from '../product.js';
import { runTraining } from './train.js';

const SCENARIO = 'sr111-edge-validation';

async function pctOf(spec: string, cache: OracleCache): Promise<number> {
  const sc = loadScenario(SCENARIO);
  return evaluatePolicy(await resolvePolicy(spec, { seed: 1, scenario: sc }, process.cwd()), sc, { episodes: 30, seed: 4242 }, cache).metrics.pctOfOracle;
}

function train(rule: 'sla-greedy' | 'lookahead'): string {
  const config = parseTrainConfig({ dagger: { iterations: 12, prior: { rule }, residualL2: 0.001 } }, 'learning test');
  return runTraining({ agent: 'dagger', scenario: 'sr111-edge', steps: 24_000, seed: 1, out: mkdtempSync(join(tmpdir(), 'remora-dagger-')), cwd: process.cwd(), config, validation: { scenario: 'sr111-edge-validation,sr111-edge-validation-roundtrip', every: 2000, episodes: 10, seed: 77 } }).modelPath;
}

for (const rule of ['sla-greedy', 'lookahead'] as const) {
  test(`residual DAgger over ${rule} learns where the rule falls short`, { timeout: 300_000 }, async () => {
    const cache: OracleCache = new Map();
    const agent = await pctOf(train(rule), cache);
    const own = await pctOf(rule, cache);
    let best = -Infinity, bestName = '';
    for (const h of HEURISTICS) {
      const p = await pctOf(h, cache);
      if (p > best) [best, bestName] = [p, h];
    }
    const msg = `dagger over ${rule}: ${agent.toFixed(2)} % of the oracle; ${rule} ${own.toFixed(2)} %; best heuristic ${bestName} ${best.toFixed(2)} %`;
    console.log(msg);
    if (rule === 'sla-greedy') assert.ok(agent >= own + 2 && agent >= best - 1.5, msg);
    else assert.ok(agent >= best - 2, msg);
  });
}

// The product's residual agent (the edge preset's settings: deviation margins chosen with the checkpoint on the
// validation days and the validation families, 20 episodes each) must not lose to its rule: it deviates only where
// the validation data say a deviation pays. (With 10 validation episodes on the validation days alone it chose to
// deviate, and lost 1.1 pp, as the test above.)
test('the product residual agent over lookahead does not lose to lookahead', { timeout: 600_000 }, async () => {
  const cache: OracleCache = new Map();
  const r = PRODUCT_PRESETS.edge.residual;
  const config = parseTrainConfig(structuredClone(r.config), 'learning test');
  const model = runTraining({ agent: 'dagger', scenario: 'sr111-edge', steps: 24_000, seed: 1, out: mkdtempSync(join(tmpdir(), 'remora-dagger-')), cwd: process.cwd(), config, validation: { scenario: r.validation, every: 2000, episodes: r.validateEpisodes, seed: 77 } }).modelPath;
  const agent = await pctOf(model, cache);
  const own = await pctOf('lookahead', cache);
  const msg = `product residual agent: ${agent.toFixed(2)} % of the oracle; lookahead ${own.toFixed(2)} %`;
  console.log(msg);
  assert.ok(agent >= own - 0.25, msg);
});
