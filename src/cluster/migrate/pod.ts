/**
 * Pod migration backends behind one interface.
 * - `recreate`: cold restart for stateless workloads. A copy of the pod is created on the target
 *   (`spec.nodeName`), and only once it is Ready is the source pod deleted.
 * - `checkpoint`: the kubelet checkpoint API through the apiserver's node proxy
 *   (`POST /api/v1/nodes/<node>/proxy/checkpoint/<ns>/<pod>/<container>`, feature ContainerCheckpoint), then a
 *   pod pinned to the target that runs the checkpoint image (built from the archive by an external image
 *   builder; see README). Runtime: CRI-O, or containerd >= 2.1. Source deleted only after the target is Ready.
 * - `podmigration`: the PodMigration-Operator's `Podmigration` CR (podmig.dcn.ssu.ac.kr/v1), which the paper
 *   used; the operator does the CRIU work. Done when a Ready pod of the workload runs on the target.
 * The source pod is never deleted before the target is Ready; a failed or cancelled migration deletes only the
 * target.
 */
import { isAlreadyExists, isNotFound, KubeApiError, listAll, type KubeClient } from '../kube/client.js';
import { ANNOTATIONS, isPodReady, LABELS, paths, type PodmigrationObject, type PodObject } from '../kube/resources.js';
import { fillTemplate } from '../observe/http.js';
import { FINALIZED_LABEL, forNamespaces, STARTED_AT_ANNOTATION, type InFlight, type Migrator, type Progress, type Workload } from './types.js';

export const ROLE_TARGET = 'migration-target';

/** On a workload: `recreate` allows a cold restart when the node cannot checkpoint (the state is lost). */
export const FALLBACK_ANNOTATION = 'remora.io/fallback';
/** On a target pod: why the checkpoint backend fell back to recreate. */
export const CHECKPOINT_FALLBACK_ANNOTATION = 'remora.io/checkpoint-fallback';

/** The source node cannot checkpoint at all (not a transient error), and the workload does not allow a fallback. */
export class CheckpointUnavailableError extends Error {
  override readonly name = 'CheckpointUnavailableError';
  constructor(
    readonly node: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`checkpoint backend unavailable on node ${node}: ${reason}`, options);
  }
}

/**
 * Why a kubelet's answer to the checkpoint call means "this node cannot checkpoint", or undefined for any other
 * error (transient, RBAC, a missing pod), which must surface as it is. Seen on a real kubelet 1.35 with
 * containerd 1.6 (the lab): `500 … checkpointing of <ns>/<pod>/<c> failed (rpc error: code = Unimplemented
 * desc = method CheckpointContainer not implemented)`. A kubelet without the ContainerCheckpoint gate has no such
 * route at all and answers `404 page not found` (a missing pod is a different 404: "pod does not exist").
 */
export function checkpointUnavailableReason(e: unknown): string | undefined {
  if (!(e instanceof KubeApiError)) return undefined;
  if (e.status === 500 && /code = Unimplemented/.test(e.message)) return 'the container runtime does not implement CheckpointContainer (containerd < 2.0)';
  if (e.status === 404 && /404 page not found/.test(e.message)) return 'the kubelet has no checkpoint API (feature gate ContainerCheckpoint off)';
  return undefined;
}

/** An OCI tag is `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`; checkpoint archive names contain `:` from timestamps. */
export const imageTagSafe = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '').slice(0, 128).toLowerCase();

/** A copy of `src` for `target`: same labels/spec, no node binding, no auto-injected token volume, no owner. */
export function targetPodFrom(src: PodObject, name: string, workload: string, target: string, annotations: Record<string, string>, image?: (container: string, image: string) => string): PodObject {
  const spec = structuredClone(src.spec) as PodObject['spec'];
  delete spec.nodeName;
  const isTokenVol = (n: unknown): boolean => typeof n === 'string' && n.startsWith('kube-api-access-');
  if (Array.isArray(spec.volumes)) spec.volumes = (spec.volumes as { name: string }[]).filter((v) => !isTokenVol(v.name));
  for (const c of spec.containers) {
    if (Array.isArray(c.volumeMounts)) c.volumeMounts = (c.volumeMounts as { name: string }[]).filter((m) => !isTokenVol(m.name));
    if (image) c.image = image(c.name, c.image);
  }
  spec.nodeName = target;
  const labels = { ...(src.metadata.labels ?? {}), [LABELS.managedBy]: LABELS.managedByValue, [LABELS.workload]: workload, [LABELS.target]: target, [LABELS.role]: ROLE_TARGET };
  const srcAnn = { ...(src.metadata.annotations ?? {}) };
  delete srcAnn[ANNOTATIONS.lastMigration];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: src.metadata.namespace, labels, annotations: { ...srcAnn, ...annotations, [ANNOTATIONS.migrationId]: name } },
    spec,
  };
}

abstract class TargetPodMigrator implements Migrator {
  readonly kind = 'pod' as const;
  abstract readonly backend: string;
  constructor(protected readonly client: KubeClient) {}

  async precheck(w: Workload, _target: string): Promise<string | undefined> {
    const pod = w.object as PodObject;
    if (!isPodReady(pod)) return `source pod ${pod.metadata.name} is not Ready`;
    return undefined;
  }

  /** What the target pod differs in: its images (checkpoint restores), and annotations to record on it. */
  protected abstract prepare(w: Workload, target: string): Promise<{ image?: (container: string, image: string) => string; annotations?: Record<string, string> }>;

  async start(w: Workload, target: string, id: string, startedAtMs: number): Promise<InFlight> {
    const src = w.object as PodObject;
    let pod: PodObject;
    try {
      pod = await this.client.request<PodObject>('GET', paths.pods(w.namespace, id));
      // Adopt only this migration's own target (a restart between create and the next tick); a pod of that name
      // that is no target (a finished migration's pod, now serving) means the sequence number was reused.
      if (pod.metadata.labels?.[LABELS.role] !== ROLE_TARGET) throw new Error(`pod ${w.namespace}/${id} exists and is not a migration target (${LABELS.role}=${pod.metadata.labels?.[LABELS.role] ?? 'unset'}): not adopting it as the target of a new migration`);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const prep = await this.prepare(w, target);
      const body = targetPodFrom(src, id, w.name, target, { [ANNOTATIONS.sourceNode]: w.node, [STARTED_AT_ANNOTATION]: String(startedAtMs), 'remora.io/source-pod': src.metadata.name, 'remora.io/backend': this.backend, ...prep.annotations }, prep.image);
      try {
        pod = await this.client.request<PodObject>('POST', paths.pods(w.namespace), { body });
      } catch (e2) {
        if (!isAlreadyExists(e2)) throw e2;
        pod = await this.client.request<PodObject>('GET', paths.pods(w.namespace, id));
      }
    }
    return this.toInFlight(pod);
  }

  private toInFlight(pod: PodObject): InFlight {
    const a = pod.metadata.annotations ?? {};
    return {
      id: pod.metadata.name,
      kind: 'pod',
      backend: a['remora.io/backend'] ?? this.backend,
      namespace: pod.metadata.namespace!,
      workload: pod.metadata.labels?.[LABELS.workload] ?? pod.metadata.name,
      sourceNode: a[ANNOTATIONS.sourceNode] ?? '',
      targetNode: pod.spec.nodeName ?? pod.metadata.labels?.[LABELS.target] ?? '',
      startedAtMs: Number(a[STARTED_AT_ANNOTATION]),
      ...(a[CHECKPOINT_FALLBACK_ANNOTATION] ? { fallback: a[CHECKPOINT_FALLBACK_ANNOTATION] } : {}),
      object: pod,
    };
  }

  async listInFlight(namespaces?: readonly string[]): Promise<InFlight[]> {
    const items = await forNamespaces(namespaces, async (ns) => (await listAll<PodObject>(this.client, paths.pods(ns), { labelSelector: `${LABELS.managedBy}=${LABELS.managedByValue},${LABELS.role}=${ROLE_TARGET}` })).items);
    return items.filter((p) => (p.metadata.annotations?.['remora.io/backend'] ?? this.backend) === this.backend).map((p) => this.toInFlight(p));
  }

  async progress(f: InFlight): Promise<Progress> {
    let pod: PodObject;
    try {
      pod = await this.client.request<PodObject>('GET', paths.pods(f.namespace, f.id));
    } catch (e) {
      if (isNotFound(e)) return { state: 'failed', reason: 'target pod was deleted by someone else' };
      throw e;
    }
    f.object = pod;
    // Being deleted (cancelled earlier, by us or anyone): it will never serve. Its kubelet may be gone, so the
    // object can stay Terminating indefinitely; finalize takes it out of the in-flight set (see finalize).
    if (pod.metadata.deletionTimestamp) return { state: 'failed', reason: 'target pod is being deleted' };
    if (pod.status?.phase === 'Failed') return { state: 'failed', reason: `target pod failed: ${String(pod.status?.reason ?? pod.status?.message ?? '')}` };
    if (!isPodReady(pod)) return { state: 'running', phase: pod.status?.phase ?? 'Pending' };
    // Target Ready: only now may the source go.
    const source = pod.metadata.annotations?.['remora.io/source-pod'];
    if (source) {
      try {
        await this.client.request('DELETE', paths.pods(f.namespace, source));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    const readyAt = Date.parse(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
    const created = Date.parse(pod.metadata.creationTimestamp ?? '');
    return { state: 'succeeded', durationMs: Number.isFinite(readyAt) && Number.isFinite(created) ? readyAt - created : Number.NaN, durationSource: 'pod Ready condition', serving: pod.metadata.name };
  }

  async cancel(f: InFlight, _reason: string): Promise<void> {
    try {
      await this.client.request('DELETE', paths.pods(f.namespace, f.id));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * Succeeded: the target stops being a migration target (it is the workload's pod now). Failed: the target is
   * deleted, and also loses its target role, because a pod whose kubelet is gone stays Terminating until the
   * node returns; still labelled, it would be listed, and finished again, on every tick (the lab, a target
   * node's kubelet killed mid-move).
   */
  async finalize(f: InFlight, p: Progress): Promise<void> {
    if (p.state === 'failed') await this.cancel(f, p.reason);
    try {
      await this.client.request('PATCH', paths.pods(f.namespace, f.id), { body: { metadata: { labels: { [LABELS.role]: null, [FINALIZED_LABEL]: null } } } });
    } catch (e) {
      if (!(p.state === 'failed' && isNotFound(e))) throw e;
    }
  }
}

export class RecreateMigrator extends TargetPodMigrator {
  readonly backend = 'recreate';
  protected async prepare(): Promise<Record<string, never>> {
    return {};
  }
}

export class CheckpointMigrator extends TargetPodMigrator {
  readonly backend = 'checkpoint';
  constructor(client: KubeClient, private readonly imageTemplate: string) {
    super(client);
  }

  /**
   * Checkpoint every container of the source pod through the node proxy; map container → restored image. When
   * the node cannot checkpoint ({@link checkpointUnavailableReason}), a workload annotated
   * `remora.io/fallback: recreate` gets a cold recreate (the target records why, {@link InFlight.fallback});
   * any other gets {@link CheckpointUnavailableError}.
   */
  protected async prepare(w: Workload): Promise<{ image?: (container: string, image: string) => string; annotations?: Record<string, string> }> {
    const pod = w.object as PodObject;
    const archives = new Map<string, string>();
    for (const c of pod.spec.containers) {
      const rest = `checkpoint/${encodeURIComponent(w.namespace)}/${encodeURIComponent(pod.metadata.name)}/${encodeURIComponent(c.name)}`;
      let res: { items?: string[] };
      try {
        res = await this.client.request<{ items?: string[] }>('POST', paths.nodeProxy(w.node, rest), { timeoutMs: 120_000 });
      } catch (e) {
        const why = checkpointUnavailableReason(e);
        if (!why) throw e;
        if (pod.metadata.annotations?.[FALLBACK_ANNOTATION] === 'recreate') return { annotations: { [CHECKPOINT_FALLBACK_ANNOTATION]: why } };
        throw new CheckpointUnavailableError(w.node, why, { cause: e });
      }
      const archive = res?.items?.[0];
      if (!archive) throw new Error(`kubelet checkpoint of ${w.namespace}/${pod.metadata.name}/${c.name} returned no archive`);
      archives.set(c.name, archive);
    }
    return {
      image: (container, image) => {
        const archive = archives.get(container);
        if (!archive) return image;
        return fillTemplate(this.imageTemplate, { namespace: w.namespace, pod: pod.metadata.name, container, archive: imageTagSafe(archive.split('/').pop()!.replace(/\.tar$/, '')) }, false);
      },
    };
  }
}

export class PodmigrationMigrator implements Migrator {
  readonly kind = 'pod' as const;
  readonly backend = 'podmigration';
  constructor(private readonly client: KubeClient, private readonly action: string) {}

  async precheck(w: Workload): Promise<string | undefined> {
    return isPodReady(w.object as PodObject) ? undefined : `source pod ${w.object.metadata.name} is not Ready`;
  }

  async start(w: Workload, target: string, id: string, startedAtMs: number): Promise<InFlight> {
    const body: PodmigrationObject = {
      apiVersion: 'podmig.dcn.ssu.ac.kr/v1',
      kind: 'Podmigration',
      metadata: {
        name: id,
        namespace: w.namespace,
        labels: { [LABELS.managedBy]: LABELS.managedByValue, [LABELS.workload]: w.name, [LABELS.target]: target },
        annotations: { [ANNOTATIONS.sourceNode]: w.node, [STARTED_AT_ANNOTATION]: String(startedAtMs), 'remora.io/source-pod': w.object.metadata.name },
      },
      spec: { replicas: 1, action: this.action, sourcePod: w.object.metadata.name, destHost: target, selector: { matchLabels: { [LABELS.workload]: w.name } } },
    };
    let obj: PodmigrationObject;
    try {
      obj = await this.client.request<PodmigrationObject>('POST', paths.podmigrations(w.namespace), { body });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      obj = await this.client.request<PodmigrationObject>('GET', paths.podmigrations(w.namespace, id));
    }
    return this.toInFlight(obj);
  }

  private toInFlight(o: PodmigrationObject): InFlight {
    const a = o.metadata.annotations ?? {};
    return { id: o.metadata.name, kind: 'pod', backend: this.backend, namespace: o.metadata.namespace!, workload: o.metadata.labels?.[LABELS.workload] ?? '', sourceNode: a[ANNOTATIONS.sourceNode] ?? '', targetNode: o.spec.destHost ?? '', startedAtMs: Number(a[STARTED_AT_ANNOTATION]), object: o };
  }

  async listInFlight(namespaces?: readonly string[]): Promise<InFlight[]> {
    const items = await forNamespaces(namespaces, async (ns) => (await listAll<PodmigrationObject>(this.client, paths.podmigrations(ns), { labelSelector: `${LABELS.managedBy}=${LABELS.managedByValue},!${FINALIZED_LABEL}` })).items);
    return items.map((o) => this.toInFlight(o));
  }

  async progress(f: InFlight): Promise<Progress> {
    let cr: PodmigrationObject;
    try {
      cr = await this.client.request<PodmigrationObject>('GET', paths.podmigrations(f.namespace, f.id));
    } catch (e) {
      if (isNotFound(e)) return { state: 'failed', reason: 'Podmigration was deleted by someone else' };
      throw e;
    }
    f.object = cr;
    if (/fail/i.test(cr.status?.state ?? '')) return { state: 'failed', reason: `Podmigration state ${cr.status!.state}` };
    const pods = await listAll<PodObject>(this.client, paths.pods(f.namespace), { labelSelector: `${LABELS.workload}=${f.workload}` });
    const source = cr.metadata.annotations?.['remora.io/source-pod'];
    const ready = pods.items.find((p) => p.metadata.name !== source && p.spec.nodeName === f.targetNode && isPodReady(p));
    if (!ready) return { state: 'running', phase: cr.status?.state || 'Pending' };
    const readyAt = Date.parse(ready.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
    const created = Date.parse(cr.metadata.creationTimestamp ?? '');
    return { state: 'succeeded', durationMs: Number.isFinite(readyAt) && Number.isFinite(created) ? readyAt - created : Number.NaN, durationSource: 'target pod Ready condition', serving: ready.metadata.name };
  }

  async cancel(f: InFlight): Promise<void> {
    try {
      await this.client.request('DELETE', paths.podmigrations(f.namespace, f.id));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async finalize(f: InFlight, p: Progress): Promise<void> {
    try {
      await this.client.request('PATCH', paths.podmigrations(f.namespace, f.id), { body: { metadata: { labels: { [FINALIZED_LABEL]: p.state } } } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
