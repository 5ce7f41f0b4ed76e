/** Batched inference of a trained model (the fleet path) chooses what the per-workload QPolicy chooses, row by row. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveModel } from '../agents/policy-file.js';
import { baselineRegistry } from '../agents/registry.js';
import { PAPER_REWARD_PARAMS } from '../core/reward.js';
import { Rng } from '../core/rng.js';
import { paramLayout, type ArchitectureSpec } from '../nn/network.js';
import { bulkScorerFor, networkScorer } from './bulk-score.js';
import { actionMask } from './gates.js';

function model(dir: string, architecture: ArchitectureSpec, nodes: number, dueling: boolean, layout: 'flat' | 'node-sequence'): string {
  const rng = new Rng(11);
  const params = Float32Array.from({ length: paramLayout(architecture).total }, () => (rng.uniform() - 0.5) * 0.8);
  const training = { scenario: 'sr111', seed: 1, steps: 0, episodes: 0, updates: 0, meanReward: null, config: {} };
  return saveModel(dir, { agent: 'dqn', architecture, dueling, layout, window: 1, nodes, inFlight: false, featureSet: 'paper', params, training });
}

function rows(n: number, count: number, seed: number): { obs: Float64Array; masks: Uint8Array } {
  const rng = new Rng(seed);
  const len = 2 * n + 1;
  const obs = new Float64Array(count * len);
  const masks = new Uint8Array(count * (n + 1));
  const nodes = Array.from({ length: n }, (_, j) => `e${j}`);
  for (let r = 0; r < count; r++) {
    const cur = 1 + rng.int(n);
    obs[r * len] = cur;
    for (let j = 0; j < n; j++) {
      obs[r * len + 1 + j] = 1 + rng.uniform() * 40;
      obs[r * len + 1 + n + j] = 1 + rng.uniform() * 20;
    }
    masks.set(actionMask(nodes, new Set(nodes.filter(() => rng.uniform() < 0.8)), nodes[cur - 1]!), r * (n + 1));
  }
  return { obs, masks };
}

const cases: [string, ArchitectureSpec, number, number, boolean, 'flat' | 'node-sequence'][] = [
  // The size-agnostic network, trained for 3 nodes, scoring 7 (and dueling off).
  ['node-seq', { kind: 'node-seq', featureSize: 3, context: 'none', contextUnits: 4, hidden: [16, 8], nodes: 3 }, 3, 7, false, 'node-sequence'],
  ['node-seq (attention)', { kind: 'node-seq', featureSize: 3, context: 'attention', contextUnits: 4, hidden: [8], nodes: 3 }, 3, 5, false, 'node-sequence'],
  ['mlp, dueling', { kind: 'mlp', inputSize: 9, hidden: [16], outputs: 5 }, 3, 3, true, 'flat'],
];

for (const [name, arch, trainedNodes, n, dueling, layout] of cases) {
  test(`network scorer (${name}): batches of 5 rows give the per-workload QPolicy's greedy action on every row`, () => {
    const path = model(mkdtempSync(join(tmpdir(), 'remora-bulk-')), arch, trainedNodes, dueling, layout);
    const m = loadModel(path);
    const scorer = networkScorer(m, n, 5);
    const count = 37;
    const { obs, masks } = rows(n, count, 5);
    const values = new Float64Array(count * (n + 1));
    scorer.score(obs, masks, count, n, values);
    const policy = m.policy();
    const len = 2 * n + 1;
    const seen = new Set<number>();
    for (let r = 0; r < count; r++) {
      const o = r * (n + 1);
      let best = 0;
      for (let a = 1; a <= n; a++) if (masks[o + a] === 1 && values[o + a]! > values[o + best]!) best = a;
      policy.reset();
      assert.equal(best, policy.act(obs.slice(r * len, (r + 1) * len), masks.slice(o, o + n + 1)), `row ${r}`);
      seen.add(best);
    }
    assert.ok(seen.size >= 2, `the rows choose different actions (${[...seen]}): the comparison is not trivial`);
  });
}

test('bulkScorerFor: a model.json is loaded and checked; a flat model on the wrong node count is refused in one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-bulk-'));
  model(dir, { kind: 'mlp', inputSize: 9, hidden: [8], outputs: 4 }, 3, false, 'flat');
  const o = { reward: PAPER_REWARD_PARAMS, batchRows: 8, cwd: dir };
  assert.match(bulkScorerFor('model.json', baselineRegistry(), { ...o, nodes: 3 }).name, /^dqn \(mlp, /);
  assert.throws(() => bulkScorerFor('model.json', baselineRegistry(), { ...o, nodes: 5 }), /observation\.nodes: expected 5 nodes/);
});
