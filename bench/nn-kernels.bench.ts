/**
 * Kernel throughput: the LSTM gate GEMM (32×31×96, the Table II LSTM on the paper's 7 raw inputs; 32×33×96 on our
 * 9 features), the Dense GEMMs, and the LSTM cell, WASM SIMD vs plain JS, with GFLOP/s and the fraction of one
 * core's peak (see src/experiments/train-bench.ts `peakInfo`).
 */
import { performance } from 'node:perf_hooks';
import type { Backend } from '../src/nn/backend.js';
import { JsBackend } from '../src/nn/kernels-js.js';
import { WasmBackend } from '../src/nn/kernels-wasm.js';
import { peakInfo } from '../src/experiments/bench/train-bench.js';

const durationMs = Number(process.env.BENCH_DURATION_MS ?? 1000);

function rate(f: () => void): number {
  for (let i = 0; i < 200; i++) f();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < durationMs) {
    for (let i = 0; i < 50; i++) f();
    n += 50;
  }
  return (n * 1000) / (performance.now() - t0);
}

const peak = peakInfo();
const shapes: [string, number, number, number][] = [
  ['lstm gates 32x31x96', 32, 31, 96],
  ['lstm gates 32x33x96', 32, 33, 96],
  ['dense 32x24x24', 32, 24, 24],
  ['dense 32x24x4', 32, 24, 4],
];
for (const [name, m, k, n] of shapes) {
  const out: string[] = [];
  for (const be of [new WasmBackend(), new JsBackend('float32')] as Backend[]) {
    const A = be.alloc(m * k), B = be.alloc(k * n), C = be.alloc(m * n);
    for (let i = 0; i < A.length; i++) A[i] = Math.sin(i);
    for (let i = 0; i < B.length; i++) B[i] = Math.cos(i);
    const gflops = (rate(() => be.gemmNN(A, B, C, m, k, n, false)) * 2 * m * k * n) / 1e9;
    out.push(`${be.name} ${gflops.toFixed(2)} GFLOP/s (${((100 * gflops) / peak.hardwarePeakGflops).toFixed(1)}% of ${peak.isa} peak)`);
  }
  console.log(`gemm ${name}: ${out.join(', ')}`);
}
for (const be of [new WasmBackend(), new JsBackend('float32')] as Backend[]) {
  const z = be.alloc(32 * 96), cp = be.alloc(32 * 24), c = be.alloc(32 * 24), tc = be.alloc(32 * 24), h = be.alloc(32 * 24);
  for (let i = 0; i < z.length; i++) z[i] = Math.sin(i);
  const r = rate(() => be.lstmCellForward(z, cp, c, tc, h, 24, 32, 24));
  console.log(`lstm cell forward 32x24 (${be.name}): ${(1e6 / r).toFixed(2)} µs`);
}
console.log(`peak: ${peak.ghz.toFixed(2)} GHz nominal, ${peak.isa}: ${peak.hardwarePeakGflops.toFixed(1)} GFLOP/s per core; 128-bit WASM SIMD without FMA: ${peak.wasmSimdPeakGflops.toFixed(1)}`);
