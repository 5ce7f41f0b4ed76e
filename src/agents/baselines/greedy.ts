/**
 * `greedy`: take the action with the best one-step reward (Eq. 8) under the current observation. Each action is
 * scored by the node it moves the service to (Wait and self-migration score the current node), so in the timed
 * model it scores where the migration is headed rather than the source that keeps serving meanwhile. Ties go to
 * Wait, then to the lower node index.
 */
import type { Policy } from '../../core/env.js';
import { nodeCountOf } from '../../core/observation.js';
import type { RewardParams } from '../../core/reward.js';
import { oneStepScore } from '../../core/transition.js';

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

export class GreedyPolicy implements Policy {
  readonly name = 'greedy';
  /** @param nodes N; read from the observation length (the paper's layout) when omitted. */
  constructor(private readonly params: RewardParams, private readonly nodes?: number) {}
  reset(): void {}
  act(observation: Float64Array, actionMask: Uint8Array): number {
    const n = this.nodes ?? nodeCountOf(observation.length);
    const current = observation[0]!;
    const score = (j: number) => oneStepReward(observation, n, j, this.params);
    let bestAction = 0;
    let best = score(current);
    for (let j = 1; j <= n; j++) {
      if (j === current || actionMask[j] !== 1) continue;
      const s = score(j);
      if (s > best) {
        best = s;
        bestAction = j;
      }
    }
    return bestAction;
  }
}
