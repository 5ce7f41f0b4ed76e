/**
 * The fleet path of a tick (`fleet.enabled`; README "At fleet scale"): workloads from the watch-fed cache
 * (`cache.ts`), observations in bulk into the one RTT store, one batched, pure decide phase with the coordinated
 * step (`bulk-decide.ts`), then the accepted migrations, highest gain first (`bulk-tick.ts`).
 */
import { observationLength } from '../core/observation.js';
import { FleetScratch } from './bulk-decide.js';
import type { BulkScorer } from './bulk-score.js';
import { actFleet, decideFleetTimed, observeFleet } from './bulk-tick.js';
import { WorkloadCache } from './cache.js';
import type { ControllerConfig } from './config.js';
import type { Discovered } from './discovery.js';
import type { Logger } from './log.js';
import type { Migrator, WorkloadKind } from './migrate/types.js';
import { parseQuantity } from './observe/quantity.js';
import type { BatchRttSource, Delay, LoadSource, RttSource } from './observe/types.js';
import type { ReconcileContext } from './reconcile.js';
import type { TickInput, TickOutput, TickPath } from './tick-path.js';
import { workloadKey } from './workload-key.js';

export interface FleetPathDeps {
  client: ConstructorParameters<typeof WorkloadCache>[0]['client'];
  config: ControllerConfig;
  migrators: Partial<Record<WorkloadKind, Migrator>>;
  delay: Delay;
  log: Logger;
  load: LoadSource;
  rtt: RttSource;
  batchRtt?: BatchRttSource;
  scorer: BulkScorer;
}

export class FleetPath implements TickPath {
  readonly cache: WorkloadCache;
  private readonly scratch = new FleetScratch();

  constructor(private readonly d: FleetPathDeps) {
    this.cache = new WorkloadCache({ client: d.client, config: d.config, migrators: d.migrators, delay: d.delay, log: d.log });
  }

  /** The cache fills before the first election, so a replica that becomes leader (or takes a shard over) is warm. */
  async start(): Promise<void> {
    if (!this.cache.started) await this.cache.start();
  }

  async discover(): Promise<Discovered> {
    if (!this.cache.started) await this.cache.start();
    return this.cache.snapshot();
  }

  async stop(): Promise<void> {
    await this.cache.stop();
  }

  async run(ctx: ReconcileContext, t: TickInput): Promise<TickOutput> {
    const { config, clock } = ctx;
    const { scorer, scratch } = { scorer: this.d.scorer, scratch: this.scratch };
    // A migration that finished this tick changed its workload (node, cooldown) after the cache's copy: decide on
    // it next tick, when the watch has delivered the change.
    const finished = new Set(t.finished.map((x) => `${x.namespace}/${x.workload}`));
    const settling = new Set(t.workloads.filter((w) => finished.has(`${w.namespace}/${w.name}`)).map((w) => workloadKey(w.kind, w.namespace, w.name)));
    const t1 = performance.now();
    const loads = await observeFleet({ config, load: this.d.load, rtt: this.d.rtt, ...(this.d.batchRtt ? { batchRtt: this.d.batchRtt } : {}), metrics: ctx.metrics, log: ctx.log }, t.workloads, ctx.rtt);
    const allocatable = new Map(t.nodes.map((n) => [n.metadata.name, parseQuantity(n.status?.allocatable?.cpu) * 1000]));
    const nowMs = clock.nowMs();
    const view = { nowMs, loads, readyNodes: t.readyNodes, inFlight: t.inFlight, capacityMillis: config.nodes.map((n) => allocatable.get(n) ?? Number.NaN), settling };
    await ctx.renew?.();
    const t2 = performance.now();
    const { decision, decideMs } = decideFleetTimed(t.workloads, ctx.rtt, view, config, scorer, scratch, ctx.metrics);
    const len = observationLength(config.nodes.length, scorer.inFlight);
    const rowObservation = (i: number): number[] | undefined => scratch.rowObservation(i, len);
    const t3 = performance.now();
    const decisions = await actFleet(ctx, t.workloads, decision, { nowMs, inFlight: t.inFlight, started: t.started, inFlightAtMs: t.inFlightAtMs }, rowObservation, scorer);
    return { decisions, loads, nowMs, decideMs, phasesMs: { observe: t2 - t1, decide: t3 - t2, act: performance.now() - t3 } };
  }
}
