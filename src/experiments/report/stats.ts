/**
 * Aggregate statistics over training seeds, following rliable (Agarwal et al., "Deep Reinforcement Learning at the
 * Edge of the Statistical Precipice", NeurIPS 2021; github.com/google-research/rliable).
 *
 * ## Interquartile mean ({@link iqm})
 * rliable's `aggregate_iqm` is `scipy.stats.trim_mean(scores, proportiontocut=0.25, axis=None)`: sort the n scores
 * (all runs of all tasks, flattened), cut `k = floor(0.25 · n)` from **each** end, and take the plain mean of the
 * n − 2k that remain. There is no fractional weighting of the boundary scores: scipy "slices off less if the
 * proportion results in a non-integer slice index", i.e. it trims conservatively. So
 * - n = 1, 2, 3: k = 0, the IQM is the mean;
 * - n = 4, 5, 6, 7: k = 1 (n = 5: the mean of the middle three);
 * - n = 8: k = 2, the mean of ranks 3–6 (for 1..8: 4.5).
 * We implement exactly this, so our numbers agree with rliable's on the same per-seed scores.
 *
 * ## 95 % stratified bootstrap confidence interval ({@link stratifiedBootstrapCi})
 * rliable's `StratifiedBootstrap` (with `task_bootstrap=False`, its default): the scores form strata (tasks; here
 * the evaluation scenarios), each holding one score per run. One bootstrap replicate resamples, **within each
 * stratum independently**, as many runs as the stratum has, uniformly with replacement, and recomputes the
 * aggregate on the resampled strata. rliable's default interval is `method='percentile'`: the α/2 and 1 − α/2
 * empirical quantiles of the replicates (α = 0.05). Quantiles use linear interpolation between order statistics
 * (numpy's default, Hyndman & Fan type 7), see {@link quantile}. rliable defaults to 50,000 replicates; callers
 * choose (`remora sweep` defaults to 10,000, which is plenty for 5–10 runs per stratum).
 *
 * With a single stratum this is the ordinary bootstrap over runs. With one run per stratum (a deterministic
 * heuristic) every replicate equals the estimate and the interval collapses to [x, x].
 *
 * Scores containing NaN give NaN (as numpy would): a run with an undefined score is not silently dropped.
 */
import type { Rng } from '../../core/rng.js';
import { InvalidInputError } from '../../core/errors.js';

/** Scores per stratum: `strata[s][r]` is run r's score on stratum (task / evaluation scenario) s. */
export type Strata = readonly (readonly number[])[];

/**
 * scipy's `trim_mean`: cut `floor(proportionToCut · n)` scores from each end of the sorted scores and average the
 * rest (no fractional weighting; see the module header). NaN when `xs` is empty or contains NaN.
 */
export function trimmedMean(xs: ArrayLike<number>, proportionToCut: number): number {
  if (!(proportionToCut >= 0 && proportionToCut < 0.5)) {
    throw new InvalidInputError({ source: 'trimmedMean', field: 'proportionToCut', expected: 'a number in [0, 0.5)', actual: String(proportionToCut) });
  }
  const n = xs.length;
  if (n === 0) return Number.NaN;
  const s = Float64Array.from(xs);
  for (let i = 0; i < n; i++) if (Number.isNaN(s[i]!)) return Number.NaN;
  s.sort();
  const k = Math.floor(proportionToCut * n);
  let sum = 0;
  for (let i = k; i < n - k; i++) sum += s[i]!;
  return sum / (n - 2 * k);
}

/** Interquartile mean: the 25 % trimmed mean of the scores, exactly rliable's `aggregate_iqm` (see the header). */
export function iqm(xs: ArrayLike<number>): number {
  return trimmedMean(xs, 0.25);
}

/** IQM over all runs of all strata, flattened (rliable's `aggregate_iqm` with `axis=None`). */
export function iqmOfStrata(strata: Strata): number {
  return iqm(strata.flat());
}

/**
 * The q-quantile of ascending `sorted` values by linear interpolation between order statistics: h = (n − 1)·q,
 * value = s[⌊h⌋] + (h − ⌊h⌋)·(s[⌊h⌋ + 1] − s[⌊h⌋]) (numpy's default `linear`, Hyndman & Fan type 7).
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo]!, b = sorted[hi]!;
  return lo === hi || a === b ? a : a + (h - lo) * (b - a);
}

export interface BootstrapOptions {
  /** Source of the resampling draws (pass a fresh, seeded `Rng` for a reproducible interval). */
  rng: Rng;
  /** Bootstrap replicates (default 10,000). */
  reps?: number;
  /** Coverage of the two-sided interval (default 0.95). */
  confidence?: number;
}

/**
 * Percentile confidence interval of `statistic` by the stratified bootstrap (rliable's method; see the header).
 * Each replicate resamples every stratum's runs with replacement, independently per stratum.
 * @returns `[lo, hi]`; `[NaN, NaN]` when a stratum is empty or the statistic is NaN on the data.
 */
export function stratifiedBootstrapCi(strata: Strata, statistic: (resampled: Strata) => number, opts: BootstrapOptions): [number, number] {
  const reps = opts.reps ?? 10_000;
  const confidence = opts.confidence ?? 0.95;
  if (!Number.isInteger(reps) || reps < 1) throw new InvalidInputError({ source: 'stratifiedBootstrapCi', field: 'reps', expected: 'an integer >= 1', actual: String(reps) });
  if (!(confidence > 0 && confidence < 1)) throw new InvalidInputError({ source: 'stratifiedBootstrapCi', field: 'confidence', expected: 'a number in (0, 1)', actual: String(confidence) });
  if (strata.length === 0 || strata.some((s) => s.length === 0) || Number.isNaN(statistic(strata))) return [Number.NaN, Number.NaN];
  // One reusable buffer per stratum: the replicate loop allocates nothing.
  const buffers = strata.map((s) => new Array<number>(s.length));
  const replicates = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    for (let s = 0; s < strata.length; s++) {
      const src = strata[s]!, dst = buffers[s]!;
      for (let i = 0; i < src.length; i++) dst[i] = src[opts.rng.int(src.length)]!;
    }
    replicates[r] = statistic(buffers);
  }
  replicates.sort();
  const alpha = 1 - confidence;
  return [quantile(replicates, alpha / 2), quantile(replicates, 1 - alpha / 2)];
}

/** An aggregate with its interval. */
export interface IntervalEstimate {
  /** IQM of all runs of all strata. */
  iqm: number;
  /** Stratified-bootstrap percentile interval of the IQM at `confidence` (default 95 %). */
  ci: [number, number];
}

/** The IQM of the strata and its stratified-bootstrap percentile confidence interval. */
export function iqmWithCi(strata: Strata, opts: BootstrapOptions): IntervalEstimate {
  return { iqm: iqmOfStrata(strata), ci: stratifiedBootstrapCi(strata, iqmOfStrata, opts) };
}
