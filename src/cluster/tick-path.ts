/**
 * The decide-and-act half of a controller tick, behind one interface, so controller.ts holds one tick: it
 * observes the cluster (nodes, in-flight migrations, workloads) and hands the rest to a {@link TickPath}:
 *
 * - the per-workload path ({@link PerWorkloadPath}): RTT per user into the one RTT store, then one policy call per
 *   workload (a policy instance each, so recurrent policies keep their history), the caps counted as migrations
 *   start (`gates.ts`);
 * - the fleet path (`fleet-path.ts`, `fleet.enabled`): observations in bulk, every workload scored in one batched
 *   pass and the coordinated step within the caps.
 *
 * Both read and write the same RTT store (`observe/rtt-table.ts`), the same per-workload memory (`workload-state.ts`)
 * and start migrations through the one act step (`startMigration`, reconcile.ts).
 */
import type { Discovered } from './discovery.js';
import type { InFlight, Workload } from './migrate/types.js';
import type { NodeObject } from './kube/resources.js';
import type { LoadSource, RttSource, Timed } from './observe/types.js';
import { readObservations, reconcileWorkload, type Decision, type ReconcileContext } from './reconcile.js';
import type { WorkloadKey } from './workload-key.js';
import type { Finished } from './in-flight.js';

/** What the observe step of the tick hands to the path. */
export interface TickInput {
  workloads: readonly Workload[];
  /** Every unfinished migration in the cluster (all shards'), growing as this tick starts migrations. */
  inFlight: Map<WorkloadKey, InFlight>;
  readyNodes: Set<string>;
  nodes: readonly NodeObject[];
  finished: readonly Finished[];
  started: InFlight[];
  /** When the in-flight migrations were read (controller clock). */
  inFlightAtMs: number;
}

export interface TickOutput {
  /** One per workload, in the order of `TickInput.workloads`. */
  decisions: Decision[];
  loads: ReadonlyMap<string, Timed>;
  /** When the observations were taken (controller clock). */
  nowMs: number;
  /** The decide phase alone (no API I/O), ms; the fleet path measures it. */
  decideMs?: number;
  /** Wall ms of the path's phases. */
  phasesMs?: { observe: number; decide: number; act: number };
}

export interface TickPath {
  /** Where the tick's workloads come from; undefined: listed each tick (discovery.ts). */
  discover?(): Promise<Discovered>;
  start?(): Promise<void>;
  stop?(): Promise<void>;
  run(ctx: ReconcileContext, t: TickInput): Promise<TickOutput>;
}

/** The per-workload path: the paper's controller, one observation and one policy call per workload. */
export class PerWorkloadPath implements TickPath {
  constructor(private readonly sources: { load: LoadSource; rtt: RttSource }) {}

  async run(ctx: ReconcileContext, t: TickInput): Promise<TickOutput> {
    const { config, clock } = ctx;
    const loads = await readObservations({ config, ...this.sources }, t.workloads, ctx.rtt, ctx.state, ctx.metrics, ctx.log);
    const nowMs = clock.nowMs();
    const view = { nowMs, loads, readyNodes: t.readyNodes, inFlight: t.inFlight, started: t.started, inFlightAtMs: t.inFlightAtMs };
    const decisions: Decision[] = [];
    for (const w of t.workloads) {
      const d = await reconcileWorkload(ctx, w, { ...view, nowMs: clock.nowMs() });
      decisions.push(d);
      ctx.metrics.decisions.inc({ action: d.action === 0 ? 'wait' : 'migrate', reason: d.reason });
    }
    return { decisions, loads, nowMs };
  }
}

/** What one tick did (the run loop logs it; tests assert on it). */
export interface TickReport {
  leader: boolean;
  /** Sharded: the ranges this tick decided (the shard Leases held when it read the workloads). */
  shards?: number[];
  decisions: Decision[];
  started: InFlight[];
  finished: Finished[];
  inFlight: number;
  /** Workloads whose in-memory state (policy, Event de-duplication) was dropped because they disappeared. */
  forgotten: string[];
  /** Fleet path: the decide phase's duration (gates, batched scoring, coordination; no API I/O), ms. */
  decideMs?: number;
  /** Fleet path: wall ms of each phase of the tick (reconcile = nodes, in-flight and the cache's snapshot). */
  phasesMs?: { reconcile: number; observe: number; decide: number; act: number };
}

export const emptyReport = (leader: boolean): TickReport => ({ leader, decisions: [], started: [], finished: [], inFlight: 0, forgotten: [] });

