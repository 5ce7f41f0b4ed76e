/**
 * Training-update throughput (see src/experiments/train-bench.ts): Remora's kernels vs TF.js wasm/cpu on the
 * paper's LSTM-DQN and MLP networks, batch 32, and the goals of issue 3 (≥ 5× TF.js-wasm for the LSTM, ≥ 20× for
 * the MLP). Prints a table and one JSON line.
 */
import { benchTrain } from '../src/experiments/bench/train-bench.js';

const res = await benchTrain({ durationMs: Number(process.env.BENCH_DURATION_MS ?? 2000) });
const goals = { lstm: 5, mlp: 20 } as const;
for (const k of ['lstm', 'mlp'] as const) {
  const b = res[k];
  const x = b.speedupVsWasm;
  console.log(`${k}: remora ${b.remora.toFixed(0)} updates/s (js-only ${b.remoraJs.toFixed(0)}), tfjs-wasm ${b.tfjsWasm?.toFixed(0) ?? '—'}, tfjs-cpu ${b.tfjsCpu?.toFixed(0) ?? '—'}; ×${x?.toFixed(1) ?? '—'} vs wasm (goal ≥ ${goals[k]}×: ${x === null ? 'n/a' : x >= goals[k] ? 'met' : 'NOT met'}); ${b.gflops.toFixed(2)} GFLOP/s = ${((100 * b.gflops) / res.peak.hardwarePeakGflops).toFixed(1)}% of one core's ${res.peak.isa} peak, ${((100 * b.gflops) / res.peak.wasmSimdPeakGflops).toFixed(1)}% of its 128-bit-SIMD peak`);
}
console.log(JSON.stringify({ bench: 'train', lstm: res.lstm, mlp: res.mlp, peak: res.peak, notes: res.notes }));
