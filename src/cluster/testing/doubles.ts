/**
 * Test doubles for the parts of a cluster a bare apiserver lacks: virt-controller (drives VMIM phases), a
 * kubelet (marks pods Running/Ready, serves the checkpoint API), the podmigration operator, and the external
 * observation sources (an RTT HTTP endpoint, NodeMetrics writer). They talk to the real apiserver with the
 * admin client, through real watches where the real component would watch.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { readFileSync } from 'node:fs';
import { isConflict, isNotFound, listAll, type KubeClient, type WatchEvent } from '../kube/client.js';
import { isNodeReady, isPodReady, LABELS, paths, VMIM_PHASES, type Condition, type NodeObject, type PodmigrationObject, type PodObject, type VmiObject, type VmimObject, type VmimPhase } from '../kube/resources.js';
import type { Clock } from '../observe/types.js';

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A settable clock for tests. */
export class FakeClock implements Clock {
  constructor(private t: number) {}
  nowMs(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export type VmimBehaviour = 'succeed' | 'fail' | 'hang';

/**
 * Plays virt-controller: watches VMIMs (a real watch, re-established after apiserver restarts) and on each
 * {@link step} moves every unfinished VMIM one phase along KubeVirt's real sequence, writing
 * `status.phase`, `phaseTransitionTimestamps`, `migrationState`, and finally the VMI's node and migrationState.
 * A target node that is NotReady keeps the VMIM in Scheduling (the target pod cannot schedule), as in KubeVirt.
 */
export class FakeVirtController {
  readonly seen = new Map<string, VmimObject>();
  /** VMIM uid → namespace, for VMIMs that were active while another VMIM of the same VMI was active. */
  readonly duplicateUids = new Map<string, string>();
  /** Per namespace, so a test's injected behaviour cannot leak into another test. Default: succeed. */
  readonly behaviours = new Map<string, VmimBehaviour | ((vmim: VmimObject) => VmimBehaviour)>();
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  watchRestarts = 0;

  constructor(private readonly admin: KubeClient, private readonly clock: Clock) {}

  start(): void {
    this.loop = (async () => {
      while (!this.abort.signal.aborted) {
        try {
          const list = await listAll<VmimObject>(this.admin, paths.vmims());
          for (const o of list.items) this.seen.set(o.metadata.uid!, o);
          await this.admin.watch<VmimObject>(paths.vmims(), { resourceVersion: list.metadata.resourceVersion }, (e: WatchEvent<VmimObject>) => {
            if (e.type === 'ADDED' || e.type === 'MODIFIED') this.seen.set(e.object.metadata.uid!, e.object);
            else if (e.type === 'DELETED') this.seen.delete(e.object.metadata.uid!);
          }, this.abort.signal);
        } catch {
          /* apiserver down: retry */
        }
        if (!this.abort.signal.aborted) {
          this.watchRestarts++;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** How many VMIMs in `ns` ran concurrently with another VMIM of the same VMI. */
  duplicatesIn(ns: string): number {
    return [...this.duplicateUids.values()].filter((n) => n === ns).length;
  }

  /** Wait until the watch cache holds `n` VMIMs satisfying `pred` (watch latency). */
  async waitFor(pred: (v: VmimObject) => boolean, n = 1, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.seen.values()].filter(pred).length < n) {
      if (Date.now() > deadline) throw new Error('FakeVirtController.waitFor timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private active(): VmimObject[] {
    return [...this.seen.values()].filter((v) => !v.metadata.deletionTimestamp && v.status?.phase !== 'Succeeded' && v.status?.phase !== 'Failed');
  }

  /** Advance every unfinished VMIM by one phase. */
  async step(): Promise<void> {
    const byVmi = new Map<string, VmimObject[]>();
    for (const v of this.active()) {
      const k = `${v.metadata.namespace}/${v.spec.vmiName}`;
      byVmi.set(k, [...(byVmi.get(k) ?? []), v]);
    }
    for (const group of byVmi.values()) if (group.length > 1) for (const v of group) this.duplicateUids.set(v.metadata.uid!, v.metadata.namespace!);
    for (const v of this.active()) await this.advance(v);
  }

  private async advance(cached: VmimObject): Promise<void> {
    const ns = cached.metadata.namespace!;
    let vmim: VmimObject;
    try {
      vmim = await this.admin.request<VmimObject>('GET', paths.vmims(ns, cached.metadata.name));
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    const phase = vmim.status?.phase ?? '';
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const vmi = await this.admin.request<VmiObject>('GET', paths.vmis(ns, vmim.spec.vmiName));
    const source = vmi.status?.nodeName ?? '';
    const target = await this.targetNode(vmim, vmi);
    const b = this.behaviours.get(ns) ?? 'succeed';
    const behaviour = typeof b === 'function' ? b(vmim) : b;
    let next: string;
    const idx = VMIM_PHASES.indexOf(phase as (typeof VMIM_PHASES)[number]);
    if (phase === '') next = 'Pending';
    else if (phase === 'Scheduling' && (behaviour === 'hang' || !target)) return; // target pod unschedulable
    else if (phase === 'Running' && behaviour === 'fail') next = 'Failed';
    else next = VMIM_PHASES[idx + 1]!;
    const now = this.clock.nowMs();
    const st = { ...(vmim.status ?? {}) };
    st.phase = next as VmimPhase;
    st.phaseTransitionTimestamps = [...(st.phaseTransitionTimestamps ?? []), { phase: next, phaseTransitionTimestamp: iso(now) }];
    if (next === 'Running') st.migrationState = { startTimestamp: iso(now), sourceNode: source, targetNode: target, migrationUid: vmim.metadata.uid };
    if (next === 'Succeeded') st.migrationState = { ...st.migrationState, endTimestamp: iso(now), completed: true };
    if (next === 'Failed') st.migrationState = { ...st.migrationState, endTimestamp: iso(now), failed: true, failureReason: 'fake virt-controller: injected failure' };
    // KubeVirt's order: the VMI's migration state (and, on success, its node) is written before the VMIM's phase,
    // so whoever sees the VMIM Succeeded finds the VMI on its target already.
    if (next === 'Running' || next === 'Succeeded' || next === 'Failed') {
      for (let attempt = 0; attempt < 5; attempt++) {
        const cur = await this.admin.request<VmiObject>('GET', paths.vmis(ns, vmim.spec.vmiName));
        const status = { ...(cur.status ?? {}), migrationState: st.migrationState };
        if (next === 'Succeeded') status.nodeName = target;
        try {
          // VMI has no status subresource: status is written through the main resource.
          await this.admin.request('PUT', paths.vmis(ns, vmim.spec.vmiName), { body: { ...cur, status } });
          break;
        } catch (e) {
          if (!isConflict(e)) throw e;
        }
      }
    }
    // The VMI has moved on: a conflict on the VMIM (the controller labelled it meanwhile) is retried on a fresh read,
    // not left for the next step, which would plan this phase again from the VMI's new node.
    let cur = vmim;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.admin.request('PUT', paths.vmimStatus(ns, vmim.metadata.name), { body: { ...cur, status: st } });
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e)) throw e;
        cur = await this.admin.request<VmimObject>('GET', paths.vmims(ns, vmim.metadata.name));
      }
    }
  }

  private async targetNode(vmim: VmimObject, vmi: VmiObject): Promise<string> {
    const nodes = (await listAll<NodeObject>(this.admin, paths.nodes())).items;
    const source = vmi.status?.nodeName;
    const selector = { ...(vmi.spec.nodeSelector ?? {}), ...(vmim.spec.addedNodeSelector ?? {}) };
    const fits = nodes.filter((n) => n.metadata.name !== source && isNodeReady(n) && Object.entries(selector).every(([k, v]) => (k === 'kubernetes.io/hostname' ? n.metadata.name === v : n.metadata.labels?.[k] === v)));
    return fits[0]?.metadata.name ?? '';
  }
}

/** Plays the kubelets: pods bound to a Ready node become Running and Ready on {@link sync}. */
export class FakeKubelet {
  /** Pods (by name) to keep un-Ready. */
  readonly holdNotReady = new Set<string>();
  /** Pods (by name) whose deletion is never confirmed, as when their node's kubelet is dead. */
  readonly holdTerminating = new Set<string>();
  constructor(private readonly admin: KubeClient, private readonly clock: Clock) {}

  async sync(): Promise<void> {
    const nodes = new Map((await listAll<NodeObject>(this.admin, paths.nodes())).items.map((n) => [n.metadata.name, n]));
    for (const p of (await listAll<PodObject>(this.admin, paths.pods())).items) {
      if (p.metadata.deletionTimestamp) {
        if (this.holdTerminating.has(p.metadata.name)) continue;
        // Graceful deletion completes when the kubelet confirms the containers are gone.
        await this.admin.request('DELETE', paths.pods(p.metadata.namespace!, p.metadata.name), { query: { gracePeriodSeconds: 0 } }).catch(() => undefined);
        continue;
      }
      const node = p.spec.nodeName ? nodes.get(p.spec.nodeName) : undefined;
      if (!node || !isNodeReady(node) || isPodReady(p) || this.holdNotReady.has(p.metadata.name) || p.metadata.deletionTimestamp) continue;
      const now = iso(this.clock.nowMs());
      const conditions: Condition[] = [{ type: 'Ready', status: 'True', lastTransitionTime: now }, { type: 'PodScheduled', status: 'True', lastTransitionTime: now }];
      try {
        await this.admin.request('PATCH', paths.podStatus(p.metadata.namespace!, p.metadata.name), { body: { status: { phase: 'Running', conditions, startTime: now } }, patchType: 'strategic' });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}

/**
 * Plays the PodMigration-Operator: for each Podmigration, creates the restored pod on `destHost`, and once it
 * is Ready deletes the source pod and sets `status.state: Succeeded` (Podmigration has no status subresource).
 */
export class FakePodmigrationOperator {
  constructor(private readonly admin: KubeClient) {}

  async sync(): Promise<void> {
    for (const cr of (await listAll<PodmigrationObject>(this.admin, paths.podmigrations())).items) {
      if (cr.status?.state === 'Succeeded' || cr.metadata.deletionTimestamp) continue;
      const ns = cr.metadata.namespace!;
      const newName = `${cr.spec.sourcePod}-pm-${cr.metadata.name.split('-').pop()}`;
      let pod: PodObject | undefined;
      try {
        pod = await this.admin.request<PodObject>('GET', paths.pods(ns, newName));
      } catch (e) {
        if (!isNotFound(e)) throw e;
        const src = await this.admin.request<PodObject>('GET', paths.pods(ns, cr.spec.sourcePod!));
        await this.admin.request('POST', paths.pods(ns), {
          body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: newName, namespace: ns, labels: src.metadata.labels, annotations: src.metadata.annotations }, spec: { ...src.spec, nodeName: cr.spec.destHost } },
        });
        await this.admin.request('PUT', paths.podmigrations(ns, cr.metadata.name), { body: { ...cr, status: { state: 'Running', activePod: cr.spec.sourcePod, currentRevision: '1' } } });
        continue;
      }
      if (!isPodReady(pod)) continue;
      try {
        await this.admin.request('DELETE', paths.pods(ns, cr.spec.sourcePod!));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      const cur = await this.admin.request<PodmigrationObject>('GET', paths.podmigrations(ns, cr.metadata.name));
      await this.admin.request('PUT', paths.podmigrations(ns, cr.metadata.name), { body: { ...cur, status: { state: 'Succeeded', activePod: newName, currentRevision: '1' } } });
    }
  }
}

/**
 * The kubelet's checkpoint endpoint (`POST /checkpoint/{ns}/{pod}/{container}`) over HTTPS, so the apiserver's
 * node proxy can reach it. Records calls.
 */
export class FakeKubeletServer {
  readonly calls: string[] = [];
  private server: https.Server | undefined;
  port = 0;
  constructor(private readonly certFile: string, private readonly keyFile: string) {}

  async start(host: string): Promise<void> {
    this.server = https.createServer({ cert: readFileSync(this.certFile), key: readFileSync(this.keyFile) }, (req, res) => {
      const m = /^\/checkpoint\/([^/]+)\/([^/]+)\/([^/?]+)/.exec(req.url ?? '');
      if (req.method === 'POST' && m) {
        this.calls.push(`${m[1]}/${m[2]}/${m[3]}`);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ items: [`/var/lib/kubelet/checkpoints/checkpoint-${m[2]}_${m[1]}-${m[3]}-2026-01-01T00:00:00Z.tar`] }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => this.server!.listen(0, host, () => r()));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/**
 * A loopback RTT endpoint in the http-json format (src/cluster/observe/http-json.ts). Tests set each user's
 * per-node RTT; every request returns one sample per node stamped with the fake clock, or `null` RTTs (NaN).
 */
export class FakeRttServer {
  readonly rtt = new Map<string, Record<string, number | null>>();
  /** When set, samples carry this timestamp instead of the clock (stale data). */
  frozenAtMs: number | undefined;
  requests = 0;
  private server: http.Server | undefined;
  port = 0;
  constructor(private readonly clock: Clock) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.requests++;
      const user = new URL(req.url ?? '/', 'http://x').searchParams.get('user') ?? '';
      const values = this.rtt.get(user) ?? {};
      const timestamp = this.frozenAtMs ?? this.clock.nowMs();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ samples: Object.entries(values).map(([node, rttMs]) => ({ node, rttMs, timestamp })) }));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as { port: number }).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/rtt?user={user}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** Cluster fixtures: nodes with status, NodeMetrics, VMIs and pods. */
export class Fixtures {
  constructor(private readonly admin: KubeClient, private readonly clock: Clock) {}

  async namespace(name: string): Promise<void> {
    try {
      await this.admin.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }

  async node(name: string, opts: { ready?: boolean; labels?: Record<string, string>; address?: string; kubeletPort?: number } = {}): Promise<void> {
    try {
      await this.admin.request('POST', paths.nodes(), { body: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } } } });
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
    await this.nodeStatus(name, opts.ready ?? true, opts.address, opts.kubeletPort);
  }

  async nodeStatus(name: string, ready: boolean, address?: string, kubeletPort?: number): Promise<void> {
    const now = iso(this.clock.nowMs());
    const status: NodeObject['status'] = {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'KubeletReady' : 'KubeletNotReady', lastTransitionTime: now }],
      ...(address ? { addresses: [{ type: 'InternalIP', address }], daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort ?? 10250 } } } : {}),
    };
    await this.admin.request('PATCH', `${paths.nodes(name)}/status`, { body: { status }, patchType: 'merge' });
  }

  /** Write NodeMetrics so that cpu and mem utilisation are the given fractions of allocatable (4 cores, 8Gi). */
  async nodeMetrics(name: string, cpuFrac: number, memFrac: number, atMs = this.clock.nowMs()): Promise<void> {
    const body = { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'NodeMetrics', metadata: { name }, timestamp: iso(atMs), window: '10s', usage: { cpu: `${Math.round(cpuFrac * 4000)}m`, memory: `${Math.round(memFrac * 8 * 1024 * 1024)}Ki` } };
    try {
      const cur = await this.admin.request<{ metadata: { resourceVersion: string } }>('GET', paths.nodeMetrics(name));
      await this.admin.request('PUT', paths.nodeMetrics(name), { body: { ...body, metadata: { name, resourceVersion: cur.metadata.resourceVersion } } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await this.admin.request('POST', paths.nodeMetrics(), { body });
    }
  }

  async vmi(ns: string, name: string, node: string, opts: { user: string; liveMigratable?: boolean; nodeSelector?: Record<string, string>; managed?: boolean }): Promise<VmiObject> {
    const lm = opts.liveMigratable ?? true;
    const body = {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstance',
      metadata: { name, namespace: ns, labels: { ...(opts.managed === false ? {} : { 'remora.io/managed': 'true' }) }, annotations: { 'remora.io/user': opts.user } },
      spec: {
        domain: { devices: { disks: [{ name: 'containerdisk', disk: { bus: 'virtio' } }], interfaces: [{ name: 'default', masquerade: {} }] }, memory: { guest: '128Mi' }, resources: {} },
        networks: [{ name: 'default', pod: {} }],
        ...(opts.nodeSelector ? { nodeSelector: opts.nodeSelector } : {}),
        volumes: [{ name: 'containerdisk', containerDisk: { image: 'quay.io/kubevirt/alpine-container-disk-demo' } }],
      },
      status: {
        phase: 'Running',
        nodeName: node,
        conditions: [
          { type: 'Ready', status: 'True' },
          lm ? { type: 'LiveMigratable', status: 'True' } : { type: 'LiveMigratable', status: 'False', reason: 'DisksNotLiveMigratable', message: 'cannot migrate VMI: PVC is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)' },
        ],
      },
    };
    return this.admin.request<VmiObject>('POST', paths.vmis(ns), { body });
  }

  async pod(ns: string, name: string, node: string, opts: { user: string; workload?: string }): Promise<PodObject> {
    return this.admin.request<PodObject>('POST', paths.pods(ns), {
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: ns, labels: { 'remora.io/managed': 'true', [LABELS.workload]: opts.workload ?? name }, annotations: { 'remora.io/user': opts.user } },
        spec: { nodeName: node, containers: [{ name: 'app', image: 'registry.example/edge-app:1', ports: [{ containerPort: 5060, protocol: 'UDP' }] }] },
      },
    });
  }
}
