import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import { runTraining } from '../../experiments/train/train.js';
import { resolvePolicy } from './controller.js';

test('controller --policy: an edge-model model reads observations with the in-flight block; a wrong node count is refused at load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-ctl-'));
  const run = runTraining({ agent: 'dqn', scenario: 'sr111-edge', steps: 300, seed: 1, out: join(dir, 'edge'), config: { dqn: { network: { kind: 'mlp' }, warmupSteps: 50 } }, cwd: process.cwd() });
  const policy = resolvePolicy(run.modelPath, dir, 3)();
  assert.equal(policy.needsInFlight, true);
  // Nothing in flight: the block is zeros, and a legal action comes back.
  const obs = Float64Array.from([1, 5, 25, 45, 2, 2, 2, 0, 0, 0]);
  const a = policy.act(obs, Uint8Array.from([1, 1, 1, 1]));
  assert.ok(Number.isInteger(a) && a >= 0 && a <= 3);
  assert.throws(() => resolvePolicy(run.modelPath, dir, 5), (e: unknown) => e instanceof InvalidInputError && /trained for 3 nodes/.test(e.message) && /node-seq/.test(e.message));
  // A rule reads any layout given N: it does not ask for the block.
  assert.notEqual(resolvePolicy('sla-greedy', dir, 3)().needsInFlight, true);
});
