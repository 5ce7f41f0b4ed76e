/**
 * The in-flight state machine. In-flight migrations are read from the cluster each tick (never from memory),
 * so whatever an earlier incarnation or another replica started is adopted. Per migration:
 *
 *   running ──target NotReady──▶ cancel ─▶ cancelled
 *   running ──older than timeoutMs──▶ cancel ─▶ timeout
 *   running ──────────────────────▶ (stays; looked at again next tick)
 *   succeeded | failed ─▶ finalize, cooldown annotation on the serving object, Event
 *
 * {@link nextStep} is the pure transition; {@link advance} carries it out against the API.
 */
import type { ControllerConfig } from './config.js';
import { discoverWorkloads, type Discovered } from './discovery.js';
import { listAll, type KubeClient, type KubeObject } from './kube/client.js';
import { ANNOTATIONS, isNodeReady, paths, type NodeObject } from './kube/resources.js';
import type { Logger } from './log.js';
import type { ControllerMetrics } from './metrics.js';
import type { InFlight, Migrator, Progress, Workload, WorkloadKind } from './migrate/types.js';
import type { Clock } from './observe/types.js';
import { workloadKey, type WorkloadKey } from './workload-key.js';

export interface Finished {
  id: string;
  workload: string;
  namespace: string;
  /** Source and target node, and the backend (what the live view shows of a move adopted and finished in one tick). */
  from: string;
  to: string;
  backend: string;
  result: 'succeeded' | 'failed' | 'timeout' | 'cancelled';
  reason?: string;
  durationMs?: number;
}

export type Step = { step: 'wait' } | { step: 'cancel'; why: string; result: 'timeout' | 'cancelled' } | { step: 'finish'; result: 'succeeded' | 'failed' };

/** What to do with one in-flight migration, given its progress. A NotReady target is checked before the timeout. */
export function nextStep(p: Progress, f: Pick<InFlight, 'targetNode' | 'startedAtMs'>, readyNodes: ReadonlySet<string>, nowMs: number, timeoutMs: number): Step {
  if (p.state !== 'running') return { step: 'finish', result: p.state };
  if (!readyNodes.has(f.targetNode)) return { step: 'cancel', why: `target node ${f.targetNode} is NotReady`, result: 'cancelled' };
  if (nowMs - f.startedAtMs > timeoutMs) return { step: 'cancel', why: `timed out after ${Math.round((nowMs - f.startedAtMs) / 1000)} s in phase ${p.phase}`, result: 'timeout' };
  return { step: 'wait' };
}

/** Every unfinished migration of every migrator, one per workload (a second one is logged, never acted on). */
export async function listInFlight(migrators: Partial<Record<WorkloadKind, Migrator>>, namespaces: readonly string[], log: Logger): Promise<Map<WorkloadKey, InFlight>> {
  const inFlight = new Map<WorkloadKey, InFlight>();
  for (const m of Object.values(migrators)) {
    if (!m) continue;
    for (const f of await m.listInFlight(namespaces)) {
      const k = workloadKey(f.kind, f.namespace, f.workload);
      const seen = inFlight.get(k);
      if (seen) log.log('error', 'two in-flight migrations for one workload', { workload: k, a: seen.id, b: f.id });
      else inFlight.set(k, f);
    }
  }
  return inFlight;
}

export interface AdvanceContext {
  client: KubeClient;
  migrators: Partial<Record<WorkloadKind, Migrator>>;
  timeoutMs: ControllerConfig['migration']['timeoutMs'];
  metrics: ControllerMetrics;
  log: Logger;
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

/** Move one in-flight migration forward; returns how it finished, or undefined while it runs (or on an API error). */
export async function advance(ctx: AdvanceContext, f: InFlight, readyNodes: ReadonlySet<string>, w: Workload | undefined, nowMs: number): Promise<Finished | undefined> {
  const m = ctx.migrators[f.kind];
  if (!m) return undefined;
  let p: Exclude<Progress, { state: 'running' }>;
  let result: Finished['result'];
  try {
    const got = await m.progress(f);
    if (got.state === 'running') f.phase = got.phase;
    const s = nextStep(got, f, readyNodes, nowMs, ctx.timeoutMs);
    if (s.step === 'wait') return undefined;
    if (s.step === 'cancel') {
      await m.cancel(f, s.why);
      p = { state: 'failed', reason: s.why };
    } else if (got.state !== 'running') p = got;
    else return undefined; // nextStep never finishes a running migration
    result = s.result;
    await m.finalize(f, p);
  } catch (e) {
    ctx.metrics.errors.inc({ stage: 'progress' });
    ctx.log.log('warn', 'migration progress failed', { migration: f.id, error: e });
    return undefined;
  }
  const fin: Finished = { id: f.id, workload: f.workload, namespace: f.namespace, from: f.sourceNode, to: f.targetNode, backend: f.backend, result, ...(p.state === 'failed' ? { reason: p.reason } : { durationMs: p.durationMs }) };
  ctx.metrics.migrations.inc({ kind: f.kind, backend: f.backend, result });
  if (p.state === 'succeeded' && Number.isFinite(p.durationMs)) ctx.metrics.migrationDuration.observe({ kind: f.kind, backend: f.backend }, p.durationMs / 1000);
  ctx.log.log(p.state === 'succeeded' ? 'info' : 'warn', 'migration finished', { ...fin, migration: f.id, workload: `${f.namespace}/${f.workload}`, from: f.sourceNode, to: f.targetNode });
  // Cooldown bookkeeping on the object that now serves the workload.
  const servingPath = f.kind === 'vm' ? paths.vmis(f.namespace, f.workload) : p.state === 'succeeded' && p.serving ? paths.pods(f.namespace, p.serving) : w ? paths.pods(f.namespace, w.object.metadata.name) : undefined;
  if (servingPath) {
    try {
      await ctx.client.request('PATCH', servingPath, { body: { metadata: { annotations: { [ANNOTATIONS.lastMigration]: new Date(nowMs).toISOString() } } } });
    } catch (e) {
      ctx.log.log('warn', 'could not record cooldown', { migration: f.id, error: e });
    }
  }
  const ok = p.state === 'succeeded';
  await ctx.event(
    w?.object ?? f.object,
    ok ? 'Normal' : 'Warning',
    ok ? 'MigrationSucceeded' : result === 'timeout' ? 'MigrationTimedOut' : 'MigrationFailed',
    p.state === 'succeeded' ? `migrated ${f.sourceNode} -> ${f.targetNode} via ${f.backend} (${f.id}) in ${(p.durationMs / 1000).toFixed(1)} s (${p.durationSource})` : `migration ${f.id} ${f.sourceNode} -> ${f.targetNode} ${result}: ${p.reason}`,
  );
  return fin;
}

export interface InFlightContext extends Omit<AdvanceContext, 'timeoutMs'> {
  config: ControllerConfig;
  clock: Clock;
  /** Where this tick's workloads come from (default: listed, discovery.ts; the fleet path: its watch-fed cache). */
  discover?: () => Promise<Discovered>;
  /**
   * Sharded (shard.ts): whether this replica owns a workload. Only owned workloads are returned and only their
   * migrations moved forward; every migration in flight is still returned, because the caps count all of them.
   */
  owns?: (key: WorkloadKey) => boolean;
}

/**
 * Read in-flight migrations from the cluster (adopting whatever an earlier incarnation started), move each one
 * forward, and discover this tick's workloads. Finished migrations are appended to `finished`.
 */
export async function reconcileInFlight(ctx: InFlightContext, finished: Finished[]): Promise<{ inFlight: Map<WorkloadKey, InFlight>; readyNodes: Set<string>; nodes: NodeObject[]; found: Discovered }> {
  const { config, client, migrators } = ctx;
  const all = ctx.discover ?? (() => discoverWorkloads(client, config, migrators));
  const owns = ctx.owns;
  const discover = owns
    ? async (): Promise<Discovered> => {
        const d = await all();
        return { workloads: d.workloads.filter((w) => owns(workloadKey(w.kind, w.namespace, w.name))), ignored: d.ignored.filter((i) => owns(i.key)) };
      }
    : all;
  const nodes = await listAll<NodeObject>(client, paths.nodes());
  const readyNodes = new Set(nodes.items.filter(isNodeReady).map((n) => n.metadata.name));
  const inFlight = await listInFlight(migrators, config.workloads.namespaces, ctx.log);
  let found = await discover();
  // A dry run only observes: it neither cancels nor finalizes anyone's migrations.
  if (!config.migration.dryRun) {
    const byKey = new Map(found.workloads.map((w) => [workloadKey(w.kind, w.namespace, w.name), w]));
    const before = finished.length;
    for (const [k, f] of [...inFlight]) {
      if (owns && !owns(k)) continue;
      const done = await advance({ ...ctx, timeoutMs: config.migration.timeoutMs }, f, readyNodes, byKey.get(k), ctx.clock.nowMs());
      if (done) {
        finished.push(done);
        inFlight.delete(k);
      }
    }
    // Finishing wrote to the workloads (cooldown, node): re-read them so decisions use fresh resourceVersions.
    if (finished.length > before) found = await discover();
  }
  ctx.metrics.inFlight.set({}, inFlight.size);
  return { inFlight, readyNodes, nodes: nodes.items, found };
}
