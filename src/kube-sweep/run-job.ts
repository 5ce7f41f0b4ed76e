/**
 * `sweep --on kubernetes`, the client side: a {@link SweepTrainer} that trains the sweep's runs as the indices of one
 * Indexed Job (job.ts) and returns the same results a local sweep's workers would, so the sweep's own evaluation
 * and report (experiments/sweep.ts) stay the one home of sweep.json, sweep.md and sweep.svg.
 *
 * 1. Runs that have a completion marker on the volume are skipped (resume); the others are written to the spec.
 * 2. A Job of the same sweep that is still running the same pending runs is watched again (the client may have
 *    died); any other Job of that name is deleted first, since its indices mean other runs.
 * 3. It polls the Job and its pods (by the Job's uid: a deleted Job of the same name may still have pods) every `pollMs` until the Job meets its success criteria: per-index state
 *    changes as log lines, the pods' training progress (from the volume) into the bar.
 * 4. Errors are one line each (no cluster, RBAC forbidden, an image that cannot be pulled, a full volume, an index
 *    out of retries); the Job is deleted on a fatal error so it stops, and finished runs keep their markers.
 */
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TrainProgress } from '../agents/trainer.js';
import { RemoraError } from '../core/errors.js';
import type { SweepTrainer } from '../experiments/sweep.js';
import type { ParallelRun } from '../experiments/train/train-parallel.js';
import type { TrainRunResult } from '../experiments/train/train.js';
import { isForbidden, isNotFound, KubeApiError, type KubeClient, type KubeObject } from '../cluster/kube/client.js';
import { buildIndexedJob, jobName, PENDING_ANNOTATION, sweepId, type JobOptions } from './job.js';
import { progressPath, readJson, readMarker, specPath, writeJsonAtomic, type DoneMarker, type IndexRun, type ProgressFile, type SweepSpec } from './volume.js';

export interface KubeSweepOptions extends JobOptions {
  client: KubeClient;
  /** The sweep folder as the client sees it (the same folder the pods see at /out). */
  out: string;
  /** Quiet log lines (state changes per index). */
  log: (line: string) => void;
  pollMs?: number;
  /** Called with the markers of the runs once all are complete (the caller's measurements). */
  onDone?: (markers: DoneMarker[]) => void;
}

const IMAGE_ERRORS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN']);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface JobObject extends KubeObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[]; completedIndexes?: string; failedIndexes?: string; active?: number };
}
interface ContainerStatus {
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { exitCode?: number; reason?: string; message?: string } };
}
interface JobPod extends KubeObject {
  spec: { nodeName?: string };
  status?: { phase?: string; containerStatuses?: ContainerStatus[] };
}

/** One line for an API failure: no cluster, forbidden, or the apiserver's own message. */
export function describeKubeError(e: unknown, what: string, server: string, namespace: string): string {
  if (e instanceof KubeApiError) {
    if (isForbidden(e)) return `sweep --on kubernetes: forbidden to ${what} in namespace ${namespace} (RBAC): ${e.message.replace(/^.*?: 403 Forbidden: /, '')}`;
    return `sweep --on kubernetes: ${what} failed: ${e.status} ${e.reason}: ${e.message.split(': ').pop()}`;
  }
  const code = (e as NodeJS.ErrnoException)?.code ?? '';
  const msg = (e as Error)?.message ?? String(e);
  if (NETWORK_CODES.has(code) || /timed out|socket hang up/.test(msg)) return `sweep --on kubernetes: no cluster reachable at ${server} (${code || msg}); check --kubeconfig and that the apiserver runs`;
  return `sweep --on kubernetes: ${what} failed: ${msg}`;
}

/** The one line of a pod that cannot succeed by retrying: an image that cannot be pulled, or a full volume. */
export function fatalPodReason(pod: JobPod, image: string): string | undefined {
  for (const c of pod.status?.containerStatuses ?? []) {
    const w = c.state?.waiting;
    if (w?.reason && IMAGE_ERRORS.has(w.reason)) return `sweep --on kubernetes: image ${image} cannot be used on node ${pod.spec.nodeName ?? '?'}: ${w.reason}${w.message ? ` (${w.message.split('\n')[0]})` : ''}`;
    const t = c.state?.terminated;
    if (t?.message && /ENOSPC/.test(t.message)) return `sweep --on kubernetes: the volume is full: pod ${pod.metadata.name}: ${t.message.trim().split('\n')[0]}`;
  }
  return undefined;
}

const absolute = (out: string, m: DoneMarker): TrainRunResult => ({ ...m.result, out: join(out, m.result.out), modelPath: join(out, m.result.modelPath), meanReward: m.result.meanReward ?? Number.NaN });

export function kubeTrainer(o: KubeSweepOptions): SweepTrainer {
  return (runs, onProgress) => trainOnKubernetes(o, runs, onProgress);
}

export async function trainOnKubernetes(o: KubeSweepOptions, runs: ParallelRun[], onProgress: (id: string, p: TrainProgress) => void): Promise<TrainRunResult[]> {
  const { client, namespace, out } = o;
  const indexRuns: IndexRun[] = runs.map(({ cwd: _cwd, ...r }) => ({ ...r, out: relative(out, r.out) }));
  const id = sweepId(indexRuns);
  const name = jobName(id);
  mkdirSync(join(out, '.kube'), { recursive: true });
  const pending = indexRuns.map((_, i) => i).filter((i) => !readMarker(out, i));
  const done = indexRuns.length - pending.length;
  if (done > 0) o.log(`sweep --on kubernetes: ${done} of ${indexRuns.length} run(s) already complete on the volume; skipping them\n`);
  if (pending.length > 0) {
    const api = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (e) {
        throw new RemoraError('E_KUBE', describeKubeError(e, what, client.server, namespace));
      }
    };
    const path = `/apis/batch/v1/namespaces/${namespace}/jobs`;
    const existing = await api('get jobs', () => client.request<JobObject>('GET', `${path}/${name}`).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e))));
    const same = existing && existing.metadata.annotations?.[PENDING_ANNOTATION] === pending.join(',') && !terminal(existing);
    let uid = existing?.metadata.uid ?? '';
    if (same) o.log(`sweep --on kubernetes: watching the running Job ${namespace}/${name}\n`);
    else {
      if (existing) await api('delete jobs', () => deleteJob(client, path, name));
      writeJsonAtomic(specPath(out), { version: 1, sweepId: id, runs: indexRuns, pending } satisfies SweepSpec);
      const created = await api('create jobs', () => client.request<JobObject>('POST', path, { body: buildIndexedJob(id, pending, o) }));
      uid = created.metadata.uid ?? '';
      o.log(`sweep --on kubernetes: Job ${namespace}/${name}: ${pending.length} index(es), parallelism ${Math.min(o.parallelism, pending.length)}, image ${o.image}\n`);
    }
    await watchJob(o, api, path, name, uid, pending, indexRuns, onProgress);
  }
  const markers = indexRuns.map((r, i) => readMarker(out, i) ?? fail(`run ${i} (seed ${r.seed}) has no completion marker on the volume after the Job succeeded`));
  o.onDone?.(markers);
  return markers.map((m) => absolute(out, m));
}

function fail(message: string): never {
  throw new RemoraError('E_KUBE', `sweep --on kubernetes: ${message}`);
}

const cond = (j: JobObject, type: string): boolean => (j.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
/** Complete, or its success criteria met (Kubernetes sets Complete only once every pod is terminal, and a pod on a dead node may never be). */
const succeeded = (j: JobObject): boolean => cond(j, 'Complete') || cond(j, 'SuccessCriteriaMet');
const failed = (j: JobObject): boolean => cond(j, 'Failed') || cond(j, 'FailureTarget');
const terminal = (j: JobObject): boolean => succeeded(j) || failed(j);

async function deleteJob(client: KubeClient, path: string, name: string): Promise<void> {
  await client.request('DELETE', `${path}/${name}`, { body: { propagationPolicy: 'Background' } }).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
  for (let i = 0; i < 300; i++) {
    const j = await client.request('GET', `${path}/${name}`).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
    if (!j) return;
    await sleep(100);
  }
  throw new Error(`Job ${name} was not deleted within 30 s`);
}

async function watchJob(o: KubeSweepOptions, api: <T>(what: string, fn: () => Promise<T>) => Promise<T>, path: string, name: string, uid: string, pending: number[], runs: IndexRun[], onProgress: (id: string, p: TrainProgress) => void): Promise<void> {
  const seen = new Map<string, string>();
  const podsPath = `/api/v1/namespaces/${o.namespace}/pods`;
  for (;;) {
    const job = await api('get jobs', () => o.client.request<JobObject>('GET', `${path}/${name}`));
    const pods = await api('list pods', () => o.client.request<{ items: JobPod[] }>('GET', podsPath, { query: { labelSelector: `batch.kubernetes.io/controller-uid=${uid}` } }));
    for (const pod of pods.items) {
      const fatal = fatalPodReason(pod, o.image);
      if (fatal) {
        await deleteJob(o.client, path, name).catch(() => undefined);
        throw new RemoraError('E_KUBE', `${fatal}; finished runs are kept on the volume`);
      }
      const k = Number(pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index']);
      const run = pending[k];
      if (run === undefined) continue;
      const retry = Number(pod.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count'] ?? 0);
      const term = pod.status?.containerStatuses?.[0]?.state?.terminated;
      const state = `${pod.metadata.deletionTimestamp ? 'terminating' : (pod.status?.phase ?? 'Pending')}${term?.message && term.exitCode ? `: ${term.message.trim().split('\n')[0]}` : ''}`;
      if (seen.get(pod.metadata.name) !== state) {
        seen.set(pod.metadata.name, state);
        o.log(`sweep --on kubernetes: index ${k} (seed ${runs[run]!.seed}) ${pod.metadata.name} on ${pod.spec.nodeName ?? '-'}${retry ? ` (retry ${retry} of ${o.backoffLimitPerIndex})` : ''}: ${state}\n`);
      }
    }
    for (const run of pending) {
      const p = readJson<ProgressFile>(progressPath(o.out, run));
      if (p) onProgress(`run-${run}`, p);
    }
    if (succeeded(job)) return;
    if (failed(job)) {
      const why = (job.status?.conditions ?? []).find((c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True');
      fail(`Job ${name} failed (${why?.reason ?? '?'}: ${why?.message ?? ''}); failed indices ${job.status?.failedIndexes ?? '?'}, completed ${job.status?.completedIndexes ?? 'none'}; finished runs are kept on the volume, re-run to retry the rest`);
    }
    await sleep(o.pollMs ?? 1000);
  }
}
