/**
 * One-step scores: Eq. 8 alone (no traffic or breach terms) of ending the step on a node, for the rules that rank
 * moves by it (greedy, sla-greedy's re-score, the fleet candidates, the controller's bulk scorers). Apart from the
 * kernel (transition.ts) because nothing here steps a row or keeps migration state; it reads an observation and the
 * reward terms of core/reward.ts.
 */
import { combineRewardTerms, loadReward, migrationPenalty, rewardTerms, rttReward, type RewardParams, type RewardTerms } from './reward.js';

/** Min and max of `n` values at `off` of `a`, into `out[0]`, `out[1]`. */
export function minMax(a: ArrayLike<number>, off: number, n: number, out: Float64Array): void {
  let lo = Infinity, hi = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = a[off + j]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  out[0] = lo;
  out[1] = hi;
}

const scorePairs = { rtt: new Float64Array(2), load: new Float64Array(2) };
const scoreTerms: RewardTerms = { rtt: 0, load: 0, rttPenalty: 0, loadPenalty: 0 };

/**
 * The one-step score (Eq. 8 alone) of a node with RTT `rttMs` and load `load`, the candidates given by their bounds:
 * what a one-step rule ranks a move by (sla-greedy's re-scoring at a projected load).
 */
export function oneStepScore(p: RewardParams, rttMs: number, rttMin: number, rttMax: number, load: number, loadMin: number, loadMax: number): number {
  scorePairs.rtt[0] = rttMin;
  scorePairs.rtt[1] = rttMax;
  scorePairs.load[0] = loadMin;
  scorePairs.load[1] = loadMax;
  return combineRewardTerms(rewardTerms({ rttMs, rttsMs: scorePairs.rtt, load, loads: scorePairs.load, rttSla: p.rttSla, loadSla: p.loadSla, migrationCost: p.migrationCost }, scoreTerms));
}

/**
 * The one-step score (Eq. 8, without the edge model's traffic and breach terms) of ending the step on each node, for
 * one observation (paper layout, N nodes) at a time: what the one-step rules rank by (the fleet candidates, the
 * controller's bulk scorers). O(N) per row: the candidate lists enter Eq. 4-7 only through their [min, max]. The
 * load terms (Eq. 5, Eq. 7) depend on the loads alone, which every row of a tick shares: they are computed once per
 * distinct load block (remembered with the block), the RTT terms (Eq. 4, Eq. 6) per node of each row.
 */
export class OneStepScores {
  /** The RTT [min, max] of the last row written (the candidate list Eq. 4 and Eq. 6 read). */
  readonly rttMinMax = new Float64Array(2);
  private readonly loadMinMax = new Float64Array(2);
  private lastLoads = new Float64Array(0);
  private loadTerms = new Float64Array(0);
  private loadPenalties = new Float64Array(0);
  private readonly terms: RewardTerms = { rtt: 0, load: 0, rttPenalty: 0, loadPenalty: 0 };
  constructor(private readonly p: RewardParams) {}

  private loadsOf(obs: Float64Array, off: number, n: number): void {
    if (this.lastLoads.length !== n) {
      this.lastLoads = new Float64Array(n).fill(Number.NaN);
      this.loadTerms = new Float64Array(n);
      this.loadPenalties = new Float64Array(n);
    }
    let same = true;
    for (let j = 0; j < n; j++) if (!(obs[off + 1 + n + j] === this.lastLoads[j])) same = false;
    if (same) return;
    for (let j = 0; j < n; j++) this.lastLoads[j] = obs[off + 1 + n + j]!;
    minMax(this.lastLoads, 0, n, this.loadMinMax);
    for (let j = 0; j < n; j++) {
      this.loadTerms[j] = loadReward(this.lastLoads[j]!, this.loadMinMax, this.p.loadSla);
      this.loadPenalties[j] = migrationPenalty(this.lastLoads[j]!, this.loadMinMax, this.p.loadSla.max, this.p.migrationCost);
    }
  }

  /** Eq. 8 of ending on node j (0-based) of the observation at `off`, into `out[at + j]` for j in [0, N). */
  write(obs: Float64Array, off: number, n: number, out: Float64Array, at: number): void {
    this.loadsOf(obs, off, n);
    const p = this.p, t = this.terms, pair = this.rttMinMax;
    minMax(obs, off + 1, n, pair);
    for (let j = 0; j < n; j++) {
      const r = obs[off + 1 + j]!;
      t.rtt = rttReward(r, pair, p.rttSla);
      t.rttPenalty = migrationPenalty(r, pair, p.rttSla.max, p.migrationCost);
      t.load = this.loadTerms[j]!;
      t.loadPenalty = this.loadPenalties[j]!;
      out[at + j] = combineRewardTerms(t);
    }
  }
}
