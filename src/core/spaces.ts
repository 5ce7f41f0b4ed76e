/**
 * Gymnasium-style spaces. Remora's agents see only these and the {@link Env} contract.
 */

/** A box in R^n: `low[i] <= x[i] <= high[i]`. Shape is flat (`[n]`) for every Remora env. */
export interface BoxSpace {
  readonly kind: 'box';
  /** Shape of one observation; Remora uses flat vectors, so `[n]`. */
  readonly shape: readonly number[];
  /** Inclusive lower bound per component (units are those of the component, see the env's docs). */
  readonly low: Float64Array;
  /** Inclusive upper bound per component. */
  readonly high: Float64Array;
  /** Human-readable name per component, e.g. `R_2 [ms]`. Same length as `low`. */
  readonly labels: readonly string[];
}

/** A discrete space `{0, 1, ..., n-1}`. */
export interface DiscreteSpace {
  readonly kind: 'discrete';
  /** Number of actions. */
  readonly n: number;
  /** Human-readable name per action, e.g. `Wait`, `Migrate to node 2`. */
  readonly labels: readonly string[];
}

export function box(low: ArrayLike<number>, high: ArrayLike<number>, labels: readonly string[]): BoxSpace {
  if (low.length !== high.length || labels.length !== low.length) {
    throw new RangeError(`box: low (${low.length}), high (${high.length}) and labels (${labels.length}) lengths differ`);
  }
  for (let i = 0; i < low.length; i++) {
    if (!(low[i]! <= high[i]!)) throw new RangeError(`box: low[${i}]=${low[i]} > high[${i}]=${high[i]}`);
  }
  return { kind: 'box', shape: [low.length], low: Float64Array.from(low), high: Float64Array.from(high), labels };
}

export function discrete(n: number, labels: readonly string[]): DiscreteSpace {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`discrete: n must be a positive integer, got ${n}`);
  if (labels.length !== n) throw new RangeError(`discrete: ${n} actions but ${labels.length} labels`);
  return { kind: 'discrete', n, labels };
}

/** Index of the first component outside the box (or non-finite), or -1 when `x` lies in it. */
export function boxViolation(space: BoxSpace, x: ArrayLike<number>): number {
  if (x.length !== space.low.length) return x.length;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!(v >= space.low[i]! && v <= space.high[i]!)) return i;
  }
  return -1;
}

export function containsAction(space: DiscreteSpace, a: number): boolean {
  return Number.isInteger(a) && a >= 0 && a < space.n;
}
