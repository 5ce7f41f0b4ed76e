/**
 * Baseline policies that need no training. They read the paper's observation layout (Eq. 3) through
 * `src/core/observation.ts`, so they work on the twin and on the real cluster alike.
 */
import type { Policy } from '../../core/env.js';
import { nodeCountOf } from '../../core/observation.js';
import type { Rng } from '../../core/rng.js';
import { randomLegal } from '../exploration.js';

/** `never`: never migrate (always Wait). */
export class NeverPolicy implements Policy {
  readonly name = 'never';
  reset(): void {}
  act(): number {
    return 0;
  }
}

/**
 * `follow-me`: always be on the lowest-RTT node. Migrates to the legal node with the lowest RTT when it is strictly
 * lower than the serving node's (ties stay put, then go to the lower index). The one follow-me of the project: the
 * twin's evaluations and the Kubernetes controller run this same rule (two copies of it once differed when a mask
 * forbids only some nodes, which the controller's gates can do).
 */
export class FollowMePolicy implements Policy {
  readonly name = 'follow-me';
  /** @param nodes N; read from the observation length (the paper's layout) when omitted. */
  constructor(private readonly nodes?: number) {}
  reset(): void {}
  act(observation: Float64Array, actionMask: Uint8Array): number {
    const n = this.nodes ?? nodeCountOf(observation.length);
    const current = observation[0]!;
    let best = current;
    for (let j = 1; j <= n; j++) if (actionMask[j] === 1 && observation[j]! < observation[best]!) best = j;
    return best !== current ? best : 0;
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
