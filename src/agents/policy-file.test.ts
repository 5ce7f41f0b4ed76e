// Model files: save → load round trip (same greedy actions and Q-values), and refusal of corrupted or
// mismatched files with one clear line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { InvalidInputError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { QNetworkConfig } from './config.js';
import { DEFAULT_DQN_CONFIG, DqnAgent } from './dqn.js';
import { saveAgent } from './factory.js';
import { loadModel, loadPolicy } from './policy-file.js';
import { QPolicy } from './q-policy.js';
import { DEFAULT_SARSA_CONFIG, SarsaAgent } from './sarsa.js';
import { trainAgent } from './trainer.js';
import { ToyEnv } from './testing/toy-env.js';

const training = { scenario: 'toy', seed: 1, steps: 300, episodes: 10, updates: 100, meanReward: 1.5, config: {} };

function trained(kind: 'dqn' | 'sarsa', dir: string, nodeLstm = false): DqnAgent | SarsaAgent {
  const agent = kind === 'dqn'
    ? new DqnAgent({ ...DEFAULT_DQN_CONFIG, warmupSteps: 100, ...(nodeLstm ? { network: { kind: 'node-seq' as const, context: 'attention' as const, contextUnits: 8, hidden: [8] } } : {}) }, 3, 300, new Rng(1))
    : new SarsaAgent(DEFAULT_SARSA_CONFIG, 3, 300, new Rng(2));
  trainAgent(agent, new ToyEnv(), { steps: 300, seed: 4 });
  saveAgent(dir, agent, training);
  return agent;
}

function actions(policy: import('../core/env.js').Policy, episodes: number, nodes = 3): number[] {
  const env = new ToyEnv({ nodes });
  const out: number[] = [];
  for (let e = 0; e < episodes; e++) {
    const r = e === 0 ? env.reset({ seed: 99 }) : env.reset();
    policy.reset();
    let obs = r.observation, mask = r.info.actionMask;
    for (;;) {
      const a = policy.act(obs, mask);
      out.push(a);
      const s = env.step(a);
      if (s.terminated || s.truncated) break;
      obs = s.observation;
      mask = s.info.actionMask;
    }
  }
  return out;
}

test('save → loadPolicy round trip: identical greedy actions for DQN (LSTM window) and SARSA', async () => {
  for (const kind of ['dqn', 'sarsa'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `remora-${kind}-`));
    const agent = trained(kind, dir);
    const live = new QPolicy(kind, agent.online, agent.layout, agent.window, 3);
    const loaded = await loadPolicy(join(dir, 'model.json'));
    assert.equal(loaded.name, kind);
    assert.deepEqual(actions(loaded, 5), actions(live, 5));
    const m = loadModel(join(dir, 'model.json'));
    assert.equal(m.header.agent, kind);
    assert.equal(m.header.observation.nodes, 3);
    assert.equal(m.header.training.scenario, 'toy');
  }
});

test('the size-agnostic node-seq DQN trained on 3 nodes loads and runs on 5 and 8 nodes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-nodelstm-'));
  trained('dqn', dir, true);
  const p = await loadPolicy(join(dir, 'model.json'));
  for (const n of [3, 5, 8]) {
    const acts = actions(p, 2, n);
    assert.ok(acts.every((a) => a >= 0 && a <= n));
  }
});

test('a flat-network policy refuses an observation of another node count with a clear message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-flat-'));
  trained('sarsa', dir);
  const p = await loadPolicy(join(dir, 'model.json'));
  assert.throws(() => actions(p, 1, 5), /trained for 3 nodes/);
});

test('corrupted, truncated, mismatched or missing files are refused with one InvalidInputError line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-bad-'));
  trained('dqn', dir);
  const variant = (name: string, edit: (header: Record<string, any>, bin: Buffer) => Buffer | void): string => {
    const d = join(dir, name);
    mkdirSync(d);
    const header = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bin = readFileSync(join(dir, 'model.bin'));
    const newBin = edit(header, bin) ?? bin;
    writeFileSync(join(d, 'model.json'), JSON.stringify(header));
    writeFileSync(join(d, 'model.bin'), newBin);
    return join(d, 'model.json');
  };
  const cases: [string, RegExp][] = [
    [variant('flip', (_h, b) => { const c = Buffer.from(b); c[10] ^= 0xff; return c; }), /sha256.*corrupted/],
    [variant('trunc', (_h, b) => b.subarray(0, b.length - 4)), /truncated or wrong file/],
    [variant('version', (h) => { h.formatVersion = 99; }), /formatVersion: expected 1/],
    [variant('unknown', (h) => { h.extra = 1; }), /extra: expected no such key/],
    [variant('arch', (h) => { h.architecture.lstmUnits = 25; }), /weights.count: expected/],
    [variant('nodes', (h) => { h.observation.nodes = 4; }), /observation.length|actions.n/],
    [variant('nan', (h, b) => { const c = Buffer.from(b); c.writeFloatLE(Number.NaN, 0); h.weights.sha256 = createHash('sha256').update(c).digest('hex'); return c; }), /finite numbers/],
  ];
  for (const [path, re] of cases) {
    assert.throws(() => loadModel(path), (e: unknown) => e instanceof InvalidInputError && re.test(e.message) && !e.message.includes('\n'), `${path}`);
  }
  assert.throws(() => loadModel(join(dir, 'nope.json')), (e: unknown) => e instanceof InvalidInputError && /no such file/.test(e.message));
  const noBin = join(dir, 'nobin');
  mkdirSync(noBin);
  copyFileSync(join(dir, 'model.json'), join(noBin, 'model.json'));
  assert.throws(() => loadModel(join(noBin, 'model.json')), /weights.file: expected a readable weights file/);
  writeFileSync(join(noBin, 'model.json'), '{not json');
  assert.throws(() => loadModel(join(noBin, 'model.json')), (e: unknown) => e instanceof InvalidInputError);
});

test('running observation statistics: frozen into model.json, same actions after loadModel; a default model has no normalizer', async () => {
  const nodeSeq: QNetworkConfig = { kind: 'node-seq', context: 'none', contextUnits: 8, hidden: [8] };
  const cases: ['dqn' | 'sarsa', QNetworkConfig | undefined][] = [['dqn', undefined], ['dqn', nodeSeq], ['sarsa', undefined]];
  for (const [kind, network] of cases) {
    const dir = mkdtempSync(join(tmpdir(), `remora-norm-${kind}-`));
    const agent = kind === 'dqn'
      ? new DqnAgent({ ...DEFAULT_DQN_CONFIG, warmupSteps: 100, observationNorm: 'running', ...(network ? { network } : {}) }, 3, 300, new Rng(5))
      : new SarsaAgent({ ...DEFAULT_SARSA_CONFIG, observationNorm: 'running' }, 3, 300, new Rng(6));
    trainAgent(agent, new ToyEnv(), { steps: 300, seed: 4 });
    const frozen = agent.normalizerSnapshot();
    assert.ok(frozen);
    saveAgent(dir, agent, training);
    const m = loadModel(join(dir, 'model.json'));
    assert.deepEqual(m.header.normalizer, { mean: Array.from(frozen.mean), std: Array.from(frozen.std) });
    assert.equal(m.header.normalizer!.mean.length, network ? 3 : 9, 'flat: one per feature; node-seq: one per feature of a node');
    const live = new QPolicy(kind, agent.online, agent.layout, agent.window, 3, false, false, frozen);
    const liveActs = actions(live, 5);
    assert.deepEqual(actions(m.policy(), 5), liveActs, `${kind}${network ? ' node-seq' : ''}`);
    assert.deepEqual(actions(await loadPolicy(join(dir, 'model.json')), 5), liveActs);
    // Statistics far from the identity map, so that ignoring them on load could not go unnoticed.
    assert.ok(frozen.std.some((s) => Math.abs(s - 1) > 0.1) && frozen.mean.some((v) => Math.abs(v) > 0.1));
    // Acting does not update the statistics (they move only while training).
    assert.deepEqual(agent.normalizerSnapshot(), frozen);
  }
  const dir = mkdtempSync(join(tmpdir(), 'remora-nonorm-'));
  trained('dqn', dir);
  assert.equal(loadModel(join(dir, 'model.json')).header.normalizer, undefined);
  assert.ok(!readFileSync(join(dir, 'model.json'), 'utf8').includes('normalizer'));
});

test('a normalizer of the wrong length, or a checkpoint saved without its statistics, is refused with one clear line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-badnorm-'));
  const agent = new DqnAgent({ ...DEFAULT_DQN_CONFIG, warmupSteps: 100, observationNorm: 'running' }, 3, 200, new Rng(7));
  trainAgent(agent, new ToyEnv(), { steps: 200, seed: 4 });
  saveAgent(dir, agent, training);
  const header = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  header.normalizer.mean.pop();
  const bad = join(dir, 'short');
  mkdirSync(bad);
  writeFileSync(join(bad, 'model.json'), JSON.stringify(header));
  copyFileSync(join(dir, 'model.bin'), join(bad, 'model.bin'));
  assert.throws(() => loadModel(join(bad, 'model.json')), (e: unknown) =>
    e instanceof InvalidInputError && /normalizer\.mean: expected 9 numbers \(one per feature for 3 nodes\), got 8/.test(e.message) && !e.message.includes('\n'));
  header.normalizer.mean.push(0);
  header.normalizer.std[0] = 0;
  writeFileSync(join(bad, 'model.json'), JSON.stringify(header));
  assert.throws(() => loadModel(join(bad, 'model.json')), (e: unknown) => e instanceof InvalidInputError && /normalizer\.std/.test(e.message) && !e.message.includes('\n'));
  const params = Float32Array.from(agent.online.params);
  assert.throws(() => saveAgent(join(dir, 'ckpt'), agent, training, params), /without its feature statistics/);
  saveAgent(join(dir, 'ckpt'), agent, training, params, agent.normalizerSnapshot());
  assert.equal(loadModel(join(dir, 'ckpt', 'model.json')).header.normalizer?.mean.length, 9);
});
