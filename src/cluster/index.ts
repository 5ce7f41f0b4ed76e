/** Wiring: build a {@link Controller} from a validated config, an API client and injected clock/logger. */
import type { Policy } from '../core/env.js';
import type { LiveFeed } from '../core/live-feed.js';
import type { ControllerConfig } from './config.js';
import { Controller } from './controller.js';
import { KubeEventRecorder } from './events.js';
import type { KubeClient } from './kube/client.js';
import type { Logger } from './log.js';
import { KubevirtMigrator } from './migrate/kubevirt.js';
import { CheckpointMigrator, PodmigrationMigrator, RecreateMigrator } from './migrate/pod.js';
import type { Migrator } from './migrate/types.js';
import { HttpJsonRtt } from './observe/http-json.js';
import { Mec013Rtt } from './observe/mec013.js';
import { KubeletSummaryLoad } from './observe/kubelet-summary.js';
import { MetricsServerLoad } from './observe/metrics-server.js';
import { PrometheusLoad, PrometheusRtt } from './observe/prometheus.js';
import { TcpProbeRtt } from './observe/tcp-probe.js';
import type { BatchRttSource, Clock, LoadSource, RttSource } from './observe/types.js';
import type { BulkScorer } from './bulk-score.js';
import type { ShardIdentity } from './membership.js';

export { Controller } from './controller.js';
export type { ControllerDeps, Decision, TickReport, Finished } from './controller.js';
export { loadControllerConfig, parseControllerConfig, controllerConfigSchema, type ControllerConfig } from './config.js';
export { HttpKubeClient, type KubeClient } from './kube/client.js';
export { jsonLogger, silentLogger, type Logger } from './log.js';
export { systemClock, systemDelay, type Clock, type Delay } from './observe/types.js';

export function loadSourceFromConfig(c: ControllerConfig, client: KubeClient): LoadSource {
  const l = c.observation.load;
  switch (l.source) {
    case 'metrics-server':
      return new MetricsServerLoad(client);
    case 'kubelet-summary':
      return new KubeletSummaryLoad(client, l);
    case 'prometheus':
      return new PrometheusLoad(l.prometheus);
  }
}

export function rttSourceFromConfig(c: ControllerConfig, clock: Clock): RttSource {
  const r = c.observation.rtt;
  switch (r.source) {
    case 'http-json':
      return new HttpJsonRtt(r, clock);
    case 'prometheus':
      return new PrometheusRtt(r);
    case 'tcp-probe':
      return new TcpProbeRtt(r, clock);
    case 'mec013':
      return new Mec013Rtt(r, clock);
  }
}

/** The RTT source's batch form when the config asks for one (`batchUrl` / `batchQuery`), else undefined (one request per user). */
export function batchRttSourceFromConfig(c: ControllerConfig, rtt: RttSource): BatchRttSource | undefined {
  const r = c.observation.rtt;
  if (r.source === 'http-json' && r.batchUrl) return rtt as HttpJsonRtt;
  if (r.source === 'prometheus' && r.batchQuery) return rtt as PrometheusRtt;
  return undefined;
}

export function migratorsFromConfig(c: ControllerConfig, client: KubeClient): { vm: Migrator; pod: Migrator } {
  const p = c.migration.pod;
  const pod = p.backend === 'recreate' ? new RecreateMigrator(client) : p.backend === 'checkpoint' ? new CheckpointMigrator(client, p.checkpointImage) : new PodmigrationMigrator(client, p.podmigrationAction);
  return { vm: new KubevirtMigrator(client, c.migration.kubevirt), pod };
}

export interface CreateControllerOptions {
  config: ControllerConfig;
  client: KubeClient;
  clock: Clock;
  logger: Logger;
  newPolicy: () => Policy | Promise<Policy>;
  /** See `ControllerDeps.observationInFlight`. */
  observationInFlight?: boolean;
  /** The fleet path's batch scorer (`fleet.enabled`; bulk-score.ts `bulkScorerFor`). */
  scorer?: BulkScorer;
  identity: string;
  /** See `ControllerDeps.feed`. */
  feed?: LiveFeed;
  /** See `ControllerDeps.shard`. */
  shard?: ShardIdentity;
}

export function createController(o: CreateControllerOptions): Controller {
  const rtt = rttSourceFromConfig(o.config, o.clock);
  const batchRtt = batchRttSourceFromConfig(o.config, rtt);
  return new Controller({
    ...(o.scorer ? { scorer: o.scorer } : {}),
    ...(batchRtt ? { batchRtt } : {}),
    client: o.client,
    config: o.config,
    clock: o.clock,
    newPolicy: o.newPolicy,
    observationInFlight: o.observationInFlight ?? false,
    load: loadSourceFromConfig(o.config, o.client),
    rtt,
    migrators: migratorsFromConfig(o.config, o.client),
    events: new KubeEventRecorder(o.client, o.clock, 'remora-controller', o.identity),
    logger: o.logger,
    identity: o.identity,
    ...(o.feed ? { feed: o.feed } : {}),
    ...(o.shard ? { shard: o.shard } : {}),
  });
}
