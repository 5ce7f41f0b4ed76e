/**
 * The act step of a tick: what a decision is, what acting needs, and {@link startMigration}, the only place a
 * migration starts. The decide phase before it is pure and batched (bulk-decide.ts) for both paths. Level-based
 * and idempotent: everything it needs is read from the cluster this tick, and the migration object's name comes
 * from a sequence number reserved on the workload, so a retry never starts a second one.
 *
 * Every workload is looked at every tick; there is no per-key requeue time (controller-runtime's RequeueAfter).
 * The gates cost O(1) per workload, and the only thing a requeue time could postpone, the cooldown, is an
 * annotation on the workload: a next-due time kept in memory would be a second copy of it that a restarted
 * replica, or a shard taking over a range, would not have. A decision's `reason` and `detail` say why it waits
 * (`cooldown`, `error` with the API's message, `illegal-action`), and the Event says it to people.
 */
import type { ControllerConfig } from './config.js';
import type { EventDeduplicator } from './event-dedup.js';
import type { DecisionReason, GateEvent } from './gates.js';
import { isConflict, type KubeClient, type KubeObject } from './kube/client.js';
import { ANNOTATIONS, paths } from './kube/resources.js';
import type { Logger } from './log.js';
import type { ControllerMetrics } from './metrics.js';
import { CheckpointUnavailableError, FALLBACK_ANNOTATION } from './migrate/pod.js';
import type { InFlight, Migrator, Workload, WorkloadKind } from './migrate/types.js';
import type { RttTable } from './observe/rtt-table.js';
import type { Clock, Timed } from './observe/types.js';
import type { MigrationBudget } from './budget.js';
import type { WorkloadState } from './workload-state.js';
import type { WorkloadKey } from './workload-key.js';

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

export interface ReconcileContext {
  client: KubeClient;
  config: ControllerConfig;
  clock: Clock;
  migrators: Partial<Record<WorkloadKind, Migrator>>;
  state: WorkloadState;
  /** The one RTT store (Eq. 1). */
  rtt: RttTable;
  metrics: ControllerMetrics;
  log: Logger;
  /** Observations carry the edge model's in-flight block (zeros: the policy is asked only when nothing is in flight). */
  inFlightLayout: boolean;
  isLeader(): boolean;
  /** Sharded: whether this replica still holds the workload's range (a Lease can be lost in a long tick). */
  owns?: (key: WorkloadKey) => boolean;
  /** Renew the Lease(s) when a renewal is due: long ticks call it between their phases, so a Lease never lapses mid-tick. */
  renew?: () => Promise<void>;
  /** Sharded: the caps' budget shared by the shards on the apiserver (budget.ts); a slot is reserved before a start. */
  budget?: Pick<MigrationBudget, 'reserve'>;
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

/** What every workload of the tick shares. `inFlight` and `started` grow as this tick starts migrations. */
export interface TickView {
  nowMs: number;
  loads: ReadonlyMap<string, Timed>;
  readyNodes: ReadonlySet<string>;
  inFlight: Map<WorkloadKey, InFlight>;
  started: InFlight[];
  /** When `inFlight` was read from the cluster (the shared budget refuses to count on an old read). */
  inFlightAtMs?: number;
}

async function emit(ctx: ReconcileContext, dedup: EventDeduplicator, k: WorkloadKey, obj: KubeObject, e: GateEvent | undefined): Promise<void> {
  if (!e) return;
  if (e.dedup && !dedup.shouldEmit(k, e.dedup.topic, e.dedup.cause)) return;
  await ctx.event(obj, e.type, e.reason, e.message);
}

/** The part of a decision the act step is handed: the workload's identity and what the policy saw and chose. */
export type DecisionBase = Pick<Decision, 'workload' | 'kind' | 'policyAction' | 'observation'>;

/**
 * Act on a decision to migrate that passed every pure gate of the decide phase (with or without the coordinated
 * step): precheck, dry run, then the sequence number reserved on the workload and the migration started.
 */
export async function startMigration(
  ctx: ReconcileContext,
  w: Workload,
  k: WorkloadKey,
  choice: { target: string; action: number; policyName: string; observation: number[] | undefined },
  t: Pick<TickView, 'nowMs' | 'inFlight' | 'started' | 'inFlightAtMs'>,
  dec: DecisionBase,
): Promise<Decision> {
  const { config, state } = ctx;
  const { target, action, policyName } = choice;
  const obsArr = choice.observation;
  const m = ctx.migrators[w.kind]!;
  const blocked = await m.precheck(w, target);
  if (blocked) {
    const reason = w.kind === 'vm' && blocked.includes('LiveMigratable') ? 'NotLiveMigratable' : 'MigrationBlocked';
    await emit(ctx, state.dedup, k, w.object, { type: 'Warning', reason, message: `policy chose ${target}; not migrating: ${blocked}`, dedup: { topic: 'precheck', cause: blocked } });
    return { ...dec, action: 0, reason: 'precheck', detail: blocked };
  }
  state.dedup.clear(k, 'precheck');
  if (config.migration.dryRun) {
    await ctx.event(w.object, 'Normal', 'DryRunMigration', `dry run: would migrate ${w.node} -> ${target} (${m.backend})`);
    ctx.log.log('info', 'dry-run migration', { workload: dec.workload, from: w.node, to: target });
    return { ...dec, action: 0, reason: 'dry-run' };
  }
  // Reserve a sequence number on the workload with a resourceVersion precondition: a concurrent writer (a
  // second replica during a lease hand-over) gets 409 and backs off, and the object name derived from it is
  // deterministic, so a retry after a crash finds the object instead of creating another.
  if (!ctx.isLeader() || (ctx.owns && !ctx.owns(k))) return { ...dec, action: 0, reason: 'error', detail: 'lost leadership during the tick' };
  const seq = Number(w.object.metadata.annotations?.[ANNOTATIONS.migrationSeq] ?? '0') + 1;
  const id = `remora-${w.name}-${seq}`.slice(0, 253);
  const refused = await ctx.budget?.reserve(id, w.node, t.inFlight.values(), t.inFlightAtMs ?? t.nowMs);
  if (refused) {
    await emit(ctx, state.dedup, k, w.object, { type: 'Normal', reason: 'MigrationDeferred', message: `policy chose ${target}; deferred: ${refused.detail}`, dedup: { topic: 'cap', cause: `budget-${refused.reason}` } });
    return { ...dec, action: 0, reason: refused.reason, detail: refused.detail };
  }
  try {
    const patched = await ctx.client.request<KubeObject | undefined>('PATCH', w.kind === 'vm' ? paths.vmis(w.namespace, w.name) : paths.pods(w.namespace, w.object.metadata.name), {
      body: { metadata: { resourceVersion: w.object.metadata.resourceVersion, annotations: { [ANNOTATIONS.migrationSeq]: String(seq) } } },
    });
    // Start from the object as patched: a pod backend copies the source's annotations to the target, and the
    // target must carry this sequence number, or the next migration (from the target) would reuse this id
    // (seen on the lab: the second move "adopted" the serving pod, remora-echo-1, as its own target).
    const source: Workload = patched?.metadata ? { ...w, object: { ...w.object, ...patched, apiVersion: w.object.apiVersion, kind: w.object.kind } } : w;
    const f = await m.start(source, target, id, t.nowMs);
    t.inFlight.set(k, f);
    t.started.push(f);
    state.dedup.clear(k, 'checkpoint-unavailable');
    ctx.metrics.migrationsStarted.inc({ kind: w.kind, backend: m.backend });
    if (f.fallback) {
      ctx.metrics.checkpointUnavailable.inc({ node: w.node, outcome: 'fallback-recreate' });
      await ctx.event(w.object, 'Warning', 'CheckpointFallback', `node ${w.node} cannot checkpoint (${f.fallback}); recreating on ${target} instead (${FALLBACK_ANNOTATION}: recreate), the workload's in-memory state is lost`);
    }
    await ctx.event(w.object, 'Normal', 'MigrationStarted', `policy ${policyName} chose ${target}: migrating ${w.node} -> ${target} via ${m.backend} (${id}); observation [${(obsArr ?? []).map((x) => +x.toFixed(3)).join(', ')}]`);
    ctx.log.log('info', 'migration started', { workload: dec.workload, migration: id, from: w.node, to: target, backend: m.backend });
    return { ...dec, action, reason: 'policy' };
  } catch (e) {
    if (e instanceof CheckpointUnavailableError) {
      ctx.metrics.checkpointUnavailable.inc({ node: w.node, outcome: 'not-migrated' });
      ctx.log.log('warn', 'checkpoint unavailable', { workload: dec.workload, node: w.node, why: e.reason });
      await emit(ctx, state.dedup, k, w.object, { type: 'Warning', reason: 'CheckpointUnavailable', message: `policy chose ${target}; not migrating: ${e.message}; annotate ${FALLBACK_ANNOTATION}=recreate to allow a cold recreate`, dedup: { topic: 'checkpoint-unavailable', cause: e.reason } });
      return { ...dec, action: 0, reason: 'precheck', detail: e.message };
    }
    ctx.metrics.errors.inc({ stage: 'start' });
    const msg = isConflict(e) ? 'workload changed concurrently (409); will retry next tick' : (e as Error).message;
    ctx.log.log('warn', 'migration start failed', { workload: dec.workload, error: msg });
    await ctx.event(w.object, 'Warning', 'MigrationStartFailed', `could not start migration to ${target}: ${msg}`);
    return { ...dec, action: 0, reason: 'error', detail: msg };
  }
}
