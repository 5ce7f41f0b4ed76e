/**
 * KubeVirt live migration through `VirtualMachineInstanceMigration`.
 * - Precheck: the VMI is Running and its `LiveMigratable` condition is True.
 * - `addedNodeSelector` mode (KubeVirt >= 1.6): the VMIM carries `spec.addedNodeSelector: {kubernetes.io/hostname: <target>}`.
 * - `labelMove` mode (older KubeVirt; what the paper's authors did): the VMI's nodeSelector requires
 *   `<labelKey>=<value>`; the label moves from the source node to the target node, then a plain VMIM is created.
 *   A failed or cancelled migration moves the label back.
 * - Cancel = delete the VMIM (KubeVirt's own cancel).
 * - Duration from `status.phaseTransitionTimestamps` (first phase → Succeeded), else `migrationState`
 *   start/end timestamps.
 */
import { isAlreadyExists, isNotFound, listAll, type KubeClient } from '../kube/client.js';
import { ANNOTATIONS, conditionStatus, LABELS, paths, type VmiObject, type VmimObject } from '../kube/resources.js';
import { FINALIZED_LABEL, forNamespaces, STARTED_AT_ANNOTATION, type InFlight, type Migrator, type Progress, type Workload } from './types.js';

export interface KubevirtOptions {
  mode: 'addedNodeSelector' | 'labelMove';
  labelKey: string;
  hostnameLabel: string;
}

export class KubevirtMigrator implements Migrator {
  readonly kind = 'vm' as const;
  readonly backend: string;
  constructor(private readonly client: KubeClient, private readonly o: KubevirtOptions) {
    this.backend = `kubevirt-${o.mode}`;
  }

  async precheck(w: Workload, _target: string): Promise<string | undefined> {
    const vmi = w.object as VmiObject;
    if (vmi.status?.phase !== 'Running') return `VMI phase is ${vmi.status?.phase ?? '(none)'}, not Running`;
    const lm = vmi.status?.conditions?.find((c) => c.type === 'LiveMigratable');
    if (lm?.status !== 'True') return `VMI is not LiveMigratable${lm ? ` (${lm.reason ?? lm.status}${lm.message ? `: ${lm.message}` : ''})` : ' (no LiveMigratable condition)'}`;
    if (this.o.mode === 'labelMove' && !vmi.spec.nodeSelector?.[this.o.labelKey]) return `labelMove mode: VMI nodeSelector lacks ${this.o.labelKey}`;
    return undefined;
  }

  async start(w: Workload, target: string, id: string, startedAtMs: number): Promise<InFlight> {
    const vmi = w.object as VmiObject;
    const annotations: Record<string, string> = { [ANNOTATIONS.sourceNode]: w.node, [STARTED_AT_ANNOTATION]: String(startedAtMs) };
    const spec: VmimObject['spec'] = { vmiName: w.name };
    if (this.o.mode === 'addedNodeSelector') spec.addedNodeSelector = { [this.o.hostnameLabel]: target };
    else {
      const value = vmi.spec.nodeSelector![this.o.labelKey]!;
      annotations[ANNOTATIONS.labelMove] = JSON.stringify({ key: this.o.labelKey, value, from: w.node, to: target });
      await this.moveLabel(this.o.labelKey, value, w.node, target);
    }
    const body: VmimObject = {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstanceMigration',
      metadata: { name: id, namespace: w.namespace, labels: { [LABELS.managedBy]: LABELS.managedByValue, [LABELS.workload]: w.name, [LABELS.target]: target }, annotations },
      spec,
    };
    let obj: VmimObject;
    try {
      obj = await this.client.request<VmimObject>('POST', paths.vmims(w.namespace), { body });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      obj = await this.client.request<VmimObject>('GET', paths.vmims(w.namespace, id));
    }
    return this.toInFlight(obj);
  }

  /** Add the label on `to` first, then remove it from `from`: the running VMI is never left without a legal node. */
  private async moveLabel(key: string, value: string, from: string, to: string): Promise<void> {
    await this.client.request('PATCH', paths.nodes(to), { body: { metadata: { labels: { [key]: value } } } });
    if (from && from !== to) await this.client.request('PATCH', paths.nodes(from), { body: { metadata: { labels: { [key]: null } } } });
  }

  private toInFlight(obj: VmimObject): InFlight {
    const a = obj.metadata.annotations ?? {};
    return {
      id: obj.metadata.name,
      kind: 'vm',
      backend: this.backend,
      namespace: obj.metadata.namespace!,
      workload: obj.spec.vmiName,
      sourceNode: a[ANNOTATIONS.sourceNode] ?? '',
      targetNode: obj.metadata.labels?.[LABELS.target] ?? '',
      startedAtMs: Number(a[STARTED_AT_ANNOTATION] ?? Date.parse(obj.metadata.creationTimestamp ?? '')),
      object: obj,
    };
  }

  async listInFlight(namespaces?: readonly string[]): Promise<InFlight[]> {
    const items = await forNamespaces(namespaces, async (ns) => (await listAll<VmimObject>(this.client, paths.vmims(ns), { labelSelector: `${LABELS.managedBy}=${LABELS.managedByValue},!${FINALIZED_LABEL}` })).items);
    return items.map((o) => this.toInFlight(o));
  }

  async progress(f: InFlight): Promise<Progress> {
    let vmim: VmimObject;
    try {
      vmim = await this.client.request<VmimObject>('GET', paths.vmims(f.namespace, f.id));
    } catch (e) {
      if (isNotFound(e)) return { state: 'failed', reason: 'VMIM was deleted by someone else' };
      throw e;
    }
    f.object = vmim;
    const phase = vmim.status?.phase ?? '';
    if (phase === 'Succeeded') return { state: 'succeeded', ...(await this.duration(vmim, f)) };
    if (phase === 'Failed') {
      const reason = vmim.status?.migrationState?.failureReason ?? (await this.vmiFailureReason(f)) ?? 'VMIM phase Failed';
      return { state: 'failed', reason };
    }
    return { state: 'running', phase: phase || 'Pending' };
  }

  private async vmiFailureReason(f: InFlight): Promise<string | undefined> {
    try {
      const vmi = await this.client.request<VmiObject>('GET', paths.vmis(f.namespace, f.workload));
      const ms = vmi.status?.migrationState;
      return ms?.failed ? ms.failureReason ?? 'migrationState.failed' : undefined;
    } catch {
      return undefined;
    }
  }

  private async duration(vmim: VmimObject, f: InFlight): Promise<{ durationMs: number; durationSource: string }> {
    const ts = vmim.status?.phaseTransitionTimestamps ?? [];
    const t = (p: string): number => Date.parse(ts.find((x) => x.phase === p)?.phaseTransitionTimestamp ?? '');
    const first = Math.min(...ts.map((x) => Date.parse(x.phaseTransitionTimestamp)).filter(Number.isFinite));
    const end = t('Succeeded');
    if (Number.isFinite(first) && Number.isFinite(end)) return { durationMs: end - first, durationSource: 'phaseTransitionTimestamps' };
    let ms = vmim.status?.migrationState;
    if (!ms?.startTimestamp) {
      try {
        ms = (await this.client.request<VmiObject>('GET', paths.vmis(f.namespace, f.workload))).status?.migrationState;
      } catch {
        /* VMI gone: no duration */
      }
    }
    const s = Date.parse(ms?.startTimestamp ?? '');
    const e = Date.parse(ms?.endTimestamp ?? '');
    if (Number.isFinite(s) && Number.isFinite(e)) return { durationMs: e - s, durationSource: 'migrationState' };
    return { durationMs: Number.NaN, durationSource: 'none' };
  }

  async cancel(f: InFlight, _reason: string): Promise<void> {
    try {
      await this.client.request('DELETE', paths.vmims(f.namespace, f.id));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    await this.restoreLabel(f);
  }

  private async restoreLabel(f: InFlight): Promise<void> {
    const lm = f.object.metadata.annotations?.[ANNOTATIONS.labelMove];
    if (!lm) return;
    const { key, value, from, to } = JSON.parse(lm) as { key: string; value: string; from: string; to: string };
    // The VMI may already run on `to` if KubeVirt finished just as we cancelled: only move back if it did not.
    try {
      const vmi = await this.client.request<VmiObject>('GET', paths.vmis(f.namespace, f.workload));
      if (vmi.status?.nodeName === to) return;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    await this.moveLabel(key, value, to, from);
  }

  async finalize(f: InFlight, p: Progress): Promise<void> {
    if (p.state === 'failed') await this.restoreLabel(f);
    try {
      await this.client.request('PATCH', paths.vmims(f.namespace, f.id), { body: { metadata: { labels: { [FINALIZED_LABEL]: p.state } } } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

export function isLiveMigratable(vmi: VmiObject): boolean {
  return conditionStatus(vmi.status?.conditions, 'LiveMigratable') === 'True';
}
