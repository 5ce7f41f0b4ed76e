/**
 * The decide-and-act half of a controller tick, behind one interface, so controller.ts holds one tick: it
 * observes the cluster (nodes, in-flight migrations, workloads) and hands the rest to a {@link TickPath}. Both
 * paths are one pipeline, observe → decide (pure, batched) → act (bulk-tick.ts), and differ only in the decider:
 *
 * - the per-workload path ({@link PerWorkloadPath}): each workload's own policy instance (recurrent policies keep
 *   their history; stateful rules such as `lookahead` keep their trend) asked about its row, coordination off: the
 *   cluster cap admits the moves in workload order;
 * - the fleet path (`fleet-path.ts`, `fleet.enabled`): workloads from a watch-fed cache, every row scored in one
 *   batched pass and the coordinated step within the caps.
 *
 * Both read and write the same RTT store (`observe/rtt-table.ts`), the same per-workload memory (`workload-state.ts`)
 * and start migrations through the one act step (`startMigration`, reconcile.ts).
 */
import type { Policy } from '../core/env.js';
import { observationLength } from '../core/observation.js';
import { FleetScratch, type RowPolicies } from './bulk-decide.js';
import { actFleet, decideFleetTimed, observeFleet } from './bulk-tick.js';
import type { Discovered } from './discovery.js';
import type { PolicyChoice } from './gates.js';
import type { InFlight, Workload } from './migrate/types.js';
import type { NodeObject } from './kube/resources.js';
import type { LoadSource, RttSource, Timed } from './observe/types.js';
import type { Decision, ReconcileContext } from './reconcile.js';
import { workloadKey, type WorkloadKey } from './workload-key.js';
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

/** Each workload's own policy as the decider: a thrown error is the choice `{ error }`, which the gates turn into Wait. */
function rowPolicies(ctx: ReconcileContext, workloads: readonly Workload[], policies: readonly (Policy | undefined)[]): RowPolicies {
  return {
    name: policies.find((p) => p)?.name ?? '',
    inFlight: ctx.inFlightLayout,
    choose(i: number, row: Float64Array, mask: Uint8Array): PolicyChoice {
      const w = workloads[i]!;
      try {
        const action = policies[i]!.act(row.slice(), mask.slice());
        ctx.log.log('debug', 'decision', { workload: `${w.namespace}/${w.name}`, observation: Array.from(row), action });
        return { action };
      } catch (e) {
        ctx.metrics.errors.inc({ stage: 'policy' });
        return { error: (e as Error).message };
      }
    },
  };
}

/**
 * The per-workload path: the paper's controller, one policy instance per workload, asked about its own row in the
 * tick's one decide phase with coordination off.
 */
export class PerWorkloadPath implements TickPath {
  private readonly scratch = new FleetScratch();

  constructor(private readonly sources: { load: LoadSource; rtt: RttSource }) {}

  async run(ctx: ReconcileContext, t: TickInput): Promise<TickOutput> {
    const { config, clock, state } = ctx;
    const t1 = performance.now();
    const loads = await observeFleet({ config, ...this.sources, metrics: ctx.metrics, log: ctx.log, notes: state }, t.workloads, ctx.rtt);
    // A workload's policy lives as long as the workload (a VM's as long as its uid): fetched before the pure decide.
    const policies = await Promise.all(t.workloads.map((w) => {
      const k = workloadKey(w.kind, w.namespace, w.name);
      return t.inFlight.has(k) ? undefined : state.policyFor(k, w.kind === 'vm' ? (w.object.metadata.uid ?? '') : '', w.user);
    }));
    const nowMs = clock.nowMs();
    const view = { nowMs, loads, readyNodes: t.readyNodes, inFlight: t.inFlight, capacityMillis: [], rttError: (u: string) => state.rttError(u) };
    await ctx.renew?.();
    const t2 = performance.now();
    const decider = rowPolicies(ctx, t.workloads, policies);
    const { decision, decideMs } = decideFleetTimed(t.workloads, ctx.rtt, view, config, decider, this.scratch, ctx.metrics);
    const len = observationLength(config.nodes.length, decider.inFlight);
    const rowObservation = (i: number): number[] | undefined => this.scratch.rowObservation(i, len);
    const t3 = performance.now();
    const decisions: Decision[] = await actFleet(ctx, t.workloads, decision, { nowMs, inFlight: t.inFlight, started: t.started, inFlightAtMs: t.inFlightAtMs }, rowObservation, decider, true);
    return { decisions, loads, nowMs, decideMs, phasesMs: { observe: t2 - t1, decide: t3 - t2, act: performance.now() - t3 } };
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

