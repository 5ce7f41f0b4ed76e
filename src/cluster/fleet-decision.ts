/** What the decide phase of a tick (bulk-decide.ts) reads and returns: pure data, no I/O. */
import type { DedupTopic } from './event-dedup.js';
import type { DecisionReason, GateEvent } from './gates.js';
import type { InFlight } from './migrate/types.js';
import type { Timed } from './observe/types.js';
import type { WorkloadKey } from './workload-key.js';

/** What every workload of the tick shares. */
export interface FleetView {
  nowMs: number;
  loads: ReadonlyMap<string, Timed>;
  readyNodes: ReadonlySet<string>;
  inFlight: ReadonlyMap<WorkloadKey, InFlight>;
  /** Per configured node: allocatable cpu, millicores (NaN or 0: it takes nothing). */
  capacityMillis: ArrayLike<number>;
  /** Workloads whose migration finished this tick: they wait one tick for the cache to hold the result. */
  settling?: ReadonlySet<WorkloadKey>;
  /** Why the RTT source last failed for a user, added to the reasons its observation is unusable. */
  rttError?: (user: string) => string | undefined;
}

export interface FleetMove {
  /** Index into the tick's workloads. */
  index: number;
  /** 1-based action (node index + 1) and its node. */
  action: number;
  target: string;
  gain: number;
}

export interface FleetDecision {
  /** Per workload: why it waits, or `policy` when it is among {@link moves}. */
  reason: DecisionReason[];
  detail: (string | undefined)[];
  /** Per workload: the scorer's best legal action (undefined when it was not scored). */
  policyAction: (number | undefined)[];
  /** Per workload: the Event to record (de-duplicated by the caller through `dedup`). */
  event: (GateEvent | undefined)[];
  /** Per workload: de-duplication topics whose condition cleared. */
  clears: DedupTopic[][];
  /** Per workload: age of the oldest observation component, ms (NaN when something is missing; in flight: NaN). */
  ageMs: Float64Array;
  /** Accepted moves, highest gain first. */
  moves: FleetMove[];
  /** Deferred wishes by reason name (`cluster-cap`, `node-cap`, `capacity`). */
  deferred: Record<string, number>;
  /** Workloads scored (valid observation, not in flight). */
  scored: number;
}
