// `kernels` of a training run reaches the agent, and each kind is reproducible: the same seed gives the same
// model bytes per kind, the default is the plain build, and the FMA build (wasm-relaxed) follows another trajectory.
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

test('training kernels: same seed, same model bytes per kind; the default is wasm-simd, and FMA (wasm-relaxed) differs', () => {
  assert.equal(defaultBackendKind('float32'), 'wasm-simd');
  const simd = modelBytes('wasm-simd');
  assert.ok(simd.equals(modelBytes(undefined)), 'the default is the plain build');
  const fma = modelBytes('wasm-relaxed');
  assert.ok(fma.equals(modelBytes('wasm-relaxed')), 'wasm-relaxed twice');
  assert.ok(!fma.equals(simd), 'FMA rounds differently, so the weights differ');
});
