/**
 * Several training runs in parallel worker threads (`remora train --workers K`). Each run is a separate seed
 * with its own folder; at most K run at once (one per core is the sensible maximum).
 */
import { Worker } from 'node:worker_threads';
import { RemoraError } from '../../core/errors.js';
import type { TrainProgress } from '../../agents/trainer.js';
import type { TrainRunOptions, TrainRunResult } from './train.js';

export type ParallelRun = Omit<TrainRunOptions, 'onProgress' | 'onEpisode'>;

/** The worker module next to this one (`.ts` under tsx, whose loader the worker inherits; `.js` once built). */
function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./train-worker${ext}`, import.meta.url);
}

/**
 * Start the worker. Built (`.js`) it is a plain module worker. Under tsx (tests, `npx tsx`), Node 20 does not pass the
 * TypeScript loader hooks on to worker threads, so a tiny bootstrap registers tsx inside the worker first.
 */
function newWorker(data: ParallelRun): Worker {
  const url = workerUrl();
  if (!url.href.endsWith('.ts')) return new Worker(url, { workerData: data });
  const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

export async function runParallel(runs: ParallelRun[], workers: number, onProgress: (id: string, p: TrainProgress) => void): Promise<TrainRunResult[]> {
  const results: TrainRunResult[] = new Array(runs.length);
  let next = 0;
  const one = (i: number): Promise<void> =>
    new Promise((resolveRun, reject) => {
      const w = newWorker(runs[i]);
      let settled = false;
      w.on('message', (m: { type: string; progress?: TrainProgress; result?: TrainRunResult; message?: string }) => {
        if (m.type === 'progress') onProgress(`run-${i}`, m.progress!);
        else if (m.type === 'done') {
          results[i] = m.result!;
          settled = true;
          resolveRun();
        } else if (m.type === 'error') {
          settled = true;
          reject(new RemoraError('E_TRAIN', `run seed ${runs[i]!.seed}: ${m.message}`));
        }
      });
      w.on('error', (e) => { if (!settled) { settled = true; reject(e); } });
      w.on('exit', (code) => { if (!settled) { settled = true; reject(new RemoraError('E_TRAIN', `run seed ${runs[i]!.seed}: worker exited with code ${code}`)); } });
    });
  const lane = async (): Promise<void> => {
    while (next < runs.length) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(workers, runs.length) }, lane));
  return results;
}
