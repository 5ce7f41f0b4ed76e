/**
 * Any {@link Env} (the twin, in practice) over a line protocol, for other languages (the Python Gymnasium adapter in `python/`).
 * One JSON object per line on the input, one per line on the output:
 * - `{"cmd":"spec"}` → `{"observationSpace":{"low":[...],"high":[...],"labels":[...]},"actionSpace":{"n":4,"labels":[...]},
 *   "scenario":"sr111","maxEpisodeSteps":1000,"maskedActions":"wait","numEnvs":1}`
 * - `{"cmd":"reset","seed":1}` (seed optional) → `{"observation":[...],"info":{...}}`
 * - `{"cmd":"step","action":2}` → `{"observation":[...],"reward":0.5,"terminated":false,"truncated":false,"info":{...}}`
 * - `{"cmd":"vreset","seed":1}` → copy k reset with seed `seed + k` (Gymnasium's vector seeding), all K copies:
 *   `{"observations":[K·D],"actionMasks":[K·A]}` (flat, row-major)
 * - `{"cmd":"vstep","actions":[K]}` → `{"observations":[K·D],"rewards":[K],"terminated":[K],"truncated":[K],
 *   "actionMasks":[K·A],"maskedActions":[K]}` (flags as 0/1), with Gymnasium's next-step autoreset ({@link VecEnv}).
 * - `{"cmd":"close"}` → `{"ok":true}` and the server stops at once (it does not wait for the input to end).
 *
 * A session is single (`reset`/`step`) or vector (`vreset`/`vstep`), fixed by its first reset; the other kind is refused.
 * With `maskedActions: 'wait'` a masked action is executed as Wait and `info.maskedAction` (`maskedActions[k]`) says so
 * ({@link MaskedAsWait}); with `'error'` it is an error line, as the {@link Env} contract throws.
 * A bad request gets `{"error":"<one line>"}` and the server keeps going.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { RemoraError } from './errors.js';
import type { Env, StepInfo } from './env.js';
import type { BoxSpace, DiscreteSpace } from './spaces.js';
import { MaskedAsWait, type MaskedActionMode } from './masked-as-wait.js';
import { VecEnv } from './vec-env.js';
import type { FleetRows, ServedFleet } from './independent-fleet.js';

/** What the server serves and how. */
export interface ServeOptions {
  /** Scenario name reported by `spec` (the env contract has no name of its own). */
  scenario: string;
  /** The scenario's step limit, reported by `spec` (Gymnasium's `max_episode_steps`). */
  maxEpisodeSteps: number;
  /** What a masked action does (see the file comment). */
  maskedActions: MaskedActionMode;
  /** Copies K stepped by `vreset`/`vstep`; single sessions use one. */
  numEnvs: number;
}

function infoToJson(info: StepInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(info)) {
    if (v instanceof Uint8Array) out[k] = Array.from(v);
    else if (typeof v === 'number' && !Number.isFinite(v)) out[k] = null;
    else out[k] = v;
  }
  return out;
}

type Request = { cmd?: unknown; seed?: unknown; action?: unknown; actions?: unknown };


/** The seed of a reset request, or an error line. */
function seedOf(req: Request, cmd: string): { seed?: number } | string {
  if (req.seed === undefined || req.seed === null) return {};
  if (typeof req.seed !== 'number' || !Number.isInteger(req.seed)) return `${cmd}: seed: expected an integer, got ${JSON.stringify(req.seed)}`;
  return { seed: req.seed };
}

/**
 * Why a `vstep`'s actions cannot be applied, checked before any copy steps so that a bad action leaves every copy as
 * it was. Copies about to be autoreset ignore their action, as Gymnasium's vector envs do.
 */
function vstepError(vec: VecEnv, actions: unknown, masked: MaskedActionMode): string | undefined {
  const K = vec.size, A = vec.nActions;
  if (!Array.isArray(actions) || actions.length !== K) return `vstep: actions: expected an array of ${K} integers, got ${(JSON.stringify(actions) ?? 'nothing').slice(0, 60)}`;
  for (let k = 0; k < K; k++) {
    if (vec.autoresetPending[k] === 1) continue;
    const a: unknown = actions[k];
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= A) return `vstep: actions[${k}]: expected an integer in [0, ${A - 1}] (0 = Wait, j = migrate to node j), got ${JSON.stringify(a)}`;
    if (masked === 'error' && vec.actionMasks[k * A + a] !== 1) return `vstep: actions[${k}]: action ${a} is masked (a migration is in flight)`;
  }
  return undefined;
}

/** The spaces as `spec` reports them (both modes). */
function spacesJson(obs: BoxSpace, act: DiscreteSpace): { observationSpace: unknown; actionSpace: unknown } {
  return {
    observationSpace: { low: Array.from(obs.low), high: Array.from(obs.high), labels: obs.labels },
    actionSpace: { n: act.n, labels: act.labels },
  };
}

/**
 * The JSON-lines request loop both modes share: one request per line (blank lines ignored), an unparsable line or
 * a thrown error answered with one error line, resolved when the input ends or `handle` calls `close`.
 */
function serveRequests(input: Readable, send: (o: unknown) => void, handle: (req: Request, close: () => void) => void): Promise<void> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  const close = () => rl.close();
  return new Promise((resolve) => {
    rl.on('line', (line) => {
      if (line.trim() === '') return;
      let req: Request;
      try {
        req = JSON.parse(line);
      } catch {
        send({ error: `request: expected one JSON object per line, got ${JSON.stringify(line.slice(0, 60))}` });
        return;
      }
      try {
        handle(req, close);
      } catch (e) {
        send({ error: e instanceof RemoraError ? e.message : `internal error: ${(e as Error).message}` });
      }
    });
    rl.on('close', () => resolve());
  });
}

/**
 * Serve envs built by `makeEnv` until the input ends or a `close` arrives. Resolves when done; the caller owns the
 * streams (`remora env serve` destroys stdin so the process exits at once).
 */
export function serveEnv(makeEnv: () => Env, options: ServeOptions, input: Readable, output: Writable): Promise<void> {
  const send = (o: unknown) => output.write(JSON.stringify(o) + '\n');
  const waiters: MaskedAsWait[] = [];
  const wrap = (e: Env): Env => {
    if (options.maskedActions !== 'wait') return e;
    const w = new MaskedAsWait(e);
    waiters.push(w);
    return w;
  };
  const first = wrap(makeEnv());
  let session: 'none' | 'single' | 'vector' = 'none';
  let vec: VecEnv | undefined;
  let copies: Env[] = [first];
  const K = options.numEnvs;
  const other = (want: 'single' | 'vector', cmd: string): string | undefined =>
    session !== 'none' && session !== want ? `${cmd}: this is a ${session} session (${session === 'single' ? 'reset/step' : 'vreset/vstep'}); start a new server for the other kind` : undefined;

  return serveRequests(input, send, (req, close) => {
    switch (req.cmd) {
      case 'spec':
        send({
          scenario: options.scenario,
          maxEpisodeSteps: options.maxEpisodeSteps,
          maskedActions: options.maskedActions,
          numEnvs: K,
          ...spacesJson(first.observationSpace, first.actionSpace),
        });
        break;
      case 'reset': {
        const bad = other('single', 'reset');
        const seed = seedOf(req, 'reset');
        if (bad || typeof seed === 'string') {
          send({ error: bad ?? seed });
          break;
        }
        session = 'single';
        const r = first.reset(seed);
        send({ observation: Array.from(r.observation), info: infoToJson(r.info) });
        break;
      }
      case 'step': {
        if (session === 'none') {
          send({ error: 'step: called before reset' });
          break;
        }
        const bad = other('single', 'step');
        if (bad) {
          send({ error: bad });
          break;
        }
        const r = first.step(req.action as number);
        send({ observation: Array.from(r.observation), reward: r.reward, terminated: r.terminated, truncated: r.truncated, info: infoToJson(r.info) });
        break;
      }
      case 'vreset': {
        const bad = other('vector', 'vreset');
        const seed = seedOf(req, 'vreset');
        if (bad || typeof seed === 'string') {
          send({ error: bad ?? seed });
          break;
        }
        if (!vec) {
          copies = [first, ...Array.from({ length: K - 1 }, () => wrap(makeEnv()))];
          vec = new VecEnv(copies, { autoreset: 'next-step' });
        }
        session = 'vector';
        vec.reset(seed.seed);
        send({ observations: Array.from(vec.observations), actionMasks: Array.from(vec.actionMasks) });
        break;
      }
      case 'vstep': {
        if (!vec) {
          send({ error: session === 'single' ? other('vector', 'vstep') : 'vstep: called before vreset' });
          break;
        }
        const a = req.actions;
        const bad = vstepError(vec, a, options.maskedActions);
        if (bad) {
          send({ error: bad });
          break;
        }
        vec.step(a as number[]);
        const masked = copies.map((_, k) => (waiters[k]?.lastStepMasked ? 1 : 0));
        send({
          observations: Array.from(vec.observations),
          rewards: Array.from(vec.rewards),
          terminated: Array.from(vec.terminated),
          truncated: Array.from(vec.truncated),
          actionMasks: Array.from(vec.actionMasks),
          maskedActions: masked,
        });
        break;
      }
      case 'close':
        send({ ok: true });
        close();
        break;
      default:
        send({ error: `request: cmd: expected one of spec|reset|step|vreset|vstep|close, got ${JSON.stringify(req.cmd)}` });
    }
  });
}

/**
 * The fleet mode (`remora env serve --fleet`, the PettingZoo `ParallelEnv` of python/remora_gym/parallel.py):
 * many users of one edge, PettingZoo-Parallel semantics, over the same line protocol.
 * - `{"cmd":"spec"}` → as above, plus `"fleet":{"maxUsers":M}` (PettingZoo's `possible_agents` are ids 0..M-1).
 * - `{"cmd":"freset","seed":1}` → the rows of the users present: `{"t":0,"ids":[R],"observations":[R·D],
 *   "actionMasks":[R·A],"rewards":[R],"terminated":[R],"truncated":[R],"joined":[R],"done":false}` (flags 0/1).
 * - `{"cmd":"fstep","actions":{"<id>":a,...}}` → the same shape: first every user that acted, then the users that
 *   joined in the tick. Actions are keyed by user id, for users of the previous answer that had not ended; a user
 *   left out waits (0). An unknown or ended id, or an action outside the space, is an error line and nothing
 *   steps. A masked action: an error line with `maskedActions: 'error'`; executed as Wait with `'wait'`, and listed
 *   in `"maskedActions":[ids]`.
 * - `{"cmd":"close"}` as above. Single and vector commands are refused in a fleet session, and the other way round.
 */
export function serveFleet(fleet: ServedFleet, options: Omit<ServeOptions, 'numEnvs'>, input: Readable, output: Writable): Promise<void> {
  const send = (o: unknown) => output.write(JSON.stringify(o) + '\n');
  const D = fleet.observationSpace.low.length, A = fleet.actionSpace.n;
  let last: FleetRows | undefined;
  const rowsJson = (r: FleetRows, masked: number[] = []) => ({
    t: r.t,
    ids: Array.from(r.ids.subarray(0, r.rows)),
    observations: Array.from(r.observations.subarray(0, r.rows * D)),
    actionMasks: Array.from(r.actionMasks.subarray(0, r.rows * A)),
    rewards: Array.from(r.rewards.subarray(0, r.rows)),
    terminated: Array.from(r.terminated.subarray(0, r.rows)),
    truncated: Array.from(r.truncated.subarray(0, r.rows)),
    joined: Array.from(r.joined.subarray(0, r.rows)),
    done: fleet.done,
    ...(options.maskedActions === 'wait' ? { maskedActions: masked } : {}),
  });
  /** Row-aligned actions for `fstep`, or the one-line reason they cannot be applied (then nothing steps). */
  const actionsFor = (prev: FleetRows, given: unknown): { actions: Int32Array; masked: number[] } | string => {
    if (!given || typeof given !== 'object' || Array.isArray(given)) return `fstep: actions: expected an object of user id -> action, got ${(JSON.stringify(given) ?? 'nothing').slice(0, 60)}`;
    const rowOf = new Map<number, number>();
    for (let r = 0; r < prev.rows; r++) if (!prev.terminated[r] && !prev.truncated[r]) rowOf.set(prev.ids[r]!, r);
    const actions = new Int32Array(prev.rows);
    const masked: number[] = [];
    for (const [key, a] of Object.entries(given as Record<string, unknown>)) {
      const id = Number(key);
      const r = Number.isInteger(id) ? rowOf.get(id) : undefined;
      if (r === undefined) return `fstep: actions: user ${JSON.stringify(key)} is not present (present: ${rowOf.size} users)`;
      if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= A) return `fstep: actions[${key}]: expected an integer in [0, ${A - 1}] (0 = Wait, j = migrate to node j), got ${JSON.stringify(a)}`;
      if (prev.actionMasks[r * A + a] !== 1) {
        if (options.maskedActions === 'error') return `fstep: actions[${key}]: action ${a} is masked (a migration is in flight)`;
        masked.push(id);
        continue;
      }
      actions[r] = a;
    }
    return { actions, masked };
  };
  return serveRequests(input, send, (req, close) => {
    switch (req.cmd) {
      case 'spec':
        send({
          scenario: options.scenario,
          maxEpisodeSteps: options.maxEpisodeSteps,
          maskedActions: options.maskedActions,
          numEnvs: 1,
          fleet: { maxUsers: fleet.maxUsers },
          ...spacesJson(fleet.observationSpace, fleet.actionSpace),
        });
        break;
      case 'freset': {
        const seed = seedOf(req, 'freset');
        if (typeof seed === 'string') {
          send({ error: seed });
          break;
        }
        last = fleet.reset(seed);
        send(rowsJson(last));
        break;
      }
      case 'fstep': {
        if (!last) {
          send({ error: 'fstep: called before freset' });
          break;
        }
        const got = actionsFor(last, req.actions);
        if (typeof got === 'string') {
          send({ error: got });
          break;
        }
        last = fleet.step(got.actions);
        send(rowsJson(last, got.masked));
        break;
      }
      case 'close':
        send({ ok: true });
        close();
        break;
      case 'reset':
      case 'step':
      case 'vreset':
      case 'vstep':
        send({ error: `${String(req.cmd)}: this is a fleet session (freset/fstep); start a server without --fleet for single or vector sessions` });
        break;
      default:
        send({ error: `request: cmd: expected one of spec|freset|fstep|close, got ${JSON.stringify(req.cmd)}` });
    }
  });
}
