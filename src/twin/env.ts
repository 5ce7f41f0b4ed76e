/**
 * The digital twin as an {@link Env}: the paper's MDP (Sec. III-C) over a {@link World}.
 *
 * Timing of one `step(a)` at step t (a deliberate, documented reading of the paper):
 * 1. The action is applied: Wait, or migrate to node j. In the `instant` model (the paper's) the service is on j at
 *    once; in the `timed` model it keeps serving from the source (pre-copy) until the switch `durationSteps` later.
 * 2. The reward (Eq. 8) is computed from the values the agent observed at t, for the node serving after the action
 *    ("the current RTT and load values of the server that the agent migrated or stayed to"). This makes the
 *    one-step reward a function of (observation, action), which the `greedy` baseline and the oracle rely on.
 * 3. The episode terminates when that node's RTT > R_max or load > L_max (the paper; `terminateOnViolation`), or on
 *    a penalised self-migration.
 * 4. The world advances to t+1 and the observation for t+1 is returned. Reaching the end of the route or
 *    `maxSteps` truncates (the state does not encode position, so an agent cannot know the route ends: bootstrap).
 *
 * Edge model (beyond the paper; off unless the scenario sets it, see `builtin-scenarios.ts`'s `edge` overlay): a
 * migration started at t costs `reward.trafficCostPerGiB · migration.stateGiB` in step t's reward
 * (`migrationTrafficCost`), the step at whose end the switch-over falls (t itself for an instant or one-step
 * migration) sees the serving RTT raised by the blackout (`switchoverRttMs`) in Eq. 4 (the SLA check uses the path's
 * RTT: a blackout counts as downtime, not as a breach), and each step out of SLA costs `slaViolationPenalty`. With
 * `observation.inFlight` the state carries the seconds left to the switch-over per target node.
 *
 * Self-migration (action = current node), which the paper leaves open: `selfMigration: 'wait'` (default) treats it as
 * Wait, since nothing moves; `'penalize'` reproduces the authors' released code (reward −10, terminate).
 *
 * The step itself (action, migration state machine, reward, violation, termination) is the transition kernel's
 * (`core/transition.ts`), over a batch of one row; this class owns the world, the observation and the info.
 *
 * Ownership: `observation`, `info` and the result object are reused across calls (no allocation per step).
 */
import { EnvStateError, InvalidActionError } from '../core/errors.js';
import type { Env, ResetOptions, ResetResult, StepInfo, StepResult } from '../core/env.js';
import { actionLabels, observationLabels, type ObservationLayout } from '../core/observation.js';
import { Rng } from '../core/rng.js';
import { box, discrete, type BoxSpace, type DiscreteSpace } from '../core/spaces.js';
import { MAX_LOAD } from '../core/reward.js';
import { ActionOutcome, TransitionKernel, transitionParams, type MigrationGate, type StepInputs } from '../core/transition.js';
import { rttBounds, TransitionRows } from '../core/transition-rows.js';
import type { ResolvedScenario } from './scenario-loader.js';
import { edgeMigrationCosts, RTT_CAP_MS, World } from './world.js';

/** Extra fields of the twin's `info` (all reused, overwritten each step). */
export interface TwinInfo extends StepInfo {
  /** Node serving the user now, 1-based (the source while a migration is in flight). */
  servingNode: number;
  /** Target of the in-flight migration (1-based), or 0. */
  migrationTarget: number;
  /** Steps until the in-flight migration switches over, or 0. */
  migrationRemainingSteps: number;
  /** Migrations started in this episode. */
  migrations: number;
  /** True if the last step started a migration. */
  migrated: boolean;
  /** Seed of this episode's world (replay it with `recordWorld`). Set by reset. */
  worldSeed: number;
  /** UE position at the current step, metres. */
  positionXM: number;
  positionYM: number;
  /** Trip speed, km/h (NaN for GPS mobility). */
  speedKmh: number;
  /** Reward terms of the last step: Eq. 4, Eq. 5, Eq. 6, Eq. 7. */
  rttReward: number;
  loadReward: number;
  rttPenalty: number;
  loadPenalty: number;
  /** SLA violated on the last step: RTT above R_max, load above L_max. */
  rttViolation: boolean;
  loadViolation: boolean;
  /** RTT (ms) and load of the serving node used for the last reward (the RTT includes a switch-over spike). */
  servingRttMs: number;
  servingLoad: number;
  /** Edge model: switch-over blackout in the last step, seconds (0 in the paper's model). */
  downtimeSeconds: number;
  /** Edge model: traffic cost charged in the last step (reward units; 0 in the paper's model). */
  trafficCost: number;
}

export class TwinEnv implements Env {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  /** Number of edge nodes N. */
  readonly nodes: number;
  /** The world; read-only for callers (plots, recorders). */
  readonly world: World;
  /** How observations are laid out (the in-flight block is the edge model's). */
  readonly layout: ObservationLayout;

  private readonly rng: Rng;
  private readonly obs: Float64Array;
  private readonly info: TwinInfo;
  private readonly result: StepResult<Float64Array>;
  private readonly resetResult: ResetResult<Float64Array>;
  /** The one user's row of the kernel (0-based nodes, target −1 when idle). */
  private readonly rows = new TransitionRows(1);
  private readonly kernel: TransitionKernel;
  /** The twin admits every migration; its duration is the world's at the current step. */
  private readonly gate: MigrationGate;
  private readonly inputs: StepInputs;
  private active = false;
  private everReset = false;
  private readonly downtimeS: number;
  private readonly spikeMs: number;
  private readonly trafficCost: number;

  constructor(readonly scenario: ResolvedScenario, seed = 0) {
    const n = scenario.nodeX.length;
    this.nodes = n;
    this.world = new World(scenario);
    this.rng = new Rng(seed);
    const spec = scenario.spec;
    const inFlight = spec.observation.inFlight;
    this.layout = { nodes: n, inFlight };
    const len = (inFlight ? 3 : 2) * n + 1;
    const low = new Float64Array(len), high = new Float64Array(len);
    low[0] = 1;
    high[0] = n;
    for (let j = 1; j <= n; j++) {
      low[j] = spec.rtt.floorMs;
      high[j] = RTT_CAP_MS;
      low[n + j] = 1;
      high[n + j] = MAX_LOAD;
      if (inFlight) high[2 * n + j] = spec.maxSteps * spec.stepSeconds; // durations are capped at maxSteps (world.ts)
    }
    this.observationSpace = box(low, high, observationLabels(n, inFlight));
    this.actionSpace = discrete(n + 1, actionLabels(n));
    this.obs = new Float64Array(len);
    this.kernel = new TransitionKernel(transitionParams(spec));
    const world = this.world;
    this.gate = { admit: () => world.durationStepsAt(world.t) };
    this.inputs = { rtts: world.rttMs, rttStride: 0, rttOffset: 0, loads: world.load, loadMin: 0, loadMax: 0 };
    ({ downtimeS: this.downtimeS, spikeMs: this.spikeMs, trafficCost: this.trafficCost } = edgeMigrationCosts(spec));
    this.info = {
      actionMask: new Uint8Array(n + 1),
      t: 0,
      servingNode: 1,
      migrationTarget: 0,
      migrationRemainingSteps: 0,
      migrations: 0,
      migrated: false,
      worldSeed: 0,
      positionXM: 0,
      positionYM: 0,
      speedKmh: Number.NaN,
      rttReward: 0,
      loadReward: 0,
      rttPenalty: 0,
      loadPenalty: 0,
      rttViolation: false,
      loadViolation: false,
      servingRttMs: 0,
      servingLoad: 0,
      downtimeSeconds: 0,
      trafficCost: 0,
    };
    this.result = { observation: this.obs, reward: 0, terminated: false, truncated: false, info: this.info };
    this.resetResult = { observation: this.obs, info: this.info };
  }

  reset(options: ResetOptions = {}): ResetResult<Float64Array> {
    if (options.seed !== undefined) this.rng.seed(options.seed);
    const worldSeed = this.rng.deriveSeed();
    this.world.reset(worldSeed);
    const init = this.scenario.spec.initialNode;
    let node: number;
    if (init === 'nearest') {
      node = 0;
      for (let j = 1; j < this.nodes; j++) if (this.world.rttMs[j]! < this.world.rttMs[node]!) node = j;
    } else if (init === 'random') {
      node = this.rng.int(this.nodes); // the env's stream: the world stays independent of it
    } else {
      node = Math.min(init, this.nodes) - 1;
    }
    this.rows.place(0, node);
    this.active = true;
    this.everReset = true;
    const info = this.info;
    info.worldSeed = worldSeed;
    info.migrations = 0;
    info.migrated = false;
    info.rttReward = info.loadReward = info.rttPenalty = info.loadPenalty = 0;
    info.rttViolation = info.loadViolation = false;
    info.downtimeSeconds = info.trafficCost = 0;
    info.speedKmh = this.world.speedKmh;
    this.writeObservation();
    return this.resetResult;
  }

  step(action: number): StepResult<Float64Array> {
    if (!this.active) {
      throw new EnvStateError(this.everReset ? 'step() called after the episode ended; call reset() first' : 'step() called before reset()');
    }
    const n = this.nodes;
    if (!Number.isInteger(action) || action < 0 || action > n) {
      throw new InvalidActionError(`action must be an integer in [0, ${n}] (0 = Wait, j = migrate to node j), got ${action}`);
    }
    if (this.info.actionMask[action] !== 1) {
      throw new InvalidActionError(`action ${action} is masked: a migration to node ${this.rows.target[0]! + 1} is in flight (${this.rows.remaining[0]} step(s) left)`);
    }
    const w = this.world, info = this.info, rows = this.rows, k = this.kernel, x = this.inputs;
    rttBounds(rows, 0, w.rttMs, 0, n);
    let lmn = Infinity, lmx = -Infinity;
    for (let j = 0; j < n; j++) {
      const l = w.load[j]!;
      if (l < lmn) lmn = l;
      if (l > lmx) lmx = l;
    }
    x.loadMin = lmn;
    x.loadMax = lmx;
    const outcome = k.step(rows, 0, action, x, this.gate, this.spikeMs, this.trafficCost);
    info.migrated = outcome === ActionOutcome.Started;
    if (info.migrated) info.migrations++;
    const t = k.terms;
    info.rttReward = t.rtt;
    info.loadReward = t.load;
    info.rttPenalty = t.rttPenalty;
    info.loadPenalty = t.loadPenalty;
    info.servingRttMs = k.servingRttMs;
    info.servingLoad = k.servingLoad;
    info.downtimeSeconds = rows.switching[0] ? this.downtimeS : 0;
    info.trafficCost = info.migrated ? this.trafficCost : 0;
    // The SLA is the path's and the node's; a switch-over blackout is reported as downtime, not as a breach.
    const sv = rows.serving[0]!;
    info.rttViolation = w.rttMs[sv]! > this.scenario.spec.sla.rttMs.max;
    info.loadViolation = k.servingLoad > this.scenario.spec.sla.load.max;
    const r = this.result;
    r.reward = rows.reward[0]!;
    r.terminated = rows.terminated[0] === 1;
    w.advance();
    k.advance(rows, 0);
    r.truncated = !r.terminated && w.t >= w.lastStep;
    if (r.terminated || r.truncated) this.active = false;
    this.writeObservation();
    return r;
  }

  close(): void {
    this.active = false;
  }

  private writeObservation(): void {
    const n = this.nodes, w = this.world, o = this.obs, info = this.info, rows = this.rows;
    const serving = rows.serving[0]! + 1, target = rows.target[0]! + 1, remaining = rows.remaining[0]!;
    o[0] = serving;
    for (let j = 0; j < n; j++) {
      o[1 + j] = w.rttMs[j]!;
      o[1 + n + j] = w.load[j]!;
    }
    info.t = w.t;
    info.servingNode = serving;
    info.migrationTarget = target;
    info.migrationRemainingSteps = remaining;
    info.positionXM = w.position[0]!;
    info.positionYM = w.position[1]!;
    const mask = info.actionMask;
    mask[0] = 1;
    const idle = remaining > 0 ? 0 : 1;
    for (let a = 1; a <= n; a++) mask[a] = idle;
    if (this.layout.inFlight) {
      const secs = remaining * this.scenario.spec.stepSeconds;
      for (let j = 1; j <= n; j++) o[2 * n + j] = j === target ? secs : 0;
    }
  }
}

/** Convenience: a twin env for a resolved scenario. */
export function makeEnv(scenario: ResolvedScenario, seed = 0): TwinEnv {
  return new TwinEnv(scenario, seed);
}
