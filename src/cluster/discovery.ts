/**
 * Discovery: which opted-in VMIs and pods are workloads this tick. Pure parts (admission, pod grouping) are
 * apart from the listing, and tested on their own in discovery.test.ts.
 */
import type { ControllerConfig } from './config.js';
import { isNotFound, listAll, type KubeClient, type KubeObject } from './kube/client.js';
import { ANNOTATIONS, isPodReady, LABELS, paths, type PodObject, type VmiObject } from './kube/resources.js';
import { ROLE_TARGET } from './migrate/pod.js';
import type { Migrator, Workload, WorkloadKind } from './migrate/types.js';
import { workloadKey, type WorkloadKey } from './workload-key.js';

/** Why an opted-in object is not a workload; reported once per object through the Event de-duplicator. */
export interface Ignored {
  key: WorkloadKey;
  object: KubeObject;
  topic: 'missing-user' | 'kind-mismatch';
  reason: 'MissingUser' | 'KindMismatch';
  message: string;
}

export interface Discovered {
  workloads: Workload[];
  ignored: Ignored[];
}

/** The user annotation is required; a `remora.io/kind` annotation, when present, must match the resource. */
export function admit(o: KubeObject, kind: WorkloadKind, key: WorkloadKey): { user: string } | Ignored {
  const user = o.metadata.annotations?.[ANNOTATIONS.user];
  const declared = o.metadata.annotations?.[ANNOTATIONS.kind];
  if (declared !== undefined && declared !== kind) {
    return { key, object: o, topic: 'kind-mismatch', reason: 'KindMismatch', message: `annotation ${ANNOTATIONS.kind}=${declared} but this is a ${kind === 'vm' ? 'VirtualMachineInstance' : 'Pod'}; ignored` };
  }
  if (!user) return { key, object: o, topic: 'missing-user', reason: 'MissingUser', message: `opted in but has no ${ANNOTATIONS.user} annotation; ignored` };
  return { user };
}

/**
 * Pods grouped into workloads by their `remora.io/workload` label (the pod name when absent), one group per
 * namespace and name. The pod that serves a group is a Ready one before a non-Ready one, then the oldest.
 * Pods being deleted are not part of any workload.
 */
export function groupPods(pods: readonly PodObject[]): { namespace: string; name: string; serving: PodObject }[] {
  const groups = new Map<string, { namespace: string; name: string; pods: PodObject[] }>();
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    const name = p.metadata.labels?.[LABELS.workload] ?? p.metadata.name;
    const namespace = p.metadata.namespace!;
    const k = `${namespace}/${name}`;
    const g = groups.get(k) ?? { namespace, name, pods: [] };
    g.pods.push(p);
    groups.set(k, g);
  }
  return [...groups.values()].map(({ namespace, name, pods: g }) => {
    g.sort((a, b) => Number(isPodReady(b)) - Number(isPodReady(a)) || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    return { namespace, name, serving: g[0]! };
  });
}

/** Opted-in objects under `path`: the label selector (server-side), or the opt-in annotation when configured. */
async function listOptedIn<T extends KubeObject>(client: KubeClient, workloads: ControllerConfig['workloads'], path: string, extraSelector?: string): Promise<T[]> {
  const { labelSelector, optInAnnotation } = workloads;
  const withExtra = (sel: string | undefined): string | undefined => [sel, extraSelector].filter(Boolean).join(',') || undefined;
  let byLabel: T[];
  try {
    byLabel = (await listAll<T>(client, path, { labelSelector: withExtra(labelSelector) })).items;
  } catch (e) {
    // The resource type is not installed (e.g. no KubeVirt in a pods-only cluster): no such workloads.
    if (isNotFound(e)) return [];
    throw e;
  }
  if (!optInAnnotation) return byLabel;
  const seen = new Set(byLabel.map((o) => o.metadata.uid));
  const all = (await listAll<T>(client, path, { labelSelector: withExtra(undefined) })).items;
  return [...byLabel, ...all.filter((o) => !seen.has(o.metadata.uid) && o.metadata.annotations?.[optInAnnotation] === 'true')];
}

/**
 * The workloads of listed (or cached) objects: VMIs being deleted are skipped, pods grouped ({@link groupPods}),
 * each admitted ({@link admit}). Pure: the listing path below and the watch-fed cache (cache.ts) share it.
 */
export function assembleWorkloads(vmis: readonly VmiObject[], pods: readonly PodObject[], out: Discovered = { workloads: [], ignored: [] }): Discovered {
  const take = (o: KubeObject, kind: WorkloadKind, name: string, node: string): void => {
    const a = admit(o, kind, workloadKey(kind, o.metadata.namespace!, name));
    if ('user' in a) out.workloads.push({ kind, namespace: o.metadata.namespace!, name, user: a.user, node, object: o });
    else out.ignored.push(a);
  };
  for (const v of vmis) {
    if (v.metadata.deletionTimestamp) continue;
    take({ ...v, apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' }, 'vm', v.metadata.name, v.status?.nodeName ?? '');
  }
  for (const g of groupPods(pods)) take({ ...g.serving, apiVersion: 'v1', kind: 'Pod' }, 'pod', g.name, g.serving.spec.nodeName ?? '');
  return out;
}

/** The extra selector that keeps migration target pods (not yet serving) out of the workloads. */
export const NOT_A_TARGET = `${LABELS.role}!=${ROLE_TARGET}`;

export async function discoverWorkloads(client: KubeClient, config: ControllerConfig, migrators: Partial<Record<WorkloadKind, Migrator>>): Promise<Discovered> {
  const nss = config.workloads.namespaces.length ? config.workloads.namespaces : [undefined];
  const out: Discovered = { workloads: [], ignored: [] };
  for (const ns of nss) {
    const vmis = config.workloads.kinds.includes('vm') && migrators.vm ? await listOptedIn<VmiObject>(client, config.workloads, paths.vmis(ns)) : [];
    const pods = config.workloads.kinds.includes('pod') && migrators.pod ? await listOptedIn<PodObject>(client, config.workloads, paths.pods(ns), NOT_A_TARGET) : [];
    assembleWorkloads(vmis, pods, out);
  }
  return out;
}
