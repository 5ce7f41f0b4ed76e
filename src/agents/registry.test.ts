// The one policy registry: names, unknown names, double registration, extend(), and model files refused
// at load time when they cannot read the layout they would get (node count, in-flight block).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError, NotFoundError } from '../core/errors.js';
import type { ObservationLayout } from '../core/observation.js';
import { observationLength } from '../core/observation.js';
import { Rng } from '../core/rng.js';
import { DEFAULT_DQN_CONFIG, DqnAgent, type DqnConfig } from './dqn.js';
import { saveAgent } from './factory.js';
import { baselineRegistry, HEURISTICS, PolicyRegistry, type PolicyContext } from './registry.js';
import { NeverPolicy } from './baselines/index.js';
import { runTraining } from '../experiments/train/train.js';
import { contextFor } from '../experiments/policies.js';
import { loadScenario } from '../twin/index.js';
import { thrown } from '../core/testing/thrown.js';

const reward = { rttSla: { min: 1, max: 20 }, loadSla: { min: 1, max: 12 }, migrationCost: 2 };
const ctx = (nodes: number, inFlight = false): PolicyContext => ({ layout: { nodes, inFlight }, reward, seed: 1 });
const training = { scenario: 'test', seed: 1, steps: 0, episodes: 0, updates: 0, meanReward: null, config: {} };

const NODE_SEQ: DqnConfig['network'] = { kind: 'node-seq', context: 'attention', contextUnits: 8, hidden: [8] };

/** A freshly created (untrained) DQN saved as a model file; returns the model.json path. */
function savedModel(layout: ObservationLayout, network?: DqnConfig['network']): string {
  const dir = mkdtempSync(join(tmpdir(), 'remora-registry-'));
  const config: DqnConfig = { ...DEFAULT_DQN_CONFIG, dueling: false, ...(network ? { network } : {}) };
  const agent = new DqnAgent(config, layout.nodes, 300, new Rng(3), undefined, layout.inFlight);
  return saveAgent(dir, agent, training);
}


test('baselineRegistry names every baseline, and every heuristic of the comparisons is registered', () => {
  const names = baselineRegistry().names();
  for (const b of ['never', 'follow-me', 'random', 'greedy', 'sla-greedy', 'threshold', 'hysteresis']) assert.ok(names.includes(b), `missing ${b}`);
  for (const h of HEURISTICS) assert.ok(names.includes(h), `heuristic ${h} not registered`);
  const r = baselineRegistry();
  for (const name of names) {
    assert.ok(r.summary(name), `${name} has no summary`);
    const p = r.resolve(name, ctx(3), process.cwd());
    assert.equal(p.name, name);
  }
});

test('an unknown name is a NotFoundError listing the registered names and the model-path form', () => {
  const e = thrown(() => baselineRegistry().resolve('folow-me', ctx(3), process.cwd()));
  assert.ok(e instanceof NotFoundError, String(e));
  assert.match(e.message, /unknown policy 'folow-me'/);
  for (const n of baselineRegistry().names()) assert.ok(e.message.includes(n), `${n} not listed in: ${e.message}`);
  assert.match(e.message, /model\.json/);
  assert.ok(!e.message.includes('\n'), 'one line');
});

test('registering a name twice throws; the first entry stays', () => {
  const r = new PolicyRegistry().register('a', 'first', () => new NeverPolicy());
  assert.throws(() => r.register('a', 'second', () => new NeverPolicy()), /a is registered twice/);
  assert.equal(r.summary('a'), 'first');
  assert.throws(() => baselineRegistry().register('never', 'again', () => new NeverPolicy()), /registered twice/);
});

test('extend() copies the entries; adding to the copy leaves the base unchanged', () => {
  const base = baselineRegistry();
  const before = base.names();
  const wide = base.extend<PolicyContext & { extra: number }>().register('oracle-ish', 'test only', () => new NeverPolicy());
  assert.deepEqual(base.names(), before);
  assert.equal(base.has('oracle-ish'), false);
  assert.ok(wide.has('oracle-ish'));
  for (const n of before) assert.ok(wide.has(n), `extended registry lost ${n}`);
  // A name of the base is still taken in the copy.
  assert.throws(() => wide.register('never', 'again', () => new NeverPolicy()), /registered twice/);
  // And registering in the base later does not leak into the copy.
  base.register('late', 'later', () => new NeverPolicy());
  assert.equal(wide.has('late'), false);
});

test('a flat model trained for 3 nodes is refused on a 5-node layout at load, in one line naming both sizes and node-seq', () => {
  const path = savedModel({ nodes: 3, inFlight: false });
  const r = baselineRegistry();
  const e = thrown(() => r.factoryFor(path, ctx(5), process.cwd()));
  assert.ok(e instanceof InvalidInputError, String(e));
  assert.ok(!e.message.includes('\n'), 'one line');
  assert.ok(e.message.includes(path), 'names the file');
  assert.match(e.message, /observation\.nodes/);
  assert.match(e.message, /\b5 nodes/);
  assert.match(e.message, /trained for 3 nodes/);
  assert.match(e.message, /node-seq/);
  // The same file is accepted on its own size.
  const p = r.resolve(path, ctx(3), process.cwd());
  assert.equal(p.name, 'dqn');
});

test("a paper-layout model is refused on the in-flight layout, and an in-flight model on the paper's", () => {
  const r = baselineRegistry();
  const paper = savedModel({ nodes: 3, inFlight: false });
  const edge = savedModel({ nodes: 3, inFlight: true });
  const e1 = thrown(() => r.factoryFor(paper, ctx(3, true), process.cwd()));
  assert.ok(e1 instanceof InvalidInputError, String(e1));
  assert.match(e1.message, /observation\.inFlight/);
  assert.match(e1.message, /expected the edge model's layout with the in-flight block/);
  assert.match(e1.message, /got a model trained on the paper's layout/);
  const e2 = thrown(() => r.factoryFor(edge, ctx(3, false), process.cwd()));
  assert.ok(e2 instanceof InvalidInputError, String(e2));
  assert.match(e2.message, /observation\.inFlight/);
  assert.match(e2.message, /expected the paper's layout without the in-flight block/);
  assert.match(e2.message, /got a model trained on the edge model's layout/);
  for (const e of [e1, e2]) assert.ok(!e.message.includes('\n'), 'one line');
  // Each is accepted on its own layout, and acts on an observation of that layout.
  const pe = r.resolve(edge, ctx(3, true), process.cwd());
  const obs = new Float64Array(observationLength(3, true)).fill(1);
  const a = pe.act(obs, Uint8Array.from([1, 1, 1, 1]));
  assert.ok(Number.isInteger(a) && a >= 0 && a <= 3);
  r.resolve(paper, ctx(3, false), process.cwd());
});

test('the in-flight mismatch is reported even when the node count differs too (a flat model)', () => {
  const path = savedModel({ nodes: 3, inFlight: true });
  const e = thrown(() => baselineRegistry().factoryFor(path, ctx(5, false), process.cwd()));
  assert.ok(e instanceof InvalidInputError);
  assert.match(e.message, /observation\.(inFlight|nodes)/);
});

test('a node-seq model trained for 3 nodes is accepted on 5 and 8 nodes (both layouts) and acts there', () => {
  const r = baselineRegistry();
  for (const inFlight of [false, true]) {
    const path = savedModel({ nodes: 3, inFlight }, NODE_SEQ);
    for (const n of [5, 8]) {
      const p = r.resolve(path, ctx(n, inFlight), process.cwd());
      const obs = new Float64Array(observationLength(n, inFlight));
      obs[0] = 1;
      for (let j = 1; j <= n; j++) {
        obs[j] = 5 * j;
        obs[n + j] = 1 + j;
      }
      const mask = new Uint8Array(n + 1).fill(1);
      const a = p.act(obs, mask);
      assert.ok(Number.isInteger(a) && a >= 0 && a <= n, `action ${a} on ${n} nodes`);
    }
    // The size-agnostic network still does not bridge the in-flight layouts.
    assert.throws(() => r.factoryFor(path, ctx(5, !inFlight), process.cwd()), /observation\.inFlight/);
  }
});

test('a model trained by runTraining on sr111-edge (300 steps) is accepted on sr111-edge and refused on sr111', () => {
  const out = mkdtempSync(join(tmpdir(), 'remora-registry-train-'));
  const res = runTraining({ agent: 'dqn', scenario: 'sr111-edge', steps: 300, seed: 1, out, cwd: process.cwd(), config: { dqn: { warmupSteps: 100 } } });
  const cache = new Map();
  const edge = contextFor(loadScenario('sr111-edge', { traceCache: cache }), 1);
  const paper = contextFor(loadScenario('sr111', { traceCache: cache }), 1);
  assert.deepEqual(edge.layout, { nodes: 3, inFlight: true });
  const r = baselineRegistry();
  const p = r.resolve(res.modelPath, edge, process.cwd());
  assert.equal(p.name, 'dqn');
  assert.throws(() => r.factoryFor(res.modelPath, paper, process.cwd()), (e: unknown) => e instanceof InvalidInputError && /observation\.inFlight/.test(e.message));
});
