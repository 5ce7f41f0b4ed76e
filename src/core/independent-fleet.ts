/**
 * A fleet of independent users of a single-user {@link Env}: `slots` users at once, each its own copy of
 * the env; when a user's episode ends, the next user arrives in that slot in the same tick (a new row), up to `usersPerSlot`
 * users per slot. No coupling: the users do not share node capacity (the fleet twin, `src/twin/fleet`, is the
 * coupled one). It has the row shape of the FleetEnv contract (`core/fleet-env.ts`; {@link ServedFleet} here is
 * its serving surface), so `remora env serve --fleet` can serve any single-user scenario as a PettingZoo
 * `ParallelEnv` (python/remora_gym/parallel.py).
 *
 * Ids: user k of slot s is `s + k·slots` (arrival order per tick; never reused in an episode). `reset({seed})`
 * seeds slot s with `seed + s`; later users of a slot continue its generator (Env.reset without a seed).
 * The episode is `done` once every slot has served its users, or after `maxSteps` ticks (everyone truncated).
 */
import type { Env } from './env.js';
import { EnvStateError, InvalidActionError } from './errors.js';
import type { FleetStep } from './fleet-env.js';
import type { BoxSpace, DiscreteSpace } from './spaces.js';

/** The rows of one fleet reset or step: the FleetEnv contract's {@link FleetStep} (one home for the row shape). */
export type FleetRows = FleetStep;

/** What the fleet mode of the env server needs of a fleet: the FleetEnv contract's serving surface. */
export interface ServedFleet {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  readonly maxUsers: number;
  readonly done: boolean;
  reset(options?: { seed?: number }): FleetRows;
  step(actions: ArrayLike<number>): FleetRows;
  close(): void;
}

export class IndependentFleet implements ServedFleet {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  readonly maxUsers: number;
  private readonly envs: Env[];
  /** Per slot: the user now in it (-1: none), and how many users it has had. */
  private readonly user: Int32Array;
  private readonly served: Int32Array;
  private readonly pending: Uint8Array;
  private t = -1;
  private ended = false;
  private out: FleetRows;
  /** Slot of each row of the last result. */
  private rowSlot: Int32Array;

  constructor(make: () => Env, private readonly slots: number, private readonly usersPerSlot: number, private readonly maxSteps: number) {
    this.envs = Array.from({ length: slots }, make);
    this.observationSpace = this.envs[0]!.observationSpace;
    this.actionSpace = this.envs[0]!.actionSpace;
    this.maxUsers = slots * usersPerSlot;
    this.user = new Int32Array(slots).fill(-1);
    this.served = new Int32Array(slots);
    this.pending = new Uint8Array(slots);
    const D = this.observationSpace.low.length, A = this.actionSpace.n, R = 2 * slots;
    this.out = { rows: 0, t: 0, ids: new Int32Array(R), observations: new Float64Array(R * D), actionMasks: new Uint8Array(R * A), rewards: new Float64Array(R), terminated: new Uint8Array(R), truncated: new Uint8Array(R), joined: new Uint8Array(R) };
    this.rowSlot = new Int32Array(R);
  }

  get done(): boolean {
    return this.ended;
  }

  private row(slot: number, obs: Float64Array, mask: Uint8Array | undefined, reward: number, terminated: boolean, truncated: boolean, joined: boolean): void {
    const o = this.out, r = o.rows++, D = obs.length, A = this.actionSpace.n;
    o.ids[r] = this.user[slot]!;
    o.observations.set(obs, r * D);
    if (mask) o.actionMasks.set(mask, r * A);
    else o.actionMasks.fill(1, r * A, r * A + A);
    o.rewards[r] = reward;
    o.terminated[r] = terminated ? 1 : 0;
    o.truncated[r] = truncated ? 1 : 0;
    o.joined[r] = joined ? 1 : 0;
    this.rowSlot[r] = slot;
  }

  private join(slot: number, seed?: number): void {
    this.user[slot] = slot + this.served[slot]! * this.slots;
    this.served[slot]!++;
    const r = this.envs[slot]!.reset(seed === undefined ? {} : { seed });
    this.row(slot, r.observation, r.info.actionMask as Uint8Array | undefined, 0, false, false, true);
  }

  reset(options: { seed?: number } = {}): FleetRows {
    this.t = 0;
    this.ended = false;
    this.served.fill(0);
    this.pending.fill(0);
    this.out.rows = 0;
    this.out.t = 0;
    for (let s = 0; s < this.slots; s++) this.join(s, options.seed === undefined ? undefined : options.seed + s);
    return this.out;
  }

  step(actions: ArrayLike<number>): FleetRows {
    if (this.t < 0) throw new EnvStateError('IndependentFleet: step() before reset()');
    if (this.ended) throw new EnvStateError('IndependentFleet: step() after the episode ended (done); call reset()');
    const prev = this.out.rows;
    const A = this.actionSpace.n;
    if (actions.length < prev) throw new InvalidActionError(`IndependentFleet: actions: expected one per row (${prev}), got ${actions.length}`);
    const live: { slot: number; action: number }[] = [];
    for (let r = 0; r < prev; r++) {
      if (this.out.terminated[r] || this.out.truncated[r]) continue;
      const a = actions[r]!;
      if (!Number.isInteger(a) || a < 0 || a >= A) throw new InvalidActionError(`IndependentFleet: user ${this.out.ids[r]}: action ${a} is outside [0, ${A - 1}]`);
      live.push({ slot: this.rowSlot[r]!, action: a });
    }
    this.t++;
    this.out.rows = 0;
    this.out.t = this.t;
    const cut = this.t >= this.maxSteps;
    for (const { slot, action } of live) {
      const s = this.envs[slot]!.step(action);
      const truncated = s.truncated || (cut && !s.terminated);
      this.row(slot, s.observation, s.info.actionMask as Uint8Array | undefined, s.reward, s.terminated, truncated, false);
      if (s.terminated || truncated) this.pending[slot] = 1;
    }
    // Arrivals: a slot whose user left in this tick takes its next user now (a new row, `joined`).
    let present = false;
    for (let r = 0; r < this.out.rows; r++) if (!this.out.terminated[r] && !this.out.truncated[r]) present = true;
    for (let s = 0; s < this.slots && !cut; s++) {
      if (this.pending[s] === 1 && this.served[s]! < this.usersPerSlot) {
        this.join(s);
        present = true;
      }
      this.pending[s] = 0;
    }
    this.ended = cut || !present;
    return this.out;
  }

  close(): void {
    for (const e of this.envs) e.close();
  }
}
