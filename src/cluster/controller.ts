/**
 * The Remora controller. Each tick (leader only): reconcile in-flight migrations from the cluster, then for each
 * opted-in workload build the paper's observation, ask the policy, and act within the safety limits.
 *
 * Level-based and restart-safe: in-flight migrations, migration sequence numbers and cooldowns all live in the
 * cluster (labels/annotations), so a restarted or newly elected controller continues exactly where the last one
 * stopped and never starts a second migration for a workload (see HOUSE_STYLE "never assumes it is the first").
 */
import type { Policy } from '../core/env.js';
import type { ControllerConfig } from './config.js';
import type { EventRecorder } from './events.js';
import { isConflict, isNotFound, listAll, type KubeClient, type KubeObject } from './kube/client.js';
import { ANNOTATIONS, isNodeReady, isPodReady, LABELS, paths, type NodeObject, type PodObject, type VmiObject, type VmimObject } from './kube/resources.js';
import { LeaderElector } from './leader.js';
import type { Logger } from './log.js';
import { ControllerMetrics, serveMetrics } from './metrics.js';
import { ROLE_TARGET } from './migrate/pod.js';
import type { InFlight, Migrator, Progress, Workload, WorkloadKind } from './migrate/types.js';
import { buildObservation, RttAverager } from './observe/observation.js';
import type { Clock, LoadSource, RttSource, Timed } from './observe/types.js';

export interface ControllerDeps {
  client: KubeClient;
  config: ControllerConfig;
  clock: Clock;
  /** A fresh policy per workload (recurrent policies keep per-workload history). */
  newPolicy: () => Policy | Promise<Policy>;
  load: LoadSource;
  rtt: RttSource;
  /** One migrator per workload kind. */
  migrators: Partial<Record<WorkloadKind, Migrator>>;
  events: EventRecorder;
  logger: Logger;
  metrics?: ControllerMetrics;
  /** Unique per replica (pod name + random suffix in production). */
  identity: string;
}

export type DecisionReason = 'policy' | 'invalid-observation' | 'in-flight' | 'cap' | 'cooldown' | 'dry-run' | 'precheck' | 'illegal-action' | 'error' | 'stay';

export interface Decision {
  workload: string;
  kind: WorkloadKind;
  /** Action the controller carried out: 0 = Wait, j = migrate to node j. */
  action: number;
  /** Action the policy chose (undefined when it was not asked). */
  policyAction?: number;
  reason: DecisionReason;
  detail?: string;
  observation?: number[];
}

export interface Finished {
  id: string;
  workload: string;
  result: 'succeeded' | 'failed' | 'timeout' | 'cancelled';
  reason?: string;
  durationMs?: number;
}

export interface TickReport {
  leader: boolean;
  decisions: Decision[];
  started: InFlight[];
  finished: Finished[];
  inFlight: number;
}

const key = (kind: WorkloadKind, ns: string, name: string): string => `${kind}/${ns}/${name}`;

export class Controller {
  readonly metrics: ControllerMetrics;
  readonly elector: LeaderElector | undefined;
  private readonly averager: RttAverager;
  private readonly policies = new Map<string, Policy>();
  private readonly lastForced = new Map<string, string>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private currentTick: Promise<TickReport> | undefined;
  private server: { port: number; close(): Promise<void> } | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private watchAbort: AbortController | undefined;
  private watches: Promise<void>[] = [];
  private lastTickOkMs = Number.NaN;
  readonly log: Logger;

  constructor(private readonly d: ControllerDeps) {
    this.metrics = d.metrics ?? new ControllerMetrics();
    this.averager = new RttAverager(d.config.observation.rttWindow);
    this.log = d.logger.child({ replica: d.identity });
    const le = d.config.leaderElection;
    if (le.enabled) this.elector = new LeaderElector(d.client, d.clock, { namespace: d.config.namespace, name: le.leaseName, identity: d.identity, leaseDurationMs: le.leaseDurationMs });
  }

  get metricsPort(): number | undefined {
    return this.server?.port;
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : true;
  }

  /** One leader-election round, then a tick if this replica leads. What the run loop does every period. */
  async step(): Promise<TickReport> {
    if (this.elector) {
      const was = this.elector.isLeader();
      const now = await this.elector.tryAcquireOrRenew();
      if (now !== was) this.log.log('info', now ? 'became leader' : 'lost leadership');
      this.metrics.isLeader.set({}, now ? 1 : 0);
    }
    return this.tick();
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

  /**
   * Step 1 of a tick, also run on its own when the VMIM watch sees a migration finish: read in-flight migrations
   * from the cluster (adopting whatever an earlier incarnation started) and move each one forward.
   */
  private async reconcileInFlight(report: TickReport): Promise<{ inFlight: Map<string, InFlight>; readyNodes: Set<string>; workloads: Workload[] }> {
    const { config } = this.d;
    const nodes = await listAll<NodeObject>(this.d.client, paths.nodes());
    const readyNodes = new Set(nodes.items.filter(isNodeReady).map((n) => n.metadata.name));
    const inFlight = new Map<string, InFlight>();
    for (const m of Object.values(this.d.migrators)) {
      if (!m) continue;
      for (const f of await m.listInFlight(config.workloads.namespaces)) {
        const k = key(f.kind, f.namespace, f.workload);
        if (inFlight.has(k)) this.log.log('error', 'two in-flight migrations for one workload', { workload: k, a: inFlight.get(k)!.id, b: f.id });
        else inFlight.set(k, f);
      }
    }
    let workloads = await this.listWorkloads();
    const byKey = new Map(workloads.map((w) => [key(w.kind, w.namespace, w.name), w]));
    // A dry run only observes: it neither cancels nor finalizes anyone's migrations.
    if (!config.migration.dryRun) {
      for (const [k, f] of [...inFlight]) {
        const done = await this.advance(f, readyNodes, byKey.get(k));
        if (done) {
          report.finished.push(done);
          inFlight.delete(k);
        }
      }
      // Finishing wrote to the workloads (cooldown, node): re-read them so decisions use fresh resourceVersions.
      if (report.finished.length) workloads = await this.listWorkloads();
    }
    this.metrics.inFlight.set({}, inFlight.size);
    return { inFlight, readyNodes, workloads };
  }

  private async tickInner(): Promise<TickReport> {
    const report: TickReport = { leader: this.isLeader(), decisions: [], started: [], finished: [], inFlight: 0 };
    if (!report.leader) return report;
    this.metrics.ticks.inc();
    const { config, clock } = this.d;
    const { inFlight, readyNodes, workloads } = await this.reconcileInFlight(report);

    // 2. Observations shared by all workloads this tick.
    let loads = new Map<string, Timed>();
    try {
      loads = await this.d.load.readLoads(config.nodes);
    } catch (e) {
      this.metrics.errors.inc({ stage: 'load' });
      this.log.log('warn', 'load source failed', { source: this.d.load.name, error: e });
    }
    const users = new Set(workloads.map((w) => w.user));
    for (const u of users) {
      try {
        const got = await this.d.rtt.readRtt(u, config.nodes);
        for (const [n, samples] of got) this.averager.push(u, n, samples);
      } catch (e) {
        this.metrics.errors.inc({ stage: 'rtt' });
        this.log.log('warn', 'rtt source failed', { source: this.d.rtt.name, user: u, error: e });
      }
    }

    // 3. Decide per workload.
    for (const w of workloads) {
      const d = await this.decide(w, loads, readyNodes, inFlight, report);
      report.decisions.push(d);
      this.metrics.decisions.inc({ action: d.action === 0 ? 'wait' : 'migrate', reason: d.reason });
    }
    report.inFlight = inFlight.size;
    this.metrics.inFlight.set({}, inFlight.size);
    this.lastTickOkMs = clock.nowMs();
    return report;
  }

  /** Opted-in objects under `path`: the label selector (server-side), or the opt-in annotation when configured. */
  private async listOptedIn<T extends KubeObject>(path: string, extraSelector?: string): Promise<T[]> {
    const { labelSelector, optInAnnotation } = this.d.config.workloads;
    const withExtra = (sel: string | undefined): string | undefined => [sel, extraSelector].filter(Boolean).join(',') || undefined;
    let byLabel: T[];
    try {
      byLabel = (await listAll<T>(this.d.client, path, { labelSelector: withExtra(labelSelector) })).items;
    } catch (e) {
      // The resource type is not installed (e.g. no KubeVirt in a pods-only cluster): no such workloads.
      if (isNotFound(e)) return [];
      throw e;
    }
    if (!optInAnnotation) return byLabel;
    const seen = new Set(byLabel.map((o) => o.metadata.uid));
    const all = (await listAll<T>(this.d.client, path, { labelSelector: withExtra(undefined) })).items;
    return [...byLabel, ...all.filter((o) => !seen.has(o.metadata.uid) && o.metadata.annotations?.[optInAnnotation] === 'true')];
  }

  private async listWorkloads(): Promise<Workload[]> {
    const { config } = this.d;
    const nss = config.workloads.namespaces.length ? config.workloads.namespaces : [undefined];
    const out: Workload[] = [];
    const warnOnce = async (o: KubeObject, reason: string, message: string): Promise<void> => {
      const k = `${reason}/${o.metadata.namespace}/${o.metadata.name}`;
      if (this.lastForced.get(k)) return;
      this.lastForced.set(k, 'x');
      await this.event(o, 'Warning', reason, message);
    };
    /** The user annotation is required; a `remora.io/kind` annotation, when present, must match the resource. */
    const admit = async (o: KubeObject, kind: WorkloadKind): Promise<string | undefined> => {
      const user = o.metadata.annotations?.[ANNOTATIONS.user];
      const declared = o.metadata.annotations?.[ANNOTATIONS.kind];
      if (declared !== undefined && declared !== kind) {
        await warnOnce(o, 'KindMismatch', `annotation ${ANNOTATIONS.kind}=${declared} but this is a ${kind === 'vm' ? 'VirtualMachineInstance' : 'Pod'}; ignored`);
        return undefined;
      }
      if (!user) await warnOnce(o, 'MissingUser', `opted in but has no ${ANNOTATIONS.user} annotation; ignored`);
      return user;
    };
    for (const ns of nss) {
      if (config.workloads.kinds.includes('vm') && this.d.migrators.vm) {
        for (const v of await this.listOptedIn<VmiObject>(paths.vmis(ns))) {
          if (v.metadata.deletionTimestamp) continue;
          const vmiObj = { ...v, apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' };
          const user = await admit(vmiObj, 'vm');
          if (!user) continue;
          out.push({ kind: 'vm', namespace: v.metadata.namespace!, name: v.metadata.name, user, node: v.status?.nodeName ?? '', object: vmiObj });
        }
      }
      if (config.workloads.kinds.includes('pod') && this.d.migrators.pod) {
        const pods = await this.listOptedIn<PodObject>(paths.pods(ns), `${LABELS.role}!=${ROLE_TARGET}`);
        const groups = new Map<string, PodObject[]>();
        for (const p of pods) {
          if (p.metadata.deletionTimestamp) continue;
          const wl = p.metadata.labels?.[LABELS.workload] ?? p.metadata.name;
          const g = groups.get(`${p.metadata.namespace}/${wl}`) ?? [];
          g.push(p);
          groups.set(`${p.metadata.namespace}/${wl}`, g);
        }
        for (const [gk, g] of groups) {
          g.sort((a, b) => Number(isPodReady(b)) - Number(isPodReady(a)) || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
          const p = { ...g[0]!, apiVersion: 'v1', kind: 'Pod' };
          const user = await admit(p, 'pod');
          if (!user) continue;
          out.push({ kind: 'pod', namespace: p.metadata.namespace!, name: gk.slice(gk.indexOf('/') + 1), user, node: p.spec.nodeName ?? '', object: p });
        }
      }
    }
    return out;
  }

  /** Move one in-flight migration forward; returns how it finished, or undefined while it runs. */
  private async advance(f: InFlight, readyNodes: Set<string>, w: Workload | undefined): Promise<Finished | undefined> {
    const m = this.d.migrators[f.kind];
    if (!m) return undefined;
    const now = this.d.clock.nowMs();
    let p: Progress;
    let result: Finished['result'];
    try {
      p = await m.progress(f);
      if (p.state === 'running') {
        let why: string | undefined;
        if (!readyNodes.has(f.targetNode)) why = `target node ${f.targetNode} is NotReady`;
        else if (now - f.startedAtMs > this.d.config.migration.timeoutMs) why = `timed out after ${Math.round((now - f.startedAtMs) / 1000)} s in phase ${p.phase}`;
        if (!why) return undefined;
        await m.cancel(f, why);
        p = { state: 'failed', reason: why };
        result = why.startsWith('timed out') ? 'timeout' : 'cancelled';
      } else result = p.state;
      await m.finalize(f, p);
    } catch (e) {
      this.metrics.errors.inc({ stage: 'progress' });
      this.log.log('warn', 'migration progress failed', { migration: f.id, error: e });
      return undefined;
    }
    const fin: Finished = { id: f.id, workload: f.workload, result, ...(p.state === 'failed' ? { reason: p.reason } : { durationMs: p.durationMs }) };
    this.metrics.migrations.inc({ kind: f.kind, backend: f.backend, result });
    if (p.state === 'succeeded' && Number.isFinite(p.durationMs)) this.metrics.migrationDuration.observe({ kind: f.kind, backend: f.backend }, p.durationMs / 1000);
    this.log.log(p.state === 'succeeded' ? 'info' : 'warn', 'migration finished', { ...fin, migration: f.id, workload: `${f.namespace}/${f.workload}`, from: f.sourceNode, to: f.targetNode });
    // Cooldown bookkeeping on the object that now serves the workload.
    const servingPath = f.kind === 'vm' ? paths.vmis(f.namespace, f.workload) : p.state === 'succeeded' && p.serving ? paths.pods(f.namespace, p.serving) : w ? paths.pods(f.namespace, w.object.metadata.name) : undefined;
    if (servingPath) {
      try {
        await this.d.client.request('PATCH', servingPath, { body: { metadata: { annotations: { [ANNOTATIONS.lastMigration]: new Date(now).toISOString() } } } });
      } catch (e) {
        this.log.log('warn', 'could not record cooldown', { migration: f.id, error: e });
      }
    }
    const target = w?.object ?? f.object;
    await this.event(
      target,
      p.state === 'succeeded' ? 'Normal' : 'Warning',
      p.state === 'succeeded' ? 'MigrationSucceeded' : result === 'timeout' ? 'MigrationTimedOut' : 'MigrationFailed',
      p.state === 'succeeded' ? `migrated ${f.sourceNode} -> ${f.targetNode} via ${f.backend} (${f.id}) in ${(p.durationMs / 1000).toFixed(1)} s (${p.durationSource})` : `migration ${f.id} ${f.sourceNode} -> ${f.targetNode} ${result}: ${p.reason}`,
    );
    return fin;
  }

  private async decide(w: Workload, loads: Map<string, Timed>, readyNodes: Set<string>, inFlight: Map<string, InFlight>, report: TickReport): Promise<Decision> {
    const { config, clock } = this.d;
    const k = key(w.kind, w.namespace, w.name);
    const now = clock.nowMs();
    const base = { workload: `${w.namespace}/${w.name}`, kind: w.kind };
    if (inFlight.has(k)) return { ...base, action: 0, reason: 'in-flight', detail: inFlight.get(k)!.id };

    const built = buildObservation(config.nodes, w.node, (n) => this.averager.get(w.user, n), (n) => loads.get(n), now, config.observation.maxAgeMs);
    this.metrics.observationAge.set({ workload: base.workload }, built.maxAgeMs / 1000);
    const obsArr = Array.from(built.observation);
    if (built.problems.length) {
      const why = built.problems.join('; ');
      if (this.lastForced.get(k) !== why) {
        this.lastForced.set(k, why);
        await this.event(w.object, 'Warning', 'ObservationInvalid', `forced Wait: ${why}`);
      }
      this.log.log('info', 'forced wait', { workload: base.workload, why });
      return { ...base, action: 0, reason: 'invalid-observation', detail: why, observation: obsArr };
    }
    this.lastForced.delete(k);

    const n = config.nodes.length;
    const current = config.nodes.indexOf(w.node) + 1;
    const mask = new Uint8Array(n + 1);
    mask[0] = 1;
    for (let j = 1; j <= n; j++) mask[j] = readyNodes.has(config.nodes[j - 1]!) || j === current ? 1 : 0;
    let policy = this.policies.get(k);
    if (!policy) {
      policy = await this.d.newPolicy();
      policy.reset();
      this.policies.set(k, policy);
    }
    let action: number;
    try {
      action = policy.act(built.observation, mask);
    } catch (e) {
      this.metrics.errors.inc({ stage: 'policy' });
      await this.event(w.object, 'Warning', 'PolicyError', `forced Wait: policy ${policy.name} threw: ${(e as Error).message}`);
      return { ...base, action: 0, reason: 'error', detail: (e as Error).message, observation: obsArr };
    }
    const dec = { ...base, policyAction: action, observation: obsArr };
    this.log.log('debug', 'decision', { workload: base.workload, observation: obsArr, action });
    if (!Number.isInteger(action) || action < 0 || action > n || mask[action] !== 1) {
      await this.event(w.object, 'Warning', 'IllegalAction', `forced Wait: policy ${policy.name} chose action ${action}, which the mask forbids (${Array.from(mask).join('')})`);
      return { ...dec, action: 0, reason: 'illegal-action' };
    }
    if (action === 0) return { ...dec, action: 0, reason: 'policy' };
    if (action === current) return { ...dec, action: 0, reason: 'stay' };
    const target = config.nodes[action - 1]!;

    const last = Date.parse(w.object.metadata.annotations?.[ANNOTATIONS.lastMigration] ?? '');
    if (Number.isFinite(last) && now - last < config.migration.cooldownMs) {
      return { ...dec, action: 0, reason: 'cooldown', detail: `last migration ${Math.round((now - last) / 1000)} s ago` };
    }
    if (inFlight.size >= config.migration.maxConcurrent) {
      if (this.lastForced.get(`cap/${k}`) !== target) {
        this.lastForced.set(`cap/${k}`, target);
        await this.event(w.object, 'Normal', 'MigrationDeferred', `policy chose ${target}; deferred: ${inFlight.size} migrations in flight (cap ${config.migration.maxConcurrent})`);
      }
      return { ...dec, action: 0, reason: 'cap' };
    }
    this.lastForced.delete(`cap/${k}`);
    const m = this.d.migrators[w.kind]!;
    const blocked = await m.precheck(w, target);
    if (blocked) {
      if (this.lastForced.get(`pre/${k}`) !== blocked) {
        this.lastForced.set(`pre/${k}`, blocked);
        await this.event(w.object, 'Warning', w.kind === 'vm' && blocked.includes('LiveMigratable') ? 'NotLiveMigratable' : 'MigrationBlocked', `policy chose ${target}; not migrating: ${blocked}`);
      }
      return { ...dec, action: 0, reason: 'precheck', detail: blocked };
    }
    this.lastForced.delete(`pre/${k}`);
    if (config.migration.dryRun) {
      await this.event(w.object, 'Normal', 'DryRunMigration', `dry run: would migrate ${w.node} -> ${target} (${m.backend})`);
      this.log.log('info', 'dry-run migration', { workload: base.workload, from: w.node, to: target });
      return { ...dec, action: 0, reason: 'dry-run' };
    }
    // Reserve a sequence number on the workload with a resourceVersion precondition: a concurrent writer (a
    // second replica during a lease hand-over) gets 409 and backs off, and the object name derived from it is
    // deterministic, so a retry after a crash finds the object instead of creating another.
    if (!this.isLeader()) return { ...dec, action: 0, reason: 'error', detail: 'lost leadership during the tick' };
    const seq = Number(w.object.metadata.annotations?.[ANNOTATIONS.migrationSeq] ?? '0') + 1;
    const id = `remora-${w.name}-${seq}`.slice(0, 253);
    try {
      await this.d.client.request('PATCH', w.kind === 'vm' ? paths.vmis(w.namespace, w.name) : paths.pods(w.namespace, w.object.metadata.name), {
        body: { metadata: { resourceVersion: w.object.metadata.resourceVersion, annotations: { [ANNOTATIONS.migrationSeq]: String(seq) } } },
      });
      const f = await m.start(w, target, id, now);
      inFlight.set(k, f);
      report.started.push(f);
      this.metrics.migrationsStarted.inc({ kind: w.kind, backend: m.backend });
      await this.event(w.object, 'Normal', 'MigrationStarted', `policy ${policy.name} chose ${target}: migrating ${w.node} -> ${target} via ${m.backend} (${id}); observation [${obsArr.map((v) => +v.toFixed(3)).join(', ')}]`);
      this.log.log('info', 'migration started', { workload: base.workload, migration: id, from: w.node, to: target, backend: m.backend });
      return { ...dec, action, reason: 'policy' };
    } catch (e) {
      this.metrics.errors.inc({ stage: 'start' });
      const msg = isConflict(e) ? 'workload changed concurrently (409); will retry next tick' : (e as Error).message;
      this.log.log('warn', 'migration start failed', { workload: base.workload, error: msg });
      await this.event(w.object, 'Warning', 'MigrationStartFailed', `could not start migration to ${target}: ${msg}`);
      return { ...dec, action: 0, reason: 'error', detail: msg };
    }
  }

  /** Ticks and watch-triggered reconciles never overlap. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Watches this controller's VMIMs (label `app.kubernetes.io/managed-by=remora`) so phase changes are logged as
   * they happen and a finished migration is reconciled at once instead of at the next tick. Decisions stay on
   * the tick. Re-lists and re-watches after the stream ends (timeout, 410 Gone, apiserver restart).
   */
  private async watchMigrations(ns: string | undefined, signal: AbortSignal): Promise<void> {
    const phases = new Map<string, string>();
    const labelSelector = `${LABELS.managedBy}=${LABELS.managedByValue}`;
    while (!signal.aborted) {
      try {
        const list = await listAll<VmimObject>(this.d.client, paths.vmims(ns), { labelSelector }, signal);
        for (const o of list.items) phases.set(o.metadata.uid!, o.status?.phase ?? '');
        await this.d.client.watch<VmimObject>(paths.vmims(ns), { labelSelector, resourceVersion: list.metadata.resourceVersion }, (e) => {
          if (e.type === 'ERROR' || e.type === 'BOOKMARK') return;
          const uid = e.object.metadata.uid!;
          if (e.type === 'DELETED') {
            phases.delete(uid);
            return;
          }
          const phase = e.object.status?.phase ?? '';
          if (phases.get(uid) === phase) return;
          phases.set(uid, phase);
          this.log.log('info', 'migration phase', { migration: e.object.metadata.name, namespace: e.object.metadata.namespace, phase });
          if ((phase === 'Succeeded' || phase === 'Failed') && this.isLeader() && this.running) {
            void this.serialized(() => this.reconcileInFlight({ leader: true, decisions: [], started: [], finished: [], inFlight: 0 })).catch((err: unknown) => this.log.log('warn', 'reconcile after watch event failed', { error: err }));
          }
        }, signal);
      } catch (e) {
        if (isNotFound(e)) return; // KubeVirt not installed
        if (!signal.aborted) this.log.log('warn', 'VMIM watch failed; re-listing', { error: e });
      }
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 1000));
    }
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
    if (opts.serveMetrics !== false) {
      const mc = this.d.config.metrics;
      this.server = await serveMetrics(this.metrics, mc.port, mc.bindAddress, () => Number.isFinite(this.lastTickOkMs) || !this.isLeader());
    }
    if (this.d.migrators.vm && this.d.config.workloads.kinds.includes('vm')) {
      this.watchAbort = new AbortController();
      const nss = this.d.config.workloads.namespaces.length ? this.d.config.workloads.namespaces : [undefined];
      this.watches = nss.map((ns) => this.watchMigrations(ns, this.watchAbort!.signal));
    }
    const period = Math.min(this.d.config.tickMs, this.d.config.leaderElection.renewPeriodMs);
    let lastTick = Number.NEGATIVE_INFINITY;
    this.loop = (async () => {
      while (this.running) {
        try {
          if (this.elector) {
            const was = this.elector.isLeader();
            const now = await this.elector.tryAcquireOrRenew();
            if (now !== was) this.log.log('info', now ? 'became leader' : 'lost leadership');
            this.metrics.isLeader.set({}, now ? 1 : 0);
          }
          if (this.running && this.d.clock.nowMs() - lastTick >= this.d.config.tickMs) {
            lastTick = this.d.clock.nowMs();
            await this.tick();
          }
        } catch (e) {
          this.metrics.errors.inc({ stage: 'tick' });
          this.log.log('warn', 'tick failed', { error: e });
        }
        if (!this.running) break;
        await new Promise<void>((r) => {
          const t = setTimeout(r, period);
          this.wake = () => {
            clearTimeout(t);
            r();
          };
        });
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
    this.wake?.();
    await this.loop;
    this.watchAbort?.abort();
    await Promise.all(this.watches);
    await this.currentTick?.catch(() => undefined);
    await this.chain;
    await this.elector?.release();
    this.metrics.isLeader.set({}, 0);
    await this.server?.close();
    this.server = undefined;
    this.log.log('info', 'stopped');
  }
}
