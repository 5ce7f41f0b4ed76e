/**
 * Controller sharding, the practice of kube-state-metrics (`--shard`/`--total-shards`) and Argo CD's application
 * controller: N replicas, each owning the workloads whose key hashes into its range, each range guarded by its
 * own `coordination.k8s.io/v1` Lease (`<leaseName>-shard-<i>`).
 *
 * - **The hash.** FNV-1a (32 bit, finalised) of the workload key (`kind/namespace/name`, workload-key.ts), cut into N equal
 *   ranges. The key, not the object's uid: a pod workload gets a new pod, and so a new uid, with every move
 *   (recreate, checkpoint), so a uid hash would hand a workload to another shard in the middle of its life.
 * - **Takeover.** Every replica also runs the other shards' Leases in the `foreign` role (leader.ts): a range whose
 *   Lease is free or expired (its replica died or stopped) is taken by the first survivor that finds it so, after
 *   the Lease duration, as a standby takes over one Lease; the Lease's resourceVersion makes sure only one wins.
 * - **Re-balance.** A restarted replica asks for its home Lease back (an annotation); the survivor releases it on
 *   its next round and the home replica takes it on its own.
 *
 * A replica decides only the workloads of the ranges it holds, and moves forward only their migrations; it reads
 * every migration in flight, because the caps are global (budget.ts).
 */
import type { KubeClient } from './kube/client.js';
import { LeaderElector } from './leader.js';
import type { Clock } from './observe/types.js';

/**
 * FNV-1a, 32 bit, then murmur3's finaliser: cheap, stable across processes and versions (unlike a language's
 * string hash). FNV-1a alone leaves its high bits poorly mixed for keys that differ only at the end (`svc-1`,
 * `svc-2`, ...), and the ranges are cut from the high bits: the finaliser spreads them evenly.
 */
export function keyHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The range (shard index in [0, shards)) that a workload key hashes into. */
export function shardOf(key: string, shards: number): number {
  return Math.floor((keyHash(key) / 2 ** 32) * shards);
}

export interface ShardOptions {
  namespace: string;
  /** Lease name prefix: shard i holds `<leaseName>-shard-<i>`. */
  leaseName: string;
  identity: string;
  leaseDurationMs: number;
  shards: number;
  /** This replica's home shard. */
  index: number;
}

export const shardLeaseName = (prefix: string, i: number): string => `${prefix}-shard-${i}`;

/** The Leases of every shard, this replica's home one first; which ranges this replica holds now. */
export class ShardLeases {
  private readonly electors: LeaderElector[];

  constructor(client: KubeClient, clock: Clock, readonly o: ShardOptions) {
    if (!Number.isInteger(o.shards) || o.shards < 1) throw new RangeError(`shards must be an integer >= 1, got ${o.shards}`);
    if (!Number.isInteger(o.index) || o.index < 0 || o.index >= o.shards) throw new RangeError(`shard index must be in [0, ${o.shards}), got ${o.index}`);
    this.electors = Array.from({ length: o.shards }, (_, i) => new LeaderElector(client, clock, { namespace: o.namespace, name: shardLeaseName(o.leaseName, i), identity: o.identity, leaseDurationMs: o.leaseDurationMs, role: i === o.index ? 'home' : 'foreign' }));
  }

  /** One acquire-or-renew round over every shard's Lease (home first). */
  async round(): Promise<void> {
    await this.electors[this.o.index]!.tryAcquireOrRenew();
    for (let i = 0; i < this.o.shards; i++) if (i !== this.o.index) await this.electors[i]!.tryAcquireOrRenew();
  }

  /** The shard indices whose Lease this replica holds now. */
  held(): number[] {
    return this.electors.flatMap((e, i) => (e.isLeader() ? [i] : []));
  }

  holdsAny(): boolean {
    return this.electors.some((e) => e.isLeader());
  }

  /** Whether this replica decides the workload of this key now. */
  owns(key: string): boolean {
    return this.electors[shardOf(key, this.o.shards)]!.isLeader();
  }

  async release(): Promise<void> {
    for (const e of this.electors) await e.release();
  }
}
