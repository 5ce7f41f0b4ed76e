/**
 * What the learned fleet policy sees of one candidate migration (beyond the paper, which follows one UE): user r
 * moving its service from its serving node to node j, described by numbers that mean the same on any fleet. Every
 * RTT is divided by the SLA's R_max and every load by L_max, node counts become fractions, and slots become free
 * fractions of their caps. A model trained on a 36-node grid therefore reads a 100-node grid, a radial city or a
 * 3-node road the same way, and one set of weights serves every user of every fleet (parameters shared across
 * users: the centralised-training, decentralised-execution practice of multi-agent RL).
 *
 * Per candidate (index: meaning):
 * - 0, 1: the serving node's and the target's RTT / R_max;
 * - 2: the target's RTT above the row's lowest, / R_max (how far it is from the user's best node);
 * - 3, 4: the serving node's and the target's load (Eq. 2) / L_max, the target's as projected with the decisions
 *   already taken this tick when re-scored;
 * - 5: the mean load over all nodes / L_max (the fleet's summary: how full the edge is);
 * - 6, 7: 1 when the serving node, and the target, are inside the SLA (RTT ≤ R_max and load ≤ L_max);
 * - 8: the one-step Eq. 8 advantage of the target over the serving node (what `sla-greedy` ranks by);
 * - 9: the fraction of the row's legal nodes inside the SLA (how many ways out there are);
 * - 10: the target's rank among the row's candidates by RTT, / candidates;
 * - 11: the service's demand as a share of the target's capacity (how much of the target one move takes);
 * - 12, 13: the free fraction of the cluster's migration cap and of the source node's outbound cap.
 *
 * The candidates of a row are its `candidates` lowest-RTT legal nodes other than the serving one: a node far
 * from the user is never worth a move, so the model scores a handful of nodes per user, not all N
 * (O(rows × candidates) forward passes per tick, which keeps 10k users × 100 nodes well inside a tick).
 */
import { loadReward, nodeLoad, type RewardParams } from '../../core/reward.js';
import { oneStepScore } from '../../core/one-step-scores.js';

/** Numbers per candidate (see the file comment). */
export const MOVE_FEATURES = 14;

/** Names of the features, in order (model files record them, so a reader can refuse another layout). */
export const MOVE_FEATURE_NAMES: readonly string[] = [
  'rtt-serving', 'rtt-target', 'rtt-target-above-best', 'load-serving', 'load-target', 'load-mean', 'serving-inside', 'target-inside',
  'one-step-advantage', 'inside-fraction', 'rtt-rank', 'demand-share', 'cluster-slots-free', 'source-slots-free',
];

/** The slots summary of a tick: free fractions of the caps. */
export interface SlotSummary {
  /** Free fraction of the cluster's migration cap, in [0, 1]. */
  clusterFree: number;
  /** Free fraction of node j's outbound cap, in [0, 1]. */
  outboundFree(node: number): number;
}

/** What a row's features read beyond its observation. */
export interface RowContext {
  /** The service's demand and the target's capacity, in one unit (the twin: percent of a reference node). */
  demand: number;
  capacity: ArrayLike<number>;
  slots: SlotSummary;
}

/** Writes the candidates and features of one row after another; reused (no allocation per row). */
export class MoveFeatureWriter {
  /** The last row's candidate nodes (0-based), lowest RTT first (as many as {@link row} returned). */
  readonly nodes: Int32Array;
  /** The last row's serving-node Eq. 8 score and RTT bounds (what {@link writeTargetLoad} reads). */
  stay = 0;
  rttMin = 0;
  rttMax = 0;
  private loadMin = 0;
  private loadMax = 0;
  private loadMean = 0;
  private readonly rtt: Float64Array;

  constructor(private readonly p: RewardParams, readonly candidates: number) {
    this.nodes = new Int32Array(candidates);
    this.rtt = new Float64Array(candidates);
  }

  /** Reads the tick's node loads (the same for every row: any row's load block). */
  beginTick(obs: Float64Array, o: number, n: number): void {
    let mn = Infinity, mx = -Infinity, sum = 0;
    for (let j = 0; j < n; j++) {
      const L = obs[o + 1 + n + j]!;
      if (L < mn) mn = L;
      if (L > mx) mx = L;
      sum += L;
    }
    this.loadMin = mn;
    this.loadMax = mx;
    this.loadMean = n > 0 ? sum / n : 0;
  }

  /**
   * Picks the row's candidates (its lowest-RTT legal nodes but the serving one) and writes their features at
   * `out[at + c·MOVE_FEATURES]`, c = 0..count−1. `o` is the row's offset in `obs`, `m` its mask's in `masks`.
   * Returns the count.
   */
  row(obs: Float64Array, o: number, n: number, masks: Uint8Array, m: number, ctx: RowContext, out: Float32Array | Float64Array, at: number): number {
    const cur = obs[o]! - 1, k = this.candidates, nodes = this.nodes, rtts = this.rtt;
    const R = this.p.rttSla.max, Lm = this.p.loadSla.max;
    let count = 0, rttMin = Infinity, rttMax = -Infinity, inside = 0, legal = 0;
    for (let j = 0; j < n; j++) {
      const r = obs[o + 1 + j]!;
      if (r < rttMin) rttMin = r;
      if (r > rttMax) rttMax = r;
      if (j !== cur && masks[m + 1 + j] !== 1) continue;
      legal++;
      if (r <= R && obs[o + 1 + n + j]! <= Lm) inside++;
      if (j === cur) continue;
      // Insertion into the k lowest RTTs (ties: the lower node index, as the rules' rankings). `TopK`'s order, kept
      // inline: this loop runs for every node of every row, and a call per node measured 3-4 % slower per tick.
      let q = count < k ? count++ : k;
      if (q === k) {
        if (!(r < rtts[k - 1]!)) continue;
        q = k - 1;
      }
      while (q > 0 && r < rtts[q - 1]!) {
        rtts[q] = rtts[q - 1]!;
        nodes[q] = nodes[q - 1]!;
        q--;
      }
      rtts[q] = r;
      nodes[q] = j;
    }
    const rc = obs[o + 1 + cur]!, Lc = obs[o + 1 + n + cur]!;
    const stay = oneStepScore(this.p, rc, rttMin, rttMax, Lc, this.loadMin, this.loadMax);
    this.stay = stay;
    this.rttMin = rttMin;
    this.rttMax = rttMax;
    const insideFrac = legal > 0 ? inside / legal : 0;
    const slots = ctx.slots, srcFree = slots.outboundFree(cur);
    for (let c = 0; c < count; c++) {
      const j = nodes[c]!, f = at + c * MOVE_FEATURES, rj = rtts[c]!, Lj = obs[o + 1 + n + j]!;
      out[f] = rc / R;
      out[f + 1] = rj / R;
      out[f + 2] = (rj - rttMin) / R;
      out[f + 3] = Lc / Lm;
      out[f + 5] = this.loadMean / Lm;
      out[f + 6] = rc <= R && Lc <= Lm ? 1 : 0;
      out[f + 9] = insideFrac;
      out[f + 10] = c / k;
      out[f + 11] = ctx.demand / ctx.capacity[j]!;
      out[f + 12] = slots.clusterFree;
      out[f + 13] = srcFree;
      this.writeTargetLoad(out, f, Lj, stay, rttMin, rttMax);
    }
    return count;
  }

  /**
   * Rewrites the target-load features of one candidate's vector (at `f`) for target load `Lj`: used when the
   * target gained load from decisions taken earlier in the same tick. `stay` is the serving node's Eq. 8 score.
   */
  writeTargetLoad(out: Float32Array | Float64Array, f: number, Lj: number, stay: number, rttMin: number, rttMax: number): void {
    const R = this.p.rttSla.max, Lm = this.p.loadSla.max, rj = out[f + 1]! * R;
    out[f + 4] = Lj / Lm;
    out[f + 7] = rj <= R && Lj <= Lm ? 1 : 0;
    out[f + 8] = oneStepScore(this.p, rj, rttMin, rttMax, Lj, Math.min(this.loadMin, Lj), Math.max(this.loadMax, Lj)) - stay;
  }
}

/**
 * The target's load (Eq. 2) were its use `projectedUsed` instead of `used`: the binding resource's rise applied to
 * both cpu and memory (an upper estimate when a service needs less of the other; the one projection sla-greedy's
 * re-scoring uses too).
 */
export function projectedLoad(cpu: number, mem: number, used: number, capacity: number, projectedUsed: number): number {
  const add = (projectedUsed - used) / capacity;
  return nodeLoad(cpu + add, mem + add);
}

/**
 * What a move does to the other users of its two nodes (beyond the paper: a term of the fleet, not of Eq. 8, which
 * scores one user). Leaving node s lowers its load for the users who stay there; arriving at j raises j's for the
 * users already there. Each of them gains or loses the change of its own load terms: Eq. 5 (the tick's load list
 * bounds held fixed) and the edge model's breach penalty when the load crosses L_max. The sum is what the mover's
 * own reward leaves out, and what a user-by-user rule cannot see: shedding one service from an overloaded node can
 * bring all its other users back inside the SLA. Per tick, in reward units.
 */
export class MoveExternality {
  /** Services hosted per node at the start of the tick (each row's serving node). */
  hosted = new Int32Array(0);
  private readonly pair = new Float64Array(2);

  constructor(private readonly p: RewardParams, private readonly violationPenalty: number) {}

  /** Counts the hosted services of `rows` rows (skipped rows excluded) and reads the tick's load bounds. */
  beginTick(obs: Float64Array, D: number, rows: number, skip: Uint8Array, n: number): void {
    if (this.hosted.length < n) this.hosted = new Int32Array(n);
    this.hosted.fill(0, 0, n);
    for (let r = 0; r < rows; r++) if (!skip[r]) this.hosted[obs[r * D]! - 1]!++;
    let mn = Infinity, mx = -Infinity;
    for (let j = 0; j < n && rows > 0; j++) {
      const L = obs[1 + n + j]!;
      if (L < mn) mn = L;
      if (L > mx) mx = L;
    }
    this.pair[0] = mn;
    this.pair[1] = mx;
  }

  /** One user's load terms on a node of load L (Eq. 5 and the breach penalty). */
  private utility(L: number): number {
    return loadReward(L, this.pair, this.p.loadSla) - (L > this.p.loadSla.max ? this.violationPenalty : 0);
  }

  /** The others' change on a node whose load goes from `L` to `L2`, `others` users. */
  nodeDelta(L: number, L2: number, others: number): number {
    return others > 0 ? others * (this.utility(L2) - this.utility(L)) : 0;
  }

  /** The source's part: `s` loses a service of demand `d` (node state in the units of `used`). */
  leave(s: number, d: number, ns: RescoreNodes): number {
    const L = nodeLoad(ns.cpu[s]!, ns.mem[s]!);
    return this.nodeDelta(L, projectedLoad(ns.cpu[s]!, ns.mem[s]!, ns.used[s]!, ns.capacity[s]!, ns.used[s]! - d), this.hosted[s]! - 1);
  }

  /** The target's part: `j` gains a service of demand `d`, its use projected at `usedNow` before it. */
  arrive(j: number, d: number, usedNow: number, ns: RescoreNodes): number {
    const before = projectedLoad(ns.cpu[j]!, ns.mem[j]!, ns.used[j]!, ns.capacity[j]!, usedNow);
    return this.nodeDelta(before, projectedLoad(ns.cpu[j]!, ns.mem[j]!, ns.used[j]!, ns.capacity[j]!, usedNow + d), this.hosted[j]!);
  }
}

/** Node state a re-score or the externality reads (the fleet's `FleetNodeState` has it). */
export interface RescoreNodes {
  used: ArrayLike<number>;
  capacity: ArrayLike<number>;
  cpu: ArrayLike<number>;
  mem: ArrayLike<number>;
}
