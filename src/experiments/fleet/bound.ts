/**
 * The fleet's upper bound: the sum of per-user oracles with the capacity coupling relaxed.
 *
 * Exactly what is relaxed, per user (each solved alone by dynamic programming over (tick, serving node)):
 * 1. **Coupling.** The node loads are those realised under a reference policy (`sla-greedy+coord` by default) at
 *    every tick, fixed: the user's moves change nobody's load, its own included, and nobody's moves change its.
 * 2. **Caps and admission.** No migration is ever refused: no per-node or per-cluster cap, no full target.
 * 3. **Migration dynamics.** A migration is instant (the service serves from the target in the step it is
 *    chosen) and has no switch-over blackout; its traffic cost (`migrationTrafficCost` of the user's state) and
 *    every other term of the user's reward are kept (Eq. 8 and the breach penalty: the transition kernel's
 *    `rewardAt`, `core/transition.ts`).
 * Each relaxation can only raise a user's best return: any timed plan (migrate at t, switch at t + d) is matched
 * by the instant plan that migrates at t + d, whose rewards are equal except that the blackout step, where the
 * timed plan's Eq. 4 is lower (Eq. 4 falls with the serving RTT, Eq. 6 can only add a penalty). So, for the
 * reference policy's loads, the sum bounds every policy's total. Another policy realises other loads, so for it
 * the figure is a bound of the same relaxed problem, not a certificate; that is the "relaxed" in the name.
 * The users are the reference run's admitted users (the arrival stream does not depend on the policy; an arrival
 * another policy's load refuses contributes nothing to that policy's return).
 *
 * Cost: O(ticks × N) per user (the best move is one max over nodes per tick), plus replaying its RTTs (the fleet
 * twin's RTT noise is keyed by user and tick, `FleetTwin.rttMsAt`).
 */
import { TransitionKernel, transitionParams } from '../../core/transition.js';
import type { FleetTwin } from '../../twin/index.js';

/** One user's record under the reference policy. */
export interface UserTrack {
  id: number;
  /** The node its service was admitted to (0-based). */
  initialNode: number;
  /** First tick it acted at; positions per acted tick from there, metres. */
  firstTick: number;
  x: number[];
  y: number[];
  /** Traffic cost of one migration of its service, reward units. */
  trafficCost: number;
}

/** What the reference run records for the bound: the users, and the node loads of every tick. */
export class BoundRecorder {
  readonly users = new Map<number, UserTrack>();
  /** Loads (Eq. 2) per tick, as observed at that tick. */
  readonly loads: Float64Array[] = [];

  /** Call before each step with the fleet's current result (the tick's observation). */
  record(fleet: FleetTwin): void {
    const r = fleet.result, t = r.t;
    this.loads[t] = Float64Array.from(fleet.load);
    for (let i = 0; i < r.rows; i++) {
      if (r.terminated[i] || r.truncated[i]) continue;
      const id = r.ids[i]!;
      let u = this.users.get(id);
      if (!u) {
        u = { id, initialNode: fleet.serving[i]!, firstTick: t, x: [], y: [], trafficCost: fleet.traffic[i]! };
        this.users.set(id, u);
      }
      u.x.push(fleet.x[i]!);
      u.y.push(fleet.y[i]!);
    }
  }
}

/**
 * Called at every tick k of a user's track, backwards, with `q[s]`: the user's best relaxed return from tick k on
 * if its service serves from node s at tick k (the tick's reward there plus the best continuation). Moving to j at
 * tick k is worth `q[j] − trafficCost`; staying on s is worth `q[s]`. `q` is reused: read it inside the call.
 */
export type ValueVisitor = (k: number, q: Float64Array) => void;

/**
 * The relaxed bound of one user (see the file comment), with the episode's fleet (for its RTT replay); `visit`
 * sees the per-tick action values of the same dynamic programme (the fleet agent's teacher reads them there).
 */
export function userBound(fleet: FleetTwin, u: UserTrack, loads: readonly Float64Array[], visit?: ValueVisitor): number {
  const n = fleet.nodes, spec = fleet.spec;
  const terminate = spec.terminateOnViolation;
  let V = new Float64Array(n), next = new Float64Array(n);
  const rtt = new Float64Array(n), Q = new Float64Array(n);
  const kernel = new TransitionKernel(transitionParams(spec));
  for (let k = u.x.length - 1; k >= 0; k--) {
    const t = u.firstTick + k;
    const L = loads[t]!;
    let mn = Infinity, mn2 = Infinity, mx = -Infinity, am = 0, lmn = Infinity, lmx = -Infinity;
    for (let j = 0; j < n; j++) {
      const v = fleet.rttMsAt(u.id, t, j, u.x[k]!, u.y[k]!);
      rtt[j] = v;
      if (v < mn) [mn2, mn, am] = [mn, v, j];
      else if (v < mn2) mn2 = v;
      if (v > mx) mx = v;
      if (L[j]! < lmn) lmn = L[j]!;
      if (L[j]! > lmx) lmx = L[j]!;
    }
    let bestMove = -Infinity;
    for (let j = 0; j < n; j++) {
      const R = kernel.rewardAt(am === j, rtt[j]!, 0, mn, mn2, mx, L[j]!, lmn, lmx);
      Q[j] = R + (terminate && kernel.violatedLast ? 0 : V[j]!);
      if (Q[j]! - u.trafficCost > bestMove) bestMove = Q[j]! - u.trafficCost;
    }
    visit?.(k, Q);
    for (let s = 0; s < n; s++) next[s] = Q[s]! > bestMove ? Q[s]! : bestMove;
    [V, next] = [next, V];
  }
  return u.x.length === 0 ? 0 : V[u.initialNode]!;
}

/** The relaxed bound of a recorded episode: the sum over its users. */
export function fleetBound(fleet: FleetTwin, rec: BoundRecorder): number {
  let sum = 0;
  for (const u of rec.users.values()) sum += userBound(fleet, u, rec.loads);
  return sum;
}
