/**
 * A sum tree over `capacity` non-negative leaf values: set a leaf, read the total, and find the leaf whose prefix
 * interval contains a value, each in O(log capacity) without allocation. Prioritized replay (Schaul et al. 2016,
 * Sec. 3.3 and App. B.2.1) keeps one leaf per replay entry.
 *
 * Layout: a complete binary tree in one array, root at 1, children of k at 2k and 2k + 1, leaves at
 * `[size, 2·size)` with `size` the next power of two ≥ capacity (unused leaves stay 0). Internal sums are recomputed
 * from their children on every set, never adjusted by differences, so rounding does not accumulate over millions
 * of updates.
 */
export class SumTree {
  private readonly size: number;
  private readonly nodes: Float64Array;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`SumTree: capacity must be a positive integer, got ${capacity}`);
    let size = 1;
    while (size < capacity) size *= 2;
    this.size = size;
    this.nodes = new Float64Array(2 * size);
  }

  /** Σ of all leaves. */
  get total(): number {
    return this.nodes[1]!;
  }

  /** Leaf `i`'s value. */
  get(i: number): number {
    return this.nodes[this.size + i]!;
  }

  /** Set leaf `i` to `value` (≥ 0, finite) and update its ancestors. */
  set(i: number, value: number): void {
    if (!(value >= 0 && value < Infinity)) throw new RangeError(`SumTree.set: value must be finite and >= 0, got ${value}`);
    let k = this.size + i;
    this.nodes[k] = value;
    for (k >>= 1; k >= 1; k >>= 1) this.nodes[k] = this.nodes[2 * k]! + this.nodes[2 * k + 1]!;
  }

  /**
   * The leaf i with `Σ_{j<i} v_j ≤ u < Σ_{j≤i} v_j`, for u in [0, total). Never returns a zero leaf while the
   * total is positive: at a node whose right subtree sums to 0 the descent goes left whatever u is, so a u that
   * rounding pushed to (or past) the total lands on the last positive leaf instead of an empty one.
   * Returns −1 when the total is 0.
   */
  find(u: number): number {
    if (!(this.nodes[1]! > 0)) return -1;
    let k = 1;
    let rest = u < 0 ? 0 : u;
    while (k < this.size) {
      const left = this.nodes[2 * k]!;
      if (rest < left || !(this.nodes[2 * k + 1]! > 0)) {
        k = 2 * k;
      } else {
        rest -= left;
        k = 2 * k + 1;
      }
    }
    return k - this.size;
  }

  /** Set every leaf to 0. */
  clear(): void {
    this.nodes.fill(0);
  }
}
