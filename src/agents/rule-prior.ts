/**
 * The heuristic prior of the residual agent: `sla-greedy`'s ranking of the actions, as bounded action values.
 *
 * `sla-greedy` scores each action by the one-step reward (Eq. 8) of the node the service ends on, and excludes the
 * nodes outside the SLA while any legal node is inside it. Here the excluded nodes are pushed below every included
 * one by the spread of the scores plus one (so the order is exactly the rule's), and the scores are squashed into
 * `prior_a = −scale · tanh((best − score_a) / temperature)`: 0 for the rule's choice, negative for the rest, never
 * below −scale. Bounded, because a saturating node's load term reaches −800 (Eq. 5) while the oracle's action values
 * differ by a few reward units; order-preserving, so argmax of the prior is the rule's action, with its tie-breaks
 * (Wait first, then the lower node index, as `maskedArgmax`). The serving node's own migrate action is never a
 * choice here (it is Wait, or a penalised no-op): its prior is −∞.
 */
import { nodeCountOf } from '../core/observation.js';
import type { RewardParams } from '../core/reward.js';
import { oneStepReward } from './baselines/greedy.js';

/** How the rule's scores become action values (see the file header). */
export interface PriorShape {
  /**
   * The rule: `sla-greedy` (its scores, squashed as above), or `lookahead`, the planning rule (its chosen action at
   * 0, every other legal action at −scale: a planner ranks plans, not actions, so only its choice is a value).
   */
  rule: 'sla-greedy' | 'lookahead';
  /** Largest gap between the rule's choice and any other action, in reward units; 0 turns the prior off. */
  scale: number;
  /** Score difference at which the gap reaches tanh(1) ≈ 76 % of `scale`. */
  temperature: number;
}

/**
 * Writes the prior of every action into `out[0..N]` (Wait first) for `obs` (the paper's layout, or the edge
 * model's with `inFlight`); masked actions get −∞. Returns N.
 */
export function rulePrior(obs: Float64Array, mask: Uint8Array, params: RewardParams, shape: PriorShape, out: Float64Array, inFlight = false): number {
  const n = nodeCountOf(obs.length, inFlight);
  const current = obs[0]!;
  const inside = (j: number) => obs[j]! <= params.rttSla.max && obs[n + j]! <= params.loadSla.max;
  const legal = (j: number) => j === current || mask[j] === 1;
  let anyInside = false, lo = Infinity, hi = -Infinity;
  for (let j = 1; j <= n; j++) {
    if (!legal(j)) continue;
    if (inside(j)) anyInside = true;
    const s = oneStepReward(obs, n, j, params);
    out[j] = s;
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  const push = hi - lo + 1;
  let best = -Infinity;
  for (let j = 1; j <= n; j++) {
    if (!legal(j)) continue;
    if (anyInside && !inside(j)) out[j]! -= push;
    if (out[j]! > best) best = out[j]!;
  }
  out[0] = out[current]!;
  const t = shape.temperature;
  for (let a = 0; a <= n; a++) {
    if (a === current || (a > 0 && !legal(a))) out[a] = -Infinity;
    else out[a] = shape.scale === 0 ? 0 : -shape.scale * Math.tanh((best - out[a]!) / t);
  }
  return n;
}

/**
 * The prior of a rule that names one action (`lookahead`): 0 for `choice`, −scale for the other legal actions, −∞ for
 * the masked ones and the serving node's own migrate action (its Wait is action 0). Returns N.
 */
export function choicePrior(obs: Float64Array, mask: Uint8Array, choice: number, scale: number, out: Float64Array, inFlight = false): number {
  const n = nodeCountOf(obs.length, inFlight);
  const current = obs[0]!;
  const pick = choice === current ? 0 : choice;
  for (let a = 0; a <= n; a++) {
    if (a === current || (a > 0 && mask[a] !== 1)) out[a] = -Infinity;
    else out[a] = a === pick ? 0 : -scale;
  }
  return n;
}
