// Keras initialisers: Glorot-uniform bounds and variance, orthogonal recurrent kernel (orthonormal rows for the
// [U, 4U] LSTM recurrent kernel, orthonormal columns for a tall matrix), unit forget bias, zero other biases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { glorotUniform, orthogonal } from './init.js';
import { createNetwork, type ArchitectureSpec } from './network.js';
import { createBackend } from './create-backend.js';

test('glorotUniform: within ±sqrt(6/(fanIn+fanOut)) with the uniform variance limit²/3', () => {
  const out = new Float64Array(200 * 300);
  glorotUniform(new Rng(1), out, 0, 200, 300);
  const limit = Math.sqrt(6 / 500);
  let s = 0, s2 = 0;
  for (const v of out) {
    assert.ok(Math.abs(v) <= limit);
    s += v;
    s2 += v * v;
  }
  const mean = s / out.length, variance = s2 / out.length - mean * mean;
  assert.ok(Math.abs(mean) < 0.002);
  assert.ok(Math.abs(variance / ((limit * limit) / 3) - 1) < 0.02, `variance ${variance}`);
});

test('orthogonal: rows orthonormal for [24, 96], columns orthonormal for [96, 24]', () => {
  for (const [r, c] of [[24, 96], [96, 24], [10, 10]] as const) {
    const m = new Float64Array(r * c);
    orthogonal(new Rng(2), m, 0, r, c);
    const wide = r <= c;
    const n = wide ? r : c, len = wide ? c : r;
    const at = (i: number, k: number): number => (wide ? m[i * c + k]! : m[k * c + i]!);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let k = 0; k < len; k++) dot += at(i, k) * at(j, k);
        assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-10, `[${r},${c}] (${i},${j}) = ${dot}`);
      }
    }
  }
});

test('network initialisation: unit forget bias, zero other biases, seeded and reproducible', () => {
  const spec: ArchitectureSpec = { kind: 'lstm-mlp', inputSize: 9, steps: 4, lstmUnits: 24, hidden: [24], outputs: 4 };
  const a = createNetwork(spec, { backend: createBackend('float64', 'js'), rng: new Rng(3) });
  const b = createNetwork(spec, { backend: createBackend('float64', 'js'), rng: new Rng(3) });
  assert.deepEqual(Array.from(a.params), Array.from(b.params));
  const bias = a.paramSpecs.find((s) => s.name === 'lstm/bias')!;
  for (let j = 0; j < 96; j++) assert.equal(a.params[bias.offset + j], j >= 24 && j < 48 ? 1 : 0, `gate bias ${j}`);
  for (const s of a.paramSpecs.filter((p) => p.name.startsWith('dense') && p.name.endsWith('/bias'))) {
    for (let j = 0; j < s.size; j++) assert.equal(a.params[s.offset + j], 0);
  }
});
