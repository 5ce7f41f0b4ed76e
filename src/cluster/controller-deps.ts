/** What a `Controller` (controller.ts) is built from: config, API client, clock, sources, migrators and sinks, all passed in. */
import type { Policy } from '../core/env.js';
import type { LiveFeed } from '../core/live-feed.js';
import type { BulkScorer } from './bulk-score.js';
import type { ControllerConfig } from './config.js';
import type { EventRecorder } from './events.js';
import type { KubeClient } from './kube/client.js';
import type { Logger } from './log.js';
import type { ShardIdentity } from './membership.js';
import type { ControllerMetrics } from './metrics.js';
import type { Migrator, WorkloadKind } from './migrate/types.js';
import type { BatchRttSource, Clock, Delay, LoadSource, RttSource } from './observe/types.js';

export interface ControllerDeps {
  client: KubeClient;
  config: ControllerConfig;
  clock: Clock;
  /** Every wait of the run loop and the watch (default: real timers). */
  delay?: Delay;
  /** A fresh policy per workload (recurrent policies keep per-workload history). */
  newPolicy: () => Policy | Promise<Policy>;
  /** The policy reads the edge model's layout (`Policy.needsInFlight`): observations get the in-flight block. */
  observationInFlight?: boolean;
  load: LoadSource;
  rtt: RttSource;
  /** Fleet path (`fleet.enabled`): every workload scored in one batched pass (bulk-score.ts). Required there. */
  scorer?: BulkScorer;
  /** Fleet path: the RTT source's batch form, when configured (one request per tick for all users). */
  batchRtt?: BatchRttSource;
  /** One migrator per workload kind. */
  migrators: Partial<Record<WorkloadKind, Migrator>>;
  events: EventRecorder;
  logger: Logger;
  metrics?: ControllerMetrics;
  /** Unique per replica (pod name + random suffix in production). */
  identity: string;
  /** The live view (dashboard's live page): each tick's nodes, observations, decisions and migrations (live.ts). */
  feed?: LiveFeed;
  /** Sharded (`--shards N`, shard.ts): this replica's home shard; the caps are then kept in a shared budget (budget.ts). */
  shard?: ShardIdentity;
}
