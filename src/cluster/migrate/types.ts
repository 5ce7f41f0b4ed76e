/**
 * One interface for every migration backend (KubeVirt VMIM, podmigration CR, kubelet checkpoint, recreate).
 * In-flight state lives in the cluster (labelled objects), never only in memory: `listInFlight` after a restart
 * returns exactly what a running controller would have tracked, so nothing is started twice.
 */
import { isNotFound, type KubeObject } from '../kube/client.js';

export type WorkloadKind = 'vm' | 'pod';

export interface Workload {
  kind: WorkloadKind;
  namespace: string;
  /** Workload name: the VMI name, or the pods' `remora.io/workload` label (the pod name when absent). */
  name: string;
  /** User id whose RTT drives decisions (`remora.io/user`). */
  user: string;
  /** Node the workload runs on now ('' when unscheduled). */
  node: string;
  /** The VMI, or the pod currently serving. */
  object: KubeObject;
}

export interface InFlight {
  /** Name of the migration object (VMIM, CR, or target pod). Deterministic: `remora-<workload>-<seq>`. */
  id: string;
  kind: WorkloadKind;
  backend: string;
  namespace: string;
  workload: string;
  sourceNode: string;
  targetNode: string;
  /** Controller-clock time it started (annotation, survives restarts). */
  startedAtMs: number;
  /**
   * Set when the backend could not run on the source node and the migration fell back to a cold recreate
   * (checkpoint on a runtime without CheckpointContainer): why. Read from the target, so it survives restarts.
   */
  fallback?: string;
  /** The backend's phase as last seen by `progress` (set by the in-flight reconcile; for people watching). */
  phase?: string;
  object: KubeObject;
}

export type Progress =
  | { state: 'running'; phase: string }
  | { state: 'succeeded'; durationMs: number; durationSource: string; /** Name of the object now serving the workload (VMI or pod). */ serving?: string }
  | { state: 'failed'; reason: string };

export interface Migrator {
  readonly kind: WorkloadKind;
  readonly backend: string;
  /** Why this workload must not migrate to `target` now, or undefined when it may (e.g. not LiveMigratable). */
  precheck(w: Workload, target: string): Promise<string | undefined>;
  /** Start a migration whose object is named `id`. Idempotent: an existing object of that name is adopted. */
  start(w: Workload, target: string, id: string, startedAtMs: number): Promise<InFlight>;
  /**
   * Every unfinished migration this controller (any replica, any incarnation) started, from the cluster, in
   * `namespaces` (undefined = all namespaces).
   */
  listInFlight(namespaces?: readonly string[]): Promise<InFlight[]>;
  progress(f: InFlight): Promise<Progress>;
  /** Cancel (KubeVirt: delete the VMIM). Never deletes the source workload. */
  cancel(f: InFlight, reason: string): Promise<void>;
  /** Mark a finished migration done, so `listInFlight` no longer returns it. */
  finalize(f: InFlight, p: Progress): Promise<void>;
}

export const FINALIZED_LABEL = 'remora.io/finalized';
export const STARTED_AT_ANNOTATION = 'remora.io/started-at';

/** List in each namespace (or once cluster-wide when `namespaces` is undefined or empty). */
export async function forNamespaces<T>(namespaces: readonly string[] | undefined, list: (ns: string | undefined) => Promise<T[]>): Promise<T[]> {
  // 404 on a collection means the resource type is not installed (no KubeVirt, no podmigration operator):
  // then nothing of that type can be in flight.
  const safe = async (ns: string | undefined): Promise<T[]> => {
    try {
      return await list(ns);
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
  };
  if (!namespaces || namespaces.length === 0) return safe(undefined);
  const out: T[] = [];
  for (const ns of namespaces) out.push(...(await safe(ns)));
  return out;
}
