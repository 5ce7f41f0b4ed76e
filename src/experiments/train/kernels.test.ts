// `kernels` of a training run reaches the agent, and each kind is reproducible: the same seed gives the same
// model bytes per kind, and the FMA build (wasm-relaxed) follows another trajectory than the plain one (issue 10).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendKind } from '../../nn/backend.js';
import { defaultBackendKind } from '../../nn/create-backend.js';
import { runTraining } from './train.js';

function modelBytes(kernels: BackendKind | undefined): Buffer {
  const out = mkdtempSync(join(tmpdir(), 'remora-kernels-'));
  try {
    const r = runTraining({ agent: 'dqn', scenario: 'sr111', steps: 400, seed: 4, out, config: { dqn: { network: { kind: 'mlp', hidden: [24, 24], window: 1 }, warmupSteps: 100 } }, cwd: process.cwd(), ...(kernels ? { kernels } : {}) });
    assert.ok(r.updates >= 300, `updates ran (${r.updates})`);
    return readFileSync(r.modelPath.replace(/\.json$/, '.bin'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

test('training kernels: same seed, same model bytes per kind; the default (wasm-relaxed) differs from wasm-simd', () => {
  assert.equal(defaultBackendKind('float32'), 'wasm-relaxed', 'this Node compiles the relaxed-SIMD kernels');
  const simd = modelBytes('wasm-simd');
  assert.ok(simd.equals(modelBytes('wasm-simd')), 'wasm-simd twice');
  assert.ok(!modelBytes(undefined).equals(simd), 'the default (FMA) rounds differently, so the weights differ');
});
