/**
 * The one batched form of the stateless heuristics. A {@link NodeRanking} says, for one observation row (the
 * paper's layout, Eq. 3), how much the rule likes ending the step on each node: a `tier` first (higher wins
 * outright: sla-greedy's "inside the SLA"), then a `score` (higher wins). Every other form is derived from it:
 * - the rule's choice ({@link rankedChoice}): the legal node that beats staying, lexicographically on (tier, score),
 *   ties to staying and then to the lower node index;
 * - the per-user `Policy` ({@link RankedPolicy}): that choice over a batch of one;
 * - the fleet candidates (`agents/fleet/candidates.ts`, {@link rankedTop}): the legal nodes of the best tier
 *   present that beat staying, best score first;
 * - the controller's bulk scorers (`cluster/bulk-score.ts`): the per-node values `score + tier·bonus`.
 * So a change to a rule is made once, in its ranking, and the conformance test checks every form agrees.
 */
import type { Policy } from '../../../core/env.js';
import { nodeCountOf } from '../../../core/observation.js';

export interface NodeRanking {
  readonly name: string;
  /**
   * For the observation at `obs[o..]` with `n` nodes, write `score[at + j]` and `tier[at + j]` of ending the step on
   * node j (0-based, j in [0, n)). The serving node is `obs[o] − 1`.
   */
  rank(obs: Float64Array, o: number, n: number, score: Float64Array, tier: Uint8Array, at: number): void;
}

/** True when node j's (tier, score) beats node b's: a higher tier, or the same tier and a strictly higher score. */
export function beats(score: Float64Array, tier: Uint8Array, at: number, j: number, b: number): boolean {
  const tj = tier[at + j]!, tb = tier[at + b]!;
  return tj > tb || (tj === tb && score[at + j]! > score[at + b]!);
}

/**
 * The rule's action for one ranked row: the legal node (mask `masks[mo + 1 + j]`) that beats staying on the serving
 * node `cur` (0-based), best first, ties to staying and then to the lower index; 0 (Wait) when none does.
 */
export function rankedChoice(score: Float64Array, tier: Uint8Array, at: number, n: number, cur: number, masks: Uint8Array, mo: number): number {
  let best = cur;
  for (let j = 0; j < n; j++) {
    if (j === cur || masks[mo + 1 + j] !== 1) continue;
    if (beats(score, tier, at, j, best)) best = j;
  }
  return best === cur ? 0 : best + 1;
}

/** The highest tier among staying and the legal nodes of a ranked row (the tier the rule will end in). */
export function bestLegalTier(tier: Uint8Array, at: number, n: number, cur: number, masks: Uint8Array, mo: number): number {
  let t = tier[at + cur]!;
  for (let j = 0; j < n; j++) if (j !== cur && masks[mo + 1 + j] === 1 && tier[at + j]! > t) t = tier[at + j]!;
  return t;
}

/** Receives the nodes a ranked row would move to, best first (see {@link rankedTop}). */
export interface TopSink {
  clear(): void;
  offer(score: number, node: number): void;
}

/**
 * Offer `top` every legal node of the row's best tier whose (tier, score) beats staying, by score: the moves the
 * rule prefers to staying, the first of which is {@link rankedChoice}'s. Returns the best tier.
 */
export function rankedTop(score: Float64Array, tier: Uint8Array, at: number, n: number, cur: number, masks: Uint8Array, mo: number, top: TopSink): number {
  const t = bestLegalTier(tier, at, n, cur, masks, mo);
  top.clear();
  for (let j = 0; j < n; j++) {
    if (j === cur || masks[mo + 1 + j] !== 1 || tier[at + j] !== t) continue;
    if (beats(score, tier, at, j, cur)) top.offer(score[at + j]!, j);
  }
  return t;
}

/** Scratch (score, tier) rows of at least `n` nodes, grown as needed. */
export class RankScratch {
  score = new Float64Array(0);
  tier = new Uint8Array(0);
  ensure(n: number): this {
    if (this.score.length < n) {
      this.score = new Float64Array(n);
      this.tier = new Uint8Array(n);
    }
    return this;
  }
}

/**
 * The per-user `Policy` of a ranking: the ranking over a batch of one row, then {@link rankedChoice}. The named
 * baselines (`FollowMePolicy`, `GreedyPolicy`, `SlaGreedyPolicy`, `NeverPolicy`) are this adapter over their ranking.
 */
export class RankedPolicy implements Policy {
  readonly name: string;
  private readonly scratch = new RankScratch();
  /** @param nodes N; read from the observation length (the paper's layout) when omitted. */
  constructor(readonly ranking: NodeRanking, private readonly nodes?: number) {
    this.name = ranking.name;
  }
  reset(): void {}
  act(observation: Float64Array, actionMask: Uint8Array): number {
    const n = this.nodes ?? nodeCountOf(observation.length);
    const s = this.scratch.ensure(n);
    this.ranking.rank(observation, 0, n, s.score, s.tier, 0);
    return rankedChoice(s.score, s.tier, 0, n, observation[0]! - 1, actionMask, 0);
  }
}
