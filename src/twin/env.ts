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
 * Ownership: `observation`, `info` and the result object are reused across calls (no allocation per step).
 */
import { EnvStateError, InvalidActionError } from '../core/errors.js';
import type { Env, ResetOptions, ResetResult, StepInfo, StepResult } from '../core/env.js';
import { actionLabels, observationLabels, type ObservationLayout } from '../core/observation.js';
import { Rng } from '../core/rng.js';
import { box, discrete, type BoxSpace, type DiscreteSpace } from '../core/spaces.js';
import { combineRewardTerms, MAX_LOAD, rewardTerms, slaViolationPenalty, type RewardTerms } from '../core/reward.js';
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
  private serving = 1;
  private target = 0;
  private remaining = 0;
  private active = false;
  private everReset = false;
  private readonly terms: RewardTerms = { rtt: 0, load: 0, rttPenalty: 0, loadPenalty: 0 };
  /** The RTTs the user sees this step: the world's, with the serving node's raised by a switch-over blackout. */
  private readonly seenRttMs: Float64Array;
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
    this.seenRttMs = new Float64Array(n);
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
    if (init === 'nearest') {
      let best = 0;
      for (let j = 1; j < this.nodes; j++) if (this.world.rttMs[j]! < this.world.rttMs[best]!) best = j;
      this.serving = best + 1;
    } else if (init === 'random') {
      this.serving = 1 + this.rng.int(this.nodes); // the env's stream: the world stays independent of it
    } else {
      this.serving = Math.min(init, this.nodes);
    }
    this.target = 0;
    this.remaining = 0;
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
      throw new InvalidActionError(`action ${action} is masked: a migration to node ${this.target} is in flight (${this.remaining} step(s) left)`);
    }
    const spec = this.scenario.spec;
    const w = this.world;
    const info = this.info;
    let selfPenalty = false;
    let switching = false;
    info.migrated = false;
    if (action !== 0) {
      if (action === this.serving) {
        selfPenalty = spec.reward.selfMigration === 'penalize';
      } else {
        info.migrations++;
        info.migrated = true;
        const d = w.durationStepsAt(w.t);
        if (d === 0) {
          this.serving = action;
          switching = true;
        } else {
          this.target = action;
          this.remaining = d;
        }
      }
    }
    // The switch-over falls at the end of this step when one step is left (edge model: the blackout is felt now).
    if (this.remaining === 1) switching = true;
    const j = this.serving - 1;
    const downtime = switching ? this.downtimeS : 0;
    const rtt = w.rttMs[j]! + (switching ? this.spikeMs : 0), load = w.load[j]!;
    // The spiked RTT is the serving node's in the candidate list too, so Eq. 4's ranking and Eq. 6's "worst node"
    // see what the user sees (a blackout can never make a step look better).
    const seen = this.seenRttMs;
    seen.set(w.rttMs);
    seen[j] = rtt;
    const t = rewardTerms({ rttMs: rtt, rttsMs: seen, load, loads: w.load, rttSla: spec.sla.rttMs, loadSla: spec.sla.load, migrationCost: spec.reward.migrationCost }, this.terms);
    const traffic = info.migrated ? this.trafficCost : 0;
    info.rttReward = t.rtt;
    info.loadReward = t.load;
    info.rttPenalty = t.rttPenalty;
    info.loadPenalty = t.loadPenalty;
    info.servingRttMs = rtt;
    info.servingLoad = load;
    info.downtimeSeconds = downtime;
    info.trafficCost = traffic;
    // The SLA is the path's and the node's; a switch-over blackout is reported as downtime, not as a breach.
    info.rttViolation = w.rttMs[j]! > spec.sla.rttMs.max;
    info.loadViolation = load > spec.sla.load.max;
    const r = this.result;
    if (selfPenalty) {
      r.reward = spec.reward.selfMigrationReward;
      r.terminated = true;
    } else {
      // Eq. 8, minus the edge model's traffic cost and breach penalty (both 0 in the paper's model).
      r.reward = combineRewardTerms(t) - traffic - slaViolationPenalty(info.rttViolation || info.loadViolation, spec.reward.violationPenalty);
      r.terminated = spec.terminateOnViolation && (info.rttViolation || info.loadViolation);
    }
    w.advance();
    if (this.remaining > 0 && --this.remaining === 0) {
      this.serving = this.target;
      this.target = 0;
    }
    r.truncated = !r.terminated && w.t >= w.lastStep;
    if (r.terminated || r.truncated) this.active = false;
    this.writeObservation();
    return r;
  }

  close(): void {
    this.active = false;
  }

  private writeObservation(): void {
    const n = this.nodes, w = this.world, o = this.obs, info = this.info;
    o[0] = this.serving;
    for (let j = 0; j < n; j++) {
      o[1 + j] = w.rttMs[j]!;
      o[1 + n + j] = w.load[j]!;
    }
    info.t = w.t;
    info.servingNode = this.serving;
    info.migrationTarget = this.target;
    info.migrationRemainingSteps = this.remaining;
    info.positionXM = w.position[0]!;
    info.positionYM = w.position[1]!;
    const mask = info.actionMask;
    mask[0] = 1;
    const idle = this.remaining > 0 ? 0 : 1;
    for (let a = 1; a <= n; a++) mask[a] = idle;
    if (this.layout.inFlight) {
      const secs = this.remaining * this.scenario.spec.stepSeconds;
      for (let j = 1; j <= n; j++) o[2 * n + j] = j === this.target ? secs : 0;
    }
  }
}

/** Convenience: a twin env for a resolved scenario. */
export function makeEnv(scenario: ResolvedScenario, seed = 0): TwinEnv {
  return new TwinEnv(scenario, seed);
}
