/**
 * The decide phase's reused buffers and its two row kernels (bulk-decide.ts): 10k workloads × 100 nodes allocate
 * their matrices once, and the per-row choices run over the typed arrays without allocating.
 */
import { CoordinationScratch } from '../agents/coordination.js';

/** Buffers reused across ticks (10k workloads × 100 nodes allocate their matrices once). */
export class FleetScratch {
  obs = new Float64Array(0);
  values = new Float64Array(0);
  masks = new Uint8Array(0);
  rowOf = new Int32Array(0);
  /** The workload of each observation row (the inverse of rowOf, for deciders that ask per workload). */
  workloadOf = new Int32Array(0);
  cUser = new Int32Array(0);
  cFrom = new Int32Array(0);
  cTo = new Int32Array(0);
  cGain = new Float64Array(0);
  cDemand = new Float64Array(0);
  demand = new Float64Array(0);
  /** The demand of each observation row (`demand` by `workloadOf`), for a scorer that reads the fleet context. */
  rowDemand = new Float64Array(0);
  used = new Float64Array(0);
  outbound = new Float64Array(0);
  coordination = new CoordinationScratch();
  /** The observation row of workload `i` as the last decide phase built it (`len` numbers), or undefined if it had none. */
  rowObservation(i: number, len: number): number[] | undefined {
    const r = this.rowOf[i]!;
    return r < 0 ? undefined : Array.from(this.obs.subarray(r * len, (r + 1) * len));
  }
  ensure(workloads: number, rowLen: number, actions: number, candidates: number, nodes: number): void {
    if (this.obs.length < workloads * rowLen) this.obs = new Float64Array(workloads * rowLen);
    if (this.values.length < workloads * actions) {
      this.values = new Float64Array(workloads * actions);
      this.masks = new Uint8Array(workloads * actions);
    }
    if (this.rowOf.length < workloads) {
      this.rowOf = new Int32Array(workloads);
      this.demand = new Float64Array(workloads);
      this.rowDemand = new Float64Array(workloads);
    }
    if (this.cUser.length < candidates) {
      this.cUser = new Int32Array(candidates);
      this.cFrom = new Int32Array(candidates);
      this.cTo = new Int32Array(candidates);
      this.cGain = new Float64Array(candidates);
      this.cDemand = new Float64Array(candidates);
    }
    if (this.used.length !== nodes) {
      this.used = new Float64Array(nodes);
      this.outbound = new Float64Array(nodes);
    }
  }
}

/** The legal action of highest value in row `o` (ties: the lower action, Wait first), as QPolicy's masked argmax. */
export function bestLegal(values: Float64Array, masks: Uint8Array, o: number, A: number): number {
  let best = 0;
  let bv = values[o]!;
  for (let a = 1; a < A; a++) {
    const v = values[o + a]!;
    if (masks[o + a] === 1 && v > bv) {
      best = a;
      bv = v;
    }
  }
  return best;
}

/** The best (at most K) legal targets of row `o` other than the current node with a value above `stay`, best first, into `top`; returns how many. */
export function topTargets(values: Float64Array, masks: Uint8Array, o: number, A: number, cur: number, stay: number, K: number, top: Int32Array): number {
  let t = 0;
  for (let a = 1; a < A; a++) {
    const va = values[o + a]!;
    if (a === cur || masks[o + a] !== 1 || !(va > stay)) continue;
    if (t === K && va <= values[o + top[K - 1]!]!) continue;
    let p = t < K ? t++ : K - 1;
    while (p > 0 && values[o + top[p - 1]!]! < va) {
      top[p] = top[p - 1]!;
      p--;
    }
    top[p] = a;
  }
  return t;
}

