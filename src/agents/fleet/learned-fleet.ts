/**
 * The learned fleet policy's candidates: every user's nearest legal nodes (`move-features.ts`) scored by the shared
 * move model (`move-model.ts`) in one batched pass per tick; the best `candidatesPerUser` whose predicted advantage
 * clears the model's margin go to `coordinate()` with the prediction as their gain. When an earlier decision of the
 * same tick loaded a candidate's target, the candidate is re-scored by the model at the projected load (the lazy
 * greedy of `coordination.ts`), so the model, not a fixed rule, says whether the fuller node is still worth it.
 */
import type { MigrationCaps } from '../../core/migration-caps.js';
import type { RewardParams } from '../../core/reward.js';
import type { Rescore } from '../coordination.js';
import type { CandidateBuffer, FleetRows } from './candidates.js';
import { MOVE_FEATURES, MoveExternality, MoveFeatureWriter, projectedLoad, type RescoreNodes, type SlotSummary } from './move-features.js';
import type { MoveModel } from './move-model.js';
import { TopK } from './top-k.js';

/** What the candidates read of the nodes: use, capacity and utilisation, and the migrations in flight. */
export type LearnedNodes = RescoreNodes & { clusterInFlight: number; outboundInFlight: ArrayLike<number> };

/** Free fractions of the caps from the fleet's node state (a cap of 0 counts as no free slot). */
export class CapsSlots implements SlotSummary {
  clusterFree = 0;
  private out: ArrayLike<number> = [];
  constructor(private readonly caps: MigrationCaps) {}
  of(ns: { clusterInFlight: number; outboundInFlight: ArrayLike<number> }): this {
    const c = this.caps.parallelMigrationsPerCluster;
    this.clusterFree = c > 0 ? Math.max(0, c - ns.clusterInFlight) / c : 0;
    this.out = ns.outboundInFlight;
    return this;
  }
  outboundFree(node: number): number {
    const c = this.caps.parallelOutboundMigrationsPerNode;
    return c > 0 ? Math.max(0, c - this.out[node]!) / c : 0;
  }
}

/**
 * Scores every row's candidates and keeps the features of those it hands on (for re-scoring). Reused across ticks.
 */
export class LearnedCandidates {
  readonly writer: MoveFeatureWriter;
  private feats = new Float32Array(0);
  private pred = new Float64Array(0);
  private rowStart = new Int32Array(0);
  private rowCount = new Int32Array(0);
  private rowNodes = new Int32Array(0);
  private rowStay = new Float64Array(0);
  private rowMin = new Float64Array(0);
  private rowMax = new Float64Array(0);
  /** Per handed-on candidate: its feature vector (index = candidate index in the buffer). */
  private candFeat = new Float32Array(0);
  private readonly one = new Float32Array(MOVE_FEATURES);
  private readonly oneOut = new Float64Array(1);
  /** Per handed-on candidate: the externality's source part (the users left behind), for re-scoring. */
  private candLeave = new Float64Array(0);
  private readonly slots: CapsSlots;
  private readonly ext: MoveExternality;
  /** A row's best moves above the margin (rebuilt when k changes). */
  private best = new TopK(1);

  /** `violationPenalty`: the scenario's breach penalty, which the externality charges per user pushed out of the SLA. */
  constructor(readonly model: MoveModel, p: RewardParams, caps: MigrationCaps, violationPenalty: number) {
    this.writer = new MoveFeatureWriter(p, model.candidates);
    this.slots = new CapsSlots(caps);
    this.ext = new MoveExternality(p, violationPenalty);
  }

  private ensure(rows: number): void {
    const m = this.model.candidates;
    if (this.rowStart.length < rows) {
      const c = Math.max(rows, 2 * this.rowStart.length);
      this.rowStart = new Int32Array(c);
      this.rowCount = new Int32Array(c);
      this.rowStay = new Float64Array(c);
      this.rowMin = new Float64Array(c);
      this.rowMax = new Float64Array(c);
      this.rowNodes = new Int32Array(c * m);
      this.feats = new Float32Array(c * m * MOVE_FEATURES);
      this.pred = new Float64Array(c * m);
    }
  }

  /**
   * Fills `out` with every row's candidates, best gain first, those above `margin` (at most k per row). The gain is
   * the predicted advantage plus `social` × the move's externality (`MoveExternality`; 0 leaves it out).
   */
  generate(f: FleetRows, k: number, margin: number, social: number, ns: LearnedNodes, out: CandidateBuffer): void {
    out.reset();
    this.ensure(f.rows);
    const { D, A, nodes: n, observations: obs, actionMasks: masks } = f, F = MOVE_FEATURES, m = this.model.candidates, w = this.writer;
    if (f.rows > 0) w.beginTick(obs, 0, n);
    if (social > 0) this.ext.beginTick(obs, D, f.rows, f.skip, n);
    const slots = this.slots.of(ns);
    let total = 0;
    for (let r = 0; r < f.rows; r++) {
      this.rowStart[r] = total;
      this.rowCount[r] = 0;
      if (f.skip[r]) continue;
      const c = w.row(obs, r * D, n, masks, r * A, { demand: f.demand[r]!, capacity: ns.capacity, slots }, this.feats, total * F);
      for (let q = 0; q < c; q++) this.rowNodes[r * m + q] = w.nodes[q]!;
      this.rowCount[r] = c;
      this.rowStay[r] = w.stay;
      this.rowMin[r] = w.rttMin;
      this.rowMax[r] = w.rttMax;
      total += c;
    }
    this.model.score(this.feats, total, this.pred);
    if (this.candFeat.length < total * F) this.candFeat = new Float32Array(Math.max(total, 1024) * 2 * F);
    if (this.candLeave.length < total) this.candLeave = new Float64Array(Math.max(total, 1024) * 2);
    const pred = this.pred;
    if (this.best.k !== k) this.best = new TopK(k);
    const top = this.best;
    for (let r = 0; r < f.rows; r++) {
      const s = this.rowStart[r]!, c = this.rowCount[r]!, cur = obs[r * D]! - 1;
      const leave = social > 0 && c > 0 ? this.ext.leave(cur, f.demand[r]!, ns) : 0;
      if (social > 0) for (let q = 0; q < c; q++) { const j = this.rowNodes[r * m + q]!; pred[s + q] = pred[s + q]! + social * (leave + this.ext.arrive(j, f.demand[r]!, ns.used[j]!, ns)); }
      // Up to k best above the margin. At most one handed-on candidate per scored one, so the buffers sized to
      // `total` above hold them all.
      top.clear();
      for (let q = 0; q < c; q++) if (pred[s + q]! > margin) top.offer(pred[s + q]!, q);
      for (let t = 0; t < top.size; t++) {
        const q = top.node[t]!;
        const i = out.push(r, cur, this.rowNodes[r * m + q]!, top.score[t]!, f.demand[r]!);
        out.rowRttMin[i] = this.rowMin[r]!;
        out.rowRttMax[i] = this.rowMax[r]!;
        out.stayScore[i] = this.rowStay[r]!;
        this.candLeave[i] = leave;
        this.candFeat.set(this.feats.subarray((s + q) * F, (s + q + 1) * F), i * F);
      }
    }
  }

  /** The gain of candidate i were its target's use `projectedUsed` (coordination's re-scoring), as {@link generate} scored it. */
  rescore(c: CandidateBuffer, ns: LearnedNodes, social: number): Rescore {
    return (i, projectedUsed) => {
      const j = c.to[i]!;
      const Lj = projectedLoad(ns.cpu[j]!, ns.mem[j]!, ns.used[j]!, ns.capacity[j]!, projectedUsed);
      this.one.set(this.candFeat.subarray(i * MOVE_FEATURES, (i + 1) * MOVE_FEATURES));
      this.writer.writeTargetLoad(this.one, 0, Lj, c.stayScore[i]!, c.rowRttMin[i]!, c.rowRttMax[i]!);
      this.model.score(this.one, 1, this.oneOut);
      return this.oneOut[0]! + (social > 0 ? social * (this.candLeave[i]! + this.ext.arrive(j, c.demand[i]!, projectedUsed, ns)) : 0);
    };
  }
}
