/**
 * K copies of an env stepped in lockstep, for throughput. Two autoreset modes, Gymnasium's names
 * (`gymnasium.vector.AutoresetMode`):
 * - `same-step` (default): when copy k ends, its final observation is kept in `finalObservations` and the copy is
 *   reset at once, so `observations` always holds the next observation to act on.
 * - `next-step` (Gymnasium 1.x's vector envs, served to Python by `vstep`): the step that ends copy k returns its
 *   final observation in `observations`; the next `step` ignores copy k's action, resets it, and reports the reset
 *   observation with reward 0 and neither `terminated` nor `truncated`.
 */
import type { Env } from './env.js';
import { InvalidActionError } from './errors.js';

/** How a copy whose episode ended is restarted (see the class comment). */
export type AutoresetMode = 'same-step' | 'next-step';

export class VecEnv {
  /** Number of copies K. */
  readonly size: number;
  /** Observation length D. */
  readonly obsDim: number;
  /** Number of actions A. */
  readonly nActions: number;
  /** Current observations, row-major `[K, D]`. */
  readonly observations: Float64Array;
  /** Last observation of an episode that just ended in copy k (valid when `terminated[k] || truncated[k]`), `[K, D]`. */
  readonly finalObservations: Float64Array;
  /** Rewards of the last step, `[K]`. */
  readonly rewards: Float64Array;
  /** 1 where copy k terminated on the last step. */
  readonly terminated: Uint8Array;
  /** 1 where copy k was truncated on the last step. */
  readonly truncated: Uint8Array;
  /** Legal-action masks for the current observations, `[K, A]`. */
  readonly actionMasks: Uint8Array;
  /** Episodes completed per copy. */
  readonly episodes: Uint32Array;
  /** next-step mode: 1 where copy k ended on the last step and the next step resets it (its action is ignored). */
  readonly autoresetPending: Uint8Array;
  readonly autoreset: AutoresetMode;
  private readonly envs: Env[];

  constructor(envs: Env[], options: { autoreset?: AutoresetMode } = {}) {
    this.autoreset = options.autoreset ?? 'same-step';
    if (envs.length === 0) throw new RangeError('VecEnv needs at least one env');
    this.envs = envs;
    this.size = envs.length;
    this.obsDim = envs[0]!.observationSpace.low.length;
    this.nActions = envs[0]!.actionSpace.n;
    for (const e of envs) {
      if (e.observationSpace.low.length !== this.obsDim || e.actionSpace.n !== this.nActions) throw new RangeError('VecEnv: all envs must share spaces');
    }
    this.observations = new Float64Array(this.size * this.obsDim);
    this.finalObservations = new Float64Array(this.size * this.obsDim);
    this.rewards = new Float64Array(this.size);
    this.terminated = new Uint8Array(this.size);
    this.truncated = new Uint8Array(this.size);
    this.actionMasks = new Uint8Array(this.size * this.nActions);
    this.episodes = new Uint32Array(this.size);
    this.autoresetPending = new Uint8Array(this.size);
  }

  /** Reset every copy; copy k is seeded with `seed + k` when a seed is given. */
  reset(seed?: number): void {
    this.autoresetPending.fill(0);
    for (let k = 0; k < this.size; k++) {
      const r = this.envs[k]!.reset(seed === undefined ? {} : { seed: seed + k });
      this.observations.set(r.observation, k * this.obsDim);
      this.actionMasks.set(r.info.actionMask, k * this.nActions);
    }
  }

  /** Step every copy with `actions[k]`. */
  step(actions: ArrayLike<number>): void {
    if (actions.length !== this.size) throw new InvalidActionError(`VecEnv.step: expected ${this.size} actions, got ${actions.length}`);
    const nextStep = this.autoreset === 'next-step';
    for (let k = 0; k < this.size; k++) {
      const env = this.envs[k]!;
      if (nextStep && this.autoresetPending[k] === 1) {
        this.autoresetPending[k] = 0;
        const rr = env.reset();
        this.observations.set(rr.observation, k * this.obsDim);
        this.actionMasks.set(rr.info.actionMask, k * this.nActions);
        this.rewards[k] = 0;
        this.terminated[k] = this.truncated[k] = 0;
        continue;
      }
      const r = env.step(actions[k]!);
      this.rewards[k] = r.reward;
      this.terminated[k] = r.terminated ? 1 : 0;
      this.truncated[k] = r.truncated ? 1 : 0;
      if ((r.terminated || r.truncated) && nextStep) {
        this.episodes[k]!++;
        this.autoresetPending[k] = 1;
        this.observations.set(r.observation, k * this.obsDim);
        this.actionMasks.set(r.info.actionMask, k * this.nActions);
      } else if (r.terminated || r.truncated) {
        this.finalObservations.set(r.observation, k * this.obsDim);
        this.episodes[k]!++;
        const rr = env.reset();
        this.observations.set(rr.observation, k * this.obsDim);
        this.actionMasks.set(rr.info.actionMask, k * this.nActions);
      } else {
        this.observations.set(r.observation, k * this.obsDim);
        this.actionMasks.set(r.info.actionMask, k * this.nActions);
      }
    }
  }

  close(): void {
    for (const e of this.envs) e.close();
  }
}
