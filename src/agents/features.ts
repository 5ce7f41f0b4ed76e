/**
 * How agents normalise the paper's observation (Eq. 3: `(N_i, R_1..R_N, L_1..L_N)`) before it reaches a network.
 *
 * Raw inputs span very different ranges (N_i is an index 1..N, RTT ≈ 1..70 ms, load ≥ 1 with spikes to 10⁴ when a
 * node saturates), which stalls Adam on 24-unit networks. Each node j gets three features:
 * - `isCurrent_j`: 1 when the services run on node j, else 0 (a one-hot of N_i; an index is not a magnitude);
 * - `rtt_j = R_j / RTT_SCALE_MS − 1`: 0 at R = 20 ms, the paper's R_max;
 * - `load_j = ln(L_j) − 1`: logarithmic, since Eq. 2 explodes as cpu or mem → 1; 0 at L ≈ 2.7.
 * - with the edge model's in-flight block (`inFlight`), a fourth: `inFlight_j = M_j / IN_FLIGHT_SCALE_S`, the
 *   seconds left to the switch-over to node j, scaled (0 when no migration to j is in flight).
 * The flat layout (MLP, LSTM over time) is `[isCurrent_1..N, rtt_1..N, load_1..N(, inFlight_1..N)]` (3N or 4N
 * inputs instead of the paper's 2N + 1; same information). The node-sequence layout (size-agnostic network) is
 * `[N, 3]` (or `[N, 4]`), node by node.
 * With the `reward-terms` set (beyond the paper) each node also gets the quantities Eq. 4-7 are composed of, so the
 * one-step reward is linear in the input: `1/R_j` (ms⁻¹·R_min, R_min = 1 ms), `R_j / max R`, `min R / R_j`,
 * `1/L_j`, `L_j / max L`, `min L / L_j`, and the breach indicators `R_j > R_max`, `L_j > L_max`
 * (the paper's SLA, R_max = 20 ms, L_max = 12).
 * The `advised` set (beyond the paper; residual policy learning in the sense of Silver et al. 2018, "Residual
 * Policy Learning") adds one more per node: `advice_j = 1` where the `sla-greedy` heuristic, run on this same
 * observation with the paper's SLA (R 1-20 ms, L 1-12, cost 2), would put the service (its current node when it
 * would stay). The agent can copy the rule of thumb from its input and learns where deviating from it pays.
 * This is fixed arithmetic, not learned statistics, so a model file needs no normaliser state, unless the DQN
 * option `observationNorm: 'running'` adds learned statistics on top (normalizer.ts).
 */
import type { Vec } from '../nn/backend.js';
import { nodeCountOf } from '../core/observation.js';
import { PAPER_REWARD_PARAMS } from '../core/reward.js';
import { SlaGreedyPolicy } from './baselines/sla-greedy.js';

/** RTT that maps to feature 0, ms (the paper's example R_max). */
export const RTT_SCALE_MS = 20;
/** Features per node (the paper's layout). */
export const NODE_FEATURES = 3;
/** The paper's L_max, for the breach indicator of the `reward-terms` set. */
export const LOAD_SLA_MAX = PAPER_REWARD_PARAMS.loadSla.max;
/** The paper's R_max, for the RTT breach indicator (the same 20 ms as `RTT_SCALE_MS`, but a threshold, not a scale). */
const RTT_SLA_MAX_MS = PAPER_REWARD_PARAMS.rttSla.max;
/** Extra features per node of the `reward-terms` set. */
const REWARD_TERMS = 8;

/** Which features per node (see the header). */
export type FeatureSet = 'paper' | 'reward-terms' | 'advised';

/** Seconds of an in-flight migration that map to feature 1 (twice the pod median, half a VM's tail). */
export const IN_FLIGHT_SCALE_S = 30;

/** Features per node: 3, or 4 with the in-flight block. */
export function featuresPerNode(inFlight = false, set: FeatureSet = 'paper'): number {
  return NODE_FEATURES + (inFlight ? 1 : 0) + (set === 'paper' ? 0 : REWARD_TERMS) + (set === 'advised' ? 1 : 0);
}

/** Input layout a network expects. */
export type FeatureLayout = 'flat' | 'node-sequence';

/** Number of features per observation for `nodes` nodes (same for both layouts). */
export function featureSize(nodes: number, inFlight = false, set: FeatureSet = 'paper'): number {
  return featuresPerNode(inFlight, set) * nodes;
}

/**
 * Writes the features of `obs` into `out` at `offset` (`featureSize(N, inFlight, set)` numbers) in the given layout.
 * Throws RangeError when `obs` is not 2N + 1 (3N + 1 with `inFlight`) long.
 */
export function encodeObservation(obs: ArrayLike<number>, layout: FeatureLayout, out: Vec | Float64Array, offset: number, inFlight = false, set: FeatureSet = 'paper'): void {
  const n = nodeCountOf(obs.length, inFlight);
  const P = featuresPerNode(inFlight, set);
  // Called for every env step and every replayed sample: computed inline, no per-node tuple.
  const flat = layout === 'flat';
  for (let j = 0; j < n; j++) {
    const c = obs[0]! === j + 1 ? 1 : 0;
    const r = obs[1 + j]! / RTT_SCALE_MS - 1;
    const l = Math.log(Math.max(obs[1 + n + j]!, 1e-6)) - 1;
    if (flat) {
      out[offset + j] = c;
      out[offset + n + j] = r;
      out[offset + 2 * n + j] = l;
      if (inFlight) out[offset + 3 * n + j] = obs[1 + 2 * n + j]! / IN_FLIGHT_SCALE_S;
    } else {
      out[offset + P * j] = c;
      out[offset + P * j + 1] = r;
      out[offset + P * j + 2] = l;
      if (inFlight) out[offset + P * j + 3] = obs[1 + 2 * n + j]! / IN_FLIGHT_SCALE_S;
    }
  }
  if (set !== 'paper') {
    let rMin = Infinity, rMax = -Infinity, lMin = Infinity, lMax = -Infinity;
    for (let j = 0; j < n; j++) {
      const r = obs[1 + j]!, l = obs[1 + n + j]!;
      if (r < rMin) rMin = r;
      if (r > rMax) rMax = r;
      if (l < lMin) lMin = l;
      if (l > lMax) lMax = l;
    }
    const base = NODE_FEATURES + (inFlight ? 1 : 0);
    for (let j = 0; j < n; j++) {
      const r = Math.max(obs[1 + j]!, 1e-6), l = Math.max(obs[1 + n + j]!, 1e-6);
      const f0 = 1 / r, f1 = r / rMax, f2 = rMin / r, f3 = 1 / l, f4 = l / lMax, f5 = lMin / l, f6 = r > RTT_SLA_MAX_MS ? 1 : 0, f7 = l > LOAD_SLA_MAX ? 1 : 0;
      if (flat) {
        const o = offset + base * n;
        out[o + j] = f0; out[o + n + j] = f1; out[o + 2 * n + j] = f2; out[o + 3 * n + j] = f3;
        out[o + 4 * n + j] = f4; out[o + 5 * n + j] = f5; out[o + 6 * n + j] = f6; out[o + 7 * n + j] = f7;
      } else {
        const o = offset + P * j + base;
        out[o] = f0; out[o + 1] = f1; out[o + 2] = f2; out[o + 3] = f3; out[o + 4] = f4; out[o + 5] = f5; out[o + 6] = f6; out[o + 7] = f7;
      }
    }
  }
  if (set === 'advised') {
    const base = NODE_FEATURES + (inFlight ? 1 : 0) + REWARD_TERMS;
    const a = adviceOf(obs, n);
    const target = a === 0 ? obs[0]! : a;
    for (let j = 0; j < n; j++) out[flat ? offset + base * n + j : offset + P * j + base] = target === j + 1 ? 1 : 0;
  }
}

let advisor: { n: number; policy: SlaGreedyPolicy; mask: Uint8Array } | undefined;

/** `sla-greedy`'s action on `obs` (every node allowed; 0 = stay), with one advisor kept per node count. */
function adviceOf(obs: ArrayLike<number>, n: number): number {
  if (!advisor || advisor.n !== n) advisor = { n, policy: new SlaGreedyPolicy(PAPER_REWARD_PARAMS, n), mask: new Uint8Array(n + 1).fill(1) };
  return advisor.policy.act(obs instanceof Float64Array ? obs : Float64Array.from(obs), advisor.mask);
}

/**
 * The last W encoded observations of the current episode, oldest first, zero-padded at the episode start
 * (keras-rl2 `Memory.get_recent_state`: the window never reaches into the previous episode; missing entries
 * are zero observations — here zero *features*, since normalisation happens before the window).
 */
export class RecentWindow {
  private readonly buf: Float64Array;
  private count = 0;
  private head = 0;

  constructor(readonly window: number, readonly features: number, readonly inFlight = false, readonly set: FeatureSet = 'paper') {
    this.buf = new Float64Array(window * features);
  }

  /** Start of an episode: forget the history. */
  reset(): void {
    this.count = 0;
    this.head = 0;
  }

  /** Append the encoding of `obs` (layout as given). */
  push(obs: ArrayLike<number>, layout: FeatureLayout): void {
    encodeObservation(obs, layout, this.buf, this.head * this.features, this.inFlight, this.set);
    this.head = (this.head + 1) % this.window;
    this.count = Math.min(this.count + 1, this.window);
  }

  /**
   * Writes the window `[W, F]` (oldest first, zeros before the episode start) into `out` at `offset`; returns the
   * number of zero-padded rows before the first observation.
   */
  write(out: Vec, offset: number): number {
    const { window: W, features: F } = this;
    const missing = W - this.count;
    for (let i = 0; i < missing * F; i++) out[offset + i] = 0;
    for (let k = 0; k < this.count; k++) {
      const slot = (this.head - this.count + k + W) % W;
      const dst = offset + (missing + k) * F;
      for (let f = 0; f < F; f++) out[dst + f] = this.buf[slot * F + f]!;
    }
    return missing;
  }
}
