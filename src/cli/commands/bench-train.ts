/**
 * `remora bench train`: training updates per second of the paper's two networks (LSTM-DQN, MLP) with batch 32,
 * ours (WASM SIMD) against TF.js wasm and cpu, in one process, and the whole training loop's steps/s against the
 * pure update rate. Each figure is the median of `--rounds` rounds after warm-up rounds, with its spread. See
 * src/experiments/bench/train-bench.ts.
 */
import { BENCH_CLOCKS, benchTrain, type BenchClock, DEFAULT_ROUND_MS, DEFAULT_ROUNDS, DEFAULT_WARMUP_ROUNDS, type NetworkBench, type Spread } from '../../experiments/bench/train-bench.js';
import { defineCommand } from '../command.js';

const r = (x: number | null, d = 1): number | null => (x === null ? null : Number(x.toFixed(d)));
const packSpread = (s: Spread | null) =>
  s === null ? null : { median: r(s.median), min: r(s.min), max: r(s.max), halfRangePct: r(s.halfRangePct, 1), rounds: s.rounds.map((x) => r(x)) };
/** `median ±p% (min–max)`. */
const showSpread = (s: Spread): string => `${s.median.toFixed(0)} ±${s.halfRangePct.toFixed(1)}% (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;

export const benchTrainCommand = defineCommand({
  name: 'bench train',
  summary: 'Training updates/s of the LSTM-DQN and MLP networks: Remora kernels vs TF.js (wasm, cpu), and the whole loop vs the updates',
  usage: '[--json] [--rounds R] [--warmup-rounds W] [--duration-ms N] [--clock wall|cpu] [--skip-loop] [--skip-tfjs]',
  flags: {
    json: { type: 'boolean', description: 'Print {"lstm": {"remora", "tfjsWasm", "tfjsCpu", "spread", "loop"}, "mlp": {...}} as JSON' },
    rounds: { type: 'integer', description: 'Measured rounds per network and implementation (the median is reported)', default: DEFAULT_ROUNDS },
    'warmup-rounds': { type: 'integer', description: 'Discarded warm-up rounds before them', default: DEFAULT_WARMUP_ROUNDS },
    'duration-ms': { type: 'integer', description: 'Measuring time of one round, ms', default: DEFAULT_ROUND_MS },
    clock: { type: 'string', description: 'wall, or cpu: this process\'s CPU time (steadier for Remora and the loop ratio when other processes load the machine; charges TF.js for all its threads)', choices: BENCH_CLOCKS, default: 'wall' },
    'skip-loop': { type: 'boolean', description: 'Do not time the whole training loop (loop steps/s ÷ pure updates/s)' },
    'skip-tfjs': { type: 'boolean', description: 'Do not time TF.js (faster; for the loop ratio and the kernels alone)' },
  },
  details: `An update = target forward on s' + online forward on s + 0.5*MSE on taken actions + backward + Adam, batch 32.
Every figure is the median of R rounds after W warm-up rounds, timed on wall time by default
(--clock cpu: this process's CPU time, for a loaded machine); its spread is min-max and the half-range as +-% of the
median. The loop is remora's training loop (agent + sr111 env, DQN defaults, the same network, one update per step)
after the replay warm-up; its ratio is loop steps/s / pure updates/s, both measured in this process.
The JSON also carries speedups, FLOPs per update, achieved GFLOP/s and one core's peak FLOP rate.`,
  async run({ flags }, io) {
    const res = await benchTrain({ durationMs: flags['duration-ms'], rounds: flags.rounds, warmupRounds: flags['warmup-rounds'], loop: !flags['skip-loop'], skipTfjs: Boolean(flags['skip-tfjs']), clock: flags.clock });
    const pack = (b: NetworkBench) => ({
      remora: r(b.remora), kernels: b.kernels, remoraSimd: r(b.remoraSimd), relaxedVsSimd: r(b.remora / b.remoraSimd, 3), tfjsWasm: r(b.tfjsWasm), tfjsCpu: r(b.tfjsCpu), remoraJs: r(b.remoraJs),
      speedupVsWasm: r(b.speedupVsWasm, 2), speedupVsCpu: r(b.speedupVsCpu, 2),
      flopsPerUpdate: b.flopsPerUpdate, gflops: r(b.gflops, 2),
      fractionOfHardwarePeak: r(b.gflops / res.peak.hardwarePeakGflops, 4),
      fractionOfWasmSimdPeak: r(b.gflops / res.peak.wasmSimdPeakGflops, 4),
      fractionOfWasmRelaxedPeak: r(b.gflops / res.peak.wasmRelaxedPeakGflops, 4),
      spread: { remora: packSpread(b.spread.remora), remoraSimd: packSpread(b.spread.remoraSimd), remoraJs: packSpread(b.spread.remoraJs), tfjsWasm: packSpread(b.spread.tfjsWasm), tfjsCpu: packSpread(b.spread.tfjsCpu) },
      loop: b.loop && { stepsPerSecond: packSpread(b.loop.steps), ratio: r(b.loop.ratio, 3), roundSteps: b.loop.roundSteps, scenario: b.loop.scenario },
    });
    const out = { lstm: pack(res.lstm), mlp: pack(res.mlp), peak: res.peak, rounds: res.rounds, warmupRounds: res.warmupRounds, durationMs: res.durationMs, clock: res.clock, notes: res.notes };
    if (flags.json) {
      io.out(JSON.stringify(out) + '\n');
      return 0;
    }
    const lines = [`medians of ${res.rounds} rounds of ${res.durationMs} ms (${res.clock} clock) after ${res.warmupRounds} warm-up rounds; ± is half the range`];
    lines.push(`network  remora/s  tfjs-wasm/s  tfjs-cpu/s  ×wasm  ×cpu   GFLOP/s  of peak (hw / wasm128 / wasm128+FMA)`);
    for (const k of ['lstm', 'mlp'] as const) {
      const b = out[k];
      lines.push(`${k.padEnd(8)} ${String(b.remora).padStart(8)}  ${String(b.tfjsWasm ?? '—').padStart(11)}  ${String(b.tfjsCpu ?? '—').padStart(10)}  ${String(b.speedupVsWasm ?? '—').padStart(5)}  ${String(b.speedupVsCpu ?? '—').padStart(5)}  ${String(b.gflops).padStart(7)}  ${((b.fractionOfHardwarePeak ?? 0) * 100).toFixed(1)}% / ${((b.fractionOfWasmSimdPeak ?? 0) * 100).toFixed(1)}% / ${((b.fractionOfWasmRelaxedPeak ?? 0) * 100).toFixed(1)}%`);
    }
    for (const k of ['lstm', 'mlp'] as const) {
      const s = res[k].spread;
      if (res[k].kernels !== 'wasm-simd') lines.push(`${k} kernels: ${res[k].kernels} ${showSpread(s.remora)} vs plain wasm-simd ${showSpread(s.remoraSimd)} = ×${(res[k].remora / res[k].remoraSimd).toFixed(3)}`);
      lines.push(`${k} spread: remora ${showSpread(s.remora)}, js ${showSpread(s.remoraJs)}${s.tfjsWasm ? `, tfjs-wasm ${showSpread(s.tfjsWasm)}` : ''}${s.tfjsCpu ? `, tfjs-cpu ${showSpread(s.tfjsCpu)}` : ''}`);
    }
    for (const k of ['lstm', 'mlp'] as const) {
      const l = res[k].loop;
      if (l) lines.push(`${k} train loop: ${showSpread(l.steps)} steps/s = ${l.ratio.toFixed(3)} × the pure update rate (${l.scenario}, ${l.roundSteps} steps a round)`);
    }
    lines.push(`peak: ${res.peak.cpuModel}, ${res.peak.ghz.toFixed(2)} GHz nominal, ${res.peak.isa}: ${res.peak.hardwarePeakGflops.toFixed(1)} GFLOP/s per core (hw), ${res.peak.wasmSimdPeakGflops.toFixed(1)} (128-bit SIMD, no FMA), ${res.peak.wasmRelaxedPeakGflops.toFixed(1)} (128-bit with relaxed SIMD's FMA)`);
    for (const n of res.notes) lines.push(`note: ${n}`);
    io.out(lines.join('\n') + '\n');
    return 0;
  },
});
