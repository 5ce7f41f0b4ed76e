/**
 * `sla-greedy`: the best one-step reward (Eq. 8) among the nodes that are inside the SLA (RTT ≤ R_max and
 * load ≤ L_max), else the best one-step reward overall. It is `greedy` with the paper's SLA made a hard constraint:
 * the strongest one-step rule we know for the paper's instant model, where the next state barely depends on the
 * action. Each node is scored as the place the service ends up (the current node for Wait); ties go to staying,
 * then to the lower index. While a migration is in flight (every migrate action masked) it waits.
 */
import type { Policy } from '../../core/env.js';
import { nodeCountOf } from '../../core/observation.js';
import type { RewardParams } from '../../core/reward.js';
import { oneStepReward } from './greedy.js';

export class SlaGreedyPolicy implements Policy {
  readonly name = 'sla-greedy';
  /**
   * @param nodes N; read from the observation length (the paper's layout) when omitted.
   */
  constructor(private readonly params: RewardParams, private readonly nodes?: number) {}
  reset(): void {}
  act(observation: Float64Array, actionMask: Uint8Array): number {
    const n = this.nodes ?? nodeCountOf(observation.length);
    const current = observation[0]!;
    const p = this.params;
    const score = (j: number) => oneStepReward(observation, n, j, p);
    const inside = (j: number) => observation[j]! <= p.rttSla.max && observation[n + j]! <= p.loadSla.max;
    const legal = (j: number) => j === current || actionMask[j] === 1;
    let anyInside = false;
    for (let j = 1; j <= n; j++) if (legal(j) && inside(j)) anyInside = true;
    let best = current, bestScore = anyInside && !inside(current) ? -Infinity : score(current);
    for (let j = 1; j <= n; j++) {
      if (j === current || !legal(j) || (anyInside && !inside(j))) continue;
      const s = score(j);
      if (s > bestScore) {
        bestScore = s;
        best = j;
      }
    }
    return best === current ? 0 : best;
  }
}
