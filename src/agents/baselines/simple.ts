/**
 * Baseline policies that need no training. They read the paper's observation layout (Eq. 3) through
 * `src/core/observation.ts`, so they work on the twin and on the real cluster alike.
 */
import type { Policy } from '../../core/env.js';
import type { Rng } from '../../core/rng.js';
import { randomLegal } from '../exploration.js';
import { RankedPolicy, type NodeRanking } from './rows/node-ranking.js';

/** `never`: never migrate (always Wait): staying scores 0, every move −Infinity. */
export const neverRanking: NodeRanking = {
  name: 'never',
  rank(obs, o, n, score, tier, at) {
    const cur = obs[o]! - 1;
    for (let j = 0; j < n; j++) {
      score[at + j] = j === cur ? 0 : -Infinity;
      tier[at + j] = 0;
    }
  },
};

export class NeverPolicy extends RankedPolicy {
  constructor() {
    super(neverRanking);
  }
  override act(): number {
    return 0;
  }
}

/**
 * `follow-me`: always be on the lowest-RTT node. A node scores −RTT, so the rule migrates to the legal node with the
 * lowest RTT when it is strictly lower than the serving node's (ties stay put, then go to the lower index). The one
 * follow-me of the project: the per-user policy, the fleet candidates and the controller's bulk scorer are all
 * this ranking (`rows/node-ranking.ts`), so a mask that forbids only some nodes means the same to each.
 */
export const followMeRanking: NodeRanking = {
  name: 'follow-me',
  rank(obs, o, n, score, tier, at) {
    for (let j = 0; j < n; j++) {
      score[at + j] = -obs[o + 1 + j]!;
      tier[at + j] = 0;
    }
  },
};

export class FollowMePolicy extends RankedPolicy {
  /** @param nodes N; read from the observation length (the paper's layout) when omitted. */
  constructor(nodes?: number) {
    super(followMeRanking, nodes);
  }
}

/** `random`: a uniformly random legal action, from an injected RNG. */
export class RandomPolicy implements Policy {
  readonly name = 'random';
  constructor(private readonly rng: Rng) {}
  reset(): void {}
  act(_observation: Float64Array, actionMask: Uint8Array): number {
    return randomLegal(this.rng, actionMask.length, actionMask);
  }
}
