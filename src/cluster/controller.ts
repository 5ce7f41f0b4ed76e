/**
 * The Remora controller. Each tick (leader only): reconcile in-flight migrations from the cluster, then for each
 * opted-in workload build the paper's observation, ask the policy, and act within the safety limits.
 *
 * Level-based and restart-safe: in-flight migrations, migration sequence numbers and cooldowns all live in the
 * cluster (labels/annotations), so a restarted or newly elected controller continues exactly where the last one
 * stopped and never starts a second migration for a workload (see HOUSE_STYLE "never assumes it is the first").
 *
 * The parts, controller-runtime style: discovery.ts (which objects are workloads), in-flight.ts (the in-flight
 * state machine), gates.ts (the pure safety gates), reconcile.ts (one workload, and the one act step),
 * event-dedup.ts and workload-state.ts (the only per-workload memory, pruned with the workload), watch.ts (the
 * VMIM watch), tick-path.ts and fleet-path.ts (decide and act: per workload, or the whole fleet in one batch).
 * This file holds the one tick (observe the cluster, then the path), the election round and the run loop.
 */
import type { ControllerDeps } from './controller-deps.js';
import type { Discovered } from './discovery.js';
import { FleetPath } from './fleet-path.js';
import { reconcileInFlight, type Finished } from './in-flight.js';
import type { KubeObject } from './kube/client.js';
import { Membership } from './membership.js';
import { publishTick } from './live.js';
import type { Logger } from './log.js';
import { ControllerMetrics, serveMetrics } from './metrics.js';
import type { InFlight } from './migrate/types.js';
import { RttTable } from './observe/rtt-table.js';
import { systemDelay, type Delay } from './observe/types.js';
import type { ReconcileContext } from './reconcile.js';
import { emptyReport, PerWorkloadPath, type TickPath, type TickReport } from './tick-path.js';
import { watchMigrations } from './watch.js';
import { WorkloadState } from './workload-state.js';
import { workloadDisplayName, workloadKey, type WorkloadKey } from './workload-key.js';

export type { DecisionReason } from './gates.js';
export type { Finished } from './in-flight.js';
export type { Decision } from './reconcile.js';
export type { TickReport } from './tick-path.js';
export type { ControllerDeps } from './controller-deps.js';

export class Controller {
  readonly metrics: ControllerMetrics;
  readonly membership: Membership;
  readonly log: Logger;
  /** Per-workload memory (policies, Event de-duplication); exposed for tests of its pruning. */
  readonly state: WorkloadState;
  /** The one RTT store (Eq. 1), read by both paths and the live view. */
  private readonly rtt: RttTable;
  private readonly path: TickPath;
  private readonly fleet: FleetPath | undefined;
  private readonly ctx: ReconcileContext;
  private readonly delay: Delay;
  private running = false;
  private loop: Promise<void> | undefined;
  private sleeping: AbortController | undefined;
  private currentTick: Promise<TickReport> | undefined;
  private server: { port: number; close(): Promise<void> } | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private watchAbort: AbortController | undefined;
  private watches: Promise<void>[] = [];
  private lastTickOkMs = Number.NaN;
  private lastElectMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly d: ControllerDeps) {
    this.metrics = d.metrics ?? new ControllerMetrics();
    this.rtt = new RttTable(d.config.nodes, d.config.observation.rttWindow);
    this.state = new WorkloadState(d.newPolicy, this.rtt);
    this.delay = d.delay ?? systemDelay;
    this.log = d.logger.child({ replica: d.identity });
    this.membership = new Membership(d.client, d.clock, d.config, d.identity, d.shard);
    if (d.config.fleet.enabled) {
      if (!d.scorer) throw new Error('fleet.enabled needs a batch scorer (ControllerDeps.scorer; bulk-score.ts)');
      this.fleet = new FleetPath({ client: d.client, config: d.config, migrators: d.migrators, delay: this.delay, log: this.log, load: d.load, rtt: d.rtt, ...(d.batchRtt ? { batchRtt: d.batchRtt } : {}), scorer: d.scorer });
    }
    this.path = this.fleet ?? new PerWorkloadPath({ load: d.load, rtt: d.rtt });
    const inFlightLayout = d.scorer && this.fleet ? d.scorer.inFlight : (d.observationInFlight ?? false);
    this.ctx = { client: d.client, config: d.config, clock: d.clock, migrators: d.migrators, state: this.state, rtt: this.rtt, metrics: this.metrics, log: this.log, inFlightLayout, isLeader: () => this.isLeader(), ...(this.membership.shards ? { owns: (k: WorkloadKey) => this.membership.shards!.owns(k) } : {}), renew: () => this.renewIfDue(), event: this.event.bind(this), ...(this.membership.budget ? { budget: this.membership.budget } : {}) };
  }

  /** Fleet path: objects held by the watch-fed cache and its re-lists (tests, logs). */
  cacheStats(): { objects: number; relists: number; events: number } | undefined {
    return this.fleet?.cache.stats();
  }

  get metricsPort(): number | undefined {
    return this.server?.port;
  }

  isLeader(): boolean {
    return this.membership.isLeader();
  }

  /** One leader-election round, then a tick if this replica leads. What the run loop does every period. */
  async step(): Promise<TickReport> {
    await this.elect();
    return this.tick();
  }

  /** A renewal inside a long tick (cold cache, thousands of Events), so no Lease lapses while its holder works. */
  private async renewIfDue(): Promise<void> {
    if (this.d.clock.nowMs() - this.lastElectMs >= this.d.config.leaderElection.renewPeriodMs) await this.elect();
  }

  /** One acquire-or-renew round (the only place the Leases are driven). */
  private async elect(): Promise<void> {
    this.lastElectMs = this.d.clock.nowMs();
    const was = this.membership.held()?.join(',') ?? String(this.isLeader());
    const now = await this.membership.round();
    const held = this.membership.held();
    if ((held?.join(',') ?? String(now)) !== was) this.log.log('info', held ? 'shards held' : now ? 'became leader' : 'lost leadership', held ? { shards: held } : {});
    this.metrics.isLeader.set({}, now ? 1 : 0);
  }

  /** One decision round. A follower does nothing. */
  async tick(): Promise<TickReport> {
    const run = this.serialized(() => this.tickInner());
    this.currentTick = run;
    try {
      return await run;
    } finally {
      if (this.currentTick === run) this.currentTick = undefined;
    }
  }

  /** Step 1 of a tick, also run on its own when the VMIM watch sees a migration finish. */
  private observeCluster(finished: Finished[], owns = this.membership.snapshot()?.owns): ReturnType<typeof reconcileInFlight> {
    const { client, config, migrators, clock } = this.d;
    const discover = this.path.discover ? { discover: (): Promise<Discovered> => this.path.discover!() } : {};
    return reconcileInFlight({ client, config, migrators, clock, metrics: this.metrics, log: this.log, event: this.event.bind(this), ...discover, ...(owns ? { owns } : {}) }, finished);
  }

  /**
   * The one tick: observe the cluster (nodes; every in-flight migration, adopted and moved forward; the
   * workloads), then decide and act through the path (per workload, or the fleet in one batch).
   */
  private async tickInner(): Promise<TickReport> {
    const report = emptyReport(this.isLeader());
    if (!report.leader) return report;
    this.metrics.ticks.inc();
    const { config, clock } = this.d;
    const t0 = performance.now();
    const owned = this.membership.snapshot();
    if (owned) report.shards = owned.held;
    const inFlightAtMs = clock.nowMs();
    const { inFlight, readyNodes, nodes, found } = await this.observeCluster(report.finished, owned?.owns);
    await this.renewIfDue();
    const { workloads } = found;
    for (const ig of found.ignored) if (this.state.dedup.shouldEmit(ig.key, ig.topic, '')) await this.event(ig.object, 'Warning', ig.reason, ig.message);
    report.forgotten = this.prune(found, inFlight);
    const reconcileMs = performance.now() - t0;
    const out = await this.path.run(this.ctx, { workloads, inFlight, readyNodes, nodes, finished: report.finished, started: report.started, inFlightAtMs });
    report.decisions = out.decisions;
    if (out.decideMs !== undefined) report.decideMs = out.decideMs;
    if (out.phasesMs) report.phasesMs = { reconcile: reconcileMs, ...out.phasesMs };
    report.inFlight = inFlight.size;
    this.metrics.inFlight.set({}, inFlight.size);
    if (this.d.feed) publishTick(this.d.feed, { nowMs: out.nowMs, nodes: config.nodes, readyNodes, workloads, decisions: report.decisions, inFlight, finished: report.finished, loads: out.loads, rtt: this.rtt });
    this.lastTickOkMs = clock.nowMs();
    return report;
  }

  /**
   * Forget workloads this tick no longer sees (deleted, opted out), so memory follows the cluster and a recreated
   * workload starts with a fresh policy. A workload with a migration in flight is kept even when no object
   * serves it for a moment (the podmigration operator deletes the source before its new pod appears).
   */
  private prune(found: Discovered, inFlight: ReadonlyMap<WorkloadKey, InFlight>): string[] {
    const keep = new Set<WorkloadKey>([...found.workloads.map((w) => workloadKey(w.kind, w.namespace, w.name)), ...found.ignored.map((i) => i.key), ...inFlight.keys()]);
    const dropped = this.state.prune(keep, new Set(found.workloads.map((w) => w.user)));
    for (const k of dropped) this.metrics.observationAge.delete({ workload: workloadDisplayName(k) });
    return dropped;
  }

  /** Ticks and watch-triggered reconciles never overlap. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    try {
      await this.d.events.record(obj, type, reason, message);
    } catch (e) {
      this.log.log('warn', 'event not recorded', { reason, error: e });
    }
  }

  /** Serve metrics and run the election/tick loop until {@link stop}. Resolves once running. */
  async start(opts: { serveMetrics?: boolean } = {}): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { config, clock } = this.d;
    await this.path.start?.();
    if (opts.serveMetrics !== false) this.server = await serveMetrics(this.metrics, config.metrics.port, config.metrics.bindAddress, () => Number.isFinite(this.lastTickOkMs) || !this.isLeader());
    if (this.d.migrators.vm && config.workloads.kinds.includes('vm')) {
      const abort = (this.watchAbort = new AbortController());
      const onFinished = (): void => {
        if (!this.isLeader() || !this.running) return;
        void this.serialized(() => this.observeCluster([])).catch((err: unknown) => this.log.log('warn', 'reconcile after watch event failed', { error: err }));
      };
      const nss = config.workloads.namespaces.length ? config.workloads.namespaces : [undefined];
      this.watches = nss.map((namespace) => watchMigrations({ client: this.d.client, namespace, delay: this.delay, log: this.log, signal: abort.signal, onFinished }));
    }
    const period = Math.min(config.tickMs, config.leaderElection.renewPeriodMs);
    let lastTick = Number.NEGATIVE_INFINITY;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.elect();
          if (this.running && clock.nowMs() - lastTick >= config.tickMs) {
            lastTick = clock.nowMs();
            const t0 = performance.now();
            const r = await this.tick();
            // One line per tick: which ranges it decided (sharded), how many workloads, what it started.
            if (r.leader) this.log.log('info', 'tick', { shards: r.shards, decided: r.decisions.length, started: r.started.map((f) => f.id), inFlight: r.inFlight, ms: Math.round(performance.now() - t0), ...(r.decideMs !== undefined ? { decideMs: +r.decideMs.toFixed(1) } : {}) });
          }
        } catch (e) {
          this.metrics.errors.inc({ stage: 'tick' });
          this.log.log('warn', 'tick failed', { error: e });
        }
        if (!this.running) break;
        this.sleeping = new AbortController();
        await this.delay(period, this.sleeping.signal);
      }
    })();
  }

  /**
   * Graceful shutdown: no new tick starts, the tick in progress finishes (a migration is never left half-started),
   * the lease is released so a standby takes over at once, and the metrics server closes. In-flight migrations
   * keep running in the cluster; the next leader adopts them.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.sleeping?.abort();
    await this.loop;
    this.watchAbort?.abort();
    await Promise.all(this.watches);
    await this.currentTick?.catch(() => undefined);
    await this.chain;
    await this.path.stop?.();
    await this.membership.release();
    this.metrics.isLeader.set({}, 0);
    await this.server?.close();
    this.server = undefined;
    this.log.log('info', 'stopped');
  }
}
