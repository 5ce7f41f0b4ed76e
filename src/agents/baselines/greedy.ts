/**
 * `greedy`: take the action with the best one-step reward (Eq. 8) under the current observation. Each action is
 * scored by the node it moves the service to (Wait and self-migration score the current node), so in the timed
 * model it scores where the migration is headed rather than the source that keeps serving meanwhile. Ties go to
 * Wait, then to the lower node index. The rule is its ranking ({@link greedyRanking}); the per-user policy, the
 * fleet candidates and the controller's bulk scorer are derived from it (`rows/node-ranking.ts`).
 */
import type { RewardParams } from '../../core/reward.js';
import { oneStepScore, OneStepScores } from '../../core/one-step-scores.js';
import { RankedPolicy, type NodeRanking } from './rows/node-ranking.js';

/** The one-step reward (Eq. 8) of ending the step on node j (1-based), read from an observation with N nodes. */
export function oneStepReward(observation: Float64Array, n: number, j: number, params: RewardParams): number {
  let rmn = Infinity, rmx = -Infinity, lmn = Infinity, lmx = -Infinity;
  for (let k = 1; k <= n; k++) {
    const r = observation[k]!, l = observation[n + k]!;
    if (r < rmn) rmn = r;
    if (r > rmx) rmx = r;
    if (l < lmn) lmn = l;
    if (l > lmx) lmx = l;
  }
  return oneStepScore(params, observation[j]!, rmn, rmx, observation[n + j]!, lmn, lmx);
}

/**
 * Ranks each node by its one-step score (Eq. 8, the transition kernel's {@link OneStepScores}); with `slaFirst`,
 * nodes inside the SLA (RTT ≤ R_max and load ≤ L_max) form a higher tier, which is sla-greedy.
 */
export function oneStepRanking(params: RewardParams, slaFirst: boolean): NodeRanking {
  const scores = new OneStepScores(params);
  const rMax = params.rttSla.max, lMax = params.loadSla.max;
  return {
    name: slaFirst ? 'sla-greedy' : 'greedy',
    rank(obs, o, n, score, tier, at) {
      scores.write(obs, o, n, score, at);
      for (let j = 0; j < n; j++) tier[at + j] = slaFirst && obs[o + 1 + j]! <= rMax && obs[o + 1 + n + j]! <= lMax ? 1 : 0;
    },
  };
}

/** greedy's ranking: every node in one tier, by its one-step score. */
export function greedyRanking(params: RewardParams): NodeRanking {
  return oneStepRanking(params, false);
}

export class GreedyPolicy extends RankedPolicy {
  /** @param nodes N; read from the observation length (the paper's layout) when omitted. */
  constructor(params: RewardParams, nodes?: number) {
    super(greedyRanking(params), nodes);
  }
}
