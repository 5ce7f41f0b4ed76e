/**
 * `EgoEnv`: one user of a fleet as a plain {@link Env}, the rest of the fleet driven by a given
 * {@link FleetPolicy}. The paper's single-agent DQN trains and is evaluated in a realistic crowd through it: its
 * observation is the ego's fleet row (the single-user layout, Eq. 3), its reward the ego's, and the crowd's services
 * load the nodes it sees.
 *
 * - `reset` resets the fleet (seed derived from this env's generator) and picks the ego uniformly among the users
 *   present at t = 0 (stepping the crowd until someone is present, on an empty road). The ego's episode ends with
 *   its user: terminated or truncated exactly as its fleet row.
 * - Each `step(a)` is one fleet tick: the crowd's policy chooses for every row, then the ego's action replaces its
 *   own. A coordinated crowd policy plans without knowing the ego's choice; the twin applies everyone's actions
 *   in row order under the caps, so the ego competes for migration slots and room like any user.
 * - The observation and info are owned by the env and overwritten by the next call (the `Env` contract).
 */
import { EnvStateError, InvalidActionError } from '../../core/errors.js';
import type { Env, ResetOptions, ResetResult, StepInfo, StepResult } from '../../core/env.js';
import type { FleetPolicy, FleetStep } from '../../core/fleet-env.js';
import { Rng } from '../../core/rng.js';
import type { BoxSpace, DiscreteSpace } from '../../core/spaces.js';
import type { FleetTwin } from './fleet-twin.js';

/** Extra `info` fields of the ego env. */
export interface EgoInfo extends StepInfo {
  /** The ego's user id in the fleet. */
  userId: number;
  /** Users in the fleet's last result (the ego included). */
  fleetRows: number;
  /** The ego's step was an SLA violation / started a migration (after a step). */
  violation: boolean;
  migrated: boolean;
}

export class EgoEnv implements Env {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  private readonly rng: Rng;
  private readonly obs: Float64Array;
  private readonly info: EgoInfo;
  private readonly result: StepResult<Float64Array>;
  private row = -1;
  private active = false;
  private everReset = false;
  private actionsBuf = new Int32Array(0);

  constructor(readonly fleet: FleetTwin, private readonly crowd: FleetPolicy, seed = 0) {
    this.observationSpace = fleet.observationSpace;
    this.actionSpace = fleet.actionSpace;
    this.rng = new Rng(seed);
    this.obs = new Float64Array(fleet.D);
    this.info = { actionMask: new Uint8Array(fleet.A), t: 0, userId: -1, fleetRows: 0, violation: false, migrated: false };
    this.result = { observation: this.obs, reward: 0, terminated: false, truncated: false, info: this.info };
  }

  private crowdActions(step: FleetStep): Int32Array {
    if (this.actionsBuf.length < step.rows) this.actionsBuf = new Int32Array(Math.max(step.rows, 2 * this.actionsBuf.length));
    this.actionsBuf.fill(0, 0, step.rows);
    this.crowd.act(step, this.fleet, this.actionsBuf);
    return this.actionsBuf;
  }

  reset(options: ResetOptions = {}): ResetResult<Float64Array> {
    if (options.seed !== undefined) this.rng.seed(options.seed);
    this.crowd.reset();
    let r = this.fleet.reset({ seed: this.rng.deriveSeed() });
    while (r.rows === 0) {
      if (this.fleet.done) throw new EnvStateError('EgoEnv: the fleet episode ended without any user; raise the arrival rate or maxSteps');
      r = this.fleet.step(this.crowdActions(r));
    }
    this.row = this.rng.int(r.rows);
    this.info.userId = r.ids[this.row]!;
    this.active = true;
    this.everReset = true;
    this.info.violation = this.info.migrated = false;
    this.write(r);
    return { observation: this.obs, info: this.info };
  }

  step(action: number): StepResult<Float64Array> {
    if (!this.active) throw new EnvStateError(this.everReset ? 'step() called after the episode ended; call reset() first' : 'step() called before reset()');
    const n = this.fleet.nodes;
    if (!Number.isInteger(action) || action < 0 || action > n) throw new InvalidActionError(`action must be an integer in [0, ${n}] (0 = Wait, j = migrate to node j), got ${action}`);
    if (this.info.actionMask[action] !== 1) throw new InvalidActionError(`action ${action} is masked: the ego's migration is in flight`);
    const prev = this.fleet.result;
    const acts = this.crowdActions(prev);
    acts[this.row] = action;
    // The ego's next row: its rank among the rows that did not end (the twin keeps their order).
    let next = 0;
    for (let i = 0; i < this.row; i++) if (!(prev.terminated[i] || prev.truncated[i])) next++;
    const r = this.fleet.step(acts);
    this.row = next;
    if (r.ids[next] !== this.info.userId) throw new EnvStateError(`EgoEnv: lost the ego (user ${this.info.userId}); the fleet broke its row order`);
    const res = this.result;
    res.reward = r.rewards[next]!;
    res.terminated = r.terminated[next] === 1;
    res.truncated = r.truncated[next] === 1;
    this.info.violation = this.fleet.violated[next] === 1;
    this.info.migrated = this.fleet.migrated[next] === 1;
    if (res.terminated || res.truncated) this.active = false;
    this.write(r);
    return res;
  }

  private write(r: FleetStep): void {
    const D = this.fleet.D, A = this.fleet.A, i = this.row;
    this.obs.set(r.observations.subarray(i * D, (i + 1) * D));
    this.info.actionMask.set(r.actionMasks.subarray(i * A, (i + 1) * A));
    this.info.t = r.t;
    this.info.fleetRows = r.rows;
  }

  close(): void {
    this.active = false;
  }
}
