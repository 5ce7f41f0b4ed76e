/**
 * A {@link FleetEnv} over the JSON-lines protocol of `env-server.ts`, keyed by PettingZoo agent names
 * (`user-<id>`), for a Python `ParallelEnv` (issue 13; the adapter is helper D's). One object per line each way:
 * - `{"cmd":"spec"}` → `{"scenario":…,"maxEpisodeSteps":…,"nodes":N,"maxUsers":…,"observationSpace":{"low","high","labels"},
 *   "actionSpace":{"n","labels"}}`; `possible_agents` = `user-0 … user-{maxUsers-1}`.
 * - `{"cmd":"reset","seed":1}` → `{"t":0,"agents":[…],"observations":{name:[…]},"infos":{name:{"action_mask":[…]}},"done":false}`
 * - `{"cmd":"step","actions":{name:a,…}}` (agents not named wait) → `{"t","agents","observations","rewards",
 *   "terminations","truncations","infos","done"}`: every dict covers every row of the step (users that acted, their
 *   final observation if they ended, and joiners with reward 0); `agents` is the rows without an end flag. While
 *   `agents` is empty but `done` is false (an empty road), keep stepping with `{}`.
 * - `{"cmd":"close"}` → `{"ok":true}`.
 * A bad request gets `{"error":"<one line>"}` and the server keeps going; an action for an unknown or ended agent,
 * or a masked one, is such an error and changes nothing.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { RemoraError } from './errors.js';
import type { FleetEnv, FleetStep } from './fleet-env.js';

export interface FleetServeOptions {
  scenario: string;
  maxEpisodeSteps: number;
}

/** PettingZoo's name of user `id`. */
export const agentName = (id: number): string => `user-${id}`;

function rowsToJson(env: FleetEnv, r: FleetStep, withRewards: boolean): Record<string, unknown> {
  const D = env.observationSpace.low.length, A = env.actionSpace.n;
  const observations: Record<string, number[]> = {}, infos: Record<string, unknown> = {};
  const rewards: Record<string, number> = {}, terminations: Record<string, boolean> = {}, truncations: Record<string, boolean> = {};
  const agents: string[] = [];
  for (let i = 0; i < r.rows; i++) {
    const name = agentName(r.ids[i]!);
    observations[name] = Array.from(r.observations.subarray(i * D, (i + 1) * D));
    infos[name] = { action_mask: Array.from(r.actionMasks.subarray(i * A, (i + 1) * A)), joined: r.joined[i] === 1 };
    rewards[name] = r.rewards[i]!;
    terminations[name] = r.terminated[i] === 1;
    truncations[name] = r.truncated[i] === 1;
    if (!r.terminated[i] && !r.truncated[i]) agents.push(name);
  }
  const out: Record<string, unknown> = { t: r.t, agents, observations, infos, done: env.done };
  if (withRewards) Object.assign(out, { rewards, terminations, truncations });
  return out;
}

/** Serve `env` until the input ends or a `close` arrives. */
export function serveFleet(env: FleetEnv, options: FleetServeOptions, input: Readable, output: Writable): Promise<void> {
  const send = (o: unknown) => output.write(JSON.stringify(o) + '\n');
  const rl = createInterface({ input, crlfDelay: Infinity });
  let last: FleetStep | undefined;
  let actions = new Int32Array(0);
  return new Promise((resolve) => {
    rl.on('line', (line) => {
      if (line.trim() === '') return;
      let req: { cmd?: unknown; seed?: unknown; actions?: unknown };
      try {
        req = JSON.parse(line);
      } catch {
        send({ error: `request: expected one JSON object per line, got ${JSON.stringify(line.slice(0, 60))}` });
        return;
      }
      try {
        switch (req.cmd) {
          case 'spec':
            send({
              scenario: options.scenario, maxEpisodeSteps: options.maxEpisodeSteps, nodes: env.nodes, maxUsers: env.maxUsers,
              observationSpace: { low: Array.from(env.observationSpace.low), high: Array.from(env.observationSpace.high), labels: env.observationSpace.labels },
              actionSpace: { n: env.actionSpace.n, labels: env.actionSpace.labels },
            });
            break;
          case 'reset': {
            if (req.seed !== undefined && req.seed !== null && !(typeof req.seed === 'number' && Number.isInteger(req.seed))) {
              send({ error: `reset: seed: expected an integer, got ${JSON.stringify(req.seed)}` });
              break;
            }
            last = env.reset(typeof req.seed === 'number' ? { seed: req.seed } : {});
            send(rowsToJson(env, last, false));
            break;
          }
          case 'step': {
            if (!last) {
              send({ error: 'step: called before reset' });
              break;
            }
            const acts = req.actions ?? {};
            if (typeof acts !== 'object' || Array.isArray(acts) || acts === null) {
              send({ error: `step: actions: expected an object {"user-<id>": action}, got ${JSON.stringify(acts).slice(0, 60)}` });
              break;
            }
            const r = last;
            if (actions.length < r.rows) actions = new Int32Array(Math.max(r.rows, 2 * actions.length));
            actions.fill(0, 0, r.rows);
            const rowOf = new Map<string, number>();
            for (let i = 0; i < r.rows; i++) if (!r.terminated[i] && !r.truncated[i]) rowOf.set(agentName(r.ids[i]!), i);
            let bad: string | undefined;
            for (const [name, a] of Object.entries(acts as Record<string, unknown>)) {
              const i = rowOf.get(name);
              if (i === undefined) bad = `step: actions.${name}: not a live agent (agents are the last result's rows without an end flag)`;
              else if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= env.actionSpace.n) bad = `step: actions.${name}: expected an integer in [0, ${env.actionSpace.n - 1}] (0 = Wait, j = migrate to node j), got ${JSON.stringify(a)}`;
              else if (r.actionMasks[i * env.actionSpace.n + a] !== 1) bad = `step: actions.${name}: action ${a} is masked (a migration is in flight)`;
              else actions[i] = a;
              if (bad) break;
            }
            if (bad) {
              send({ error: bad });
              break;
            }
            last = env.step(actions);
            send(rowsToJson(env, last, true));
            break;
          }
          case 'close':
            send({ ok: true });
            rl.close();
            break;
          default:
            send({ error: `request: cmd: expected one of spec|reset|step|close, got ${JSON.stringify(req.cmd)}` });
        }
      } catch (e) {
        send({ error: e instanceof RemoraError ? e.message : `internal error: ${(e as Error).message}` });
      }
    });
    rl.on('close', () => resolve());
  });
}
