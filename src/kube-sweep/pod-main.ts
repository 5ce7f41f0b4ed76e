/**
 * The entry point of one pod of a sweep's Indexed Job: `node dist/kube-sweep/pod-main.js`. It trains the run of its
 * completion index with {@link runTraining}, the same code path as a local sweep's worker thread, into an attempt
 * folder on the volume, renames that into `seed-<k>/` and writes the completion marker (see volume.ts).
 *
 * A run that already has a marker exits 0 at once: a replacement pod (its first pod's node died after finishing,
 * or a re-run) must not train it again. Two attempts of one index can run at once (a kubelet that died leaves its
 * container running); the first rename wins and the second discards its folder, so no finished run is overwritten.
 *
 * On failure the pod writes one line to its termination message (`/dev/termination-log`, which the client reads
 * from the pod's status) and exits 1; a full volume says ENOSPC in that line.
 */
import { rmSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runTraining } from '../experiments/train/train.js';
import { attemptDir, markerPath, progressPath, readJson, readMarker, specPath, writeJsonAtomic, type DoneMarker, type SweepSpec } from './volume.js';

const TERMINATION_LOG = '/dev/termination-log';

function fail(message: string): never {
  process.stderr.write(`remora sweep pod: ${message}\n`);
  try {
    writeFileSync(TERMINATION_LOG, message);
  } catch {
    /* not in a pod: stderr is enough */
  }
  process.exit(1);
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOSPC') return `ENOSPC: the volume is full (${err.path ?? err.message})`;
  return err instanceof Error ? err.message : String(e);
}

function main(): void {
  const processStartMs = Math.round(performance.timeOrigin);
  const dir = process.env.REMORA_SWEEP_DIR ?? '/out';
  const index = Number(process.env.JOB_COMPLETION_INDEX);
  const pod = process.env.POD_NAME ?? hostname();
  const node = process.env.NODE_NAME ?? '';
  const spec = readJson<SweepSpec>(specPath(dir));
  if (!spec) fail(`no sweep spec at ${specPath(dir)}: is the volume mounted at ${dir}?`);
  const run = spec.pending[index];
  if (!Number.isInteger(index) || run === undefined) fail(`JOB_COMPLETION_INDEX ${process.env.JOB_COMPLETION_INDEX} is not an index of the spec's ${spec.pending.length} pending runs`);
  if (readMarker(dir, run)) {
    process.stdout.write(`run ${run} is already complete; nothing to do\n`);
    return;
  }
  const r = spec.runs[run]!;
  const tmp = attemptDir(dir, run, pod);
  try {
    rmSync(tmp, { recursive: true, force: true });
    const trainStartMs = Date.now();
    const result = runTraining({ ...r, cwd: process.cwd(), out: tmp, onProgress: (p) => writeJsonAtomic(progressPath(dir, run), { ...p, trainStartMs }) });
    const final = join(dir, r.out);
    try {
      renameSync(tmp, final);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Another attempt of this index finished first: its folder stays, this one goes (same seed, same bytes).
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
      rmSync(tmp, { recursive: true, force: true });
    }
    if (readMarker(dir, run)) return;
    const rel = { ...result, out: r.out, modelPath: join(r.out, relative(tmp, result.modelPath)) };
    const marker: DoneMarker = { run, result: rel, pod, node, processStartMs, trainStartMs, finishedMs: Date.now() };
    writeJsonAtomic(markerPath(dir, run), marker);
    process.stdout.write(`run ${run} (seed ${r.seed}) complete on ${node || pod}\n`);
  } catch (e) {
    fail(`run ${run} (seed ${r.seed}): ${describe(e)}`);
  }
}

main();
