// The training config schemas: defaults pinned to the literal values they replaced (Table II / keras-rl2), key
// order (config.json is JSON.stringify of the resolved config), file overrides, the cross-field rules, and the
// `--network` override.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../core/errors.js';
import {
  DEFAULT_DQN_CONFIG, DEFAULT_EXPLORATION, DEFAULT_SARSA_CONFIG, NETWORK_KINDS, NetworkSchema, parseTrainConfig, readTrainConfig,
  resolveDqnConfig, resolveSarsaConfig, withNetworkKind,
} from './config.js';

// The literals `dqn.ts`, `sarsa.ts` and `exploration.ts` held before the schemas carried the defaults.
const PREVIOUS_DQN = {
  network: { kind: 'lstm', window: 4, lstmUnits: 24, hidden: [24] },
  memoryLimit: 20000,
  batchSize: 32,
  warmupSteps: 1000,
  trainInterval: 1,
  targetUpdate: 20,
  gamma: 0.99,
  learningRate: 1e-3,
  doubleDqn: false,
  huberDelta: null,
  dueling: false,
  gradClipNorm: null,
  nStep: 1,
  features: 'paper',
  // Added after the schemas, each off by default (the paper's uniform replay and fixed encoding).
  prioritized: { enabled: false, alpha: 0.6, beta0: 0.4, betaSteps: null, epsilon: 1e-6 },
  observationNorm: 'fixed',
  exploration: { epsilonMax: 1, epsilonMin: 0.1 },
};
const PREVIOUS_SARSA = {
  network: { kind: 'mlp', hidden: [24, 24], window: 1 },
  gamma: 0.99,
  learningRate: 1e-3,
  warmupSteps: 10,
  huberDelta: null,
  gradClipNorm: null,
  kerasRl2Compat: false,
  features: 'paper',
  observationNorm: 'fixed',
  exploration: { epsilonMax: 1, epsilonMin: 0.1 },
};

/** Deep equality and the same key order (config.json and the model header are JSON.stringify of these). */
function sameJson(actual: unknown, expected: unknown): void {
  assert.deepEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

test('defaults are the paper setup they replaced (Table II, keras-rl2), in the same key order', () => {
  sameJson(DEFAULT_DQN_CONFIG, PREVIOUS_DQN);
  sameJson(DEFAULT_SARSA_CONFIG, PREVIOUS_SARSA);
  sameJson(DEFAULT_EXPLORATION, { epsilonMax: 1, epsilonMin: 0.1 });
  sameJson(resolveDqnConfig({}), PREVIOUS_DQN);
  sameJson(resolveSarsaConfig({}), PREVIOUS_SARSA);
});

test('each network kind has its defaults', () => {
  assert.deepEqual(NETWORK_KINDS, ['lstm', 'mlp', 'node-seq']);
  sameJson(NetworkSchema.parse({ kind: 'lstm' }), { kind: 'lstm', window: 4, lstmUnits: 24, hidden: [24] });
  sameJson(NetworkSchema.parse({ kind: 'mlp' }), { kind: 'mlp', hidden: [24, 24], window: 1 });
  sameJson(NetworkSchema.parse({ kind: 'node-seq' }), { kind: 'node-seq', context: 'none', contextUnits: 24, hidden: [24] });
});

test('a file overlays the defaults; exploration applies to either agent', () => {
  const file = parseTrainConfig(
    { agent: 'dqn', dqn: { gamma: 0.9, huberDelta: 1, network: { kind: 'lstm', window: 2 } }, sarsa: { warmupSteps: 0 }, exploration: { annealFraction: 0.5, epsilonMin: 0.05 } },
    'test',
  );
  const exploration = { epsilonMax: 1, epsilonMin: 0.05, annealFraction: 0.5 };
  sameJson(resolveDqnConfig(file), { ...PREVIOUS_DQN, network: { kind: 'lstm', window: 2, lstmUnits: 24, hidden: [24] }, gamma: 0.9, huberDelta: 1, exploration });
  sameJson(resolveSarsaConfig(file), { ...PREVIOUS_SARSA, warmupSteps: 0, exploration });
  // An unvalidated object resolves the same way (worker threads and reproduce pass objects, not files).
  sameJson(resolveDqnConfig({ dqn: { gamma: 0.9 } }), { ...PREVIOUS_DQN, gamma: 0.9 });
  sameJson(resolveSarsaConfig({ exploration: { annealSteps: 300 } }), { ...PREVIOUS_SARSA, exploration: { epsilonMax: 1, epsilonMin: 0.1, annealSteps: 300 } });
});

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof InvalidInputError && pattern.test(e.message));
}

test('bad files are one-line errors naming file, field, expected and actual', () => {
  rejects(() => parseTrainConfig({ dqn: { targetUpdat: 20 } }, 'f.json'), /^f\.json: dqn\.targetUpdat: expected no such key \(unknown keys are errors\), got 20$/);
  rejects(() => parseTrainConfig({ dqn: { gamma: 1.5 } }, 'f.json'), /^f\.json: dqn\.gamma: expected a number <= 1, got 1\.5$/);
  rejects(() => parseTrainConfig({ dqn: { exploration: {} } }, 'f.json'), /^f\.json: dqn\.exploration: expected no such key/);
  rejects(() => parseTrainConfig({ exploration: { annealSteps: 10, annealFraction: 0.1 } }, 'f.json'), /^f\.json: exploration: expected annealSteps or annealFraction, not both/);
  rejects(() => parseTrainConfig({ sarsa: { network: { kind: 'rnn' } } }, 'f.json'), /^f\.json: sarsa\.network\.kind: expected one of "lstm"\|"mlp"\|"node-seq", got "rnn"$/);
  const dir = mkdtempSync(join(tmpdir(), 'remora-config-'));
  writeFileSync(join(dir, 'broken.json'), '{"agent": ');
  rejects(() => readTrainConfig(join(dir, 'broken.json')), /broken\.json: \(file\): expected a readable JSON file, got /);
});

test('cross-field rules: SARSA lstm needs window 1; dueling is not for node-seq', () => {
  rejects(() => parseTrainConfig({ sarsa: { network: { kind: 'lstm' } } }, 'f.json'), /^f\.json: sarsa\.network\.window: expected 1 \(SARSA keeps no observation history; use an lstm window only with dqn\), got undefined \(missing\)$/);
  assert.equal(resolveSarsaConfig(parseTrainConfig({ sarsa: { network: { kind: 'lstm', window: 1 } } }, 'f.json')).network.kind, 'lstm');
  rejects(() => parseTrainConfig({ dqn: { dueling: true, network: { kind: 'node-seq' } } }, 'f.json'), /^f\.json: dqn\.dueling: expected false with a node-seq network/);
  rejects(() => resolveDqnConfig({ dqn: { dueling: true, network: { kind: 'node-seq' } } }), /^training config: dueling: expected false/);
});

test('prioritized replay and observation statistics: partial sections fill their defaults; bad values are one line', () => {
  const c = resolveDqnConfig(parseTrainConfig({ dqn: { prioritized: { enabled: true, betaSteps: 5000 }, observationNorm: 'running' } }, 'f.json'));
  sameJson(c.prioritized, { enabled: true, alpha: 0.6, beta0: 0.4, betaSteps: 5000, epsilon: 1e-6 });
  assert.equal(c.observationNorm, 'running');
  assert.equal(resolveSarsaConfig({ sarsa: { observationNorm: 'running' } }).observationNorm, 'running');
  rejects(() => parseTrainConfig({ dqn: { prioritized: { alpha: 2 } } }, 'f.json'), /^f\.json: dqn\.prioritized\.alpha: expected a number <= 1, got 2$/);
  rejects(() => parseTrainConfig({ dqn: { observationNorm: 'batch' } }, 'f.json'), /^f\.json: dqn\.observationNorm: expected one of "fixed"\|"running", got "batch"$/);
  rejects(() => parseTrainConfig({ sarsa: { prioritized: { enabled: true } } }, 'f.json'), /^f\.json: sarsa\.prioritized: expected no such key/);
});

test('withNetworkKind replaces the network with that kind\'s defaults and re-validates', () => {
  const file = parseTrainConfig({ dqn: { gamma: 0.9, network: { kind: 'lstm', window: 2 } } }, 'f.json');
  const mlp = resolveDqnConfig(withNetworkKind(file, 'dqn', 'mlp', '--network'));
  sameJson(mlp, { ...PREVIOUS_DQN, network: { kind: 'mlp', hidden: [24, 24], window: 1 }, gamma: 0.9 });
  sameJson(resolveSarsaConfig(withNetworkKind({}, 'sarsa', 'node-seq', '--network')).network, { kind: 'node-seq', context: 'none', contextUnits: 24, hidden: [24] });
  rejects(() => withNetworkKind({}, 'sarsa', 'lstm', 'remora train --network lstm'), /^remora train --network lstm: sarsa\.network\.window: expected 1 .*, got 4$/);
  rejects(() => withNetworkKind({ dqn: { dueling: true } }, 'dqn', 'node-seq', 'remora train --network node-seq'), /dqn\.dueling: expected false with a node-seq network/);
});
