/**
 * The exact oracle. The world's trajectory (UE positions, RTTs, loads, migration durations) does not depend on the
 * agent's actions; only the service's location does. So for a recorded episode the return-maximising action
 * sequence can be computed exactly, by dynamic programming over (time step, serving node, migration in flight),
 * under the twin's own step semantics (see `env.ts`): Eq. 8 rewards, termination on SLA violation (when the
 * scenario terminates), truncation at the end of the route or `maxSteps`, timed pre-copy migrations with their
 * per-step durations, the self-migration rule, and the edge model's terms (the traffic cost of each migration and
 * the switch-over spike in the step at whose end a migration switches over).
 *
 * The oracle maximises the undiscounted episode return, the quantity evaluations report.
 */
import type { Policy, StepInfo } from '../core/env.js';
import { TransitionKernel, transitionParams } from '../core/transition.js';
import type { Scenario } from './scenario-schema.js';
import type { ResolvedScenario } from './scenario-loader.js';
import { edgeMigrationCosts, recordWorld, type WorldRecord } from './world.js';

export interface OracleSolution {
  /** Maximal undiscounted return of the episode. */
  return: number;
  /** The optimal actions, one per step taken (the plan stops where the episode would end). */
  actions: Int32Array;
  /**
   * Hindsight action values of every idle state: `q[(t·n + s)·(n + 1) + a]` is the best return from step t onward
   * when the service is on node s (0-based), no migration is in flight, and action a is taken (0 = Wait, j = migrate
   * to node j; the serving node's own action is valued as the scenario treats it). In-flight states have no choice,
   * so they have no entry. Learners imitating the oracle (DAgger) read their labels here, for any state they visit.
   */
  q: Float64Array;
}

/** Solve one recorded episode exactly. `initialNode` is 1-based (the reset observation's N_i). */
export function solveOracle(world: WorldRecord, spec: Scenario, initialNode: number): OracleSolution {
  const n = world.n;
  const T = world.lastStep;
  let K = 1;
  for (let t = 0; t < T; t++) K = Math.max(K, world.durationSteps[t]!);
  const per = 1 + n * K; // states per serving node: idle, or in flight to g with k steps left
  const S = n * per;
  const enc = (s: number, g: number, k: number) => s * per + (k === 0 ? 0 : 1 + g * K + (k - 1));
  // Per-step reward of serving from node j (the transition kernel's, exactly as the env computes it), without and
  // with the switch-over spike (edge model; equal when there is no downtime), and the breach flag (a blackout is
  // downtime, not a breach, so the flag is the same either way). The traffic cost of a migration is charged in the
  // recursion below, on the action that starts it.
  const R = new Float64Array(T * n), Rsw = new Float64Array(T * n);
  const viol = new Uint8Array(T * n);
  const kernel = new TransitionKernel(transitionParams(spec));
  const { spikeMs: spike, trafficCost: traffic } = edgeMigrationCosts(spec);
  kernel.rewardTable(world.rttMs, world.load, T, n, spike, R, Rsw, viol);
  const terminate = spec.terminateOnViolation;
  const penalizeSelf = spec.reward.selfMigration === 'penalize';
  const selfReward = spec.reward.selfMigrationReward;
  const V = new Float64Array((T + 1) * S); // V[T] = 0: nothing after the last step
  const A = new Int32Array(T * S);
  const Q = new Float64Array(T * n * (n + 1));
  for (let t = T - 1; t >= 0; t--) {
    const last = t + 1 === T;
    const d = world.durationSteps[t]!;
    // Value of serving from `serving` at t (switching or not), then moving to state `next`.
    const q = (serving: number, switching: boolean, next: number): number => {
      const i = t * n + serving;
      const stop = viol[i] && terminate;
      return (switching ? Rsw[i]! : R[i]!) + (stop || last ? 0 : V[(t + 1) * S + next]!);
    };
    for (let s = 0; s < n; s++) {
      for (let slot = 0; slot < per; slot++) {
        const idx = s * per + slot;
        const inFlight = slot !== 0;
        const g = inFlight ? Math.floor((slot - 1) / K) : 0;
        const k = inFlight ? ((slot - 1) % K) + 1 : 0;
        if (inFlight && g === s) {
          V[t * S + idx] = -Infinity; // unreachable encoding
          continue;
        }
        // Wait (forced while in flight): the service stays on s; an in-flight migration ticks down and switches
        // over at the end of the step when k = 1.
        let best = inFlight ? q(s, k === 1, k === 1 ? enc(g, 0, 0) : enc(s, g, k - 1)) : q(s, false, idx);
        let bestA = 0;
        if (!inFlight) {
          const row = (t * n + s) * (n + 1);
          Q[row] = best;
          for (let j = 0; j < n; j++) {
            if (j === s) {
              Q[row + j + 1] = penalizeSelf ? selfReward : Q[row]!;
              if (penalizeSelf && selfReward > best) {
                best = selfReward;
                bestA = j + 1;
              }
              continue;
            }
            const v = (d === 0 ? q(j, true, enc(j, 0, 0)) : d === 1 ? q(s, true, enc(j, 0, 0)) : q(s, false, enc(s, j, d - 1))) - traffic;
            Q[row + j + 1] = v;
            if (v > best) {
              best = v;
              bestA = j + 1;
            }
          }
        }
        V[t * S + idx] = best;
        A[t * S + idx] = bestA;
      }
    }
  }
  // Forward pass: extract the plan from the initial state.
  const actions: number[] = [];
  let s = initialNode - 1, g = 0, k = 0;
  for (let t = 0; t < T; t++) {
    const a = A[t * S + enc(s, g, k)]!;
    actions.push(a);
    let serving = s;
    if (k > 0) {
      if (--k === 0) s = g;
    } else if (a !== 0 && a - 1 === s) {
      break; // penalised self-migration ends the episode
    } else if (a !== 0) {
      const d = world.durationSteps[t]!;
      if (d === 0) serving = s = a - 1;
      else if (d === 1) s = a - 1;
      else {
        g = a - 1;
        k = d - 1;
      }
    }
    if (terminate && viol[t * n + serving]) break;
  }
  return { return: V[enc(initialNode - 1, 0, 0)]!, actions: Int32Array.from(actions), q: Q };
}

/**
 * The oracle as a policy: at each reset it replays the episode's world (from `info.worldSeed`), solves it, and then
 * plays the optimal plan. It needs the twin's info, so it runs on the twin only.
 */
export class OraclePolicy implements Policy {
  readonly name = 'oracle';
  private plan: Int32Array = new Int32Array(0);
  private t = 0;
  /** Optimal return of the current episode. */
  lastReturn = Number.NaN;
  constructor(private readonly scenario: ResolvedScenario) {}
  reset(): void {
    this.t = 0;
  }
  onReset(observation: Float64Array, info: StepInfo): void {
    const seed = info.worldSeed;
    if (typeof seed !== 'number') throw new TypeError('OraclePolicy needs info.worldSeed (a twin env)');
    const sol = solveOracle(recordWorld(this.scenario, seed), this.scenario.spec, observation[0]!);
    this.plan = sol.actions;
    this.lastReturn = sol.return;
    this.t = 0;
  }
  act(_observation: Float64Array, actionMask: Uint8Array): number {
    const a = this.plan[this.t++] ?? 0;
    return actionMask[a] === 1 ? a : 0;
  }
}

/** Optimal return of the episode whose world seed is `worldSeed`, starting on `initialNode` (1-based). */
export function oracleReturn(scenario: ResolvedScenario, worldSeed: number, initialNode: number): number {
  return solveOracle(recordWorld(scenario, worldSeed), scenario.spec, initialNode).return;
}
