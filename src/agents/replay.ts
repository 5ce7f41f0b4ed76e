/**
 * Replay memory with keras-rl2 `SequentialMemory` semantics: each observation is stored once, in order; a sampled
 * state is the window of the last W observations ending at the sampled one, zero-padded at the episode start and
 * never crossing into the previous episode. Capacity 20,000 entries (Table II "Replay buffer size").
 *
 * Layout: a ring of entries. Entry i holds the encoded observation o_i, its position in the episode, the legal
 * action mask, and — once the agent has acted — the action, reward and `terminated` flag of the transition
 * leaving it. The successor of a non-final entry is entry i+1, always of the same episode: after every step the
 * next observation is pushed, and at an episode's end the last observation is pushed as a *final* entry (no
 * action). keras-rl2 does the same with its extra `forward/backward(0, terminal=False)` at episode end, then skips
 * the bogus final→reset transition by checking `terminals[idx − 2]`; we mark finals instead.
 *
 * Deliberate differences from keras-rl2, all documented here:
 * - `terminated` and `truncated` are separate (Gymnasium): a truncated episode's last transition bootstraps from
 *   its final observation; keras-rl2 stores `done` for both and never bootstraps at a time limit.
 * - The legal-action mask of each state is stored, so targets maximise over legal actions only.
 * - When the ring has overwritten part of a window's history, the missing steps are zero-padded (keras-rl2 would
 *   read whatever the ring holds there).
 * - Samples are drawn uniformly over valid entries without replacement within a batch, by rejection; keras-rl2
 *   draws without replacement over the index range and re-draws (with replacement) transitions that start at an
 *   episode's final observation.
 *
 * Prioritized replay (beyond the paper and keras-rl2; Schaul et al. 2016, proportional variant), when the memory
 * is built with a priority exponent α: a {@link SumTree} holds p_i^α for every entry, and an entry's leaf is
 * positive exactly when it is sampleable. So the memory's rules hold unchanged: a final entry never gets a
 * priority (it has no action); the newest entry gets its priority (the running max, Alg. 1 line 6) only when its
 * successor is pushed; an overwritten entry's leaf is zeroed by the push that overwrites it. Windows and n-step
 * returns are built from the drawn entries exactly as for uniform draws. {@link sample} (uniform) never reads the
 * tree, so its draws do not depend on whether priorities are kept.
 */
import type { Rng } from '../core/rng.js';
import type { Vec } from '../nn/backend.js';
import { SumTree } from './sum-tree.js';

/** One sampled batch (indices into the memory plus n-step targets' ingredients). */
export interface ReplayBatch {
  size: number;
  /** Entry of the state s_t. */
  state: Int32Array;
  action: Int32Array;
  /** Σ_{k<m} γ^k r_{t+k}, with m = min(n, steps to the episode end). */
  returns: Float64Array;
  /** Entry of the bootstrap state s_{t+m}. */
  next: Int32Array;
  /** γ^m, or 0 when the episode terminated within the m steps (no bootstrap). */
  discount: Float64Array;
}

export class SequentialMemory {
  private readonly feats: Float32Array;
  /** Legal-action masks of every entry, `nActions` bytes each (read-only outside this class). */
  readonly masks: Uint8Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float64Array;
  private readonly terminated: Uint8Array;
  private readonly pos: Int32Array;
  private nextSlot = 0;
  private count = 0;
  private readonly used: Uint8Array;
  /** p_i^α per entry (prioritized replay only). */
  private readonly priorities: SumTree | null;
  /** max_i p_i over every priority set so far (raw, before ^α); new transitions get it. Alg. 1: p_1 = 1. */
  private maxPriority = 1;

  /**
   * @param limit capacity in entries (observations).
   * @param features floats per encoded observation.
   * @param nActions size of the action space (mask width).
   * @param window W, observations per state.
   * @param priorityAlpha α of prioritized replay (P(i) ∝ p_i^α); null = uniform replay only (no tree).
   */
  constructor(readonly limit: number, readonly features: number, readonly nActions: number, readonly window: number, readonly priorityAlpha: number | null = null) {
    this.feats = new Float32Array(limit * features);
    this.masks = new Uint8Array(limit * nActions);
    this.actions = new Int32Array(limit).fill(-1);
    this.rewards = new Float64Array(limit);
    this.terminated = new Uint8Array(limit);
    this.pos = new Int32Array(limit);
    this.used = new Uint8Array(limit);
    this.priorities = priorityAlpha === null ? null : new SumTree(limit);
  }

  /** Entries stored. */
  get size(): number {
    return this.count;
  }

  /**
   * Store an observation's features (read from `src` at `srcOffset`), its step index in the episode and its legal
   * actions. Returns the entry index. The transition leaving it is set later by {@link setTransition}.
   */
  push(src: ArrayLike<number>, srcOffset: number, positionInEpisode: number, mask: Uint8Array | null): number {
    const i = this.nextSlot;
    if (this.priorities) {
      // The newest entry stops being the newest: if it was acted on, it becomes sampleable now.
      const newest = (i - 1 + this.limit) % this.limit;
      if (this.count > 0 && newest !== i && this.actions[newest]! >= 0 && this.priorities.get(newest) === 0) this.priorities.set(newest, this.maxPriority ** this.priorityAlpha!);
      this.priorities.set(i, 0);
    }
    const F = this.features;
    for (let f = 0; f < F; f++) this.feats[i * F + f] = src[srcOffset + f]!;
    for (let a = 0; a < this.nActions; a++) this.masks[i * this.nActions + a] = mask ? mask[a]! : 1;
    this.actions[i] = -1;
    this.rewards[i] = 0;
    this.terminated[i] = 0;
    this.pos[i] = positionInEpisode;
    this.nextSlot = (i + 1) % this.limit;
    this.count = Math.min(this.count + 1, this.limit);
    return i;
  }

  /** Record the action taken at entry `i`, its reward and whether it terminated the episode. */
  setTransition(i: number, action: number, reward: number, terminated: boolean): void {
    this.actions[i] = action;
    this.rewards[i] = reward;
    this.terminated[i] = terminated ? 1 : 0;
    // The newest entry gets its priority when its successor is pushed (see push).
    if (this.priorities && this.sampleable(i) && this.priorities.get(i) === 0) this.priorities.set(i, this.maxPriority ** this.priorityAlpha!);
  }

  /** Distance of entry `i` from the oldest stored entry, in ring order. */
  private age(i: number): number {
    const oldest = (this.nextSlot - this.count + this.limit) % this.limit;
    return (i - oldest + this.limit) % this.limit;
  }

  /** True when entry `i` starts a complete transition (acted on, and its successor is stored). */
  private sampleable(i: number): boolean {
    const newest = (this.nextSlot - 1 + this.limit) % this.limit;
    return this.actions[i]! >= 0 && i !== newest;
  }

  /**
   * Writes the window `[W, F]` ending at entry `i` into `out` at `offset`: the entry and up to W − 1
   * predecessors of the same episode that are still stored, oldest first, zeros before. Returns the number of
   * zero rows.
   */
  writeState(i: number, out: Vec, offset: number): number {
    const W = this.window, F = this.features, feats = this.feats;
    const history = W === 1 ? 0 : Math.min(this.pos[i]!, W - 1, this.age(i));
    const missing = W - 1 - history;
    const pad = missing * F;
    for (let k = 0; k < pad; k++) out[offset + k] = 0;
    const first = i - history;
    if (first >= 0) {
      // The window does not wrap around the ring: one contiguous run of (history + 1)·F floats. This is the hot
      // path (64 windows a step); a per-entry `% limit` cost more than the copy itself (bench/README.md).
      const src = first * F, dst = offset + pad, n = (history + 1) * F;
      for (let k = 0; k < n; k++) out[dst + k] = feats[src + k]!;
      return missing;
    }
    for (let k = 0; k <= history; k++) {
      const e = (first + k + this.limit) % this.limit;
      const dst = offset + (missing + k) * F;
      for (let f = 0; f < F; f++) out[dst + f] = feats[e * F + f]!;
    }
    return missing;
  }

  /** Legal-action mask of entry `i` (a view; do not keep). Hot loops use {@link masks} at {@link maskOffset}. */
  maskOf(i: number): Uint8Array {
    return this.masks.subarray(i * this.nActions, (i + 1) * this.nActions);
  }

  /** Where entry `i`'s mask starts in {@link masks} (`nActions` bytes), so a batch reads masks without a view each. */
  maskOffset(i: number): number {
    return i * this.nActions;
  }

  /** Number of sampleable transitions (O(n); for tests and warm-up checks). */
  countSampleable(): number {
    let n = 0;
    for (let k = 0; k < this.count; k++) {
      const i = (this.nextSlot - this.count + k + this.limit) % this.limit;
      if (this.sampleable(i)) n++;
    }
    return n;
  }

  /**
   * Sample `batch.size` distinct transitions uniformly and compute their n-step returns. Returns false when fewer
   * than `batch.size` transitions are sampleable (nothing is written then).
   */
  sample(rng: Rng, batch: ReplayBatch, nStep: number, gamma: number): boolean {
    const B = batch.size;
    if (this.count < B + 1) return false;
    let drawn = 0;
    let attempts = 0;
    const { limit, count, actions, used } = this;
    const oldest = (this.nextSlot - count + limit) % limit;
    const newest = (this.nextSlot - 1 + limit) % limit;
    while (drawn < B) {
      if (++attempts > 100 * B + 1000) return false;
      let i = oldest + rng.int(count);
      if (i >= limit) i -= limit;
      // sampleable(i), inlined with `newest` hoisted out of the loop.
      if (actions[i]! < 0 || i === newest || used[i]) continue;
      used[i] = 1;
      batch.state[drawn] = i;
      drawn++;
    }
    for (let b = 0; b < B; b++) this.used[batch.state[b]!] = 0;
    this.fillTransitions(batch, nStep, gamma);
    return true;
  }

  /** Actions, n-step returns, bootstrap entries and discounts of the states in `batch.state`. */
  private fillTransitions(batch: ReplayBatch, nStep: number, gamma: number): void {
    for (let b = 0; b < batch.size; b++) {
      const i = batch.state[b]!;
      batch.action[b] = this.actions[i]!;
      let ret = 0, g = 1, e = i, done = false;
      for (let k = 0; k < nStep; k++) {
        ret += g * this.rewards[e]!;
        g *= gamma;
        if (this.terminated[e]) { done = true; break; }
        const nx = (e + 1) % this.limit;
        e = nx;
        // Stop at the episode's final observation or at the newest entry (no action yet): bootstrap from it.
        if (!this.sampleable(e) || k === nStep - 1) break;
      }
      batch.returns[b] = ret;
      batch.next[b] = done ? i : e;
      batch.discount[b] = done ? 0 : g;
    }
  }

  /**
   * Prioritized draw (Schaul et al. 2016, proportional variant, App. B.2.1): the priority mass is cut into
   * `batch.size` equal segments and one entry is drawn from each, so P(i) = p_i^α / Σ_k p_k^α, with replacement
   * across segments. `weights[b]` receives the importance-sampling weight (N·P(i))^−β divided by the batch's
   * largest (Alg. 1 line 10); N cancels in that ratio, leaving (p_min / p_i)^{αβ} with p_min the batch's smallest
   * priority. Returns false (nothing written) under the same condition as {@link sample}, or when nothing is
   * sampleable. Throws when the memory keeps no priorities.
   */
  samplePrioritized(rng: Rng, batch: ReplayBatch, nStep: number, gamma: number, beta: number, weights: Float64Array): boolean {
    const tree = this.priorities;
    if (!tree) throw new Error('SequentialMemory.samplePrioritized: this memory keeps no priorities (construct it with priorityAlpha)');
    const B = batch.size;
    const total = tree.total;
    if (this.count < B + 1 || !(total > 0)) return false;
    const segment = total / B;
    let minP = Infinity;
    for (let b = 0; b < B; b++) {
      const i = tree.find((b + rng.uniform()) * segment);
      batch.state[b] = i;
      const p = tree.get(i);
      weights[b] = p;
      if (p < minP) minP = p;
    }
    for (let b = 0; b < B; b++) weights[b] = (minP / weights[b]!) ** beta;
    this.fillTransitions(batch, nStep, gamma);
    return true;
  }

  /**
   * After an update on a prioritized batch: p_i = |δ_i| + ε for each drawn entry (Alg. 1 line 12), stored as
   * p_i^α; the running max follows. A duplicate entry keeps its last error.
   */
  updatePriorities(entries: Int32Array, tdErrors: Float64Array, rows: number, epsilon: number): void {
    const tree = this.priorities;
    if (!tree) throw new Error('SequentialMemory.updatePriorities: this memory keeps no priorities (construct it with priorityAlpha)');
    for (let b = 0; b < rows; b++) {
      const i = entries[b]!;
      // Still sampleable (nothing was pushed since the draw in the agent's loop; the guard keeps the invariant).
      if (tree.get(i) === 0) continue;
      const p = Math.abs(tdErrors[b]!) + epsilon;
      if (p > this.maxPriority) this.maxPriority = p;
      tree.set(i, p ** this.priorityAlpha!);
    }
  }

  /** p_i^α of entry `i` (0 when not sampleable); NaN without priorities. For tests. */
  priorityOf(i: number): number {
    return this.priorities ? this.priorities.get(i) : Number.NaN;
  }
}

/** A batch buffer for {@link SequentialMemory.sample}. */
export function makeReplayBatch(size: number): ReplayBatch {
  return {
    size,
    state: new Int32Array(size),
    action: new Int32Array(size),
    returns: new Float64Array(size),
    next: new Int32Array(size),
    discount: new Float64Array(size),
  };
}
