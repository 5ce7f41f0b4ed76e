// Learning tests on the twin (fixed seeds; thresholds relative to the exact oracle and the best heuristic).
// Each agent trains briefly on training days and is scored on 30 episodes of the validation days (never the test
// days) as a percentage of the oracle's return on the same episodes. The thresholds sit below what these seeds and
// step counts measured, with the margin noted, so a regression fails and noise does not. Measured with the default
// kernels, the plain wasm-simd build (with the opt-in FMA build, wasm-relaxed, on an AVX-512 machine in brackets):
// - product paper-model DQN (experiments/product.ts, γ 0.9), 50k steps: 99.0 % [FMA not measured at γ 0.9] (sla-greedy, the best heuristic: 99.2 %);
// - product edge-model DQN, 60k steps: 76.1 % [82.3 %] (sla-greedy 95.0 %: at this budget it does NOT reach the
//   heuristic; see the edge-model table in docs/results.md for the 200k-step figures);
// - the paper's agents with Table II settings, 50k steps on sr111: Deep SARSA 50.3 % [50.3 %], DQN (LSTM) 23.6 % [58.6 %];
// - size-agnostic node-seq DQN trained on 3 nodes, run on 5 and 8: 39.8 % and 21.6 % [49.9 % and 27.1 %].
// FMA rounds once per multiply-add instead of twice; seeded runs stay reproducible on one machine but follow another
// trajectory than the plain kernels from the first update, hence the spread between the two columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrainConfig, type TrainConfigFile } from '../../agents/config.js';
import { HEURISTICS } from '../../agents/registry.js';
import { loadScenario } from '../../twin/index.js';
import { evaluatePolicy, type OracleCache } from '../evaluate/evaluate.js';
import { resolvePolicy } from '../policies.js';
import { PRODUCT_PRESETS } from '../product.js';
import { runTraining, type TrainRunOptions } from './train.js';

const EPISODES = 30;
const EVAL_SEED = 4242;

/** % of the oracle of a model and of the best heuristic on `scenario`'s identical episodes. */
async function score(modelPath: string, scenario: string): Promise<{ agent: number; best: number; bestName: string }> {
  const sc = loadScenario(scenario);
  const cache: OracleCache = new Map();
  const pct = async (spec: string) => evaluatePolicy(await resolvePolicy(spec, { seed: 1, scenario: sc }, process.cwd()), sc, { episodes: EPISODES, seed: EVAL_SEED }, cache).metrics.pctOfOracle;
  let best = -Infinity, bestName = '';
  for (const h of HEURISTICS) {
    const p = await pct(h);
    if (p > best) [best, bestName] = [p, h];
  }
  return { agent: await pct(modelPath), best, bestName };
}

function train(o: Omit<TrainRunOptions, 'out' | 'cwd' | 'seed'> & { config: TrainConfigFile }): string {
  return runTraining({ ...o, seed: 1, out: mkdtempSync(join(tmpdir(), 'remora-learn-')), cwd: process.cwd(), config: parseTrainConfig(o.config, 'learning test') }).modelPath;
}

test('product paper-model DQN (50k steps, checkpoint on validation days) reaches >= 95 % of the oracle, within 3 pp of the best heuristic', { timeout: 300_000 }, async () => {
  const p = PRODUCT_PRESETS.paper;
  const model = train({ agent: 'dqn', scenario: p.scenario, steps: 50_000, config: p.config, validation: { scenario: p.validation, every: 10_000, episodes: 10, seed: 77 } });
  const s = await score(model, p.validation.split(',')[0]!);
  const msg = `paper-model DQN: ${s.agent.toFixed(1)} % of the oracle; best heuristic ${s.bestName} ${s.best.toFixed(1)} %`;
  console.log(msg);
  assert.ok(s.agent >= 95 && s.agent >= s.best - 3, msg);
});

test('product edge-model DQN (60k steps) reaches >= 70 % of the oracle on validation days', { timeout: 300_000 }, async () => {
  const p = PRODUCT_PRESETS.edge;
  const model = train({ agent: 'dqn', scenario: p.scenario, steps: 60_000, config: p.config, validation: { scenario: p.validation, every: 12_000, episodes: 10, seed: 77 } });
  const s = await score(model, p.validation.split(',')[0]!);
  const msg = `edge-model DQN: ${s.agent.toFixed(1)} % of the oracle; best heuristic ${s.bestName} ${s.best.toFixed(1)} %`;
  console.log(msg);
  assert.ok(s.agent >= 70, msg);
});

test("the paper's agents with Table II settings (50k steps on sr111): Deep SARSA >= 40 %, DQN (LSTM) >= 15 % of the oracle", { timeout: 300_000 }, async () => {
  for (const [agent, floor] of [['sarsa', 40], ['dqn', 15]] as const) {
    const s = await score(train({ agent, scenario: 'sr111', steps: 50_000, config: {} }), 'sr111-validation');
    const msg = `${agent} (Table II): ${s.agent.toFixed(1)} % of the oracle; best heuristic ${s.bestName} ${s.best.toFixed(1)} %`;
    console.log(msg);
    assert.ok(s.agent >= floor, msg);
  }
});

test('size-agnostic node-seq DQN trained on sr111 (3 nodes) runs unchanged on highway-5 and highway-8: >= 30 % and >= 12 % of the oracle', { timeout: 300_000 }, async () => {
  const model = train({ agent: 'dqn', scenario: 'sr111', steps: 50_000, config: { dqn: { network: { kind: 'node-seq', context: 'none', contextUnits: 24, hidden: [24] } } } });
  for (const [name, floor] of [['highway-5', 30], ['highway-8', 12]] as const) {
    const s = await score(model, name);
    const msg = `node-seq trained on sr111, on ${name}: ${s.agent.toFixed(1)} % of the oracle; best heuristic ${s.bestName} ${s.best.toFixed(1)} %`;
    console.log(msg);
    assert.ok(s.agent >= floor, msg);
  }
});
