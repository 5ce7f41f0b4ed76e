/**
 * Scale-free inputs of the residual agent, per node, for the size-agnostic node-sequence network (`[N, F]`).
 *
 * The paper's encoding (features.ts) divides by fixed constants, so a workload whose loads sit near L_max, or a
 * road whose RTTs move slowly, lands in a part of the input space training never filled. Here every magnitude is
 * relative to the SLA the policy serves (R_max, L_max) or to the other nodes, and trends are per step, so what the
 * network sees on an unseen trace family or speed still means the same thing:
 *
 * | # | feature | why |
 * |---|---|---|
 * | 0 | isCurrent (1 on the serving node) | the node-sequence network's serving-node flag |
 * | 1 | R_j / R_max − 1 | distance to the RTT SLA |
 * | 2 | min(L_j / L_max, 4) − 1 | distance to the load SLA, capped (Eq. 2 explodes near saturation) |
 * | 3 | clip((R_j(t) − R_j(t−1)) / R_max, ±1) | RTT trend: the user nears or leaves node j |
 * | 4 | clip((L_j(t) − L_j(t−1)) / L_max, ±1) | load trend |
 * | 5 | 1 / (1 + steps until R_j crosses R_max at its trend) | time to breach (1 = now, 0 = never) |
 * | 6 | min R / R_j | rank among the candidates (1 = the closest node) |
 * | 7 | 1 when R_j > R_max or L_j > L_max | outside the SLA |
 * | 8 | seconds left to a switch-over onto j / 30 s | the edge model's in-flight block (0 otherwise) |
 * | 9 | the rule's prior of ending on j (rule-prior.ts) | what the rule thinks, so the residual can learn when to disagree |
 * | 10 | 1 where the rule would put the service | the rule's choice |
 *
 * The first observation of an episode has zero trends (nothing to compare with). Fixed arithmetic, no learned
 * statistics: a model file needs the SLA it was trained for and nothing else.
 */
import { nodeCountOf } from '../core/observation.js';
import type { RewardParams } from '../core/reward.js';
import { IN_FLIGHT_SCALE_S } from './features.js';

/** Features per node (the table above). */
export const SCALE_FREE_FEATURES = 11;

/** Load ratio L / L_max above which the feature saturates. */
const LOAD_RATIO_CAP = 4;

const clip1 = (x: number) => (x > 1 ? 1 : x < -1 ? -1 : x);

/** Encodes one episode's observations in order; `reset` at every episode start. */
export class ScaleFreeEncoder {
  private prev: Float64Array | null = null;
  private last: Float64Array = new Float64Array(0);

  constructor(private readonly params: RewardParams, private readonly inFlight: boolean) {}

  reset(): void {
    this.prev = null;
  }

  /**
   * Writes `[N, F]` features of `obs` into `out` at `offset`, given the rule's prior per action (`prior[0..N]`,
   * Wait first; rule-prior.ts). Returns N.
   */
  encode(obs: Float64Array, prior: Float64Array, out: { [i: number]: number }, offset: number): number {
    const n = nodeCountOf(obs.length, this.inFlight);
    const { rttSla, loadSla } = this.params;
    const rMax = rttSla.max, lMax = loadSla.max;
    const prev = this.prev !== null && this.prev.length === obs.length ? this.prev : null;
    let rMin = Infinity;
    for (let j = 0; j < n; j++) rMin = Math.min(rMin, obs[1 + j]!);
    const current = obs[0]!;
    // The rule's choice: the action with prior 0 among the legal ones (Wait = stay on the current node).
    let choice = current, bestPrior = prior[0]!;
    for (let j = 1; j <= n; j++) if (prior[j]! > bestPrior) { bestPrior = prior[j]!; choice = j; }
    const F = SCALE_FREE_FEATURES;
    for (let j = 0; j < n; j++) {
      const r = obs[1 + j]!, l = obs[1 + n + j]!;
      const dr = prev ? r - prev[1 + j]! : 0, dl = prev ? l - prev[1 + n + j]! : 0;
      const o = offset + j * F;
      out[o] = current === j + 1 ? 1 : 0;
      out[o + 1] = r / rMax - 1;
      out[o + 2] = Math.min(l / lMax, LOAD_RATIO_CAP) - 1;
      out[o + 3] = clip1(dr / rMax);
      out[o + 4] = clip1(dl / lMax);
      out[o + 5] = r > rMax ? 1 : dr > 0 ? 1 / (1 + (rMax - r) / dr) : 0;
      out[o + 6] = rMin / Math.max(r, 1e-6);
      out[o + 7] = r > rMax || l > lMax ? 1 : 0;
      out[o + 8] = this.inFlight ? obs[1 + 2 * n + j]! / IN_FLIGHT_SCALE_S : 0;
      const p = current === j + 1 ? prior[0]! : prior[j + 1]!;
      out[o + 9] = Number.isFinite(p) ? p : -1;
      out[o + 10] = choice === j + 1 ? 1 : 0;
    }
    if (this.last.length !== obs.length) this.last = new Float64Array(obs.length);
    this.last.set(obs);
    this.prev = this.last;
    return n;
  }
}
