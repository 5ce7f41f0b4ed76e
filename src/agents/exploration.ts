/**
 * Exploration: keras-rl2's `LinearAnnealedPolicy` wrapping `EpsGreedyQPolicy`, with legal-action masks.
 *
 * ε(step) = max(ε_min, ε_max − (ε_max − ε_min)·step/nbSteps).
 *
 * Table II's ambiguity: it lists "Exploration rate ϵ 1.0", "Exploration rate decay d 0.1" and "Number of
 * steps 200000", and the text says d "directs the rate at which ϵ decreases". keras-rl2's LinearAnnealedPolicy has
 * no decay-rate argument, only `value_max`, `value_min` and `nb_steps`, so d = 0.1 is most plausibly `value_min`
 * and the annealing spans the whole run (`nb_steps` = 200k). That is our default (`annealSteps` = total steps).
 * Another reading, "ε falls over the first 10 % of training", is the fraction mode (`annealFraction: 0.1`).
 * Both are offered; neither is certain.
 *
 * keras-rl2 traps we do not reproduce: its step counter is `np.int16` in some keras-rl2 releases (`core.py`
 * `self.step = np.int16(0)`), which wraps after 32,767 steps and sends ε back up; and its EpsGreedyQPolicy draws
 * random actions from the whole action space, ignoring masks. We count steps in a double and draw only legal actions.
 */
import type { Rng } from '../core/rng.js';
import type { Vec } from '../nn/backend.js';
import type { ExplorationConfig } from './config.js';

/** ε schedule parameters (Table II provenance and defaults in config.ts's `ExplorationSchema`). */
export { DEFAULT_EXPLORATION, type ExplorationConfig } from './config.js';

/** A resolved linear schedule. */
export class LinearAnnealedEpsilon {
  readonly nbSteps: number;
  constructor(readonly config: ExplorationConfig, totalSteps: number) {
    if (config.annealSteps !== undefined && config.annealFraction !== undefined) {
      throw new RangeError('exploration: give annealSteps or annealFraction, not both');
    }
    const n = config.annealSteps ?? (config.annealFraction !== undefined ? Math.round(config.annealFraction * totalSteps) : totalSteps);
    this.nbSteps = Math.max(1, n);
  }

  /** ε after `step` environment steps. */
  value(step: number): number {
    const { epsilonMax: hi, epsilonMin: lo } = this.config;
    return Math.max(lo, hi - ((hi - lo) * step) / this.nbSteps);
  }
}

/**
 * Index of the largest `q[offset + a]` over legal `a` (ties: lowest index, as numpy's argmax). The mask of action
 * `a` is `mask[maskOffset + a]`, so a caller holding many masks in one array (the replay memory) passes the array
 * and an offset instead of a view per call.
 */
export function maskedArgmax(q: Vec | Float64Array, offset: number, n: number, mask: Uint8Array | null, maskOffset = 0): number {
  let best = -1;
  let bestQ = -Infinity;
  for (let a = 0; a < n; a++) {
    if (mask && mask[maskOffset + a] !== 1) continue;
    const v = q[offset + a];
    if (best < 0 || v > bestQ) {
      best = a;
      bestQ = v;
    }
  }
  return best < 0 ? 0 : best;
}

/** A uniformly random legal action. Action 0 (Wait) is always legal by the Env contract. */
export function randomLegal(rng: Rng, n: number, mask: Uint8Array | null): number {
  if (!mask) return rng.int(n);
  let legal = 0;
  for (let a = 0; a < n; a++) legal += mask[a] === 1 ? 1 : 0;
  if (legal === 0) return 0;
  let k = rng.int(legal);
  for (let a = 0; a < n; a++) if (mask[a] === 1 && k-- === 0) return a;
  return 0;
}

/**
 * The ε coin of ε-greedy (keras-rl2 `EpsGreedyQPolicy`: `uniform() < ε` explores); draws nothing when ε = 0.
 * Split from {@link epsilonGreedy} so an agent can skip computing Q when the coin says explore: the draws, and so
 * seeded runs, stay the same.
 */
export function explores(rng: Rng, epsilon: number): boolean {
  return epsilon > 0 && rng.uniform() < epsilon;
}

/** ε-greedy over legal actions (keras-rl2 `EpsGreedyQPolicy`: `uniform() < ε` explores). */
export function epsilonGreedy(rng: Rng, epsilon: number, q: Vec | Float64Array, offset: number, n: number, mask: Uint8Array | null): number {
  if (explores(rng, epsilon)) return randomLegal(rng, n, mask);
  return maskedArgmax(q, offset, n, mask);
}
