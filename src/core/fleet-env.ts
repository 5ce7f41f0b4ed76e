/**
 * The `FleetEnv` contract: many users sharing one edge, PettingZoo-Parallel semantics in TypeScript.
 * The fleet twin (`src/twin/fleet`) implements it; fleet policies (`src/agents/fleet`) see nothing else.
 *
 * Each user is an agent with the single-user observation (Eq. 3, `core/observation.ts`, plus the edge model's
 * in-flight block when the scenario has it) and actions (`0 = Wait`, `j = migrate to node j`), so every
 * single-user policy reads a fleet row unchanged. A joint `step(actions)` moves everyone one tick.
 *
 * Rows (structure-of-arrays, allocation-free; owned by the env and overwritten by the next call):
 * - `reset` returns the users present at t = 0, one row each, all `joined`.
 * - `step(actions)` takes one action per row of the previous result (rows that ended there are ignored: pass 0).
 *   The result's rows are first every user that acted (same order), with its reward and its `terminated` /
 *   `truncated` flag and its next (for a user that ended: final) observation, then the users that joined during
 *   the tick (`joined = 1`, reward 0, never ended in the tick they joined). A user ends exactly once: the row
 *   where a flag is set is its last.
 * - `terminated`: the user's MDP ended (an SLA breach when the scenario terminates on one): do not bootstrap.
 *   `truncated`: it left for a reason outside its MDP (its trip or session ended, the episode's `maxSteps`):
 *   bootstrap from the final observation. Kept apart for the same reason as `core/env.ts`.
 * - User ids are integers in `[0, maxUsers)`, assigned in arrival order, never reused within an episode.
 * - The episode is over (`done`) after the step at which `maxSteps` truncates everyone; users may be absent at
 *   some ticks before that (an empty road), so "no rows" does not mean "done".
 *
 * Serving it to Python (PettingZoo `ParallelEnv`): the env server's fleet mode (`serveFleet` in src/core/env-server.ts)
 * serves any object with this contract's serving surface (spaces, `maxUsers`, `done`, `reset`, `step`, `close`), so
 * a `FleetTwin` is served as it is: `possible_agents` = `user-0 .. user-{maxUsers-1}`; `agents` after a step = the
 * rows without a flag; the dicts of a step = every row (acted rows and joiners; joiners' rewards are 0 and flags
 * false); the action mask of a row = its row of `actionMasks`. While `agents` is empty but `done` is false (an empty
 * road), the adapter keeps stepping with no actions.
 */
import type { MigrationCaps } from './migration-caps.js';
import type { BoxSpace, DiscreteSpace } from './spaces.js';

/** The rows of one fleet reset or step (see the file comment). Arrays are at least `rows` long. */
export interface FleetStep {
  /** Number of rows. */
  rows: number;
  /** Tick index: 0 after reset, t after the t-th step. */
  t: number;
  /** User id per row. */
  readonly ids: Int32Array;
  /** Observation per row, `[rows × D]`, row-major, D = `observationSpace.low.length`. */
  readonly observations: Float64Array;
  /** Legal actions per row, `[rows × A]`, A = `actionSpace.n` (Wait always legal; migrations masked while busy). */
  readonly actionMasks: Uint8Array;
  /** Reward of the row's last action (Eq. 8 and the scenario's edge-model terms); 0 for joiners. */
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  /** 1 when the row's user joined during this tick (or at reset). */
  readonly joined: Uint8Array;
}

/**
 * The shared state coordination reads at the start of a tick (`agents/coordination.ts`'s `FleetLoad`, plus what
 * re-scoring needs). Unit of `used`/`capacity`/`demand`: percent of a reference node (capacity 1 = 100), of the
 * binding resource (the larger of cpu and memory utilisation).
 */
export interface FleetNodeState {
  /** Per node: background + hosted + in-flight reservations, percent of a reference node. */
  readonly used: Float64Array;
  /** Per node: capacity, percent of a reference node. */
  readonly capacity: Float64Array;
  /** Per node: migrations leaving it, in flight now. */
  readonly outboundInFlight: Int32Array;
  /** Migrations in flight in the cluster now. */
  clusterInFlight: number;
  /** Per node: cpu and memory utilisation now (fractions of the node's capacity, unclipped). */
  readonly cpu: Float64Array;
  readonly mem: Float64Array;
  /** Per row of the last result: the service's demand (percent of a reference node, binding resource). */
  readonly demand: Float64Array;
  /** Per row: the service's cpu and memory demand as fractions of a reference node. */
  readonly cpuDemand: Float64Array;
  readonly memDemand: Float64Array;
  /** Per row: 1 while a migration of its service is in flight. */
  readonly busy: Uint8Array;
}

export interface FleetResetOptions {
  /** Re-seeds the env's generator; same seed and same actions give the same episode. */
  seed?: number;
}

/** Many users, one edge (see the file comment). */
export interface FleetEnv {
  /** Space of every user's observation. */
  readonly observationSpace: BoxSpace;
  /** Space of every user's actions. */
  readonly actionSpace: DiscreteSpace;
  /** Number of edge nodes N. */
  readonly nodes: number;
  /** Upper bound of user ids in one episode (PettingZoo's `possible_agents`). */
  readonly maxUsers: number;
  /** The cluster's migration caps (enforced by the env; coordination plans within them). */
  readonly caps: MigrationCaps;
  /** Node state at the current tick (valid until the next step). */
  readonly nodeState: FleetNodeState;
  /** True once the episode is over (after the step where `maxSteps` truncated everyone). */
  readonly done: boolean;
  reset(options?: FleetResetOptions): FleetStep;
  /**
   * One tick. `actions[r]` for row r of the previous result. Throws `InvalidActionError` for an action outside
   * the space or masked, naming the row's user, and `EnvStateError` before `reset` or after `done`.
   */
  step(actions: ArrayLike<number>): FleetStep;
  close(): void;
}

/** A decision rule for a whole fleet: one action per row, written into `out`. */
export interface FleetPolicy {
  /** Registered name, e.g. `sla-greedy+coord`. */
  readonly name: string;
  /** Start of an episode. */
  reset(): void;
  /** Choose an action for every row of `step` (rows that ended may get anything; 0 is written). */
  act(step: FleetStep, env: FleetEnv, out: Int32Array): void;
}
