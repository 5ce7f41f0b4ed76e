/**
 * `sla-greedy`: the best one-step reward (Eq. 8) among the nodes that are inside the SLA (RTT ≤ R_max and
 * load ≤ L_max), else the best one-step reward overall. It is `greedy` with the paper's SLA made a hard constraint:
 * the strongest one-step rule we know for the paper's instant model, where the next state barely depends on the
 * action. Each node is scored as the place the service ends up (the current node for Wait); ties go to staying,
 * then to the lower index. While a migration is in flight (every migrate action masked) it waits.
 *
 * The rule is its ranking: the SLA is a tier above the score ({@link slaGreedyRanking}); the per-user policy, the
 * fleet candidates and the controller's bulk scorer are derived from it (`rows/node-ranking.ts`).
 */
import type { RewardParams } from '../../core/reward.js';
import { oneStepRanking } from './greedy.js';
import { RankedPolicy, type NodeRanking } from './rows/node-ranking.js';

/** sla-greedy's ranking: tier 1 inside the SLA, then the one-step score. */
export function slaGreedyRanking(params: RewardParams): NodeRanking {
  return oneStepRanking(params, true);
}

export class SlaGreedyPolicy extends RankedPolicy {
  /** @param nodes N; read from the observation length (the paper's layout) when omitted. */
  constructor(params: RewardParams, nodes?: number) {
    super(slaGreedyRanking(params), nodes);
  }
}
