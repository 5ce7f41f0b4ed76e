/**
 * The per-user transition kernel: the one place a step of the MDP (Sec. III-C) is composed. Every caller, the
 * single-user twin (a batch of one row), the fleet twin (a row per user), the lab (measured inputs), the oracle, the
 * relaxed fleet bound and the fleet candidates, runs its users' steps through it, so their episodes and rewards
 * cannot drift apart. It owns:
 * - the action: Wait, migrate to node g, or a self-migration (action = serving node), which the paper leaves open:
 *   `selfMigration: 'wait'` treats it as Wait, `'penalize'` reproduces the authors' released code (a fixed reward,
 *   terminate);
 * - the migration state machine per row: instant (the service is on g at once) or timed pre-copy (it serves from the
 *   source until the switch-over `d` steps later), and the step at whose end the switch-over falls (the instant
 *   step itself, or the step with one step left), which sees the blackout as extra RTT (`switchoverRttMs`);
 * - the step reward: Eq. 8 (`core/reward.ts`) for the node serving after the action, with the spiked RTT in the
 *   candidate list (a blackout can never make a step look better), minus the traffic cost of a migration started
 *   this step, minus the breach penalty (both beyond the paper; 0 in its model);
 * - the violation test (the path's RTT above R_max, or the load above L_max; a blackout is downtime, not a breach)
 *   and termination (`terminateOnViolation`, or a penalised self-migration).
 *
 * Rows are structure-of-arrays (`TransitionRows`, 0-based nodes, target −1 when idle). Eq. 4-7 read their candidate
 * lists only through min and max, so a row's RTTs enter as [min, second-min, argmin, max] (`rttBounds`) and the
 * loads as [min, max]: O(1) per row and bit-identical to passing the full lists. Nothing is allocated per step.
 * The rows and their RTT bounds live in transition-rows.ts; the one-step scores that rules rank by, in
 * one-step-scores.ts.
 */
import {
  combineRewardTerms,
  migrationTrafficCost,
  rewardTerms,
  slaViolationPenalty,
  switchoverRttMs,
  type RewardParams,
  type RewardTerms,
  type SlaRange,
} from './reward.js';
import { rttBoundsInto, type TransitionRows } from './transition-rows.js';
import { minMax } from './one-step-scores.js';

/** What the kernel needs of a scenario (its SLA, Eq. 4-8 parameters and the edge model's terms). */
export interface TransitionParams extends RewardParams {
  /** Reward units charged per step out of SLA (0 = the paper). */
  violationPenalty: number;
  /** End the episode on an SLA breach (the paper). */
  terminateOnViolation: boolean;
  /** Self-migration rule: treat it as Wait, or give `selfMigrationReward` and terminate. */
  selfMigration: 'wait' | 'penalize';
  selfMigrationReward: number;
}

/** The kernel's parameters from a scenario's `sla` and `reward` blocks (structurally, so core needs no schema). */
export function transitionParams(spec: {
  sla: { rttMs: SlaRange; load: SlaRange };
  reward: { migrationCost: number; violationPenalty: number; selfMigration: 'wait' | 'penalize'; selfMigrationReward: number };
  terminateOnViolation: boolean;
}): TransitionParams {
  return {
    rttSla: spec.sla.rttMs,
    loadSla: spec.sla.load,
    migrationCost: spec.reward.migrationCost,
    violationPenalty: spec.reward.violationPenalty,
    terminateOnViolation: spec.terminateOnViolation,
    selfMigration: spec.reward.selfMigration,
    selfMigrationReward: spec.reward.selfMigrationReward,
  };
}

/**
 * **Beyond the paper (edge model).** One migration's costs: the switch-over's extra mean RTT (`switchoverRttMs` of
 * a `downtimeS` blackout, probes every `probeSpacingS` seconds, Eq. 1 over `window`) and its traffic cost
 * (`migrationTrafficCost` of `stateGiB`).
 */
export function migrationCosts(downtimeS: number, probeSpacingS: number, window: number, stateGiB: number, costPerGiB: number): { spikeMs: number; trafficCost: number } {
  return { spikeMs: switchoverRttMs(downtimeS, probeSpacingS, window), trafficCost: migrationTrafficCost(stateGiB, costPerGiB) };
}
/**
 * Who may start a migration, and how long it takes. The kernel asks only for a real move (g ≠ serving); the gate
 * applies its own rules (the fleet: caps and admission) and keeps its own books (hosted demand), then answers the
 * duration in steps (0 = instant), or −1 for a refusal (the row waits).
 */
export interface MigrationGate {
  admit(i: number, from: number, to: number): number;
}

/** What the kernel reads of one row's tick besides its RTT bounds: the RTTs and the node loads. */
export interface StepInputs {
  /** RTTs, ms: row i's RTT to node j at `rtts[i · rttStride + rttOffset + j]` (stride 0: every row shares one list). */
  rtts: ArrayLike<number>;
  rttStride: number;
  rttOffset: number;
  /** Node loads (Eq. 2) this tick, shared by every row, with their min and max. */
  loads: ArrayLike<number>;
  loadMin: number;
  loadMax: number;
}

/** Outcome of an action (see {@link TransitionKernel.step}). */
export const ActionOutcome = {
  Wait: 0,
  /** A migration was asked for and refused by the gate. */
  Refused: 1,
  /** A self-migration under the `penalize` rule. */
  SelfPenalty: 2,
  Started: 3,
} as const;
export type ActionOutcome = (typeof ActionOutcome)[keyof typeof ActionOutcome];

/** The kernel (see the file comment). `terms` holds the Eq. 8 terms of the last row stepped (the twin's info). */
export class TransitionKernel {
  readonly terms: RewardTerms = { rtt: 0, load: 0, rttPenalty: 0, loadPenalty: 0 };
  /** RTT (ms, with the blackout) and load of the node serving in the last row stepped. */
  servingRttMs = 0;
  servingLoad = 0;
  private readonly rttPair = new Float64Array(2);
  private readonly loadPair = new Float64Array(2);
  private readonly penalizeSelf: boolean;

  constructor(readonly params: TransitionParams) {
    this.penalizeSelf = params.selfMigration === 'penalize';
  }

  /**
   * One step of row i: apply `action` (0 = Wait, g + 1 = migrate to node g; the caller has checked it is legal),
   * then write the row's reward, termination, violation, started and switching flags. `spikeMs` is the row's
   * switch-over RTT, `trafficCost` the price of one migration of its service.
   */
  step(rows: TransitionRows, i: number, action: number, x: StepInputs, gate: MigrationGate, spikeMs: number, trafficCost: number): ActionOutcome {
    let outcome: ActionOutcome = ActionOutcome.Wait;
    let instant = false;
    const src = rows.serving[i]!;
    if (action !== 0 && action - 1 === src) {
      if (this.penalizeSelf) outcome = ActionOutcome.SelfPenalty;
    } else if (action !== 0) {
      const g = action - 1;
      const d = gate.admit(i, src, g);
      if (d < 0) outcome = ActionOutcome.Refused;
      else {
        outcome = ActionOutcome.Started;
        if (d === 0) {
          rows.serving[i] = g;
          instant = true;
        } else {
          rows.target[i] = g;
          rows.remaining[i] = d;
        }
      }
    }
    const switching = instant || rows.remaining[i] === 1;
    const sv = rows.serving[i]!;
    const pathRtt = x.rtts[i * x.rttStride + x.rttOffset + sv]!;
    const load = x.loads[sv]!;
    const started = outcome === ActionOutcome.Started;
    const violated = this.write(rows.argMin[i] === sv, pathRtt, switching ? spikeMs : 0, rows.rttMin[i]!, rows.rttMin2[i]!, rows.rttMax[i]!, load, x.loadMin, x.loadMax);
    if (outcome === ActionOutcome.SelfPenalty) {
      rows.reward[i] = this.params.selfMigrationReward;
      rows.terminated[i] = 1;
    } else {
      rows.reward[i] = this.compose(started ? trafficCost : 0, violated);
      rows.terminated[i] = this.params.terminateOnViolation && violated ? 1 : 0;
    }
    rows.violated[i] = violated ? 1 : 0;
    rows.started[i] = started ? 1 : 0;
    rows.switching[i] = switching ? 1 : 0;
    return outcome;
  }

  /**
   * The end of row i's step: an in-flight migration ticks down and switches over when it reaches 0. Returns the
   * source node when it switched over now (the caller releases it), else −1.
   */
  advance(rows: TransitionRows, i: number): number {
    if (rows.remaining[i]! > 0 && --rows.remaining[i]! === 0) {
      const src = rows.serving[i]!;
      rows.serving[i] = rows.target[i]!;
      rows.target[i] = -1;
      return src;
    }
    return -1;
  }

  /**
   * The reward of ending a step on a node whose path RTT is `rttMs` (`spikeMs` added when the switch-over falls in
   * the step) and load is `load`, with the rest of the tick's candidates given by their bounds; no traffic cost.
   * For planners that score every node (the oracle, the relaxed bound). Returns the reward; {@link violatedLast}
   * holds the breach flag.
   */
  rewardAt(servingIsMin: boolean, rttMs: number, spikeMs: number, rttMin: number, rttMin2: number, rttMax: number, load: number, loadMin: number, loadMax: number): number {
    this.violatedLast = this.write(servingIsMin, rttMs, spikeMs, rttMin, rttMin2, rttMax, load, loadMin, loadMax);
    return this.compose(0, this.violatedLast);
  }

  /**
   * Eq. 8 for every step and node of a series (step-major `[steps × n]` RTTs and loads): `R` as served, `Rsw` with
   * the switch-over spike (a move finishing that step), `viol` the breach flags. The one place the planners (the
   * exact oracle, `lookahead`) turn a known or forecast future into rewards, so they score exactly as the env does.
   */
  rewardTable(rttMs: ArrayLike<number>, load: ArrayLike<number>, steps: number, n: number, spikeMs: number, R: Float64Array, Rsw: Float64Array, viol: Uint8Array): void {
    const b = this.bounds;
    for (let t = 0; t < steps; t++) {
      const o = t * n;
      this.scanBounds(rttMs, load, o, n);
      for (let j = 0; j < n; j++) {
        const i = o + j, rtt = rttMs[i]!, l = load[i]!, isMin = b[3] === j;
        R[i] = this.rewardAt(isMin, rtt, 0, b[0]!, b[1]!, b[2]!, l, b[4]!, b[5]!);
        viol[i] = this.violatedLast ? 1 : 0;
        Rsw[i] = spikeMs === 0 ? R[i]! : this.rewardAt(isMin, rtt, spikeMs, b[0]!, b[1]!, b[2]!, l, b[4]!, b[5]!);
      }
    }
  }

  /** [rttMin, rttMin2 (excluding the argmin), rttMax, argmin, loadMin, loadMax] of the last {@link scanBounds}. */
  private readonly bounds = new Float64Array(6);

  private readonly loadBounds = new Float64Array(2);

  /** The bounds of one step's RTTs and loads at `[off, off + n)` into {@link bounds}. */
  private scanBounds(rtts: ArrayLike<number>, loads: ArrayLike<number>, off: number, n: number): void {
    const b = this.bounds, l = this.loadBounds;
    rttBoundsInto(rtts, off, n, b);
    minMax(loads, off, n, l);
    b[4] = l[0]!;
    b[5] = l[1]!;
  }

  /** The breach flag of the last {@link rewardAt}. */
  violatedLast = false;

  /** The termination flag of the last {@link measuredStep}. */
  terminatedLast = false;

  /**
   * One measured step (the lab: the RTTs and loads observed at t, instant semantics): `action` from `serving`
   * (0-based), the reward for the node serving after it, with the traffic cost when a migration starts (no
   * switch-over spike: a measured RTT already carries the real blackout). Returns the reward; {@link violatedLast}
   * and {@link terminatedLast} hold the breach and the termination.
   */
  measuredStep(serving: number, action: number, rtts: ArrayLike<number>, loads: ArrayLike<number>, n: number, trafficCost: number): number {
    const selfMove = action !== 0 && action - 1 === serving;
    const migrating = action !== 0 && !selfMove;
    const node = migrating ? action - 1 : serving;
    this.scanBounds(rtts, loads, 0, n);
    const b = this.bounds;
    this.violatedLast = this.write(b[3] === node, rtts[node]!, 0, b[0]!, b[1]!, b[2]!, loads[node]!, b[4]!, b[5]!);
    if (selfMove && this.penalizeSelf) {
      this.terminatedLast = true;
      return this.params.selfMigrationReward;
    }
    this.terminatedLast = this.params.terminateOnViolation && this.violatedLast;
    return this.compose(migrating ? trafficCost : 0, this.violatedLast);
  }

  /** Eq. 4-7 into `terms` for the serving node; returns the breach flag. */
  private write(servingIsMin: boolean, pathRtt: number, spikeMs: number, rttMin: number, rttMin2: number, rttMax: number, load: number, loadMin: number, loadMax: number): boolean {
    const p = this.params;
    const rtt = pathRtt + spikeMs;
    const rp = this.rttPair, lp = this.loadPair;
    rp[0] = servingIsMin ? Math.min(rtt, rttMin2) : rttMin;
    rp[1] = rtt > rttMax ? rtt : rttMax;
    lp[0] = loadMin;
    lp[1] = loadMax;
    rewardTerms({ rttMs: rtt, rttsMs: rp, load, loads: lp, rttSla: p.rttSla, loadSla: p.loadSla, migrationCost: p.migrationCost }, this.terms);
    this.servingRttMs = rtt;
    this.servingLoad = load;
    return pathRtt > p.rttSla.max || load > p.loadSla.max;
  }

  /** Eq. 8, minus the edge model's traffic cost and breach penalty (both 0 in the paper's model). */
  private compose(traffic: number, violated: boolean): number {
    return combineRewardTerms(this.terms) - traffic - slaViolationPenalty(violated, this.params.violationPenalty);
  }
}
