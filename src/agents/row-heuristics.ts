/**
 * Every registered policy as a {@link RowHeuristic}, the batched form over rows the fleet twin and the controller's
 * bulk path hold their users in. The stateless rules (`never`, `follow-me`, `greedy`, `sla-greedy`) are their
 * {@link NodeRanking}, the one definition their per-user policy, fleet candidates and bulk scorer share; every other
 * registered name keeps per-user state and is lifted by {@link statefulRows}, one registry policy per row.
 */
import type { RewardParams } from '../core/reward.js';
import { followMeRanking, greedyRanking, neverRanking, rankedRows, slaGreedyRanking, statefulRows, type NodeRanking, type RowHeuristic } from './baselines/index.js';
import type { PolicyContext, PolicyRegistry } from './registry.js';

const RANKINGS: Record<string, (reward: RewardParams) => NodeRanking> = {
  never: () => neverRanking,
  'follow-me': () => followMeRanking,
  greedy: greedyRanking,
  'sla-greedy': slaGreedyRanking,
};

/** The names whose rule is a stateless ranking (they have fleet candidates or a bulk scorer). */
export const RANKED_NAMES = Object.keys(RANKINGS);

/** The ranking of a stateless rule, or undefined for a name that keeps per-user state. */
export function rankingFor(name: string, reward: RewardParams): NodeRanking | undefined {
  return Object.hasOwn(RANKINGS, name) ? RANKINGS[name]!(reward) : undefined;
}

/**
 * The batched form of a registered policy over rows: its ranking when it has one, else one policy per row from the
 * registry, row r built with seed `ctx.seed + r` (so `random`'s rows draw independent streams, each the one a
 * single user with that seed would draw).
 */
export function rowHeuristicFor<C extends PolicyContext>(name: string, registry: PolicyRegistry<C>, ctx: C, cwd: string): RowHeuristic {
  const ranking = rankingFor(name, ctx.reward);
  if (ranking) return rankedRows(ranking);
  registry.factoryFor(name, ctx, cwd); // an unknown name fails here with the registry's own error
  return statefulRows(name, (row) => registry.resolve(name, { ...ctx, seed: ctx.seed + row }, cwd));
}
