/** What the fleet twin counts per tick: migrations, refusals, arrivals and departures, overload, SLA and downtime. */

/** What happened in the last tick (counts; per-node arrays indexed by node). Overwritten by every step. */
export interface FleetTickStats {
  /** Migrations started this tick, and per source node. */
  migrationsStarted: number;
  readonly startedFrom: Int32Array;
  /** Services hosted per node at the start of the tick (a service in flight counts on its source). */
  readonly hostedAtStart: Int32Array;
  /** Migrations refused by the caps, and by a full target (admission). */
  refusedByCaps: number;
  refusedFull: number;
  /** Arrivals, arrivals refused (full node or `maxUsers`), departures (users that ended). */
  arrivals: number;
  arrivalsRefused: number;
  departures: number;
  /** Nodes whose load (Eq. 2) at the tick's observation exceeded L_max. */
  overloadedNodes: number;
  /** Users that acted this tick, their SLA-violating steps and their switch-over blackout seconds. */
  userSteps: number;
  violations: number;
  downtimeSeconds: number;
  /** Sum of the rewards of this tick. */
  rewardSum: number;
}

/** Zeroed statistics for `n` nodes. */
export function newTickStats(n: number): FleetTickStats {
  return {
    migrationsStarted: 0, startedFrom: new Int32Array(n), hostedAtStart: new Int32Array(n), refusedByCaps: 0, refusedFull: 0,
    arrivals: 0, arrivalsRefused: 0, departures: 0, overloadedNodes: 0, userSteps: 0, violations: 0, downtimeSeconds: 0, rewardSum: 0,
  };
}

/** Zero the per-tick counts (`hostedAtStart` is rewritten by the step itself). */
export function clearTickStats(s: FleetTickStats): void {
  s.migrationsStarted = s.refusedByCaps = s.refusedFull = s.arrivals = s.arrivalsRefused = s.departures = 0;
  s.overloadedNodes = s.userSteps = s.violations = s.downtimeSeconds = s.rewardSum = 0;
  s.startedFrom.fill(0);
}
