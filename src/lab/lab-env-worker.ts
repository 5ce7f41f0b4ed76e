/**
 * The worker thread behind {@link LabEnv}: owns one {@link LabSession} and answers the main thread's requests
 * (`start`, `reset`, `step`, `stop`) one at a time. After posting each reply it bumps `signal[0]` and notifies, which
 * wakes the main thread's `Atomics.wait`; the main thread then takes the reply with `receiveMessageOnPort`.
 * Log lines travel inside the replies (the main thread is blocked while the worker works).
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { LabSession } from './lab-session.js';
import type { LabSessionConfig, RouteTargets } from './lab-session-types.js';

export type WorkerRequest =
  | { op: 'start'; config: LabSessionConfig }
  | { op: 'reset'; serving: number; targets: RouteTargets }
  | { op: 'step'; target: number | undefined; targets: RouteTargets }
  | { op: 'stop' };

export type WorkerReply = { ok: true; result: unknown; logs: string[] } | { ok: false; error: string; logs: string[] };

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
let session: LabSession | undefined;
let logs: string[] = [];
const log = (line: string): void => void logs.push(line);

function reply(r: { ok: true; result: unknown } | { ok: false; error: string }): void {
  port.postMessage({ ...r, logs } as WorkerReply);
  logs = [];
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

let queue = Promise.resolve();
port.on('message', (req: WorkerRequest) => {
  queue = queue.then(async () => {
    try {
      reply({ ok: true, result: await handle(req) });
    } catch (e) {
      reply({ ok: false, error: (e as Error).message });
    }
  });
});

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case 'start':
      session = new LabSession(req.config, log);
      try {
        await session.start();
      } catch (e) {
        await session.stop().catch((e2: Error) => log(`cleanup after a failed start: ${e2.message}`));
        session = undefined;
        throw e;
      }
      return { overheadMs: session.overheadMs };
    case 'reset':
      return need().reset(req.serving, req.targets);
    case 'step':
      return need().step(req.target, req.targets);
    case 'stop': {
      const s = session;
      session = undefined;
      await s?.stop();
      return null;
    }
  }
}

function need(): LabSession {
  if (!session) throw new Error('lab session not started');
  return session;
}

process.on('uncaughtException', (e) => reply({ ok: false, error: `lab worker: ${e.message}` }));
