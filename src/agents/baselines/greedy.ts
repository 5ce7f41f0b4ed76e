/**
 * `greedy`: take the action with the best one-step reward (Eq. 8) under the current observation. Each action is
 * scored by the node it moves the service to (Wait and self-migration score the current node), so in the timed
 * model it scores where the migration is headed rather than the source that keeps serving meanwhile. Ties go to
 * Wait, then to the lower node index.
 */
import type { Policy } from '../../core/env.js';
import { nodeCountOf } from '../../core/observation.js';
import { reward, type RewardParams } from '../../core/reward.js';

export class GreedyPolicy implements Policy {
  readonly name = 'greedy';
  /** @param nodes N; read from the observation length (the paper's layout) when omitted. */
  constructor(private readonly params: RewardParams, private readonly nodes?: number) {}
  reset(): void {}
  act(observation: Float64Array, actionMask: Uint8Array): number {
    const n = this.nodes ?? nodeCountOf(observation.length);
    const current = observation[0]!;
    const rtts = observation.subarray(1, 1 + n);
    const loads = observation.subarray(1 + n, 1 + 2 * n);
    const score = (j: number) =>
      reward({ rttMs: rtts[j - 1]!, rttsMs: rtts, load: loads[j - 1]!, loads, rttSla: this.params.rttSla, loadSla: this.params.loadSla, migrationCost: this.params.migrationCost });
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
