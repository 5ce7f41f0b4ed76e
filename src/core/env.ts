/**
 * The `Env` contract, Gymnasium semantics in TypeScript. The twin (`src/twin`) and the real-cluster
 * environment implement it; agents (`src/agents`) see nothing else.
 *
 * Ownership and allocation (a deliberate difference from Gymnasium, for >1M steps/s): the objects and typed
 * arrays returned by `reset` and `step` are owned by the env and overwritten by the next call. Copy what you
 * keep (`obs.slice()`, `{ ...result }`).
 */
import type { BoxSpace, DiscreteSpace } from './spaces.js';

/** Per-step diagnostic information. Everything here is for logging/analysis; agents must not need it except the mask. */
export interface StepInfo {
  /**
   * Legal actions now: `actionMask[a] === 1` when `a` may be taken. Length = `actionSpace.n`.
   * Action 0 (Wait) is always legal.
   */
  readonly actionMask: Uint8Array;
  /** Step index within the episode: 0 after `reset`, t after the t-th `step`. */
  t: number;
  /** Any env-specific extra fields (documented by each env). */
  [key: string]: unknown;
}

/** Result of {@link Env.reset}. */
export interface ResetResult<O> {
  /** First observation of the episode. Owned by the env. */
  observation: O;
  info: StepInfo;
}

/** Result of {@link Env.step}. */
export interface StepResult<O> {
  /** Observation after the action. Owned by the env. */
  observation: O;
  /** Scalar reward for the transition; always finite. */
  reward: number;
  /**
   * The MDP reached a terminal state (e.g. an SLA threshold was crossed): the value of the next state is 0.
   * Do not bootstrap.
   */
  terminated: boolean;
  /**
   * The episode was cut for a reason outside the MDP (step limit, end of the recorded route): the next state
   * still has value. Bootstrap from it. Kept separate from `terminated` exactly for that reason.
   */
  truncated: boolean;
  info: StepInfo;
}

/** Options for {@link Env.reset}. */
export interface ResetOptions {
  /**
   * Re-seeds the env's single PRNG. Same seed ⇒ same episode (given the same actions). Without a seed the PRNG
   * continues its stream, so successive episodes differ.
   */
  seed?: number;
  /** Env-specific options (documented by each env). */
  options?: Record<string, unknown>;
}

/** A reinforcement-learning environment with a flat Box observation and a Discrete action space. */
export interface Env<O = Float64Array> {
  /** Space every observation lies in. */
  readonly observationSpace: BoxSpace;
  /** Space of actions. */
  readonly actionSpace: DiscreteSpace;
  /** Start a new episode. Must be called before the first `step` and after every terminated/truncated step. */
  reset(options?: ResetOptions): ResetResult<O>;
  /**
   * Apply an action. Throws {@link InvalidActionError} for an action outside the space, and
   * {@link EnvStateError} when called before `reset` or after the episode ended.
   */
  step(action: number): StepResult<O>;
  /** Release resources (no-op for the twin). */
  close(): void;
}

/** A decision rule: maps an observation (and legal-action mask) to an action. */
export interface Policy {
  /** Short identifier, e.g. `never`, `follow-me`, `dqn`. */
  readonly name: string;
  /**
   * Set by policies that read the edge model's in-flight block (`M_1..M_N`, core/observation.ts): whoever builds
   * their observations must append it. Rule-based policies leave it unset; they read any layout given N.
   */
  readonly needsInFlight?: boolean;
  /** Called at the start of each episode (recurrent/windowed policies reset their history here). */
  reset(): void;
  /**
   * Optional: sees the first observation and info of each episode, right after `reset()`. Planners that need the
   * env's episode identity (the twin's oracle reads `info.worldSeed`) use it; ordinary policies ignore it.
   */
  onReset?(observation: Float64Array, info: StepInfo): void;
  /** Choose an action for `observation`. Must return a legal action under `actionMask`. */
  act(observation: Float64Array, actionMask: Uint8Array): number;
}
