/**
 * The I/O around a tick's pure decide phase (bulk-decide.ts): observe in bulk before it, act within the caps after
 * it. Both paths run them in this order, {@link observeFleet} → `decideFleet` → {@link actFleet}: the fleet path
 * (fleet-path.ts) with a batched scorer and the coordinated step, the per-workload path (tick-path.ts) with each
 * workload's own policy and coordination off.
 */
import type { ControllerConfig } from './config.js';
import { decideFleet, type FleetDecision, type FleetScratch, type FleetView, type RowPolicies } from './bulk-decide.js';
import type { BulkScorer } from './bulk-score.js';
import type { Logger } from './log.js';
import type { ControllerMetrics } from './metrics.js';
import type { InFlight, Workload } from './migrate/types.js';
import type { RttTable } from './observe/rtt-table.js';
import type { BatchRttSource, LoadSource, RttSource, Timed } from './observe/types.js';
import { startMigration, type Decision, type ReconcileContext } from './reconcile.js';
import { workloadKey, type WorkloadKey } from './workload-key.js';

/** Run `fn` over `items` with at most `limit` in flight at once. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface FleetSources {
  config: ControllerConfig;
  load: LoadSource;
  rtt: RttSource;
  /** The RTT source's batch form, when it has one and it is configured (`batchUrl`, `batchQuery`). */
  batchRtt?: BatchRttSource;
  metrics: ControllerMetrics;
  log: Logger;
  /** Told which users' RTT read succeeded or failed (the per-workload memory keeps the cause for the Event). */
  notes?: { noteUser(user: string): void; noteRttError(user: string, error: string): void };
}

/**
 * Node loads once, and every user's RTT in one batch request (or, for a source without a batch form, one request
 * per user, 16 at a time) into the table. A failing source is counted and logged; its values go missing, so the
 * workloads concerned wait with `ObservationInvalid`. Users whose workloads are gone leave the table.
 */
export async function observeFleet(s: FleetSources, workloads: readonly Workload[], table: RttTable): Promise<Map<string, Timed>> {
  const { nodes } = s.config;
  const nodeIndex = new Map(nodes.map((n, j) => [n, j]));
  let loads = new Map<string, Timed>();
  try {
    loads = await s.load.readLoads(nodes);
  } catch (e) {
    s.metrics.errors.inc({ stage: 'load' });
    s.log.log('warn', 'load source failed', { source: s.load.name, error: e });
  }
  const users = [...new Set(workloads.map((w) => w.user))];
  table.retain(new Set(users));
  // Samples arrive user by user (1M a tick at 10k × 100): the user's slot is looked up once per run of samples.
  let lastUser = '';
  let lastSlot = -1;
  const sink = (user: string, node: string, v: number, at: number): void => {
    const j = nodeIndex.get(node);
    if (j === undefined) return;
    if (user !== lastUser) {
      lastUser = user;
      lastSlot = table.slot(user);
    }
    table.push(lastSlot, j, v, at);
  };
  if (s.batchRtt) {
    try {
      // The request's node order is the config's, so a whole row goes straight into the table.
      const rowSink = (user: string, row: ArrayLike<number | null>, at: number): void => {
        const slot = table.slot(user);
        for (let j = 0; j < nodes.length; j++) table.push(slot, j, row[j] ?? Number.NaN, at);
      };
      const rep = await s.batchRtt.readRttBatch(users, nodes, sink, undefined, rowSink);
      if (rep.rejected.length) {
        s.metrics.errors.inc({ stage: 'rtt' }, rep.rejected.length);
        s.log.log('warn', 'rtt batch: entries rejected (those users wait)', { source: s.batchRtt.name, count: rep.rejected.length, first: rep.rejected.slice(0, 3).map((r) => r.why) });
      }
    } catch (e) {
      s.metrics.errors.inc({ stage: 'rtt' });
      s.log.log('warn', 'rtt batch source failed', { source: s.batchRtt.name, users: users.length, error: e });
      for (const u of users) s.notes?.noteRttError(u, `${s.batchRtt.name}: ${(e as Error).message}`);
    }
    return loads;
  }
  await forEachLimited(users, 16, async (u) => {
    try {
      const got = await s.rtt.readRtt(u, nodes);
      s.notes?.noteUser(u);
      for (const [n, samples] of got) for (const x of samples) sink(u, n, x.value, x.atMs);
    } catch (e) {
      s.metrics.errors.inc({ stage: 'rtt' });
      s.notes?.noteRttError(u, `${s.rtt.name}: ${(e as Error).message}`);
      s.log.log('warn', 'rtt source failed', { source: s.rtt.name, user: u, error: e });
    }
  });
  return loads;
}

/** Decide, timed: the figure `remora bench controller` reports (no API I/O inside). */
export function decideFleetTimed(workloads: readonly Workload[], table: RttTable, view: FleetView, config: ControllerConfig, scorer: BulkScorer | RowPolicies, scratch: FleetScratch, metrics: ControllerMetrics): { decision: FleetDecision; decideMs: number } {
  const t0 = performance.now();
  const decision = decideFleet(workloads, table, view, config, scorer, scratch);
  const decideMs = performance.now() - t0;
  metrics.decidePhase.set({}, decideMs / 1000);
  return { decision, decideMs };
}

/**
 * Act on the decide phase: Events (de-duplicated, `eventConcurrency` at a time), metrics by reason, and the
 * accepted migrations started in the coordinated step's order (highest gain first) through the one act step
 * (`startMigration`, reconcile.ts: precheck, dry run, sequence number, start). Returns one {@link Decision} per
 * workload. Only migrations carry their observation (10k copies a tick are not worth keeping), unless
 * `keepObservations` (the per-workload path: every decision shows what its policy saw).
 */
export async function actFleet(
  ctx: ReconcileContext,
  workloads: readonly Workload[],
  d: FleetDecision,
  t: { nowMs: number; inFlight: Map<WorkloadKey, InFlight>; started: InFlight[]; inFlightAtMs?: number },
  rowObservation: (i: number) => number[] | undefined,
  decider: { readonly name: string },
  keepObservations = false,
): Promise<Decision[]> {
  const { config, state, metrics } = ctx;
  const out: Decision[] = new Array(workloads.length);
  const toEmit: number[] = [];
  const byReason = new Map<string, number>();
  for (let i = 0; i < workloads.length; i++) {
    const w = workloads[i]!;
    const k = workloadKey(w.kind, w.namespace, w.name);
    for (const c of d.clears[i] ?? []) state.dedup.clear(k, c);
    const reason = d.reason[i]!;
    const pa = d.policyAction[i];
    const seen = keepObservations ? rowObservation(i) : undefined;
    out[i] = { workload: `${w.namespace}/${w.name}`, kind: w.kind, action: 0, ...(pa !== undefined ? { policyAction: pa } : {}), reason, ...(d.detail[i] !== undefined ? { detail: d.detail[i] } : {}), ...(seen ? { observation: seen } : {}) };
    const age = d.ageMs[i]!;
    if (reason !== 'in-flight') metrics.observationAge.set({ workload: out[i]!.workload }, age / 1000);
    const e = d.event[i];
    if (e && (!e.dedup || state.dedup.shouldEmit(k, e.dedup.topic, e.dedup.cause))) {
      toEmit.push(i);
      // Logged with its Event, once per cause: a fleet whose RTT source is down would otherwise log every workload every tick.
      if (reason === 'invalid-observation') ctx.log.log('info', 'forced wait', { workload: out[i]!.workload, why: d.detail[i] });
    }
  }
  for (const [name, n] of Object.entries(d.deferred)) metrics.deferred.inc({ reason: name }, n);
  await ctx.renew?.();
  await forEachLimited(toEmit, config.fleet.eventConcurrency, async (i) => {
    const e = d.event[i]!;
    await ctx.event(workloads[i]!.object, e.type, e.reason, e.message);
  });
  for (const m of d.moves) {
    await ctx.renew?.();
    if (!ctx.isLeader()) break;
    const w = workloads[m.index]!;
    const k = workloadKey(w.kind, w.namespace, w.name);
    const base = out[m.index]!;
    out[m.index] = await startMigration(ctx, w, k, { target: m.target, action: m.action, policyName: decider.name, observation: rowObservation(m.index) }, t, { workload: base.workload, kind: base.kind, policyAction: m.action, observation: rowObservation(m.index) });
    if (out[m.index]!.reason === 'policy') ctx.state.dedup.clear(k, 'cap');
  }
  for (const x of out) byReason.set(`${x.action === 0 ? 'wait' : 'migrate'}\u0000${x.reason}`, (byReason.get(`${x.action === 0 ? 'wait' : 'migrate'}\u0000${x.reason}`) ?? 0) + 1);
  for (const [key, n] of byReason) {
    const [action, reason] = key.split('\u0000') as [string, string];
    metrics.decisions.inc({ action, reason }, n);
  }
  return out;
}
