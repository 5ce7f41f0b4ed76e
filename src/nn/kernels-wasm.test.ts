// The WASM SIMD kernels against the plain-JS reference on awkward sizes (tails of the 4×8 register blocks),
// and the committed wasm artifact against a fresh AssemblyScript build of assembly/kernels.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Rng } from '../core/rng.js';
import type { Backend, Vec } from './backend.js';
import { JsBackend } from './kernels-js.js';
import { RELAXED_SIMD_V8_FLAG, WASM_KERNEL_VARIANTS, WasmBackend, wasmRelaxedSimdAvailable, wasmSimdAvailable } from './kernels-wasm.js';
import { createBackend, defaultBackendKind, fastestBackendKind } from './create-backend.js';

function fill(rng: Rng, v: Vec): void {
  for (let i = 0; i < v.length; i++) v[i] = rng.uniformIn(-1, 1);
}
function close(a: Vec, b: Vec, tol: number, what: string): void {
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

for (const variant of WASM_KERNEL_VARIANTS) {
test(`wasm ${variant} gemm NN/TN/NT (with and without accumulation) equal the JS reference for odd shapes`, () => {
  const w = new WasmBackend(1 << 20, variant);
  const j = new JsBackend('float64');
  const rng = new Rng(5);
  for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [4, 8, 8], [5, 31, 96], [32, 31, 96], [7, 2, 13], [33, 24, 4], [2, 96, 24]] as const) {
    for (const op of ['NN', 'TN', 'NT'] as const) {
      for (const acc of [false, true]) {
        const A = [w.alloc(m * k), j.alloc(m * k)], B = [w.alloc(k * n), j.alloc(k * n)], C = [w.alloc(m * n), j.alloc(m * n)];
        fill(rng, A[0]!); fill(rng, B[0]!); fill(rng, C[0]!);
        A[1]!.set(A[0]!); B[1]!.set(B[0]!); C[1]!.set(C[0]!);
        const run = (be: Backend, i: number): void => {
          const f = op === 'NN' ? be.gemmNN : op === 'TN' ? be.gemmTN : be.gemmNT;
          f.call(be, A[i]!, B[i]!, C[i]!, m, k, n, acc);
        };
        run(w, 0);
        run(j, 1);
        close(C[0]!, C[1]!, 1e-5 * k, `${op} acc=${acc} ${m}x${k}x${n}`);
      }
    }
  }
});

test(`wasm ${variant} LSTM cell forward/backward and Adam equal the JS reference`, () => {
  const w = new WasmBackend(1 << 20, variant);
  const j = new JsBackend('float64');
  const rng = new Rng(6);
  const rows = 5, U = 7;
  const mk = (n: number): [Vec, Vec] => { const a = w.alloc(n), b = j.alloc(n); fill(rng, a); for (let i = 0; i < n; i++) a[i] *= 4; b.set(a); return [a, b]; };
  const z = mk(rows * 4 * U), cp = mk(rows * U), c = mk(rows * U), tc = mk(rows * U), h = mk(rows * 9);
  w.lstmCellForward(z[0], cp[0], c[0], tc[0], h[0], 9, rows, U);
  j.lstmCellForward(z[1], cp[1], c[1], tc[1], h[1], 9, rows, U);
  for (const [name, p] of [['gates', z], ['c', c], ['tc', tc], ['h', h]] as const) close(p[0], p[1], 2e-6, name);
  const dh = mk(rows * 8), dc = mk(rows * U), dz = mk(rows * 4 * U);
  w.lstmCellBackward(z[0], cp[0], tc[0], dh[0], 8, dc[0], dz[0], rows, U);
  j.lstmCellBackward(z[1], cp[1], tc[1], dh[1], 8, dc[1], dz[1], rows, U);
  close(dz[0], dz[1], 1e-5, 'dz');
  close(dc[0], dc[1], 1e-5, 'dc');
  const p = mk(13), g = mk(13), m = mk(13), v = mk(13);
  for (let i = 0; i < 13; i++) { v[0][i] = Math.abs(v[0][i]); v[1][i] = v[0][i]; }
  w.adam(p[0], g[0], m[0], v[0], 0.01, 0.9, 0.999, 1e-7);
  j.adam(p[1], g[1], m[1], v[1], 0.01, 0.9, 0.999, 1e-7);
  close(p[0], p[1], 1e-6, 'adam p');
});

test(`wasm ${variant} ReLU forward/backward equal the JS reference bit for bit (tails, NaN, -0)`, () => {
  const w = new WasmBackend(1 << 16, variant);
  const j = new JsBackend('float32');
  const rng = new Rng(7);
  for (const n of [1, 3, 4, 7, 64, 67]) {
    const y = [w.alloc(n), j.alloc(n)], dy = [w.alloc(n), j.alloc(n)];
    fill(rng, y[0]!); fill(rng, dy[0]!);
    y[0]![0] = Number.NaN;
    if (n > 1) y[0]![1] = -0;
    if (n > 2) y[0]![n - 1] = 0;
    y[1]!.set(y[0]!); dy[1]!.set(dy[0]!);
    w.relu(y[0]!, n); j.relu(y[1]!, n);
    w.reluBackward(y[0]!, dy[0]!, n); j.reluBackward(y[1]!, dy[1]!, n);
    for (const [name, a, b] of [['y', y[0]!, y[1]!], ['dy', dy[0]!, dy[1]!]] as const) {
      assert.ok(Object.is(a[0], b[0]) && (n < 2 || Object.is(a[1], b[1])), `${name} NaN/-0 at n=${n}`);
      assert.deepEqual(Array.from(a), Array.from(b), `${name} n=${n}`);
    }
  }
});
}

test('relaxed SIMD: Node 20 compiles it once the V8 flag is set at run time; it is the fastest kind, the plain build the default', () => {
  assert.ok(wasmSimdAvailable());
  // Node 20 (V8 11.3) has relaxed SIMD behind RELAXED_SIMD_V8_FLAG, which kernels-wasm.ts sets before compiling;
  // from V8 11.4 (Node 22) it is on by default. Either way this runtime must compile it.
  assert.ok(wasmRelaxedSimdAvailable(), `relaxed SIMD did not compile on Node ${process.versions.node} even with ${RELAXED_SIMD_V8_FLAG}`);
  assert.equal(fastestBackendKind('float32'), 'wasm-relaxed');
  assert.equal(defaultBackendKind('float32'), 'wasm-simd');
  assert.equal(createBackend('float32').name, 'wasm-simd');
  assert.equal(createBackend('float32', 'wasm-relaxed').name, 'wasm-relaxed');
  assert.equal(createBackend('float64').name, 'js');
  assert.equal(createBackend('float32', 'wasm-simd').name, 'wasm-simd');
});

test('relaxed and plain builds differ only by rounding: the plain GEMM is bit-identical to multiply-then-add in f32', () => {
  const [m, k, n] = [5, 7, 9];
  const out = WASM_KERNEL_VARIANTS.map((variant) => {
    const w = new WasmBackend(1 << 16, variant);
    const A = w.alloc(m * k), B = w.alloc(k * n), C = w.alloc(m * n);
    const r = new Rng(9);
    fill(r, A); fill(r, B);
    w.gemmNN(A, B, C, m, k, n, false);
    return { A, B, C };
  });
  const { A, B, C } = out[0]!;
  const f = Math.fround;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s = f(s + f(A[i * k + p]! * B[p * n + j]!));
    assert.equal(C[i * n + j], s, `simd C[${i},${j}]`);
  }
  let maxDiff = 0;
  for (let i = 0; i < m * n; i++) maxDiff = Math.max(maxDiff, Math.abs(out[1]!.C[i]! - C[i]!));
  assert.ok(maxDiff < 1e-5, `relaxed vs simd max |Δ| ${maxDiff}`);
});

test('WasmBackend refuses foreign buffers and reports exhaustion clearly', () => {
  const w = new WasmBackend(4096);
  assert.equal(w.name, 'wasm-simd');
  assert.throws(() => w.gemmNN(new Float32Array(1), new Float32Array(1), new Float32Array(1), 1, 1, 1, false), /not allocated by this backend/);
  assert.throws(() => w.alloc(1 << 20), /out of memory/);
});

test('the committed wasm artifact is a fresh build of assembly/kernels.ts', async () => {
  // @ts-expect-error plain ESM build script without typings
  const { compileAll, renderModule } = await import('../../assembly/build.mjs');
  const fresh = renderModule(await compileAll());
  const committed = readFileSync(new URL('./kernels-wasm.generated.ts', import.meta.url), 'utf8');
  assert.equal(committed, fresh, 'src/nn/kernels-wasm.generated.ts is stale: run `npm run build:wasm`');
});
