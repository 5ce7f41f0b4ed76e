/**
 * Training-update throughput (see src/experiments/bench/train-bench.ts): Remora's kernels vs TF.js wasm/cpu on the
 * paper's LSTM-DQN and MLP networks, batch 32, and the goals set for our kernels (≥ 5× TF.js-wasm for the LSTM, ≥ 20× for
 * the MLP); every figure the median of BENCH_ROUNDS rounds (default 7) after warm-ups, with its spread; and the whole
 * training loop against the pure update rate (≥ 0.8 MLP, ≥ 0.9 LSTM). Prints a table and one JSON line.
 */
import { benchTrain } from '../src/experiments/bench/train-bench.js';

const env = (k: string): number | undefined => (process.env[k] === undefined ? undefined : Number(process.env[k]));
const res = await benchTrain({ durationMs: env('BENCH_DURATION_MS'), rounds: env('BENCH_ROUNDS'), loop: true, clock: process.env.BENCH_CLOCK === 'cpu' ? 'cpu' : 'wall' });
const goals = { lstm: 5, mlp: 20 } as const;
const loopGoals = { lstm: 0.9, mlp: 0.8 } as const;
for (const k of ['lstm', 'mlp'] as const) {
  const b = res[k];
  const x = b.speedupVsWasm;
  const s = b.spread.remora;
  console.log(`${k}: remora ${b.remora.toFixed(0)} ±${s.halfRangePct.toFixed(1)}% updates/s (${s.min.toFixed(0)}–${s.max.toFixed(0)}; js-only ${b.remoraJs.toFixed(0)}), tfjs-wasm ${b.tfjsWasm?.toFixed(0) ?? '—'}, tfjs-cpu ${b.tfjsCpu?.toFixed(0) ?? '—'}; ×${x?.toFixed(1) ?? '—'} vs wasm (goal ≥ ${goals[k]}×: ${x === null ? 'n/a' : x >= goals[k] ? 'met' : 'NOT met'}); ${b.gflops.toFixed(2)} GFLOP/s = ${((100 * b.gflops) / res.peak.hardwarePeakGflops).toFixed(1)}% of one core's ${res.peak.isa} peak, ${((100 * b.gflops) / res.peak.wasmSimdPeakGflops).toFixed(1)}% of its 128-bit-SIMD peak`);
  if (b.loop) console.log(`${k}: train loop ${b.loop.steps.median.toFixed(0)} ±${b.loop.steps.halfRangePct.toFixed(1)}% steps/s = ${b.loop.ratio.toFixed(3)} × pure updates (goal ≥ ${loopGoals[k]}: ${b.loop.ratio >= loopGoals[k] ? 'met' : 'NOT met'})`);
}
console.log(JSON.stringify({ bench: 'train', lstm: res.lstm, mlp: res.mlp, peak: res.peak, rounds: res.rounds, warmupRounds: res.warmupRounds, durationMs: res.durationMs, clock: res.clock, notes: res.notes }));
