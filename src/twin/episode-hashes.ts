/**
 * Fingerprints of whole episodes, so a refactor of the step can prove it changed nothing: for a scenario, a seed and a
 * policy, a SHA-256 over every step's observation, reward, terminated/truncated and every `info` field; for the oracle,
 * over its return and plan; for the fleet twin, over every tick's rows (ids, observations, masks, rewards, ends,
 * joins, per-row violation/migration flags) and its tick statistics. Bit-exact: numbers are hashed as their IEEE-754
 * bytes, so a reordered sum that moves one ulp changes the hash.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Policy } from '../core/env.js';
import type { FleetPolicy } from '../core/fleet-env.js';
import { Rng } from '../core/rng.js';
import { TwinEnv, type TwinInfo } from './env.js';
import { FleetTwin } from './fleet/fleet-twin.js';
import { solveOracle } from './oracle.js';
import type { ResolvedScenario } from './scenario-loader.js';
import { recordWorld } from './world.js';

const num = new Float64Array(1);

function putNumber(h: Hash, x: number): void {
  num[0] = x;
  h.update(new Uint8Array(num.buffer));
}

/** Hash any field value the twins put in `info` or their stats: numbers, booleans, typed arrays. */
function putValue(h: Hash, key: string, v: unknown): void {
  h.update(key);
  if (typeof v === 'number') putNumber(h, v);
  else if (typeof v === 'boolean') putNumber(h, v ? 1 : 0);
  else if (ArrayBuffer.isView(v)) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  else if (v === undefined) h.update('undefined');
  else throw new TypeError(`episode hash: field ${key} has an unhashable value (${typeof v})`);
}

function putRecord(h: Hash, rec: object): void {
  for (const k of Object.keys(rec).sort()) putValue(h, k, (rec as Record<string, unknown>)[k]);
}

/** Hash of `episodes` episodes (seeds `seed0`, `seed0 + 1`, ...) of one policy on the single-user twin. */
export function twinEpisodesHash(scenario: ResolvedScenario, policy: Policy, seed0: number, episodes: number): string {
  const h = createHash('sha256');
  const env = new TwinEnv(scenario, seed0);
  for (let e = 0; e < episodes; e++) {
    let { observation, info } = env.reset({ seed: seed0 + e });
    policy.reset();
    policy.onReset?.(observation, info);
    h.update(new Uint8Array(observation.buffer, observation.byteOffset, observation.byteLength));
    putRecord(h, info);
    for (;;) {
      const a = policy.act(observation, info.actionMask);
      const r = env.step(a);
      putNumber(h, a);
      h.update(new Uint8Array(r.observation.buffer, r.observation.byteOffset, r.observation.byteLength));
      putNumber(h, r.reward);
      putNumber(h, r.terminated ? 1 : 0);
      putNumber(h, r.truncated ? 1 : 0);
      putRecord(h, r.info);
      observation = r.observation;
      info = r.info;
      if (r.terminated || r.truncated) break;
    }
  }
  return h.digest('hex');
}

/** Hash of the oracle's return and plan for the episodes of seeds `seed0 ..` (the initial node as the twin draws it). */
export function oracleHash(scenario: ResolvedScenario, seed0: number, episodes: number): string {
  const h = createHash('sha256');
  const env = new TwinEnv(scenario, seed0);
  for (let e = 0; e < episodes; e++) {
    const { observation, info } = env.reset({ seed: seed0 + e });
    const sol = solveOracle(recordWorld(scenario, (info as TwinInfo).worldSeed), scenario.spec, observation[0]!);
    putNumber(h, sol.return);
    h.update(new Uint8Array(sol.actions.buffer));
  }
  return h.digest('hex');
}

/** A fleet policy that takes a uniformly random legal action per row (exercises refusals and self-migrations). */
export class RandomFleetPolicy implements FleetPolicy {
  readonly name = 'random';
  private readonly rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  reset(): void {}
  act(step: Parameters<FleetPolicy['act']>[0], env: Parameters<FleetPolicy['act']>[1], out: Int32Array): void {
    const A = env.actionSpace.n;
    for (let i = 0; i < step.rows; i++) {
      const a = this.rng.int(A);
      out[i] = step.actionMasks[i * A + a] === 1 ? a : 0;
    }
  }
}

/** Hash of one fleet episode under `policy`: every tick's rows and statistics. */
export function fleetEpisodeHash(fleet: FleetTwin, policy: FleetPolicy, seed: number): string {
  const h = createHash('sha256');
  let step = fleet.reset({ seed });
  policy.reset();
  let actions = new Int32Array(0);
  const putRows = () => {
    const k = step.rows, D = fleet.D, A = fleet.A;
    putNumber(h, k);
    putNumber(h, step.t);
    h.update(new Uint8Array(step.ids.buffer, 0, 4 * k));
    h.update(new Uint8Array(step.observations.buffer, 0, 8 * k * D));
    h.update(step.actionMasks.subarray(0, k * A));
    h.update(new Uint8Array(step.rewards.buffer, 0, 8 * k));
    h.update(step.terminated.subarray(0, k));
    h.update(step.truncated.subarray(0, k));
    h.update(step.joined.subarray(0, k));
    h.update(fleet.violated.subarray(0, k));
    h.update(fleet.migrated.subarray(0, k));
    h.update(new Uint8Array(fleet.load.buffer));
    putRecord(h, fleet.stats);
  };
  putRows();
  while (!fleet.done) {
    if (actions.length < step.rows) actions = new Int32Array(2 * step.rows);
    actions.fill(0);
    policy.act(step, fleet, actions);
    for (let i = 0; i < step.rows; i++) putNumber(h, actions[i]!);
    step = fleet.step(actions);
    putRows();
  }
  return h.digest('hex');
}
