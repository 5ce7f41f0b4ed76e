/**
 * `checkEnv(env)`: a conformance suite for the {@link Env} contract, in the spirit of Gymnasium's env_checker.
 * Each failure throws an {@link EnvCheckError} whose message names the check and the probable cause.
 */
import { RemoraError } from './errors.js';
import type { Env, StepInfo, StepResult } from './env.js';
import { Rng } from './rng.js';
import { boxViolation } from './spaces.js';

export class EnvCheckError extends RemoraError {
  constructor(check: string, message: string) {
    super('E_ENV_CHECK', `checkEnv: ${check}: ${message}`);
  }
}

export interface CheckEnvOptions {
  /** Seed used for the reference trajectory. Default 12345. */
  seed?: number;
  /** A different seed that must give a different trajectory. Default seed + 1. */
  otherSeed?: number;
  /** Safety cap on episode length. Default 100000. */
  maxSteps?: number;
  /** Seed of the fixed (mask-respecting) action sequence. Default 7. */
  actionSeed?: number;
  /**
   * For an env whose observations and rewards are measured, not computed (the lab's `LabEnv`): reality does not
   * repeat to the bit, so the two determinism checks compare only what the env's seed decides, `seeded(info)` at
   * reset and after each step (e.g. the route and trace values the env is driven by), plus the episode's length
   * and end flags. Observations and rewards are still checked to lie in their space and to be finite. `reason`
   * names why, and appears in the passed checks' names.
   */
  relaxed?: { reason: string; seeded: (info: StepInfo) => ArrayLike<number> };
}

export interface CheckEnvReport {
  /** Steps taken in the reference episode. */
  steps: number;
  /** Whether the reference episode ended by termination (vs truncation). */
  terminated: boolean;
  /** Names of the checks that passed. */
  passed: string[];
}

interface Trajectory {
  observations: Float64Array[];
  /** `relaxed.seeded(info)` at reset and after each step (empty when not relaxed). */
  seeded: Float64Array[];
  rewards: number[];
  actions: number[];
  terminated: boolean;
  truncated: boolean;
}

function rollout(env: Env, seed: number, actionSeed: number, maxSteps: number, check: (r: StepResult<Float64Array>) => void, seededOf?: (info: StepInfo) => ArrayLike<number>): Trajectory {
  const actionRng = new Rng(actionSeed);
  const { observation, info } = env.reset({ seed });
  const observations = [observation.slice()];
  const seeded = seededOf ? [Float64Array.from(seededOf(info))] : [];
  checkObservation(env, observation, 'reset');
  checkMask(env, info.actionMask, 'reset');
  let mask = info.actionMask.slice();
  const rewards: number[] = [];
  const actions: number[] = [];
  for (let t = 0; t < maxSteps; t++) {
    const action = pickLegal(actionRng, mask);
    actions.push(action);
    const r = env.step(action);
    check(r);
    observations.push(r.observation.slice());
    if (seededOf) seeded.push(Float64Array.from(seededOf(r.info)));
    rewards.push(r.reward);
    mask = r.info.actionMask.slice();
    if (r.terminated || r.truncated) return { observations, seeded, rewards, actions, terminated: r.terminated, truncated: r.truncated };
  }
  throw new EnvCheckError('episode ends', `no termination or truncation within ${maxSteps} steps; is a step limit configured?`);
}

function pickLegal(rng: Rng, mask: Uint8Array): number {
  let legal = 0;
  for (let a = 0; a < mask.length; a++) legal += mask[a]!;
  let k = rng.int(legal);
  for (let a = 0; a < mask.length; a++) {
    if (mask[a]) {
      if (k === 0) return a;
      k--;
    }
  }
  return 0;
}

function checkObservation(env: Env, obs: Float64Array, where: string): void {
  if (!(obs instanceof Float64Array)) throw new EnvCheckError('observation type', `${where} returned ${Object.prototype.toString.call(obs)}, expected Float64Array`);
  const bad = boxViolation(env.observationSpace, obs);
  if (bad >= 0) {
    const label = env.observationSpace.labels[bad] ?? `#${bad}`;
    throw new EnvCheckError(
      'observation in space',
      `${where}: component ${bad} (${label}) = ${obs[bad]} outside [${env.observationSpace.low[bad]}, ${env.observationSpace.high[bad]}] (length ${obs.length}, expected ${env.observationSpace.low.length}); probable cause: a missing clip or a NaN in the data`,
    );
  }
}

function checkMask(env: Env, mask: Uint8Array, where: string): void {
  if (!(mask instanceof Uint8Array) || mask.length !== env.actionSpace.n) {
    throw new EnvCheckError('action mask', `${where}: info.actionMask must be a Uint8Array of length ${env.actionSpace.n}`);
  }
  if (mask[0] !== 1) throw new EnvCheckError('action mask', `${where}: action 0 (Wait) must always be legal`);
}

function sameTrajectory(a: Trajectory, b: Trajectory, relaxed = false): string | null {
  if (a.rewards.length !== b.rewards.length) return `lengths ${a.rewards.length} vs ${b.rewards.length}`;
  if (relaxed) {
    for (let t = 0; t < a.seeded.length; t++) {
      const x = a.seeded[t]!, y = b.seeded[t]!;
      if (x.length !== y.length) return `seeded values ${t}: lengths ${x.length} vs ${y.length}`;
      for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return `seeded value ${t}[${i}]: ${x[i]} vs ${y[i]}`;
    }
    return a.terminated !== b.terminated || a.truncated !== b.truncated ? 'end flags differ' : null;
  }
  for (let t = 0; t < a.observations.length; t++) {
    const x = a.observations[t]!, y = b.observations[t]!;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return `observation ${t}[${i}]: ${x[i]} vs ${y[i]}`;
  }
  for (let t = 0; t < a.rewards.length; t++) if (!Object.is(a.rewards[t], b.rewards[t])) return `reward ${t}: ${a.rewards[t]} vs ${b.rewards[t]}`;
  if (a.terminated !== b.terminated || a.truncated !== b.truncated) return 'end flags differ';
  return null;
}

/** Run the conformance suite. Throws {@link EnvCheckError} on the first failure; returns a report otherwise. */
export function checkEnv(env: Env, options: CheckEnvOptions = {}): CheckEnvReport {
  const seed = options.seed ?? 12345;
  const otherSeed = options.otherSeed ?? seed + 1;
  const maxSteps = options.maxSteps ?? 100000;
  const actionSeed = options.actionSeed ?? 7;
  const passed: string[] = [];

  if (env.actionSpace.kind !== 'discrete' || env.actionSpace.n < 2) throw new EnvCheckError('action space', 'expected Discrete with n >= 2');
  if (env.observationSpace.kind !== 'box') throw new EnvCheckError('observation space', 'expected Box');

  const perStep = (r: StepResult<Float64Array>): void => {
    if (typeof r.terminated !== 'boolean' || typeof r.truncated !== 'boolean') {
      throw new EnvCheckError('flags are booleans', `terminated=${String(r.terminated)} truncated=${String(r.truncated)}`);
    }
    if (typeof r.reward !== 'number' || !Number.isFinite(r.reward)) throw new EnvCheckError('rewards are finite', `reward ${r.reward} at t=${r.info.t}`);
    checkObservation(env, r.observation, `step t=${r.info.t}`);
    checkMask(env, r.info.actionMask, `step t=${r.info.t}`);
  };

  const relaxed = options.relaxed;
  const a = rollout(env, seed, actionSeed, maxSteps, perStep, relaxed?.seeded);
  passed.push('observations in space', 'rewards finite', 'flags boolean', 'action mask');

  const b = rollout(env, seed, actionSeed, maxSteps, perStep, relaxed?.seeded);
  const diff = sameTrajectory(a, b, relaxed !== undefined);
  const what = relaxed ? 'seeded values' : 'trajectory';
  if (diff) throw new EnvCheckError('determinism', `same seed ${seed} and same actions gave different ${relaxed ? 'seeded values' : 'trajectories'} (${diff}); probable cause: a random draw not taken from the env's seeded PRNG, or state not cleared by reset`);
  passed.push(`same seed, same ${what}${relaxed ? ` (relaxed: ${relaxed.reason})` : ''}`);

  const c = rollout(env, otherSeed, actionSeed, maxSteps, perStep, relaxed?.seeded);
  if (sameTrajectory(a, c, relaxed !== undefined) === null) throw new EnvCheckError('seed sensitivity', `seeds ${seed} and ${otherSeed} gave identical ${relaxed ? 'seeded values' : 'trajectories'}; probable cause: reset ignores its seed`);
  passed.push(`different seed, different ${what}${relaxed ? ` (relaxed: ${relaxed.reason})` : ''}`);

  // The last rollout (c) ended; stepping again without reset must raise.
  let threw = false;
  try {
    env.step(0);
  } catch (e) {
    threw = e instanceof Error;
  }
  if (!threw) throw new EnvCheckError('step after end', 'step() after terminated/truncated without reset() must throw');
  passed.push('step after end raises');

  // Invalid actions must raise.
  env.reset({ seed });
  for (const bad of [-1, env.actionSpace.n, 0.5, Number.NaN]) {
    let raised = false;
    try {
      env.step(bad);
    } catch {
      raised = true;
    }
    if (!raised) throw new EnvCheckError('invalid action', `step(${bad}) did not throw`);
  }
  passed.push('invalid actions raise');

  return { steps: a.rewards.length, terminated: a.terminated, passed };
}
