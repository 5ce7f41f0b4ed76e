/**
 * Any {@link Env} (the twin, in practice) over a line protocol, for other languages (the Python Gymnasium adapter in `python/`).
 * One JSON object per line on the input, one per line on the output:
 * - `{"cmd":"spec"}` → `{"observationSpace":{"low":[...],"high":[...],"labels":[...]},"actionSpace":{"n":4,"labels":[...]},"scenario":"sr111"}`
 * - `{"cmd":"reset","seed":1}` (seed optional) → `{"observation":[...],"info":{...}}`
 * - `{"cmd":"step","action":2}` → `{"observation":[...],"reward":0.5,"terminated":false,"truncated":false,"info":{...}}`
 * - `{"cmd":"close"}` → `{"ok":true}` and the server stops.
 * A bad request gets `{"error":"<one line>"}` and the server keeps going.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { RemoraError } from './errors.js';
import type { Env, StepInfo } from './env.js';

function infoToJson(info: StepInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(info)) {
    if (v instanceof Uint8Array) out[k] = Array.from(v);
    else if (typeof v === 'number' && !Number.isFinite(v)) out[k] = null;
    else out[k] = v;
  }
  return out;
}

/**
 * Serve `env` until the input ends or a `close` arrives. Resolves when done.
 * @param scenario name reported by `spec` (the env contract has no name of its own).
 */
export function serveEnv(env: Env, scenario: string, input: Readable, output: Writable): Promise<void> {
  const send = (o: unknown) => output.write(JSON.stringify(o) + '\n');
  const rl = createInterface({ input, crlfDelay: Infinity });
  return new Promise((resolve) => {
    rl.on('line', (line) => {
      if (line.trim() === '') return;
      let req: { cmd?: unknown; seed?: unknown; action?: unknown };
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
              scenario,
              observationSpace: { low: Array.from(env.observationSpace.low), high: Array.from(env.observationSpace.high), labels: env.observationSpace.labels },
              actionSpace: { n: env.actionSpace.n, labels: env.actionSpace.labels },
            });
            break;
          case 'reset': {
            if (req.seed !== undefined && req.seed !== null && (typeof req.seed !== 'number' || !Number.isInteger(req.seed))) {
              send({ error: `reset: seed: expected an integer, got ${JSON.stringify(req.seed)}` });
              break;
            }
            const r = env.reset(typeof req.seed === 'number' ? { seed: req.seed } : {});
            send({ observation: Array.from(r.observation), info: infoToJson(r.info) });
            break;
          }
          case 'step': {
            const r = env.step(req.action as number);
            send({ observation: Array.from(r.observation), reward: r.reward, terminated: r.terminated, truncated: r.truncated, info: infoToJson(r.info) });
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
