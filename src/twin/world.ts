/**
 * The world of one episode: UE position, per-node RTT (Eq. 1) and load (Eq. 2), and the duration a migration
 * started at each step would take. None of it depends on the agent's actions (only the service's location
 * does), which is what makes the exact oracle possible: {@link recordWorld} replays the same world from its seed.
 *
 * Allocation-free after construction: `reset` and `advance` only write into preallocated typed arrays.
 */
import { Rng } from '../core/rng.js';
import { averageRtt, nodeLoad } from '../core/reward.js';
import { migrationCosts } from '../core/transition.js';
import type { ResolvedScenario } from './scenario-loader.js';
import { rowAt } from './traces.js';
import { GpsTrip, HighwayTrip, type Trip } from './mobility.js';
import type { Duration, Scenario } from './scenario-schema.js';

const KMH_TO_MS = 1 / 3.6;
/** Upper clip for RTT samples, ms (keeps observations inside the Box even for absurd configs). */
export const RTT_CAP_MS = 1e4;

export class World {
  /** Number of nodes N. */
  readonly n: number;
  /** Step index t of the values below. */
  t = 0;
  /** Steps in this episode: observations exist for t = 0..lastStep; reaching lastStep ends the episode. */
  lastStep = 0;
  /** True when `lastStep` is the end of the trip (false: the scenario's maxSteps cut it). */
  endsWithTrip = true;
  /** Eq. 1 average RTT per node at step t, ms. */
  readonly rttMs: Float64Array;
  /** Eq. 2 load per node at step t. */
  readonly load: Float64Array;
  /** CPU and memory utilisation per node at step t (after noise, clipped to [0, 0.99]). */
  readonly cpu: Float64Array;
  readonly mem: Float64Array;
  /** UE position at step t, metres: [x, y]. */
  readonly position = new Float64Array(2);
  /** Seed of this episode's migration durations (see {@link World.durationStepsAt}). */
  private durationSeed = 0;
  private readonly durationRng = new Rng(0);
  /** Speed of this trip, km/h (highway model; NaN for GPS). */
  speedKmh = Number.NaN;
  /** Trace time at step 0, seconds. */
  traceStartSeconds = 0;
  /** Per-route AWGN sigma per node this episode, ms. */
  readonly sigmaMs: Float64Array;

  private readonly rng = new Rng(0);
  private readonly ring: Float64Array;
  /** Per-node views of `ring` (Eq. 1's last N transmissions), made once so steps allocate nothing. */
  private readonly windows: Float64Array[];
  private ringPos = 0;
  private readonly cpuNoise: Float64Array;
  private readonly memNoise: Float64Array;
  /** Load surge per node this episode (fraction added to cpu and mem) and the step it starts at. */
  private readonly surge: Float64Array;
  private readonly surgeStart: Float64Array;
  private readonly nodeX: Float64Array;
  private readonly nodeY: Float64Array;
  private readonly tmp = new Float64Array(2);
  private readonly trip: Trip;
  private readonly highway: HighwayTrip | undefined;

  constructor(readonly scenario: ResolvedScenario) {
    const n = scenario.nodeX.length;
    this.n = n;
    this.rttMs = new Float64Array(n);
    this.load = new Float64Array(n);
    this.cpu = new Float64Array(n);
    this.mem = new Float64Array(n);
    this.sigmaMs = new Float64Array(n);
    this.ring = new Float64Array(n * scenario.spec.rtt.window);
    const w = scenario.spec.rtt.window;
    this.windows = Array.from({ length: n }, (_, j) => this.ring.subarray(j * w, (j + 1) * w));
    this.cpuNoise = new Float64Array(n);
    this.memNoise = new Float64Array(n);
    this.surge = new Float64Array(n);
    this.surgeStart = new Float64Array(n);
    this.nodeX = scenario.nodeX;
    this.nodeY = scenario.nodeY;
    this.highway = scenario.road ? new HighwayTrip() : undefined;
    this.trip = scenario.gpsTrack ? new GpsTrip(scenario.gpsTrack) : this.highway!;
  }

  /** Start a new episode from `seed`: draws the trip, noise levels and trace segment, and computes step 0. */
  reset(seed: number): void {
    const s = this.scenario.spec;
    const rng = this.rng;
    rng.seed(seed);
    const m = s.mobility;
    if (m.kind === 'highway') {
      this.speedKmh = rng.uniformIn(m.speedKmh.min, m.speedKmh.max);
      const forward = m.direction === 'forward' || (m.direction === 'both' && rng.uniform() < 0.5);
      // A probability is drawn only when given, so scenarios with a fixed roundTrip keep their random stream.
      const roundTrip = typeof m.roundTrip === 'number' ? rng.uniform() < m.roundTrip : m.roundTrip;
      this.highway!.follow(this.scenario.road!, forward, this.speedKmh * KMH_TO_MS, roundTrip, m.stopAndGo);
    } else {
      this.speedKmh = Number.NaN;
      this.trip.positionAt(0, this.tmp); // resets the GPS cursor
    }
    const tripSteps = Math.max(1, Math.ceil(this.trip.durationS / s.stepSeconds - 1e-9));
    this.endsWithTrip = tripSteps <= s.maxSteps;
    this.lastStep = Math.min(tripSteps, s.maxSteps);
    for (let j = 0; j < this.n; j++) this.sigmaMs[j] = rng.uniformIn(s.rtt.noiseSigmaMs.min, s.rtt.noiseSigmaMs.max);
    this.drawLoadNoise();
    this.drawSurges();
    this.traceStartSeconds = this.scenario.pickTraceStart(rng, this.lastStep);
    this.durationSeed = rng.nextU32();
    // Fill Eq. 1's window with transmissions made at the start position (the UE was already there).
    this.trip.positionAt(0, this.position);
    this.ringPos = 0;
    const w = s.rtt.window;
    for (let k = 0; k < w; k++) this.transmit(0);
    this.t = 0;
    this.computeStep();
  }

  /** Move to step t+1. */
  advance(): void {
    const s = this.scenario.spec;
    const m = s.rtt.transmissionsPerStep;
    const t0 = this.t * s.stepSeconds;
    // Transmissions spread evenly over the step; the last one is at the step's end.
    for (let k = 1; k <= m; k++) this.transmit(t0 + (k / m) * s.stepSeconds);
    this.t++;
    if (s.workload.noise.redraw === 'step') this.drawLoadNoise();
    this.computeStep();
  }

  private transmit(tS: number): void {
    const s = this.scenario.spec.rtt;
    const w = s.window;
    this.trip.positionAt(tS, this.position);
    const ux = this.position[0]!, uy = this.position[1]!;
    for (let j = 0; j < this.n; j++) {
      const dx = ux - this.nodeX[j]!, dy = uy - this.nodeY[j]!;
      // Paper: RTT linear in the UE-node Euclidean distance, plus AWGN with a fixed sigma per route.
      let x = s.baseMs + s.slopeMsPerM * Math.sqrt(dx * dx + dy * dy) + this.sigmaMs[j]! * this.rng.normal();
      x = x < s.floorMs ? s.floorMs : x > RTT_CAP_MS ? RTT_CAP_MS : x;
      this.ring[j * w + this.ringPos] = x;
    }
    this.ringPos = this.ringPos + 1 === w ? 0 : this.ringPos + 1;
  }

  private drawLoadNoise(): void {
    const nz = this.scenario.spec.workload.noise;
    const scale = nz.unit === 'percent' ? 0.01 : 1;
    for (let j = 0; j < this.n; j++) {
      if (j > 0 && !nz.perNode) {
        this.cpuNoise[j] = this.cpuNoise[0]!;
        this.memNoise[j] = this.memNoise[0]!;
        continue;
      }
      this.cpuNoise[j] = (nz.cpu.mean + nz.cpu.std * this.rng.normal()) * scale;
      this.memNoise[j] = (nz.mem.mean + nz.mem.std * this.rng.normal()) * scale;
    }
  }

  /** Load surges of this episode (training randomization; drawn from the env's stream only when enabled). */
  private drawSurges(): void {
    const sg = this.scenario.spec.workload.surges;
    this.surge.fill(0);
    if (sg.probability <= 0) return;
    for (let j = 0; j < this.n; j++) {
      const on = this.rng.uniform() < sg.probability;
      const mag = this.rng.uniformIn(sg.magnitudePct.min, sg.magnitudePct.max) / 100;
      const start = Math.floor(this.rng.uniformIn(sg.startStep.min, sg.startStep.max + 1));
      this.surge[j] = on ? mag : 0;
      this.surgeStart[j] = start;
    }
  }

  private computeStep(): void {
    const s = this.scenario.spec;
    const tau = this.traceStartSeconds + this.t * s.workload.traceSecondsPerStep;
    const traces = this.scenario.traces;
    for (let j = 0; j < this.n; j++) {
      // Eq. 1 over the ring buffer (summed afresh each step: no running sum to drift).
      this.rttMs[j] = averageRtt(this.windows[j]!);
      const tr = traces[j]!;
      const row = rowAt(tr, tau + this.scenario.shiftSeconds[j]!);
      const sg = this.t >= this.surgeStart[j]! ? this.surge[j]! : 0;
      const c = clip01(tr.cpu[row]! + this.cpuNoise[j]! + sg);
      const me = clip01(tr.mem[row]! + this.memNoise[j]! + sg);
      this.cpu[j] = c;
      this.mem[j] = me;
      this.load[j] = nodeLoad(c, me);
    }
  }

  /**
   * Steps a migration started at step `t` takes (0 in the instant model). A pure function of (episode, t): the
   * draw comes from a generator keyed by the step, so it costs nothing on steps without a migration and the world
   * stays independent of the agent's actions.
   */
  durationStepsAt(t: number): number {
    const s = this.scenario.spec;
    const mg = s.migration;
    if (mg.model === 'instant') return 0;
    this.durationRng.seed(this.durationSeed ^ Math.imul(t + 1, 0x9e3779b1));
    // Capped at maxSteps: a migration longer than an episode's cap is a configuration error, and the cap bounds the
    // in-flight observation (env.ts).
    return Math.min(s.maxSteps, Math.max(1, Math.ceil(sampleDuration(mg.durations[mg.serviceKind], this.durationRng) / s.stepSeconds - 1e-9)));
  }
}

function clip01(x: number): number {
  return x < 0 ? 0 : x > 0.99 ? 0.99 : x;
}

/**
 * The edge model's per-migration terms of a scenario, read once for the env and the oracle: the switch-over blackout
 * (seconds), the extra RTT it adds to the step it falls in, and the traffic cost of one migration (the transition
 * kernel's `migrationCosts`). All 0 in the paper's model.
 */
export function edgeMigrationCosts(spec: Scenario): { downtimeS: number; spikeMs: number; trafficCost: number } {
  const kind = spec.migration.serviceKind;
  const downtimeS = spec.migration.downtimeSeconds[kind];
  return { downtimeS, ...migrationCosts(downtimeS, spec.stepSeconds / spec.rtt.transmissionsPerStep, spec.rtt.window, spec.migration.stateGiB[kind], spec.reward.trafficCostPerGiB) };
}

/** Draw one migration duration (seconds) from a configured distribution. */
export function sampleDuration(d: Duration, rng: Rng): number {
  switch (d.kind) {
    case 'fixed':
      return d.seconds;
    case 'uniform':
      return rng.uniformIn(d.minSeconds, d.maxSeconds);
    case 'lognormal':
      return d.medianSeconds * Math.exp(d.sigma * rng.normal());
  }
}

/** The full, action-independent world of one episode, for the oracle and for plots. */
export interface WorldRecord {
  /** Number of nodes. */
  n: number;
  /** Last step index; observations exist for t = 0..lastStep. */
  lastStep: number;
  /** True when the episode ends with the trip (truncation), false when maxSteps cut it. */
  endsWithTrip: boolean;
  /** RTT per step and node, `[(lastStep+1) × n]`, ms. */
  rttMs: Float64Array;
  /** Load per step and node, `[(lastStep+1) × n]`. */
  load: Float64Array;
  /** Migration duration (steps) if started at step t, `[lastStep+1]`. */
  durationSteps: Int32Array;
  /** UE x and y per step, metres. */
  xM: Float64Array;
  yM: Float64Array;
}

/** Replay the world of the episode whose world seed is `worldSeed` (reported as `info.worldSeed` by reset). */
export function recordWorld(scenario: ResolvedScenario, worldSeed: number): WorldRecord {
  const w = new World(scenario);
  w.reset(worldSeed);
  const n = w.n, T = w.lastStep;
  const rec: WorldRecord = {
    n,
    lastStep: T,
    endsWithTrip: w.endsWithTrip,
    rttMs: new Float64Array((T + 1) * n),
    load: new Float64Array((T + 1) * n),
    durationSteps: new Int32Array(T + 1),
    xM: new Float64Array(T + 1),
    yM: new Float64Array(T + 1),
  };
  for (let t = 0; t <= T; t++) {
    if (t > 0) w.advance();
    rec.rttMs.set(w.rttMs, t * n);
    rec.load.set(w.load, t * n);
    rec.durationSteps[t] = w.durationStepsAt(t);
    rec.xM[t] = w.position[0]!;
    rec.yM[t] = w.position[1]!;
  }
  return rec;
}
