/**
 * The Indexed Job of one sweep (pure: options in, manifest out). One completion index per pending run; each pod
 * runs pod-main.js with the sweep folder mounted at /out. Kubernetes does the scheduling and the retries:
 *
 * - `completionMode: Indexed`: the pod of index k gets `JOB_COMPLETION_INDEX=k` and trains run `pending[k]`.
 * - `backoffLimitPerIndex` (GA since 1.33; the lab runs 1.35): a failed pod is retried for its own index only,
 *   so one bad seed does not use up the retries of the others. No `maxFailedIndexes`: the other indices finish
 *   even when one fails for good, so their runs are kept.
 * - No `podFailurePolicy`: with one, a pod stuck terminating on a dead node would not be replaced until it is
 *   terminal (podReplacementPolicy Failed), and a dead kubelet never makes it terminal. Without one, a
 *   terminating pod counts as a failure of its index and is replaced at once.
 * - Tolerations for `not-ready` / `unreachable` with a short `tolerationSeconds`: the default is 300 s, so a pod
 *   on a dead node would wait five minutes before its eviction lets the Job retry it elsewhere.
 */
import { createHash } from 'node:crypto';
import type { IndexRun } from './volume.js';

export const SWEEP_LABEL = 'remora.io/sweep';
export const PENDING_ANNOTATION = 'remora.io/pending';
export const POD_ENTRY = ['node', 'dist/kube-sweep/pod-main.js'];
export const MOUNT = '/out';

export type SweepVolume = { hostPath: string } | { pvc: string; subPath?: string };

export interface PodResources {
  cpu?: string;
  memory?: string;
}

export interface JobOptions {
  namespace: string;
  image: string;
  imagePullPolicy: 'Never' | 'IfNotPresent' | 'Always';
  parallelism: number;
  backoffLimitPerIndex: number;
  /** Requests, and the same as limits (a training run is CPU-bound; a guaranteed share keeps runs comparable). */
  resources: PodResources;
  volume: SweepVolume;
  /** Seconds a pod stays on a node that went NotReady or unreachable before it is evicted and retried. */
  evictAfterS: number;
  serviceAccount?: string;
}

/** A stable id of the runs (not of which ones are pending): the same sweep re-run gets the same Job name. */
export function sweepId(runs: readonly IndexRun[]): string {
  return createHash('sha256').update(JSON.stringify(runs)).digest('hex').slice(0, 10);
}

export const jobName = (id: string): string => `remora-sweep-${id}`;

export function buildIndexedJob(id: string, pending: readonly number[], o: JobOptions): Record<string, unknown> {
  const labels = { 'app.kubernetes.io/name': 'remora', 'app.kubernetes.io/component': 'sweep', [SWEEP_LABEL]: id };
  const res: Record<string, string> = {};
  if (o.resources.cpu) res.cpu = o.resources.cpu;
  if (o.resources.memory) res.memory = o.resources.memory;
  const volume = 'hostPath' in o.volume ? { name: 'out', hostPath: { path: o.volume.hostPath, type: 'Directory' } } : { name: 'out', persistentVolumeClaim: { claimName: o.volume.pvc } };
  const subPath = 'pvc' in o.volume && o.volume.subPath ? { subPath: o.volume.subPath } : {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: jobName(id), namespace: o.namespace, labels, annotations: { [PENDING_ANNOTATION]: pending.join(',') } },
    spec: {
      completionMode: 'Indexed',
      completions: pending.length,
      parallelism: Math.min(o.parallelism, pending.length),
      backoffLimitPerIndex: o.backoffLimitPerIndex,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(o.serviceAccount ? { serviceAccountName: o.serviceAccount } : {}),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          tolerations: ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'].map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: o.evictAfterS })),
          containers: [
            {
              name: 'train',
              image: o.image,
              imagePullPolicy: o.imagePullPolicy,
              command: POD_ENTRY,
              workingDir: '/app',
              env: [
                { name: 'REMORA_SWEEP_DIR', value: MOUNT },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              ],
              ...(Object.keys(res).length ? { resources: { requests: res, limits: res } } : {}),
              volumeMounts: [{ name: 'out', mountPath: MOUNT, ...subPath }],
              terminationMessagePolicy: 'FallbackToLogsOnError',
            },
          ],
          volumes: [volume],
        },
      },
    },
  };
}
