/**
 * Synchronous streaming gunzip, for the line readers of `text-input.ts`. Node's zlib streams only asynchronously and the
 * scenario loader is synchronous, so a worker thread inflates the file with zlib's streaming API and hands the
 * output over one chunk at a time through a SharedArrayBuffer, while the caller blocks in `Atomics.wait`. Memory
 * stays at one chunk (plus zlib's window) whatever the file's size.
 *
 * The handshake is one slot: the worker writes a chunk and sets FULL, the caller reads it and sets EMPTY; the worker
 * ends with DONE or an error state. A caller that stops early (its visitor threw) sets CANCEL and the worker exits.
 */
import { Worker } from 'node:worker_threads';

const EMPTY = 0, FULL = 1, DONE = 2, CORRUPT = 3, TOO_LARGE = 4, UNREADABLE = 5;
/** Slots of the control array: state, bytes in the chunk, cancel flag. */
const STATE = 0, LENGTH = 1, CANCEL = 2;
/**
 * How long the caller waits for one chunk before giving up, ms: a safety net against a worker that died without
 * saying so (every error path in the worker reports a state), never reached by a working inflate.
 */
const STALL_MS = 30_000;
/**
 * The worker's heap: small, so it collects the stream's buffers often (its RSS then stays flat whatever the file's
 * size); it only ever holds zlib's window and a few chunks.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 };

// Plain CommonJS for `eval: true` (no TypeScript loader in the worker: it starts with `execArgv: []`).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs'), zlib = require('node:zlib');
const { path, sab, chunkBytes, maxBytes } = workerData;
const ctl = new Int32Array(sab, 0, 4), data = new Uint8Array(sab, 16, chunkBytes);
let total = 0, ended = false;
const finish = (state) => {
  if (ended) return;
  ended = true;
  while (Atomics.load(ctl, ${STATE}) === ${FULL} && ctl[${CANCEL}] === 0) Atomics.wait(ctl, ${STATE}, ${FULL}, 1000);
  Atomics.store(ctl, ${STATE}, state);
  Atomics.notify(ctl, ${STATE});
};
process.on('uncaughtException', () => finish(${CORRUPT}));
const gunzip = zlib.createGunzip({ chunkSize: chunkBytes });
gunzip.on('data', (b) => {
  if (ended) return;
  total += b.length;
  if (total > maxBytes) { finish(${TOO_LARGE}); gunzip.destroy(); return; }
  for (let at = 0; at < b.length; ) {
    while (Atomics.load(ctl, ${STATE}) === ${FULL} && ctl[${CANCEL}] === 0) Atomics.wait(ctl, ${STATE}, ${FULL}, 1000);
    if (ctl[${CANCEL}] !== 0) { ended = true; gunzip.destroy(); process.exit(0); }
    const n = Math.min(chunkBytes, b.length - at);
    data.set(b.subarray(at, at + n));
    ctl[${LENGTH}] = n;
    at += n;
    Atomics.store(ctl, ${STATE}, ${FULL});
    Atomics.notify(ctl, ${STATE});
  }
});
gunzip.on('end', () => finish(${DONE}));
gunzip.on('error', () => finish(${CORRUPT}));
fs.createReadStream(path).on('error', () => finish(${UNREADABLE})).pipe(gunzip);
`;

/** How a streamed inflate ended. */
export type GunzipOutcome = 'done' | 'corrupt' | 'too-large' | 'unreadable';

/**
 * Inflate the gzip file `path`, calling `onChunk` with each piece of output (at most `chunkBytes`; the view is
 * reused, so copy or decode it before returning). Stops at `maxBytes` of output (`too-large`). If `onChunk` throws,
 * the worker is cancelled and the error propagates.
 */
export function gunzipChunks(path: string, chunkBytes: number, maxBytes: number, onChunk: (bytes: Uint8Array) => void): GunzipOutcome {
  const sab = new SharedArrayBuffer(16 + chunkBytes);
  const ctl = new Int32Array(sab, 0, 4);
  const data = new Uint8Array(sab, 16, chunkBytes);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, sab, chunkBytes, maxBytes }, execArgv: [], stdout: true, stderr: true, resourceLimits: WORKER_LIMITS });
  worker.unref();
  let finished = false;
  try {
    for (;;) {
      if (Atomics.wait(ctl, STATE, EMPTY, STALL_MS) === 'timed-out') return 'corrupt';
      const state = Atomics.load(ctl, STATE);
      if (state === FULL) {
        onChunk(data.subarray(0, ctl[LENGTH]!));
        Atomics.store(ctl, STATE, EMPTY);
        Atomics.notify(ctl, STATE);
        continue;
      }
      finished = true;
      return state === DONE ? 'done' : state === TOO_LARGE ? 'too-large' : state === UNREADABLE ? 'unreadable' : 'corrupt';
    }
  } finally {
    if (!finished) {
      Atomics.store(ctl, CANCEL, 1);
      Atomics.store(ctl, STATE, EMPTY);
      Atomics.notify(ctl, STATE);
    }
    worker.terminate().catch(() => undefined);
  }
}
