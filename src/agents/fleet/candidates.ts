/**
 * Per-user candidate generation for fleet policies: policy → candidate migrations with gains, as pure
 * functions over typed arrays (the fleet twin's rows, or the controller's bulk path). Each row's candidates are
 * written best first, at most `k` per row; the rules are their rankings (`baselines/rows/node-ranking.ts`), so the
 * first one is exactly the single-user rule's choice, and the uncoordinated fleet policy (every
 * user takes its first candidate) and the coordinated one (`coordinate()` picks a feasible set) run the same rule.
 *
 * Gains are in reward units:
 * - follow-me: the Eq. 4 advantage of the target's RTT over the serving node's (`rttReward`), RTT only, as the rule;
 * - sla-greedy: the one-step Eq. 8 advantage (`reward`), plus `breachBonus` when the move leaves an SLA breach for a
 *   node inside the SLA (the rule's lexicographic preference for the SLA, as a number; beyond the paper);
 * - a Q-network: `Q(migrate to j) − Q(Wait)`, the policy's own advantage.
 * Eq. 4-7 read the candidate lists only through their min and max, so each row's one-step scores cost O(N).
 */
import type { Candidates } from '../coordination.js';
import { rttReward, type RewardParams } from '../../core/reward.js';
import { projectedLoad, type RescoreNodes } from './move-features.js';
import { TopK } from './top-k.js';
export type { RescoreNodes } from './move-features.js';
import { minMax, oneStepScore, OneStepScores } from '../../core/one-step-scores.js';
import { followMeRanking } from '../baselines/simple.js';
import { slaGreedyRanking } from '../baselines/sla-greedy.js';
import { rankedTop, RankScratch, type NodeRanking } from '../baselines/rows/node-ranking.js';

/** A fleet's rows as the candidate generators read them. */
export interface FleetRows {
  rows: number;
  /** Observation length D and action count A = N + 1. */
  D: number;
  A: number;
  nodes: number;
  observations: Float64Array;
  actionMasks: Uint8Array;
  /** Per row: 1 to skip (the row's user has ended). */
  skip: Uint8Array;
  /** Per row: the service's demand, in the units of the load the candidates go to `coordinate()` with. */
  demand: ArrayLike<number>;
}

/** Candidates (structure of arrays, grown as needed) with what re-scoring needs. */
export class CandidateBuffer implements Candidates {
  count = 0;
  user = new Int32Array(0);
  from = new Int32Array(0);
  to = new Int32Array(0);
  gain = new Float64Array(0);
  demand = new Float64Array(0);
  /** The target's RTT (ms), the row's RTT min and max, and the row's score for staying (sla-greedy re-scoring). */
  targetRtt = new Float64Array(0);
  rowRttMin = new Float64Array(0);
  rowRttMax = new Float64Array(0);
  stayScore = new Float64Array(0);
  /** 1 when the row is in breach and some legal node is inside the SLA (the bonus applies to inside targets). */
  bonus = new Uint8Array(0);

  reset(): void {
    this.count = 0;
  }

  push(user: number, from: number, to: number, gain: number, demand: number): number {
    if (this.count === this.user.length) this.grow(Math.max(256, 2 * this.user.length));
    const i = this.count++;
    this.user[i] = user;
    this.from[i] = from;
    this.to[i] = to;
    this.gain[i] = gain;
    this.demand[i] = demand;
    return i;
  }

  private grow(c: number): void {
    const f = (a: Float64Array) => { const b = new Float64Array(c); b.set(a); return b; };
    const i = (a: Int32Array) => { const b = new Int32Array(c); b.set(a); return b; };
    this.user = i(this.user); this.from = i(this.from); this.to = i(this.to);
    this.gain = f(this.gain); this.demand = f(this.demand); this.targetRtt = f(this.targetRtt); this.rowRttMin = f(this.rowRttMin);
    this.rowRttMax = f(this.rowRttMax); this.stayScore = f(this.stayScore);
    const b = new Uint8Array(c); b.set(this.bonus); this.bonus = b;
  }
}

const rttPair = new Float64Array(2);

/** The one-step scores of every node (Eq. 8), the transition kernel's (`core/transition.ts`); re-exported for the bulk scorers. */
export { OneStepScores };

/**
 * The candidates of a ranked rule (`baselines/rows/node-ranking.ts`), row by row: `top` gets the moves the rule
 * prefers to staying ({@link rankedTop}), then `push(r, cur, bestTier)` turns them into gains. One selection for
 * every ranked rule, so each row's first candidate is the rule's own choice.
 */
function rankedCandidates(f: FleetRows, ranking: NodeRanking, top: TopK, push: (r: number, o: number, cur: number, bestTier: number) => void): void {
  const { D, A, nodes: n, observations: obs, actionMasks: masks } = f;
  const s = scratch.ensure(n);
  for (let r = 0; r < f.rows; r++) {
    if (f.skip[r]) continue;
    const o = r * D, cur = obs[o]! - 1;
    ranking.rank(obs, o, n, s.score, s.tier, 0);
    const t = rankedTop(s.score, s.tier, 0, n, cur, masks, r * A, top);
    if (top.size > 0) push(r, o, cur, t);
  }
}

const scratch = new RankScratch();

/**
 * follow-me's candidates: legal nodes with a strictly lower RTT than the serving node's, lowest first (k per row),
 * gain the Eq. 4 advantage of the target's RTT.
 */
export function followMeCandidates(f: FleetRows, p: RewardParams, k: number, out: CandidateBuffer): void {
  out.reset();
  const { nodes: n, observations: obs } = f;
  const top = topFor(k);
  rankedCandidates(f, followMeRanking, top, (r, o, cur) => {
    minMax(obs, o + 1, n, rttPair);
    const stay = rttReward(obs[o + 1 + cur]!, rttPair, p.rttSla);
    for (let q = 0; q < top.size; q++) {
      const j = top.node[q]!;
      out.push(r, cur, j, rttReward(obs[o + 1 + j]!, rttPair, p.rttSla) - stay, f.demand[r]!);
    }
  });
}

const tops = new Map<number, TopK>();
function topFor(k: number): TopK {
  let t = tops.get(k);
  if (!t) tops.set(k, (t = new TopK(k)));
  return t;
}

/**
 * sla-greedy's candidates: the legal nodes the rule prefers to staying (inside the SLA when any legal node is,
 * best one-step reward first; k per row). Gain: the Eq. 8 advantage, plus `breachBonus` when the row is in breach
 * and the target inside the SLA (then clamped above 0, since the rule moves there whatever the score).
 */
export function slaGreedyCandidates(f: FleetRows, p: RewardParams, k: number, breachBonus: number, out: CandidateBuffer): void {
  out.reset();
  const { nodes: n, observations: obs } = f;
  const ranking = slaGreedyRanking(p); // per call: `p` is read as it is now, with a fresh load cache
  const top = topFor(k);
  rankedCandidates(f, ranking, top, (r, o, cur, bestTier) => {
    const s = scratch.score; // read here: rankedCandidates may have grown it
    const breach = scratch.tier[cur]! < bestTier;
    minMax(obs, o + 1, n, rttPair);
    for (let q = 0; q < top.size; q++) {
      const j = top.node[q]!;
      let g = s[j]! - s[cur]!;
      if (breach) g = Math.max(g + breachBonus, 1e-9);
      const i = out.push(r, cur, j, g, f.demand[r]!);
      out.targetRtt[i] = obs[o + 1 + j]!;
      out.rowRttMin[i] = rttPair[0]!;
      out.rowRttMax[i] = rttPair[1]!;
      out.stayScore[i] = s[cur]!;
      out.bonus[i] = breach ? 1 : 0;
    }
  });
}

/**
 * sla-greedy's gain of candidate i were its target's use `projectedUsed`: the target's load (Eq. 2) as
 * `projectedLoad` projects it, the load list's max with it; a target that leaves the SLA while the
 * row had an inside option is no longer the rule's (gain 0).
 */
export function slaGreedyRescore(c: CandidateBuffer, i: number, projectedUsed: number, nodes: RescoreNodes, loadMin: number, loadMax: number, p: RewardParams, breachBonus: number): number {
  const j = c.to[i]!;
  const L = projectedLoad(nodes.cpu[j]!, nodes.mem[j]!, nodes.used[j]!, nodes.capacity[j]!, projectedUsed);
  const rtt = c.targetRtt[i]!;
  if (rtt <= p.rttSla.max && L > p.loadSla.max) return 0; // the target would breach on load: not the rule's choice
  const s = oneStepScore(p, rtt, c.rowRttMin[i]!, c.rowRttMax[i]!, L, Math.min(loadMin, L), Math.max(loadMax, L));
  let g = s - c.stayScore[i]!;
  if (c.bonus[i]) g = Math.max(g + breachBonus, 1e-9);
  return g;
}

/**
 * A Q-network's candidates from its outputs `q` (`[rows × (N + 1)]`, Wait first): legal nodes whose Q beats
 * Wait's, best first, gain `Q_j − Q_wait`.
 */
export function qCandidates(f: FleetRows, q: Float64Array, k: number, out: CandidateBuffer): void {
  out.reset();
  const { D, A, nodes: n, observations: obs, actionMasks: masks } = f;
  const top = topFor(k);
  for (let r = 0; r < f.rows; r++) {
    if (f.skip[r]) continue;
    const cur = obs[r * D]! - 1;
    const qw = q[r * A]!;
    top.clear();
    for (let j = 0; j < n; j++) {
      if (j === cur || masks[r * A + 1 + j] !== 1) continue;
      const v = q[r * A + 1 + j]!;
      if (v > qw) top.offer(v, j);
    }
    for (let t = 0; t < top.size; t++) out.push(r, cur, top.node[t]!, top.score[t]! - qw, f.demand[r]!);
  }
}

/** The uncoordinated decision: every row takes its first (best) candidate. `out` is zeroed first. */
export function firstCandidates(c: CandidateBuffer, rows: number, out: Int32Array): void {
  out.fill(0, 0, rows);
  let last = -1;
  for (let i = 0; i < c.count; i++) {
    const r = c.user[i]!;
    if (r === last) continue;
    out[r] = c.to[i]! + 1;
    last = r;
  }
}
