/**
 * Which workloads this replica decides, and whether it decides at all: one Lease for the whole cluster (active and
 * standby replicas, `leaderElection`), the Leases of the shards (shard.ts, `--shards N`), or none (election off:
 * the only replica decides everything). The run loop drives one {@link Membership.round} per period; the tick asks
 * {@link Membership.isLeader} and {@link Membership.owns}.
 */
import { MigrationBudget } from './budget.js';
import type { ControllerConfig } from './config.js';
import type { KubeClient } from './kube/client.js';
import { LeaderElector } from './leader.js';
import type { Clock } from './observe/types.js';
import { ShardLeases, shardOf } from './shard.js';
import type { WorkloadKey } from './workload-key.js';

export interface ShardIdentity {
  /** Total shards (N ≥ 1). */
  count: number;
  /** This replica's home shard, in [0, N). */
  index: number;
}

export class Membership {
  readonly elector: LeaderElector | undefined;
  readonly shards: ShardLeases | undefined;
  /** Sharded: the caps' budget the shards share on the apiserver (budget.ts). */
  readonly budget: MigrationBudget | undefined;

  constructor(client: KubeClient, clock: Clock, config: ControllerConfig, identity: string, shard?: ShardIdentity) {
    const le = config.leaderElection;
    const base = { namespace: config.namespace, identity, leaseDurationMs: le.leaseDurationMs };
    if (shard) {
      this.shards = new ShardLeases(client, clock, { ...base, leaseName: le.leaseName, shards: shard.count, index: shard.index });
      // Reservations live three ticks (budget.ts: a shard reserves within one tick of its read of the in-flight).
      const caps = { maxConcurrent: config.migration.maxConcurrent, maxOutboundPerNode: config.fleet.maxOutboundPerNode };
      this.budget = new MigrationBudget(client, clock, { namespace: config.namespace, name: `${le.leaseName}-budget`, identity, caps, ttlMs: 3 * config.tickMs });
    }
    else if (le.enabled) this.elector = new LeaderElector(client, clock, { ...base, name: le.leaseName });
  }

  isLeader(): boolean {
    if (this.shards) return this.shards.holdsAny();
    return this.elector ? this.elector.isLeader() : true;
  }

  /**
   * The ranges held now, frozen: a tick decides exactly the workloads of the ranges it started with, even if a
   * Lease changes hands meanwhile (the act step checks the live Lease again before each start). Undefined: this
   * replica owns every workload (it leads, or election is off).
   */
  snapshot(): { held: number[]; owns: (key: WorkloadKey) => boolean } | undefined {
    const s = this.shards;
    if (!s) return undefined;
    const held = s.held();
    const set = new Set(held);
    return { held, owns: (k) => set.has(shardOf(k, s.o.shards)) };
  }

  /** One acquire-or-renew round; returns whether this replica leads (holds any Lease) afterwards. */
  async round(): Promise<boolean> {
    if (this.shards) await this.shards.round();
    else if (this.elector) await this.elector.tryAcquireOrRenew();
    return this.isLeader();
  }

  /** Shards held now (undefined unsharded), for logs and tests. */
  held(): number[] | undefined {
    return this.shards?.held();
  }

  async release(): Promise<void> {
    await this.shards?.release();
    await this.elector?.release();
  }
}
