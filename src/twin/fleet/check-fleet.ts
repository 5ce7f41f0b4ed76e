/**
 * `checkFleet(env)`: a conformance suite for the {@link FleetEnv} contract (`core/fleet-env.ts`), the fleet's
 * `checkEnv`. Each failure throws a {@link FleetCheckError} naming the check, the user and tick, and the probable
 * cause. Checks: ids are unique, below `maxUsers`, stable across ticks (a row that acts keeps its id; joiners get
 * new ids); every observation lies in the space and has the space's length; masks are 0/1 with Wait legal;
 * rewards are finite and 0 for joiners; no row is both terminated and truncated; a user ends exactly once and never
 * reappears, and at the end of the episode every user has ended; the same seed and the same actions give the same
 * episode, another seed another one; stepping after the end and invalid actions raise.
 */
import type { FleetEnv, FleetStep } from '../../core/fleet-env.js';
import { RemoraError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { boxViolation } from '../../core/spaces.js';

export class FleetCheckError extends RemoraError {
  constructor(check: string, message: string) {
    super('E_FLEET_CHECK', `checkFleet: ${check}: ${message}`);
  }
}

export interface CheckFleetOptions {
  /** Seed of the reference episode. Default 12345. */
  seed?: number;
  /** A seed that must give a different episode. Default seed + 1. */
  otherSeed?: number;
  /** Seed of the random legal actions. Default 7. */
  actionSeed?: number;
  /** Safety cap on ticks. Default 100000. */
  maxTicks?: number;
}

export interface CheckFleetReport {
  ticks: number;
  /** Distinct users seen, and user-steps taken, in the reference episode. */
  users: number;
  userSteps: number;
  passed: string[];
}

/** One episode's fingerprint: a running hash of every row of every tick. */
interface Run {
  ticks: number;
  users: number;
  userSteps: number;
  hash: number;
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

function mix(h: number, v: number): number {
  // FNV-style over the float's bits (exact equality, NaN-safe).
  bits[0] = v;
  const u = words;
  h = Math.imul(h ^ u[0]!, 0x01000193);
  return Math.imul(h ^ u[1]!, 0x01000193);
}

function episode(env: FleetEnv, seed: number, actionSeed: number, maxTicks: number): Run {
  const D = env.observationSpace.low.length, A = env.actionSpace.n;
  const rng = new Rng(actionSeed);
  let r: FleetStep = env.reset({ seed });
  const ended = new Set<number>();
  let prevIds: number[] = [];
  let prevEnded: boolean[] = [];
  let maxId = -1;
  const present = new Set<number>();
  let hash = 0x811c9dc5, userSteps = 0;
  const where = (t: number, row: number, id: number) => `user ${id} (row ${row}) at tick ${t}`;
  for (let tick = 0; ; tick++) {
    if (tick > maxTicks) throw new FleetCheckError('episode ends', `not done within ${maxTicks} ticks; is maxSteps set?`);
    if (r.t !== tick) throw new FleetCheckError('tick index', `result t = ${r.t} after ${tick} step(s); expected ${tick}`);
    // Rows: first the users that acted (same ids and order as the previous non-ended rows), then joiners.
    const acted = prevIds.filter((_, i) => !prevEnded[i]);
    const seen = new Set<number>();
    for (let i = 0; i < r.rows; i++) {
      const id = r.ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= env.maxUsers) throw new FleetCheckError('ids', `${where(r.t, i, id)}: id outside [0, maxUsers = ${env.maxUsers})`);
      if (seen.has(id)) throw new FleetCheckError('ids', `${where(r.t, i, id)}: id appears twice in one result; probable cause: an id reused or a row not removed`);
      seen.add(id);
      if (ended.has(id)) throw new FleetCheckError('users leave once', `${where(r.t, i, id)} ended earlier and reappears; probable cause: an ended row kept or an id reused`);
      if (i < acted.length) {
        if (id !== acted[i]) throw new FleetCheckError('ids stable', `row ${i} at tick ${r.t} has id ${id}, expected ${acted[i]} (the users that acted, in order); probable cause: rows reordered or an id changed`);
        if (r.joined[i]) throw new FleetCheckError('joined flag', `${where(r.t, i, id)} acted but is marked joined`);
      } else {
        if (!r.joined[i]) throw new FleetCheckError('joined flag', `${where(r.t, i, id)} is new but not marked joined (or a user that acted is missing)`);
        if (present.has(id) || id <= maxId) throw new FleetCheckError('ids', `${where(r.t, i, id)}: a joiner must get a new id above every earlier one (last ${maxId})`);
        if (r.rewards[i] !== 0 || r.terminated[i] || r.truncated[i]) throw new FleetCheckError('joined flag', `${where(r.t, i, id)}: a joiner's reward must be 0 and its flags unset`);
        maxId = id;
        present.add(id);
      }
      const reward = r.rewards[i]!;
      if (!Number.isFinite(reward)) throw new FleetCheckError('rewards finite', `${where(r.t, i, id)}: reward ${reward}`);
      if (r.terminated[i] && r.truncated[i]) throw new FleetCheckError('flags', `${where(r.t, i, id)} is both terminated and truncated`);
      const obs = r.observations.subarray(i * D, (i + 1) * D);
      const bad = boxViolation(env.observationSpace, obs);
      if (bad >= 0) throw new FleetCheckError('observations in space', `${where(r.t, i, id)}: component ${bad} (${env.observationSpace.labels[bad]}) = ${obs[bad]} outside [${env.observationSpace.low[bad]}, ${env.observationSpace.high[bad]}]; probable cause: a missing clip or a NaN`);
      if (r.actionMasks[i * A] !== 1) throw new FleetCheckError('action mask', `${where(r.t, i, id)}: Wait (action 0) must always be legal`);
      for (let a = 0; a < A; a++) {
        const m = r.actionMasks[i * A + a]!;
        if (m !== 0 && m !== 1) throw new FleetCheckError('action mask', `${where(r.t, i, id)}: mask[${a}] = ${m}, expected 0 or 1`);
      }
      hash = mix(hash, id);
      hash = mix(hash, reward);
      hash = mix(hash, r.terminated[i]! * 2 + r.truncated[i]!);
      for (let d = 0; d < D; d++) hash = mix(hash, obs[d]!);
      if (!r.joined[i]) userSteps++;
    }
    if (acted.length > r.rows) throw new FleetCheckError('ids stable', `tick ${r.t}: ${acted.length} users acted but only ${r.rows} rows came back; probable cause: a user vanished without an end flag`);
    prevIds = Array.from(r.ids.subarray(0, r.rows));
    prevEnded = prevIds.map((_, i) => r.terminated[i] === 1 || r.truncated[i] === 1);
    prevIds.forEach((id, i) => {
      if (prevEnded[i]) {
        ended.add(id);
        present.delete(id);
      }
    });
    if (env.done) {
      if (present.size > 0) throw new FleetCheckError('users leave once', `the episode ended at tick ${r.t} with ${present.size} user(s) that never ended (e.g. ${[...present][0]}); probable cause: maxSteps does not truncate everyone`);
      return { ticks: tick, users: maxId + 1, userSteps, hash };
    }
    const actions = new Int32Array(r.rows);
    for (let i = 0; i < r.rows; i++) {
      if (prevEnded[i]) continue;
      const legal: number[] = [];
      for (let a = 0; a < A; a++) if (r.actionMasks[i * A + a]) legal.push(a);
      // Mostly Wait, so services stay put long enough for migrations to finish and caps to bind.
      actions[i] = rng.uniform() < 0.8 ? 0 : legal[rng.int(legal.length)]!;
    }
    r = env.step(actions);
  }
}

/** Run the suite. Throws {@link FleetCheckError} on the first failure; returns a report otherwise. */
export function checkFleet(env: FleetEnv, options: CheckFleetOptions = {}): CheckFleetReport {
  const seed = options.seed ?? 12345, otherSeed = options.otherSeed ?? seed + 1, actionSeed = options.actionSeed ?? 7;
  const maxTicks = options.maxTicks ?? 100000;
  const passed: string[] = [];
  if (env.actionSpace.n !== env.nodes + 1) throw new FleetCheckError('action space', `expected N + 1 = ${env.nodes + 1} actions, got ${env.actionSpace.n}`);
  const a = episode(env, seed, actionSeed, maxTicks);
  passed.push('ids unique and stable', 'observations in space', 'masks', 'rewards finite', 'users leave exactly once');
  const b = episode(env, seed, actionSeed, maxTicks);
  if (a.hash !== b.hash || a.ticks !== b.ticks) throw new FleetCheckError('determinism', `seed ${seed} with the same actions gave two different episodes; probable cause: a draw not from the env's seeded generator, or state not cleared by reset`);
  passed.push('same seed, same episode');
  const c = episode(env, otherSeed, actionSeed, maxTicks);
  if (a.hash === c.hash) throw new FleetCheckError('seed sensitivity', `seeds ${seed} and ${otherSeed} gave identical episodes; probable cause: reset ignores its seed`);
  passed.push('different seed, different episode');
  let threw = false;
  try {
    env.step(new Int32Array(1 << 20));
  } catch (e) {
    threw = e instanceof Error;
  }
  if (!threw) throw new FleetCheckError('step after end', 'step() after the episode ended must throw');
  passed.push('step after end raises');
  const r = env.reset({ seed });
  let row = -1;
  for (let i = 0; i < r.rows && row < 0; i++) row = i;
  if (row >= 0) {
    for (const bad of [-1, env.actionSpace.n, 0.5, Number.NaN]) {
      const acts = new Float64Array(r.rows);
      acts[row] = bad;
      let raised = false;
      try {
        env.step(acts);
      } catch {
        raised = true;
      }
      if (!raised) throw new FleetCheckError('invalid action', `action ${bad} for row ${row} did not throw`);
    }
    passed.push('invalid actions raise');
  }
  return { ticks: a.ticks, users: a.users, userSteps: a.userSteps, passed };
}
