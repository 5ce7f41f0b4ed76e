/**
 * Worker-thread entry for `remora train --workers K`: runs one {@link runTraining} with the options in
 * `workerData` and posts `{type: 'progress'}` messages and a final `{type: 'done'}` (or `{type: 'error'}`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RemoraError } from '../../core/errors.js';
import { runTraining, type TrainRunOptions } from './train.js';

type WorkerOptions = Omit<TrainRunOptions, 'onProgress' | 'onEpisode'>;

if (parentPort) {
  const port = parentPort;
  const opts = workerData as WorkerOptions;
  try {
    const result = runTraining({ ...opts, onProgress: (p) => port.postMessage({ type: 'progress', progress: p }) });
    port.postMessage({ type: 'done', result });
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof RemoraError ? e.message : `internal error: ${(e as Error).message}` });
  }
}
