/**
 * The coordinated decision step (beyond the paper: the paper follows one UE). A per-user policy applied to
 * everyone herds: when every service follows its user to the least-loaded node, that node is overloaded at the next
 * tick (a migration storm). This step takes every user's candidate migrations for one tick and picks a feasible set:
 *
 * 1. candidates are ranked by their gain (the policy's advantage of moving over staying, in reward units), or by
 *    a caller's `priority` per candidate (e.g. `agents/fleet/deferral-priority.ts`: what deferring the user costs
 *    later, per slot-tick its migration holds); the gain still decides whether a move is worth making at all;
 * 2. each acceptance adds the service's demand to the target's projected use, so later decisions in the same tick
 *    see the load of the decisions already taken (a target whose projected utilisation would pass `targetCeiling`
 *    refuses; with a `rescore` callback, a candidate whose target's load changed since it was scored is re-scored
 *    at the projected load and re-ranked: lazy greedy, exact when gains do not rise with load);
 * 3. the caps are respected, with KubeVirt's defaults as the model: `parallelOutboundMigrationsPerNode` (2) counts
 *    migrations leaving a node, in flight or accepted now, and `parallelMigrationsPerCluster` (5) all of them.
 *
 * Nothing is dropped silently: every user with a candidate ends with either an accepted target or the reason of
 * its best refused candidate ({@link DeferReason}). The twin's fleet policies and the controller's bulk path both
 * call {@link coordinate}; it is pure, allocation-light (typed arrays reused through {@link CoordinationScratch})
 * and O(C log C) in the number of candidates C.
 *
 * Units: `used`, `capacity` and `demand` share one absolute unit of the caller's choosing (the twin uses percent of a
 * reference node, the controller millicores); utilisation is `used / capacity`.
 */
import { z } from 'zod';
import { MigrationCapsSchema } from '../core/migration-caps.js';

/** Coordination settings (zod with defaults; types by `z.infer`): the caps (`core/migration-caps.ts`, KubeVirt's 2/5) and the step's own knobs. */
export const CoordinationConfigSchema = MigrationCapsSchema.extend({
  /**
   * The highest projected utilisation (used / capacity) a target may reach by accepting a migration. 0.9 leaves a
   * tenth of a node as headroom for the background load's own swings (a choice, not the paper's; configurable).
   */
  targetCeiling: z.number().positive().max(1).default(0.9),
  /** Candidates with a gain at or below this (reward units) are not worth a move. */
  minGain: z.number().min(0).default(0),
}).strict();
export type CoordinationConfig = z.infer<typeof CoordinationConfigSchema>;
export const DEFAULT_COORDINATION: CoordinationConfig = CoordinationConfigSchema.parse({});

/** Why a user's wish to move was not granted this tick (codes in {@link CoordinationResult.reason}). */
export const DeferReason = {
  /** Accepted: the user moves to `target`. */
  accepted: 0,
  /** No candidate, or none with a gain above `minGain`: staying is best. */
  none: 1,
  /** The user is busy (a migration of its service is already in flight). */
  busy: 2,
  /** `parallelMigrationsPerCluster` reached. */
  clusterCap: 3,
  /** `parallelOutboundMigrationsPerNode` reached on the source node. */
  nodeCap: 4,
  /** The target would pass `targetCeiling` with this service on it. */
  capacity: 5,
} as const;
export type DeferReasonCode = (typeof DeferReason)[keyof typeof DeferReason];
/** The names of {@link DeferReason} codes, for metrics and Events (index = code). */
export const DEFER_REASON_NAMES: readonly string[] = ['accepted', 'none', 'busy', 'cluster-cap', 'node-cap', 'capacity'];

/** The state of the cluster at the start of the tick. */
export interface FleetLoad {
  /** Per node: use now (background + hosted services + in-flight reservations), absolute units. */
  used: ArrayLike<number>;
  /** Per node: capacity, same units. Must be > 0. */
  capacity: ArrayLike<number>;
  /** Per node: migrations leaving it that are in flight now. */
  outboundInFlight: ArrayLike<number>;
  /** Migrations in flight in the whole cluster now. */
  clusterInFlight: number;
}

/**
 * Candidate migrations, structure-of-arrays, `count` entries. A user may appear several times (its best targets in
 * any order); at most one of its candidates is accepted.
 */
export interface Candidates {
  count: number;
  user: ArrayLike<number>;
  from: ArrayLike<number>;
  to: ArrayLike<number>;
  /** Advantage of this move over staying (reward units), scored at the target's current use. */
  gain: ArrayLike<number>;
  /** The service's demand, in the units of {@link FleetLoad.used}. */
  demand: ArrayLike<number>;
}

/**
 * Re-scores candidate `i` as if its target's use were `projectedUsed` (called only when the target gained load in
 * this tick after the candidate was scored). Return the new gain.
 */
export type Rescore = (i: number, projectedUsed: number) => number;

export interface CoordinationResult {
  /** Per user: the accepted target node, or -1. */
  target: Int32Array;
  /** Per user: a {@link DeferReason} code. Users without any candidate keep `none`. */
  reason: Uint8Array;
  /** Per user: the gain of the accepted candidate, or of the best refused one (NaN without candidates). */
  gain: Float64Array;
  /** Indices of accepted candidates, in acceptance order (highest gain, or highest `priority` when given, first). */
  accepted: number[];
  /** Projected use per node after the accepted migrations (the target's demand added; sources keep theirs while in flight). */
  projectedUsed: Float64Array;
}

/** Reusable buffers, so a controller or fleet twin ticking at 10k users allocates nothing per tick. */
export class CoordinationScratch {
  order = new Int32Array(0);
  keys = new Float64Array(0);
  /** The candidate's gain as last (re-)scored. */
  gains = new Float64Array(0);
  stamp = new Int32Array(0);
  nodeVersion = new Int32Array(0);
  outbound = new Int32Array(0);
  result: CoordinationResult = {
    target: new Int32Array(0),
    reason: new Uint8Array(0),
    gain: new Float64Array(0),
    accepted: [],
    projectedUsed: new Float64Array(0),
  };
  ensure(users: number, nodes: number, candidates: number): void {
    if (this.order.length < candidates) {
      this.order = new Int32Array(candidates);
      this.keys = new Float64Array(candidates);
      this.gains = new Float64Array(candidates);
      this.stamp = new Int32Array(candidates);
    }
    if (this.nodeVersion.length < nodes) {
      this.nodeVersion = new Int32Array(nodes);
      this.outbound = new Int32Array(nodes);
    }
    const r = this.result;
    if (r.target.length !== users) {
      r.target = new Int32Array(users);
      r.reason = new Uint8Array(users);
      r.gain = new Float64Array(users);
    }
    if (r.projectedUsed.length !== nodes) r.projectedUsed = new Float64Array(nodes);
  }
}

/** A binary max-heap over candidate indices keyed by `keys` (ties: lower candidate index first, for determinism). */
class MaxHeap {
  size = 0;
  constructor(
    private readonly heap: Int32Array,
    private readonly keys: Float64Array,
  ) {}
  private above(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    return ka > kb || (ka === kb && a < b);
  }
  push(i: number): void {
    let k = this.size++;
    const h = this.heap;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!this.above(i, h[p]!)) break;
      h[k] = h[p]!;
      k = p;
    }
    h[k] = i;
  }
  pop(): number {
    const h = this.heap;
    const top = h[0]!;
    const last = h[--this.size]!;
    let k = 0;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const c = r < this.size && this.above(h[r]!, h[l]!) ? r : l;
      if (!this.above(h[c]!, last)) break;
      h[k] = h[c]!;
      k = c;
    }
    if (this.size > 0) h[k] = last;
    return top;
  }
}

/**
 * One coordinated tick. `users` is the number of user slots (user ids index the result arrays), `busy` marks users
 * whose service is already migrating (never accepted; reason `busy`). The result is owned by `scratch` and
 * overwritten by its next use.
 */
export function coordinate(
  users: number,
  load: FleetLoad,
  cand: Candidates,
  config: CoordinationConfig = DEFAULT_COORDINATION,
  opts: {
    busy?: ArrayLike<number>;
    rescore?: Rescore;
    scratch?: CoordinationScratch;
    /**
     * Per candidate: the rank key in place of the gain (higher first; ties keep the candidate order, so equal
     * priorities are first come, first served). A re-scored candidate keeps its priority: re-scoring only decides
     * whether the move is still worth it (gain above `minGain`).
     */
    priority?: ArrayLike<number>;
  } = {},
): CoordinationResult {
  const nodes = load.capacity.length;
  const s = opts.scratch ?? new CoordinationScratch();
  s.ensure(users, nodes, cand.count);
  const r = s.result;
  r.target.fill(-1);
  r.reason.fill(DeferReason.none);
  r.gain.fill(Number.NaN);
  r.accepted = [];
  for (let j = 0; j < nodes; j++) {
    r.projectedUsed[j] = load.used[j]!;
    s.outbound[j] = load.outboundInFlight[j]!;
    s.nodeVersion[j] = 0;
  }
  let clusterCount = load.clusterInFlight;
  const heap = new MaxHeap(s.order, s.keys);
  for (let i = 0; i < cand.count; i++) {
    const u = cand.user[i]!;
    const g = cand.gain[i]!;
    if (!(g > config.minGain)) continue; // NaN gains never move anything
    if (opts.busy && opts.busy[u]) {
      r.reason[u] = DeferReason.busy;
      if (!(r.gain[u]! >= g)) r.gain[u] = g;
      continue;
    }
    s.keys[i] = opts.priority ? opts.priority[i]! : g;
    s.gains[i] = g;
    s.stamp[i] = 0;
    heap.push(i);
  }
  /** Records a refusal for the user unless it is already accepted or has a refusal of a better candidate. */
  const refuse = (u: number, g: number, code: DeferReasonCode): void => {
    if (r.target[u]! >= 0) return;
    if (r.reason[u] !== DeferReason.none && r.gain[u]! >= g) return;
    r.reason[u] = code;
    r.gain[u] = g;
  };
  while (heap.size > 0) {
    const i = heap.pop();
    const u = cand.user[i]!;
    if (r.target[u]! >= 0) continue; // one move per user per tick
    const to = cand.to[i]!;
    const from = cand.from[i]!;
    const g = s.gains[i]!;
    if (opts.rescore && s.stamp[i] !== s.nodeVersion[to]) {
      // The target took load since this candidate was scored: re-score at the projected use and re-rank.
      const g2 = opts.rescore(i, r.projectedUsed[to]!);
      s.stamp[i] = s.nodeVersion[to]!;
      if (!(g2 > config.minGain)) {
        refuse(u, g, DeferReason.capacity);
        continue;
      }
      s.gains[i] = g2;
      if (!opts.priority) s.keys[i] = g2;
      heap.push(i);
      continue;
    }
    if (clusterCount >= config.parallelMigrationsPerCluster) {
      refuse(u, g, DeferReason.clusterCap);
      continue;
    }
    if (s.outbound[from]! >= config.parallelOutboundMigrationsPerNode) {
      refuse(u, g, DeferReason.nodeCap);
      continue;
    }
    const after = r.projectedUsed[to]! + cand.demand[i]!;
    if (after > config.targetCeiling * load.capacity[to]!) {
      refuse(u, g, DeferReason.capacity);
      continue;
    }
    r.projectedUsed[to] = after;
    s.nodeVersion[to]!++;
    s.outbound[from]!++;
    clusterCount++;
    r.target[u] = to;
    r.reason[u] = DeferReason.accepted;
    r.gain[u] = g;
    r.accepted.push(i);
  }
  return r;
}
