/**
 * `remora bench train`: training updates per second of the paper's two networks (LSTM-DQN, MLP) with batch 32,
 * ours (WASM SIMD) against TF.js wasm and cpu, in one process. See src/experiments/train-bench.ts.
 */
import { benchTrain, type NetworkBench } from '../../experiments/bench/train-bench.js';
import { defineCommand } from '../command.js';

const r = (x: number | null, d = 1): number | null => (x === null ? null : Number(x.toFixed(d)));

export const benchTrainCommand = defineCommand({
  name: 'bench train',
  summary: 'Training updates/s of the LSTM-DQN and MLP networks: Remora kernels vs TF.js (wasm, cpu)',
  usage: '[--json] [--duration-ms N]',
  flags: {
    json: { type: 'boolean', description: 'Print {"lstm": {"remora", "tfjsWasm", "tfjsCpu"}, "mlp": {...}} as JSON' },
    'duration-ms': { type: 'integer', description: 'Measuring time per network and implementation, ms', default: 2000 },
  },
  details: `An update = target forward on s' + online forward on s + 0.5*MSE on taken actions + backward + Adam, batch 32.
The JSON also carries speedups, FLOPs per update, achieved GFLOP/s and one core's peak FLOP rate.`,
  async run({ flags }, io) {
    const res = await benchTrain({ durationMs: flags['duration-ms'] });
    const pack = (b: NetworkBench) => ({
      remora: r(b.remora), tfjsWasm: r(b.tfjsWasm), tfjsCpu: r(b.tfjsCpu), remoraJs: r(b.remoraJs),
      speedupVsWasm: r(b.speedupVsWasm, 2), speedupVsCpu: r(b.speedupVsCpu, 2),
      flopsPerUpdate: b.flopsPerUpdate, gflops: r(b.gflops, 2),
      fractionOfHardwarePeak: r(b.gflops / res.peak.hardwarePeakGflops, 4),
      fractionOfWasmSimdPeak: r(b.gflops / res.peak.wasmSimdPeakGflops, 4),
    });
    const out = { lstm: pack(res.lstm), mlp: pack(res.mlp), peak: res.peak, notes: res.notes };
    if (flags.json) {
      io.out(JSON.stringify(out) + '\n');
      return 0;
    }
    const lines = [`network  remora/s  tfjs-wasm/s  tfjs-cpu/s  ×wasm  ×cpu   GFLOP/s  of peak (hw / wasm128)`];
    for (const k of ['lstm', 'mlp'] as const) {
      const b = out[k];
      lines.push(`${k.padEnd(8)} ${String(b.remora).padStart(8)}  ${String(b.tfjsWasm ?? '—').padStart(11)}  ${String(b.tfjsCpu ?? '—').padStart(10)}  ${String(b.speedupVsWasm ?? '—').padStart(5)}  ${String(b.speedupVsCpu ?? '—').padStart(5)}  ${String(b.gflops).padStart(7)}  ${((b.fractionOfHardwarePeak ?? 0) * 100).toFixed(1)}% / ${((b.fractionOfWasmSimdPeak ?? 0) * 100).toFixed(1)}%`);
    }
    lines.push(`peak: ${res.peak.cpuModel}, ${res.peak.ghz.toFixed(2)} GHz nominal, ${res.peak.isa}: ${res.peak.hardwarePeakGflops.toFixed(1)} GFLOP/s per core (hw), ${res.peak.wasmSimdPeakGflops.toFixed(1)} (128-bit SIMD, no FMA)`);
    for (const n of res.notes) lines.push(`note: ${n}`);
    io.out(lines.join('\n') + '\n');
    return 0;
  },
});
