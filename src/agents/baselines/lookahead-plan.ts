/**
 * The planner behind `lookahead`: an exact dynamic programme over (step, serving node, migration in flight) on a
 * *predicted* trajectory of RTTs and loads, H steps long. It is the twin oracle's recursion (`twin/oracle.ts`) run
 * on a forecast instead of the recorded world, with the step semantics of `twin/env.ts`:
 * - step h's reward is Eq. 8 of the node serving after the action, on step h's values (h = 0: the observation);
 * - a migration of d steps serves from the source meanwhile (d = 0: instant, the paper), charges its traffic cost
 *   in the step it starts, and raises the serving RTT by the switch-over spike in the step at whose end it switches
 *   over (the spiked RTT is in Eq. 4's candidate list too, as the env computes it);
 * - a step out of SLA costs the violation penalty, and ends the plan when the scenario terminates on a breach;
 * - while a migration is in flight, every migrate action is masked (Wait is forced);
 * - where a breach ends the episode, step 0 never chooses one while a legal action avoids it (see `firstAction`).
 * Beyond step H each state is worth `tailSteps` more steps of the last forecast step's reward on the node it ends on
 * (the in-flight target for a migration under way): with `tailSteps` 0 a migration must pay for itself inside the
 * horizon, and a plan that ends in a terminating breach loses nothing beyond it.
 *
 * Pure and allocation-free per call after the first (buffers grow to the largest H, N and d seen).
 */
import type { RewardParams } from '../../core/reward.js';
import { TransitionKernel } from '../../core/transition.js';

/**
 * What a migration is, as the planner models it: the scenario's own migration model (the twin fills it from the
 * resolved scenario, `experiments/policies.ts`), or {@link INSTANT_MIGRATION} (the paper's) where none is known.
 */
export interface MigrationModel {
  /** Steps a migration takes to switch over (0: within the step, the paper's instant model). */
  durationSteps: number;
  /** Extra RTT, ms, in the step of the switch-over (`switchoverRttMs`; 0 in the paper's model). */
  spikeMs: number;
  /** Reward units charged per migration (`migrationTrafficCost`; 0 in the paper's model). */
  trafficCost: number;
  /** Reward units charged per step out of SLA (`slaViolationPenalty`; 0 in the paper's model). */
  violationPenalty: number;
  /** A breach ends the episode (the paper), so the plan's value stops there. */
  terminateOnViolation: boolean;
}

/** The paper's migration: instant, free beyond Eq. 6-7, and an episode that ends on a breach. */
export const INSTANT_MIGRATION: Readonly<MigrationModel> = Object.freeze({ durationSteps: 0, spikeMs: 0, trafficCost: 0, violationPenalty: 0, terminateOnViolation: true });

/** A predicted trajectory: `rttMs[h·n + j]`, `load[h·n + j]` for steps h = 0..horizon-1 (row 0 = the observation). */
export interface Forecast {
  n: number;
  horizon: number;
  rttMs: Float64Array;
  load: Float64Array;
}

export class LookaheadPlanner {
  private R = new Float64Array(0);
  private Rsw = new Float64Array(0);
  private viol = new Uint8Array(0);
  private V = new Float64Array(0);

  /** @param tailSteps steps of the last forecast step's reward credited beyond the horizon (see the header). */
  /** The step reward of every env (`core/transition.ts`): the plan scores exactly what the twin would pay. */
  private readonly kernel: TransitionKernel;
  constructor(private readonly params: RewardParams, private readonly model: MigrationModel, private readonly tailSteps = 0) {
    this.kernel = new TransitionKernel({ ...params, violationPenalty: model.violationPenalty, terminateOnViolation: model.terminateOnViolation, selfMigration: 'wait', selfMigrationReward: 0 });
  }

  /**
   * The first action of the best plan from idle on `current` (1-based): 0 = Wait, j = migrate to node j. Only
   * actions legal under `mask` are considered at step 0; ties go to Wait, then to the lower node index (as greedy).
   */
  firstAction(f: Forecast, current: number, mask: Uint8Array): number {
    const { n, horizon: H } = f;
    const d = Math.max(0, Math.floor(this.model.durationSteps));
    const K = Math.max(1, d - 1); // in-flight slots: k = 1..d-1 steps left after the start step
    const per = 1 + n * K;
    const S = n * per;
    this.ensure(H, n, S);
    this.scoreSteps(f);
    const { R, Rsw, viol, V } = this;
    const terminate = this.model.terminateOnViolation;
    const traffic = this.model.trafficCost;
    const enc = (s: number, g: number, k: number) => s * per + (k === 0 ? 0 : 1 + g * K + (k - 1));
    // V[h·S + state]: best value from step h on; V[H]: the tail of the node the state ends on.
    for (let s = 0; s < n; s++) {
      for (let slot = 0; slot < per; slot++) {
        const ends = slot === 0 ? s : Math.floor((slot - 1) / K);
        V[H * S + s * per + slot] = this.tailSteps * R[(H - 1) * n + ends]!;
      }
    }
    let first = 0;
    for (let h = H - 1; h >= 0; h--) {
      const q = (serving: number, switching: boolean, next: number): number => {
        const i = h * n + serving;
        return (switching ? Rsw[i]! : R[i]!) + (viol[i] && terminate ? 0 : V[(h + 1) * S + next]!);
      };
      const migrate = (s: number, j: number) => (d === 0 ? q(j, true, enc(j, 0, 0)) : d === 1 ? q(s, true, enc(j, 0, 0)) : q(s, false, enc(s, j, d - 1))) - traffic;
      for (let s = 0; s < n; s++) {
        for (let slot = 0; slot < per; slot++) {
          const idx = s * per + slot;
          if (slot !== 0) {
            const g = Math.floor((slot - 1) / K), k = ((slot - 1) % K) + 1;
            V[h * S + idx] = g === s || k >= d ? -Infinity : q(s, k === 1, k === 1 ? enc(g, 0, 0) : enc(s, g, k - 1));
            continue;
          }
          // Step 0 under termination: never end the episode on purpose while some legal action keeps it inside
          // the SLA now. Only a forecast says the rest is worth less than stopping, and a noisy trend (a node whose
          // RTT falls slower than it will) can say so wrongly; the loss is then the whole episode.
          const guard = h === 0 && terminate && s === current - 1 && this.someSafe(n, s, mask, d);
          const ends = (j: number) => guard && viol[d === 0 ? j : s] === 1;
          let best = ends(s) ? -Infinity : q(s, false, idx);
          let bestA = 0;
          for (let j = 0; j < n; j++) {
            if (j === s || (h === 0 && mask[j + 1] !== 1) || ends(j)) continue;
            const v = migrate(s, j);
            if (v > best) {
              best = v;
              bestA = j + 1;
            }
          }
          V[h * S + idx] = best;
          if (h === 0 && s === current - 1) first = bestA;
        }
      }
    }
    return first;
  }

  /** Some legal action at step 0 from idle on `s` serves from a node inside the SLA (row 0 of `viol`). */
  private someSafe(n: number, s: number, mask: Uint8Array, d: number): boolean {
    if (this.viol[s] === 0) return true;
    if (d !== 0) return false; // a timed migration serves from the source this step: every action breaches
    for (let j = 0; j < n; j++) if (j !== s && mask[j + 1] === 1 && this.viol[j] === 0) return true;
    return false;
  }

  /** Eq. 8 per step and node on the forecast, without and with the switch-over spike, and the breach flags. */
  private scoreSteps(f: Forecast): void {
    this.kernel.rewardTable(f.rttMs, f.load, f.horizon, f.n, this.model.spikeMs, this.R, this.Rsw, this.viol);
  }

  private ensure(H: number, n: number, S: number): void {
    if (this.R.length < H * n) {
      this.R = new Float64Array(H * n);
      this.Rsw = new Float64Array(H * n);
      this.viol = new Uint8Array(H * n);
    }
    if (this.V.length < (H + 1) * S) this.V = new Float64Array((H + 1) * S);
  }
}
