/**
 * What one controller tick tells the live view ({@link LiveFeed}, passed in through `ControllerDeps.feed`):
 * the nodes and the workloads on each, the Eq.1 RTT the controller acted on per (user, node), the Eq.2 load per
 * node, each decision with the gate behind it, and every migration with its phase. Called once at the end of a
 * tick, as one batch, so a watcher sees a tick whole.
 */
import type { LiveFeed } from '../core/live-feed.js';
import { gateOf } from './gates.js';
import type { Finished } from './in-flight.js';
import type { InFlight, Workload } from './migrate/types.js';
import type { RttTable } from './observe/rtt-table.js';
import type { Timed } from './observe/types.js';
import type { Decision } from './reconcile.js';
import type { WorkloadKey } from './workload-key.js';

export interface TickFacts {
  nowMs: number;
  /** Candidate nodes, in observation order. */
  nodes: readonly string[];
  readyNodes: ReadonlySet<string>;
  workloads: readonly Workload[];
  /** One per workload, in the same order. */
  decisions: readonly Decision[];
  /** In flight at the end of the tick (including the ones the tick started). */
  inFlight: ReadonlyMap<WorkloadKey, InFlight>;
  finished: readonly Finished[];
  loads: ReadonlyMap<string, Timed>;
  /** The Eq. 1 RTTs acted on (the controller's one RTT store). */
  rtt: Pick<RttTable, 'get'>;
}

export function publishTick(feed: LiveFeed, t: TickFacts): void {
  feed.batch(() => {
    const names = [...new Set([...t.nodes, ...t.readyNodes])];
    feed.setNodes(names.map((name) => ({ name, ready: t.readyNodes.has(name), workloads: t.workloads.filter((w) => w.node === name).map((w) => `${w.namespace}/${w.name}`) })));
    for (const n of t.nodes) {
      const l = t.loads.get(n);
      if (l && Number.isFinite(l.atMs)) feed.addPoint('load', n, undefined, l);
    }
    for (const user of new Set(t.workloads.map((w) => w.user))) {
      for (const n of t.nodes) {
        const r = t.rtt.get(user, n);
        if (r && Number.isFinite(r.atMs)) feed.addPoint('rtt', n, user, r);
      }
    }
    t.decisions.forEach((d, i) => {
      const w = t.workloads[i];
      feed.addDecision({
        atMs: t.nowMs,
        workload: d.workload,
        node: w?.node ?? '',
        action: d.action,
        ...(d.action > 0 ? { target: t.nodes[d.action - 1] } : {}),
        ...(d.policyAction !== undefined ? { policyAction: d.policyAction } : {}),
        reason: d.reason,
        ...(d.detail !== undefined ? { detail: d.detail } : {}),
        gate: gateOf(d.reason, d.action),
      });
    });
    for (const f of t.finished) {
      feed.upsertMigration({ id: f.id, workload: `${f.namespace}/${f.workload}`, from: f.from, to: f.to, backend: f.backend, state: f.result, phase: f.result, ...(f.reason !== undefined ? { reason: f.reason } : {}), ...(f.durationMs !== undefined ? { durationMs: f.durationMs } : {}) });
    }
    for (const f of t.inFlight.values()) {
      feed.upsertMigration({ id: f.id, workload: `${f.namespace}/${f.workload}`, from: f.sourceNode, to: f.targetNode, backend: f.backend, state: 'in-flight', phase: f.phase ?? 'started', startedAtMs: f.startedAtMs });
    }
  });
}
