/**
 * The deferral priority for the coordinated step (beyond the paper): when the cluster's migration slots are the
 * scarce resource (KubeVirt's 5 per cluster on `sr111-traffic`), which users should get them this tick?
 *
 * Granting the slots to the largest one-step gain serves the users deepest in breach first. But a slot is held for
 * the whole migration, and what matters is what each deferral costs later. Treat one tick as a scheduling problem:
 * every waiting user j accrues violation at a rate w_j while it waits, and its migration holds a slot for p_j
 * ticks. Minimising the total weighted completion time Σ w_j C_j on one machine is solved exactly by Smith's rule
 * (W. E. Smith, "Various optimizers for single-stage production", 1956): serve in decreasing w_j / p_j. With 5
 * slots it is the classic list-scheduling heuristic for the parallel-machine case. Here:
 *
 * - w_j = 1 (a tick of violation per tick of waiting) when the user is in breach at its serving node, or will be
 *   before a migration started next tick could finish: its RTT to the serving node, extrapolated along its trend,
 *   crosses the SLA's max within p_j + 1 ticks. That is the user "about to breach who can still be moved in
 *   time": deferring it turns an avoidable breach into a certain one.
 * - w_j = 0 otherwise: it can wait a tick at no cost, so it comes after every urgent user (among them, by gain).
 * - p_j: the user's own migration time in ticks, as observed (ticks its service stayed busy in its last move),
 *   or the mean over the users seen so far, or 1 before anyone has moved. A VM's larger state holds a slot longer,
 *   so at equal urgency a pod goes first: two short moves avoid more violation than one long one.
 *
 * Today's gain is the tie-break (scaled far below 1 / p, so it never outranks urgency). Nothing is tuned: the
 * rule has no free parameter beyond the trend's smoothing (a half-weight moving average of the per-tick RTT change,
 * which averages out the RTT noise over a few ticks).
 */
import type { FleetEnv, FleetStep } from '../../core/fleet-env.js';
import type { RewardParams } from '../../core/reward.js';
import type { Candidates } from '../coordination.js';

/** Scale of the gain tie-break: far below the smallest urgency key 1 / maxSteps. */
const GAIN_TIE_BREAK = 1e-9;

/** Per-user memory (indexed by user id) and the per-candidate keys it yields. */
export class DeferralPriority {
  private prevRtt = new Float64Array(0);
  private prevNode = new Int32Array(0);
  private trend = new Float64Array(0);
  private busyTicks = new Int32Array(0);
  private moveTicks = new Float64Array(0);
  private movesSeen = 0;
  private moveTicksSum = 0;
  /** Per row of the last step: 1 when the user is urgent (w = 1). */
  urgent = new Uint8Array(0);
  /** Per row: expected migration ticks p. */
  ticks = new Float64Array(0);
  /** Per candidate: the rank key (`coordinate()`'s `priority`). */
  keys = new Float64Array(0);

  constructor(private readonly p: RewardParams) {}

  reset(): void {
    this.prevNode.fill(-1);
    this.trend.fill(0);
    this.busyTicks.fill(0);
    this.moveTicks.fill(0);
    this.movesSeen = 0;
    this.moveTicksSum = 0;
  }

  private ensure(users: number, rows: number): void {
    if (this.prevRtt.length < users) {
      const n = Math.max(users, 2 * this.prevRtt.length);
      this.prevRtt = new Float64Array(n);
      this.prevNode = new Int32Array(n).fill(-1);
      this.trend = new Float64Array(n);
      this.busyTicks = new Int32Array(n);
      this.moveTicks = new Float64Array(n);
    }
    if (this.urgent.length < rows) {
      this.urgent = new Uint8Array(Math.max(rows, 2 * this.urgent.length));
      this.ticks = new Float64Array(this.urgent.length);
    }
  }

  /** Reads one tick's rows: updates each user's RTT trend and migration time, and marks the urgent rows. */
  observe(step: FleetStep, env: FleetEnv): void {
    const n = env.nodes, D = env.observationSpace.low.length, obs = step.observations, busy = env.nodeState.busy;
    this.ensure(env.maxUsers, step.rows);
    const rMax = this.p.rttSla.max, lMax = this.p.loadSla.max;
    const meanTicks = this.movesSeen > 0 ? this.moveTicksSum / this.movesSeen : 1;
    for (let r = 0; r < step.rows; r++) {
      const id = step.ids[r]!, o = r * D, cur = obs[o]! - 1;
      const rtt = obs[o + 1 + cur]!;
      // The trend is the serving node's RTT change per tick; a switch-over starts it afresh.
      if (this.prevNode[id] === cur) this.trend[id] = 0.5 * this.trend[id]! + 0.5 * (rtt - this.prevRtt[id]!);
      else this.trend[id] = 0;
      this.prevNode[id] = cur;
      this.prevRtt[id] = rtt;
      if (busy[r]) this.busyTicks[id]!++;
      else if (this.busyTicks[id]! > 0) {
        this.moveTicks[id] = this.busyTicks[id]!;
        this.moveTicksSum += this.busyTicks[id]!;
        this.movesSeen++;
        this.busyTicks[id] = 0;
      }
      const p = this.moveTicks[id]! > 0 ? this.moveTicks[id]! : meanTicks;
      this.ticks[r] = p;
      const inBreach = rtt > rMax || obs[o + 1 + n + cur]! > lMax;
      const slope = this.trend[id]!;
      const breachesInTime = slope > 0 && (rMax - rtt) / slope <= p + 1;
      this.urgent[r] = inBreach || breachesInTime ? 1 : 0;
    }
  }

  /** Keys for the candidates of the rows last observed: w / p, then the gain. */
  fill(cand: Candidates): Float64Array {
    if (this.keys.length < cand.count) this.keys = new Float64Array(Math.max(cand.count, 2 * this.keys.length));
    for (let i = 0; i < cand.count; i++) {
      const r = cand.user[i]!;
      this.keys[i] = this.urgent[r]! / this.ticks[r]! + GAIN_TIE_BREAK * Math.tanh(cand.gain[i]!);
    }
    return this.keys;
  }
}
