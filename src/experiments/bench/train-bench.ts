/**
 * `remora bench train`: training-update throughput of the paper's two networks, ours against TF.js (wasm and cpu
 * backends), in the same process, on identical weights and batches.
 *
 * One "update" is what a DQN step costs (keras-rl2: `predict_on_batch` on the target network, then
 * `train_on_batch` on the online one): target forward on s′ (batch 32), max → targets, online forward on s,
 * ½·MSE on the taken actions, backward, Adam. Replay sampling is excluded on both sides.
 * Networks (3 nodes → 9 features, 4 actions): LSTM-DQN = LSTM(24) over W = 4 → Dense(24, ReLU) → Dense(4);
 * MLP = Dense(24, ReLU) → Dense(24, ReLU) → Dense(4).
 */
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Rng } from '../../core/rng.js';
import { Adam } from '../../nn/adam.js';
import type { BackendKind } from '../../nn/backend.js';
import { createBackend, defaultBackendKind, fastestBackendKind } from '../../nn/create-backend.js';
import { tdLoss } from '../../nn/losses.js';
import { createNetwork, type FeedForwardSpec } from '../../nn/network.js';
import { tfjsArtifacts } from '../../nn/tfjs-export.js';
import { resolveDqnConfig, type TrainConfigFile } from '../../agents/config.js';
import { createAgent } from '../../agents/factory.js';
import { trainAgent } from '../../agents/trainer.js';
import { loadScenario, makeEnv } from '../../twin/index.js';
import { metricsLine } from '../train/metrics-jsonl.js';
import { runSeeds } from '../train/train.js';

export const BENCH_BATCH = 32;
export const BENCH_NETWORKS: Record<'lstm' | 'mlp', FeedForwardSpec> = {
  lstm: { kind: 'lstm-mlp', inputSize: 9, steps: 4, lstmUnits: 24, hidden: [24], outputs: 4 },
  mlp: { kind: 'mlp', inputSize: 9, hidden: [24, 24], outputs: 4 },
};

export type BenchClock = 'wall' | 'cpu';
export const BENCH_CLOCKS: readonly BenchClock[] = ['wall', 'cpu'];

/** Milliseconds on `clock`. */
export function clockNow(clock: BenchClock): () => number {
  if (clock === 'wall') return () => performance.now();
  return () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
}

export interface BenchTrainOptions {
  /** Measuring time of one round per (network, implementation), ms. */
  durationMs?: number;
  /** Measured rounds per (network, implementation); the median is reported, with its spread. */
  rounds?: number;
  /** Discarded warm-up rounds before them (JIT, caches, CPU clock). */
  warmupRounds?: number;
  /** Also time the whole training loop (env + agent, {@link trainLoopRate}) against the pure update rate. */
  loop?: boolean;
  /** Skip TF.js (e.g. when it is not installed). */
  skipTfjs?: boolean;
  /**
   * `wall` (default): performance.now(). `cpu`: this process's CPU time (process.cpuUsage, user + system), so time
   * the OS gives to other processes on a loaded machine is not counted against us (cache and memory contention still
   * are). Every thread of the process counts: TF.js-wasm's rate reads ~10 % lower and spreads ±20 % on the CPU clock
   * on an idle machine (bench/README.md), so use `cpu` for Remora's own figures and the loop ratio on a loaded
   * machine, and `wall` for the ratios against TF.js.
   */
  clock?: BenchClock;
  now?: () => number;
}

/** Rounds of one measurement: the median and how far the rounds spread around it. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Half the range, (max − min) / 2, as % of the median: the ± of the figure. */
  halfRangePct: number;
  /** Every measured round, in order (warm-ups excluded). */
  rounds: number[];
}

export function spreadOf(xs: readonly number[]): Spread {
  if (xs.length === 0) throw new RangeError('spreadOf: no rounds');
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  const min = s[0]!, max = s[n - 1]!;
  return { median, min, max, halfRangePct: median > 0 ? (100 * (max - min)) / 2 / median : 0, rounds: [...xs] };
}

/** The whole training loop (agent + env, `trainAgent`) against the pure update rate, same network. */
export interface LoopBench {
  /** Env steps per second of the loop once updates run (one update per step, batch 32). */
  steps: Spread;
  /** `steps.median / remora` (the target: ≥ 0.8 MLP, ≥ 0.9 LSTM). */
  ratio: number;
  /** Steps per measured round. */
  roundSteps: number;
  scenario: string;
}

export interface NetworkBench {
  /** Median updates/s over the rounds (see {@link spread}), on the backend the agents use ({@link kernels}). */
  remora: number;
  /** The backend behind `remora`: `wasm-relaxed` (FMA) where the runtime has it, else `wasm-simd`. */
  kernels: BackendKind;
  /** The plain-SIMD kernels (no FMA), the fallback, for the relaxed-vs-plain ratio. */
  remoraSimd: number;
  /** Plain-JS float32 kernels, no WASM (for reference). */
  remoraJs: number;
  tfjsWasm: number | null;
  tfjsCpu: number | null;
  /** remora / tfjsWasm. */
  speedupVsWasm: number | null;
  speedupVsCpu: number | null;
  /** FLOPs in one update (multiply-adds ×2 of all GEMMs). */
  flopsPerUpdate: number;
  /** Achieved GFLOP/s of `remora`. */
  gflops: number;
  /** Rounds behind each median (null where not measured). */
  spread: { remora: Spread; remoraSimd: Spread; remoraJs: Spread; tfjsWasm: Spread | null; tfjsCpu: Spread | null };
  /** The whole training loop, when asked for. */
  loop: LoopBench | null;
}

export interface BenchTrainResult {
  lstm: NetworkBench;
  mlp: NetworkBench;
  /** Peak FLOP rate context for one core (see {@link peakInfo}). */
  peak: PeakInfo;
  rounds: number;
  warmupRounds: number;
  durationMs: number;
  clock: BenchClock;
  notes: string[];
}

/** FLOPs (2·m·k·n per GEMM) of one update: 2 forwards (target, online) and one backward. */
export function updateFlops(spec: FeedForwardSpec, batch: number): number {
  const B = batch;
  let fwd = 0, bwd = 0;
  let width = spec.inputSize;
  if (spec.kind === 'lstm-mlp') {
    const U = spec.lstmUnits, K = spec.inputSize + U;
    fwd += spec.steps * 2 * B * K * 4 * U;
    // dK += xhᵀ·dz every step; dh = dz·K_hᵀ for steps > 0.
    bwd += spec.steps * 2 * B * K * 4 * U + (spec.steps - 1) * 2 * B * 4 * U * U;
    width = U;
  }
  const widths = [...spec.hidden, spec.outputs];
  widths.forEach((w, i) => {
    fwd += 2 * B * width * w;
    bwd += 2 * B * width * w + (i > 0 || spec.kind === 'lstm-mlp' ? 2 * B * width * w : 0);
    width = w;
  });
  return 2 * fwd + bwd;
}

export interface PeakInfo {
  cpuModel: string;
  /** Nominal clock from /proc/cpuinfo or os.cpus(), GHz. */
  ghz: number;
  /** Widest SIMD the CPU has (avx512f, avx2+fma, …). */
  isa: string;
  /** One core's f32 peak with that ISA: GHz × lanes × 2 (FMA) × 2 FMA ports. */
  hardwarePeakGflops: number;
  /** One core's f32 peak reachable from WASM SIMD (128-bit, no FMA): GHz × 4 lanes × 2 ports. */
  wasmSimdPeakGflops: number;
  /** The same with relaxed SIMD's FMA (the `wasm-relaxed` kernels): GHz × 4 lanes × 2 (FMA) × 2 ports. */
  wasmRelaxedPeakGflops: number;
}

export function peakInfo(): PeakInfo {
  const c = cpus()[0];
  let ghz = c ? c.speed / 1000 : 0;
  let flags = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const mhz = /cpu MHz\s*:\s*([\d.]+)/.exec(info);
    if (mhz) ghz = Number(mhz[1]) / 1000;
    flags = /flags\s*:\s*(.*)/.exec(info)?.[1] ?? '';
  } catch {
    // not Linux: keep os.cpus()
  }
  const has = (f: string): boolean => flags.split(' ').includes(f);
  const lanes = has('avx512f') ? 16 : has('avx2') || has('avx') ? 8 : 4;
  const fma = has('fma') || has('avx512f');
  const isa = has('avx512f') ? 'avx512f' : has('avx2') ? (fma ? 'avx2+fma' : 'avx2') : 'sse';
  return {
    cpuModel: c?.model ?? 'unknown',
    ghz,
    isa,
    hardwarePeakGflops: ghz * lanes * (fma ? 2 : 1) * 2,
    wasmSimdPeakGflops: ghz * 4 * 2,
    wasmRelaxedPeakGflops: ghz * 4 * (fma ? 2 : 1) * 2,
  };
}

function fill(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniformIn(-1, 1);
  return a;
}

/** One round: calls of `step` per second over `durationMs`. */
async function round(step: () => void | Promise<void>, durationMs: number, now: () => number): Promise<number> {
  const t0 = now();
  let n = 0;
  let t = t0;
  // The clock is read every 4 calls (process.cpuUsage is a syscall; a fast MLP update takes ~20 µs).
  while (t - t0 < durationMs) {
    for (let i = 0; i < 4; i++) await step();
    n += 4;
    t = now();
  }
  return (n * 1000) / (t - t0);
}

/** `warmupRounds` discarded rounds, then `rounds` measured ones of `durationMs` each: calls/s with its spread. */
async function measure(step: () => void | Promise<void>, durationMs: number, rounds: number, warmupRounds: number, now: () => number): Promise<Spread> {
  for (let i = 0; i < warmupRounds; i++) await round(step, durationMs, now);
  const rates: number[] = [];
  for (let i = 0; i < rounds; i++) rates.push(await round(step, durationMs, now));
  return spreadOf(rates);
}

/** DQN config (`remora train`'s, Table II defaults) whose network is `BENCH_NETWORKS[key]` on a 3-node scenario. */
export function loopConfig(key: 'lstm' | 'mlp'): TrainConfigFile {
  return { dqn: { network: key === 'lstm' ? { kind: 'lstm', window: 4, lstmUnits: 24, hidden: [24] } : { kind: 'mlp', hidden: [24, 24], window: 1 } } } as TrainConfigFile;
}

/**
 * Env steps per second of the whole training loop (`trainAgent`: ε-greedy act on the online net, env step, replay
 * store, sampling and window assembly, one batch-32 update per step, target copies, per-episode metrics lines), on
 * `scenario` with the DQN defaults and the bench's network. The replay warm-up (no updates) and `warmupRounds`
 * rounds are discarded; each round is `roundSteps` env steps.
 */
export function trainLoopRate(key: 'lstm' | 'mlp', roundSteps: number, rounds: number, warmupRounds: number, now: () => number, scenarioName = 'sr111', cwd = process.cwd(), kernels: BackendKind = defaultBackendKind('float32')): { spread: Spread; spec: FeedForwardSpec } {
  const scenario = loadScenario(scenarioName, { cwd });
  const { envSeed, agentSeed } = runSeeds(1);
  const env = makeEnv(scenario, envSeed);
  const config = resolveDqnConfig(loopConfig(key));
  const agent = createAgent({ kind: 'dqn', config }, env.layout, 1_000_000, new Rng(agentSeed), createBackend('float32', kernels));
  const skip = Math.ceil((config.warmupSteps + 1) / roundSteps) + warmupRounds;
  const marks: number[] = [];
  let episodeBytes = 0;
  trainAgent(agent, env, {
    steps: (skip + rounds) * roundSteps,
    seed: envSeed,
    progressEvery: roundSteps,
    onProgress: () => marks.push(now()),
    onEpisode: (m) => {
      episodeBytes += metricsLine(m).length;
    },
  });
  void episodeBytes;
  // marks[i] is taken after (i + 1) · roundSteps steps (the last one twice: progress() also runs at the end).
  const rates: number[] = [];
  for (let i = skip; i < skip + rounds; i++) rates.push((roundSteps * 1000) / (marks[i]! - marks[i - 1]!));
  return { spread: spreadOf(rates), spec: agent.spec as FeedForwardSpec };
}

function remoraUpdater(spec: FeedForwardSpec, kind: BackendKind, xs: Float32Array, xn: Float32Array, actions: Int32Array): () => void {
  const backend = createBackend('float32', kind);
  const rng = new Rng(7);
  const online = createNetwork(spec, { backend, maxRows: BENCH_BATCH, rng });
  const target = createNetwork(spec, { backend, maxRows: BENCH_BATCH });
  target.params.set(online.params);
  const adam = new Adam(backend, online.params.length);
  const A = spec.outputs, B = BENCH_BATCH;
  const y = new Float64Array(B);
  const dOut = backend.alloc(B * A);
  return () => {
    target.input.set(xn);
    const qn = target.forward(B);
    for (let b = 0; b < B; b++) {
      let m = -Infinity;
      for (let a = 0; a < A; a++) m = Math.max(m, qn[b * A + a]);
      y[b] = 0.99 * m;
    }
    online.input.set(xs);
    const q = online.forward(B);
    tdLoss(q, actions, y, B, A, Infinity, dOut);
    online.zeroGrads();
    online.backward(dOut, B);
    adam.step(online.params, online.grads);
  };
}

type Tf = typeof import('@tensorflow/tfjs');

async function tfjsUpdater(tf: Tf, spec: FeedForwardSpec, xs: Float32Array, xn: Float32Array, actions: Int32Array): Promise<{ step: () => void; dispose: () => void }> {
  const rng = new Rng(7);
  const net = createNetwork(spec, { dtype: 'float64', backend: createBackend('float64', 'js'), maxRows: 1, rng });
  const load = async () => {
    const { modelJson, weightData } = tfjsArtifacts(spec, net.params, net.paramSpecs);
    return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData: weightData.slice().buffer }));
  };
  const online = await load();
  const target = await load();
  const shape = spec.kind === 'lstm-mlp' ? [BENCH_BATCH, spec.steps, spec.inputSize] : [BENCH_BATCH, spec.inputSize];
  const s = tf.tensor(xs, shape);
  const sn = tf.tensor(xn, shape);
  const mask = tf.oneHot(tf.tensor1d(actions, 'int32'), spec.outputs);
  const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  return {
    step: () => {
      const y = tf.tidy(() => tf.mul(0.99, tf.max(target.predict(sn) as import('@tensorflow/tfjs').Tensor, 1)).expandDims(1));
      const loss = opt.minimize(() => tf.mean(tf.mul(0.5, tf.sum(tf.mul(tf.square(tf.sub(online.apply(s) as import('@tensorflow/tfjs').Tensor, y)), mask), 1))) as import('@tensorflow/tfjs').Scalar, true);
      // One host sync per update, as keras-rl2's train_on_batch returns the loss to Python.
      loss!.dataSync();
      tf.dispose([y, loss!]);
    },
    dispose: () => {
      tf.dispose([s, sn, mask]);
      online.dispose();
      target.dispose();
      opt.dispose();
    },
  };
}

async function loadTfjs(): Promise<{ tf: Tf | null; note?: string }> {
  try {
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
    return { tf };
  } catch (e) {
    return { tf: null, note: `TF.js not available (${(e as Error).message.split('\n')[0]}); install the devDependencies to compare` };
  }
}

export const DEFAULT_ROUNDS = 7;
export const DEFAULT_WARMUP_ROUNDS = 2;
export const DEFAULT_ROUND_MS = 400;

export async function benchTrain(opts: BenchTrainOptions = {}): Promise<BenchTrainResult> {
  const clock = opts.clock ?? 'wall';
  const now = opts.now ?? clockNow(clock);
  const duration = opts.durationMs ?? DEFAULT_ROUND_MS;
  const rounds = opts.rounds ?? DEFAULT_ROUNDS;
  const warmupRounds = opts.warmupRounds ?? DEFAULT_WARMUP_ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`bench train: rounds must be a positive integer, got ${rounds}`);
  if (!Number.isInteger(warmupRounds) || warmupRounds < 0) throw new RangeError(`bench train: warm-up rounds must be a non-negative integer, got ${warmupRounds}`);
  const notes: string[] = [];
  const { tf, note } = opts.skipTfjs ? { tf: null } : await loadTfjs();
  if (note) notes.push(note);
  const out = {} as Record<'lstm' | 'mlp', NetworkBench>;
  for (const key of ['lstm', 'mlp'] as const) {
    const spec = BENCH_NETWORKS[key];
    const rng = new Rng(key === 'lstm' ? 1 : 2);
    const per = spec.kind === 'lstm-mlp' ? spec.steps * spec.inputSize : spec.inputSize;
    const xs = fill(rng, BENCH_BATCH * per), xn = fill(rng, BENCH_BATCH * per);
    const actions = Int32Array.from({ length: BENCH_BATCH }, () => rng.int(spec.outputs));
    // The fastest kernels (FMA where relaxed SIMD compiles), for the updates and the loop alike; the plain build beside.
    const kernels = fastestBackendKind('float32');
    const remoraS = await measure(remoraUpdater(spec, kernels, xs, xn, actions), duration, rounds, warmupRounds, now);
    const remora = remoraS.median;
    const remoraSimdS = kernels === 'wasm-simd' ? remoraS : await measure(remoraUpdater(spec, 'wasm-simd', xs, xn, actions), duration, rounds, warmupRounds, now);
    let loop: LoopBench | null = null;
    if (opts.loop) {
      // Rounds of about `duration` ms at the loop's rate (slower than the updates alone), in whole hundreds of steps.
      const roundSteps = Math.max(100, Math.round((remora * duration) / 1000 / 2 / 100) * 100);
      const l = trainLoopRate(key, roundSteps, rounds, warmupRounds, now, 'sr111', process.cwd(), kernels);
      if (JSON.stringify(l.spec) !== JSON.stringify(spec)) notes.push(`${key}: the training loop's network ${JSON.stringify(l.spec)} differs from the bench's`);
      loop = { steps: l.spread, ratio: l.spread.median / remora, roundSteps, scenario: 'sr111' };
    }
    const remoraJsS = await measure(remoraUpdater(spec, 'js', xs, xn, actions), duration, rounds, warmupRounds, now);
    const remoraJs = remoraJsS.median;
    let tfjsWasm: number | null = null, tfjsCpu: number | null = null;
    let tfjsWasmS: Spread | null = null, tfjsCpuS: Spread | null = null;
    if (tf) {
      for (const backend of ['wasm', 'cpu'] as const) {
        if (!(await tf.setBackend(backend))) {
          notes.push(`TF.js backend ${backend} failed to initialise`);
          continue;
        }
        await tf.ready();
        const u = await tfjsUpdater(tf, spec, xs, xn, actions);
        const rate = await measure(u.step, duration, rounds, warmupRounds, now);
        u.dispose();
        if (backend === 'wasm') [tfjsWasm, tfjsWasmS] = [rate.median, rate];
        else [tfjsCpu, tfjsCpuS] = [rate.median, rate];
      }
    }
    const flopsPerUpdate = updateFlops(spec, BENCH_BATCH);
    out[key] = {
      remora, kernels, remoraSimd: remoraSimdS.median, remoraJs, tfjsWasm, tfjsCpu,
      speedupVsWasm: tfjsWasm ? remora / tfjsWasm : null,
      speedupVsCpu: tfjsCpu ? remora / tfjsCpu : null,
      flopsPerUpdate,
      gflops: (remora * flopsPerUpdate) / 1e9,
      spread: { remora: remoraS, remoraSimd: remoraSimdS, remoraJs: remoraJsS, tfjsWasm: tfjsWasmS, tfjsCpu: tfjsCpuS },
      loop,
    };
  }
  return { ...out, peak: peakInfo(), rounds, warmupRounds, durationMs: duration, clock, notes };
}
