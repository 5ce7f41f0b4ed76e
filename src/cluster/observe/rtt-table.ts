/**
 * The controller's one RTT store (Eq. 1): the last `window` samples per (user, node) in typed arrays, with the
 * Eq. 1 average (`averageRtt`, core/reward.ts) kept per pair, so building 10k observations of 100 nodes reads 1M
 * numbers and computes nothing. A sample that is not newer than the last one kept is a repeat and is dropped.
 *
 * A sample that is not an RTT (non-finite or negative, e.g. a prober's garbage) poisons the pair while it is in the
 * window: the pair's value is that sample, not a plausible-looking mean of it and good ones, so the observation is
 * invalid and says why (`RTT of edge-2 is negative (-5)`).
 *
 * Users get a slot on first sight and keep it until {@link RttTable.retain} frees it (the workload is gone), so the
 * memory follows the cluster. Nodes are the config's, fixed for the controller's life.
 */
import { averageRtt } from '../../core/reward.js';
import type { Timed } from './types.js';

export class RttTable {
  readonly nodes: number;
  private readonly nodeIndex: ReadonlyMap<string, number>;
  private readonly slots = new Map<string, number>();
  private readonly free: number[] = [];
  private capacity = 0;
  /** [slot·N·W + j·W + k]: ring of the last W samples of pair (slot, j). */
  private ring = new Float64Array(0);
  /** [slot·N + j]: samples held (≤ W), next write position, newest sample time, Eq. 1 average. */
  private count = new Uint16Array(0);
  private head = new Uint16Array(0);
  private lastAt = new Float64Array(0);
  private avg = new Float64Array(0);
  /** One buffer per length 1..W, so the Eq. 1 average is taken without allocating. */
  private readonly scratch: Float64Array[];

  /** `nodes`: the config's node names, in observation order (fixed for the table's life). */
  constructor(nodes: readonly string[], private readonly window: number) {
    if (!Number.isInteger(window) || window < 1 || window > 65535) throw new RangeError(`RttTable: window must be in 1..65535, got ${window}`);
    this.nodes = nodes.length;
    this.nodeIndex = new Map(nodes.map((n, j) => [n, j]));
    this.scratch = Array.from({ length: window + 1 }, (_, k) => new Float64Array(k));
    this.grow(64);
  }

  get users(): number {
    return this.slots.size;
  }

  private grow(min: number): void {
    if (min <= this.capacity) return;
    const cap = Math.max(min, this.capacity * 2);
    const N = this.nodes, W = this.window;
    const copy = <T extends Float64Array | Uint16Array>(old: T, make: (n: number) => T, per: number, fill?: number): T => {
      const a = make(cap * per);
      if (fill !== undefined) (a as Float64Array).fill(fill);
      a.set(old);
      return a;
    };
    this.ring = copy(this.ring, (n) => new Float64Array(n), N * W);
    this.count = copy(this.count, (n) => new Uint16Array(n), N);
    this.head = copy(this.head, (n) => new Uint16Array(n), N);
    this.lastAt = copy(this.lastAt, (n) => new Float64Array(n), N, Number.NEGATIVE_INFINITY);
    this.avg = copy(this.avg, (n) => new Float64Array(n), N, Number.NaN);
    this.capacity = cap;
  }

  /** The user's slot, made on first sight. */
  slot(user: string): number {
    let s = this.slots.get(user);
    if (s !== undefined) return s;
    s = this.free.pop() ?? this.slots.size;
    this.grow(s + 1);
    this.slots.set(user, s);
    this.clearSlot(s);
    return s;
  }

  /** The user's slot, or -1 when nothing was ever pushed for it. */
  find(user: string): number {
    return this.slots.get(user) ?? -1;
  }

  private clearSlot(s: number): void {
    const N = this.nodes;
    this.count.fill(0, s * N, (s + 1) * N);
    this.head.fill(0, s * N, (s + 1) * N);
    this.lastAt.fill(Number.NEGATIVE_INFINITY, s * N, (s + 1) * N);
    this.avg.fill(Number.NaN, s * N, (s + 1) * N);
  }

  /** Add one sample of (slot, node j); a sample not newer than the newest kept is a repeat and is ignored. */
  push(slot: number, j: number, valueMs: number, atMs: number): void {
    const p = slot * this.nodes + j;
    if (!(atMs > this.lastAt[p]!)) return;
    const W = this.window;
    const base = p * W;
    this.ring[base + this.head[p]!] = valueMs;
    this.head[p] = (this.head[p]! + 1) % W;
    if (this.count[p]! < W) this.count[p]!++;
    this.lastAt[p] = atMs;
    const k = this.count[p]!;
    // The newest garbage sample still in the window, walking back from the newest sample.
    for (let i = 1; i <= k; i++) {
      const v = this.ring[base + ((this.head[p]! - i + W) % W)]!;
      if (!(v >= 0) || v === Number.POSITIVE_INFINITY) {
        this.avg[p] = v;
        return;
      }
    }
    const buf = this.scratch[k]!;
    for (let i = 0; i < k; i++) buf[i] = this.ring[base + i]!;
    this.avg[p] = averageRtt(buf);
  }

  /** Add a source's samples of (user, node name), oldest first; a node outside the config is ignored. */
  pushSamples(user: string, node: string, samples: readonly Timed[]): void {
    const j = this.nodeIndex.get(node);
    if (j === undefined || samples.length === 0) return;
    const s = this.slot(user);
    for (const x of samples) this.push(s, j, x.value, x.atMs);
  }

  /** Eq. 1 value of (user, node name) and the time of its newest sample; undefined when there is none. */
  get(user: string, node: string): Timed | undefined {
    const s = this.find(user), j = this.nodeIndex.get(node);
    if (s < 0 || j === undefined) return undefined;
    const atMs = this.newestAt(s, j);
    return atMs === Number.NEGATIVE_INFINITY ? undefined : { value: this.average(s, j), atMs };
  }

  /** Free one user's slot (its workloads are gone). */
  forgetUser(user: string): void {
    const s = this.slots.get(user);
    if (s === undefined) return;
    this.slots.delete(user);
    this.free.push(s);
  }

  /** Eq. 1 average of (slot, j); NaN when no sample was kept. */
  average(slot: number, j: number): number {
    return this.avg[slot * this.nodes + j]!;
  }

  /** Time of the newest sample of (slot, j); -Infinity when none. */
  newestAt(slot: number, j: number): number {
    return this.lastAt[slot * this.nodes + j]!;
  }

  /**
   * Copy the slot's N averages into `out[offset..]` and return the age of its oldest newest sample (ms), or NaN
   * when a pair has no sample, a value that is no RTT (non-finite, negative: a poisoned window), or is older than
   * `maxAgeMs` (the caller forces Wait then, and words why from {@link get}).
   */
  readRow(slot: number, out: Float64Array, offset: number, nowMs: number, maxAgeMs: number): number {
    const N = this.nodes, p = slot * N;
    out.set(this.avg.subarray(p, p + N), offset);
    const avg = this.avg, lastAt = this.lastAt;
    let oldest = 0;
    for (let j = 0; j < N; j++) {
      const age = nowMs - lastAt[p + j]!;
      const v = avg[p + j]!;
      if (!(age <= maxAgeMs) || !(v >= 0) || v === Number.POSITIVE_INFINITY) return Number.NaN;
      if (age > oldest) oldest = age;
    }
    return oldest;
  }

  /** Free the slots of users not in `keep` (their workloads are gone). */
  retain(keep: ReadonlySet<string>): void {
    for (const [u, s] of this.slots) {
      if (keep.has(u)) continue;
      this.slots.delete(u);
      this.free.push(s);
    }
  }
}
