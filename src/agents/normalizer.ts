/**
 * Optional standardisation of the encoded features (`observationNorm: 'running'`, config.ts), applied after the
 * fixed arithmetic of features.ts, when a network input is written: x′ = clip((x − μ_s) / σ_s, ±10), as
 * Stable-Baselines3's `VecNormalize` (σ = √(var + 1e-8), `clip_obs = 10`).
 *
 * Statistics are kept per *feature kind* s = f mod S over the encoded vector: for the flat layout S is the whole
 * feature vector (one statistic per node and kind); for the node-sequence layout S is the features per node, pooled
 * over nodes, so a size-agnostic network stays size-agnostic (its statistics do not depend on N).
 *
 * The replay memory and the observation windows keep the *raw* encoded features, and the current statistics are
 * applied when a window is written into a network input (SB3 does the same with its replay buffer). Consequence:
 * while training, one stored state maps to slowly drifting inputs as the statistics move; after training they are
 * frozen ({@link RunningNormalizer.snapshot}) and saved in model.json. Zero-padded window rows (before an episode's
 * start) stay zero: only real observations are standardised.
 */
import type { Vec } from '../nn/backend.js';
import { featureSize, featuresPerNode, type FeatureLayout } from './features.js';

/** SB3 `VecNormalize` defaults. */
export const NORMALIZER_EPSILON = 1e-8;
export const NORMALIZER_CLIP = 10;

/** A per-feature-kind affine map, applied in place. */
export interface FeatureNormalizer {
  /** Statistics per feature kind (S). */
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /**
   * Standardise `count` features of `out` from `offset` in place; `offset` is the start of an encoded observation
   * and `count` a multiple of S (one or more whole observations).
   */
  normalize(out: Vec, offset: number, count: number): void;
}

function apply(mean: Float64Array, std: Float64Array, out: Vec, offset: number, count: number): void {
  const S = mean.length;
  for (let k = 0, s = 0; k < count; k++) {
    const z = (out[offset + k] - mean[s]!) / std[s]!;
    out[offset + k] = z > NORMALIZER_CLIP ? NORMALIZER_CLIP : z < -NORMALIZER_CLIP ? -NORMALIZER_CLIP : z;
    if (++s === S) s = 0;
  }
}

/** Frozen statistics (a saved model's, or a snapshot of a training agent's). */
export class FixedNormalizer implements FeatureNormalizer {
  constructor(readonly mean: Float64Array, readonly std: Float64Array) {
    if (mean.length !== std.length || mean.length === 0) throw new RangeError(`FixedNormalizer: mean and std must have the same positive length, got ${mean.length} and ${std.length}`);
  }

  normalize(out: Vec, offset: number, count: number): void {
    apply(this.mean, this.std, out, offset, count);
  }
}

/** Running mean and variance per feature kind (Welford's online algorithm), updated from raw encoded features. */
export class RunningNormalizer implements FeatureNormalizer {
  readonly mean: Float64Array;
  readonly std: Float64Array;
  private readonly m2: Float64Array;
  private readonly n: Float64Array;

  /** @param kinds S, the number of statistics (see the module comment). */
  constructor(readonly kinds: number) {
    this.mean = new Float64Array(kinds);
    this.std = new Float64Array(kinds).fill(1);
    this.m2 = new Float64Array(kinds);
    this.n = new Float64Array(kinds);
  }

  /** Add one encoded observation (`count` features, a multiple of S, read from `src` at `offset`). */
  update(src: ArrayLike<number>, offset: number, count: number): void {
    const S = this.kinds;
    for (let k = 0, s = 0; k < count; k++) {
      const x = src[offset + k]!;
      const n = this.n[s]! + 1;
      const d = x - this.mean[s]!;
      const mean = this.mean[s]! + d / n;
      this.n[s] = n;
      this.mean[s] = mean;
      this.m2[s] = this.m2[s]! + d * (x - mean);
      if (++s === S) s = 0;
    }
    for (let s = 0; s < S; s++) this.std[s] = this.n[s]! > 0 ? Math.sqrt(this.m2[s]! / this.n[s]! + NORMALIZER_EPSILON) : 1;
  }

  normalize(out: Vec, offset: number, count: number): void {
    apply(this.mean, this.std, out, offset, count);
  }

  /** A frozen copy of the current statistics. */
  snapshot(): FixedNormalizer {
    return new FixedNormalizer(Float64Array.from(this.mean), Float64Array.from(this.std));
  }
}

/** S for `nodes` nodes: the whole encoded vector (flat) or the features per node (node-sequence). */
export function normalizerKinds(layout: FeatureLayout, nodes: number, inFlight: boolean): number {
  return layout === 'flat' ? featureSize(nodes, inFlight) : featuresPerNode(inFlight);
}
