/**
 * The sweep's folder on the shared volume, as both sides see it: the client (which writes the spec and reads the
 * results) and every pod of the Indexed Job (which trains one index). It is the sweep's `out` folder, so the run
 * folders land exactly where a local sweep puts them (`seed-<k>/`), and the bookkeeping lives beside them:
 *
 *   .kube/spec.json            the runs (one per index) and which of them this Job trains (`pending`)
 *   .kube/done/<run>.json      the completion marker of run <run>: its result, written atomically after the run
 *                              folder was renamed into place, so a marker always means a complete folder
 *   .kube/progress/<run>.json  the latest training progress of run <run> (the client's bar)
 *   .kube/tmp/<run>-<pod>/     an attempt's run folder while it trains (renamed into place when it finishes)
 *
 * Atomic writes are a temporary file and a rename in the same folder: a pod killed mid-write leaves the old file
 * or none, never half a file. That is what makes a re-run safe: it skips exactly the runs with a marker.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TrainProgress } from '../agents/trainer.js';
import type { ParallelRun } from '../experiments/train/train-parallel.js';
import type { TrainRunResult } from '../experiments/train/train.js';

export const KUBE_DIR = '.kube';

/** One index of the sweep: the run as a local worker would get it, with `out` relative to the sweep folder. */
export type IndexRun = Omit<ParallelRun, 'cwd'>;

export interface SweepSpec {
  version: 1;
  /** Hash of the runs: the Job's name, so the same sweep finds its own Job and markers again. */
  sweepId: string;
  runs: IndexRun[];
  /** Run numbers this Job trains, in completion-index order (index k trains run `pending[k]`). */
  pending: number[];
}

/** A completed run: its result with paths relative to the sweep folder, and when and where it trained. */
export interface DoneMarker {
  run: number;
  result: TrainRunResult;
  pod: string;
  node: string;
  /** Wall clock (ms since the epoch) when the pod's Node process started, training began, and the run finished. */
  processStartMs: number;
  trainStartMs: number;
  finishedMs: number;
}

export interface ProgressFile extends TrainProgress {
  trainStartMs: number;
}

export const specPath = (dir: string): string => join(dir, KUBE_DIR, 'spec.json');
export const markerPath = (dir: string, run: number): string => join(dir, KUBE_DIR, 'done', `${run}.json`);
export const progressPath = (dir: string, run: number): string => join(dir, KUBE_DIR, 'progress', `${run}.json`);
export const attemptDir = (dir: string, run: number, pod: string): string => join(dir, KUBE_DIR, 'tmp', `${run}-${pod}`);

/** Write `data` as JSON through a temporary file and a rename (atomic on one filesystem). */
export function writeJsonAtomic(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  renameSync(tmp, path);
}

export function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export const readMarker = (dir: string, run: number): DoneMarker | undefined => readJson<DoneMarker>(markerPath(dir, run));
