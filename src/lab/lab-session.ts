/**
 * The asynchronous half of {@link LabEnv}: everything that talks to the lab. It runs in a worker thread
 * (`lab-env-worker.ts`) so that the `Env` contract can stay synchronous; nothing here knows about the twin. The
 * main thread tells it, each step, what the route says (the RTT per node, the trace's cpu and mem per node) and
 * what the agent chose; it answers with what was *measured*.
 *
 * What it puts on the lab, in its own namespace (deleted by {@link LabSession.stop}):
 * - per node, a **reflector** (the echo image, pinned by `nodeName`): what the UE's prober PINGs through that
 *   node's toxiproxy proxy. Its RTT is the node's RTT;
 * - per node, a **load** pod (the pause image), whose container cgroup the {@link LoadInjector} fills;
 * - the **service**, the echo pod that migrates (a headless Service `svc`, reached through the lab's
 *   {@link ServiceEndpoint}), with its own client PINGing every `serviceProbeMs`: that client measures each
 *   migration's downtime, as the lab's pod-move test does.
 * Outside the cluster: one toxiproxy-server (`route/toxiproxy.ts`) and the injector's processes.
 *
 * Migrations go through the controller's own {@link RecreateMigrator} (start, progress, finalize), polled every
 * 100 ms in the background; the step never waits for one. The data that crosses the thread boundary is typed in
 * lab-session-types.ts; the pod manifests and pod requests are in lab-session-pods.ts.
 */
import { existsSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { KubeConfig } from '@kubernetes/client-node';
import { HttpKubeClient, isNotFound, type KubeClient } from '../cluster/kube/client.js';
import { LABELS, paths, type PodObject } from '../cluster/kube/resources.js';
import { RecreateMigrator } from '../cluster/migrate/pod.js';
import type { InFlight } from '../cluster/migrate/types.js';
import { KubeletSummaryLoad } from '../cluster/observe/kubelet-summary.js';
import { RttTable } from '../cluster/observe/rtt-table.js';
import { EchoClient } from './echo-client.js';
import { ServiceEndpoint } from './endpoint.js';
import { createOrKeep, sleep } from './lab-api.js';
import { deletePodsAndWait, labPod, reniceThreadsOf, waitPodReady } from './lab-session-pods.js';
import type { LabSessionConfig, MeasuredStep, MigrationRecord, RouteTargets } from './lab-session-types.js';
import { findContainerCgroup, LoadInjector } from './load-injector.js';
import { EchoRttSource } from './route/echo-rtt.js';
import { ProberThread } from './route/prober-thread.js';
import { ToxiproxyServer, type ToxiproxyClient } from './route/toxiproxy.js';

const SERVICE = 'svc';
const USER = 'ue-1';

export class LabSession {
  readonly client: KubeClient;
  private readonly nodes: string[];
  private toxiproxy: ToxiproxyServer | undefined;
  private tp: ToxiproxyClient | undefined;
  private prober: ProberThread | undefined;
  private rttSource: EchoRttSource | undefined;
  private averager: RttTable;
  private injectors: LoadInjector[] = [];
  private readonly load: KubeletSummaryLoad;
  private endpoint: ServiceEndpoint | undefined;
  private svcClient: EchoClient | undefined;
  private readonly migrator: RecreateMigrator;
  private serving = 0;
  private servingPod = '';
  private seq = 0;
  private inFlight: { f: InFlight; from: number; to: number; startedMs: number; poll: Promise<void> } | undefined;
  private finished: MigrationRecord[] = [];
  private episode = 0;
  /** The prober's round trip without a toxic, ms (see {@link LabSessionConfig.overheadMs}). */
  overheadMs = 0;
  private loopDelay: IntervalHistogram | undefined;

  constructor(readonly cfg: LabSessionConfig, private readonly log: (line: string) => void = () => undefined) {
    if (!existsSync(cfg.kubeconfig)) throw new Error(`lab session: kubeconfig ${cfg.kubeconfig} does not exist (is the lab up?)`);
    const kc = new KubeConfig();
    kc.loadFromFile(cfg.kubeconfig);
    this.client = new HttpKubeClient(kc, { maxRetries: 2 });
    this.nodes = cfg.nodes.map((n) => n.name);
    this.averager = new RttTable(this.nodes, cfg.rttWindow);
    this.load = new KubeletSummaryLoad(this.client, { timeoutMs: 3000, scope: 'containers', capacity: { cpuCores: cfg.capacity.cpuCores, memBytes: cfg.capacity.memBytes } });
    this.migrator = new RecreateMigrator(this.client);
  }

  private get ns(): string {
    return this.cfg.namespace;
  }

  /** Reflectors, load pods, toxiproxy and its proxies, the probers and the injectors. */
  async start(): Promise<void> {
    const t0 = Date.now();
    this.loopDelay = monitorEventLoopDelay({ resolution: 5 });
    this.loopDelay.enable();
    await createOrKeep(this.client, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.ns } });
    await createOrKeep(this.client, `/api/v1/namespaces/${this.ns}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SERVICE, namespace: this.ns },
      spec: { clusterIP: 'None', selector: { app: SERVICE }, ports: [{ name: 'ping', port: 7000, targetPort: 7000 }] },
    });
    for (const n of this.nodes) {
      await createOrKeep(this.client, paths.pods(this.ns), labPod({ namespace: this.ns, user: USER, name: `reflector-${n}`, node: n, image: this.cfg.images.echo, labels: { app: 'reflector' }, echo: true }));
      await createOrKeep(this.client, paths.pods(this.ns), labPod({ namespace: this.ns, user: USER, name: `load-${n}`, node: n, image: this.cfg.images.pause, labels: { app: 'load' }, echo: false }));
    }
    const ready = await Promise.all(this.nodes.flatMap((n) => [waitPodReady(this.client, this.ns, `reflector-${n}`), waitPodReady(this.client, this.ns, `load-${n}`)]));
    this.log(`reflectors and load pods Ready in ${Date.now() - t0} ms`);

    if (this.cfg.probeNice) {
      for (let j = 0; j < this.nodes.length; j++) reniceThreadsOf(`pod${ready[2 * j]!.metadata.uid}`, this.cfg.probeNice);
    }
    this.toxiproxy = new ToxiproxyServer({ bin: this.cfg.toxiproxyBin, dir: this.cfg.labDir, cgroupPrefix: this.cfg.cgroupPrefix, seed: this.cfg.seed, nice: this.cfg.probeNice });
    this.tp = await this.toxiproxy.start();
    const ports: Record<string, number> = {};
    for (let j = 0; j < this.nodes.length; j++) {
      const n = this.nodes[j]!;
      const reflector = ready[2 * j]!;
      const p = await this.tp.createProxy({ name: n, listen: '127.0.0.1:0', upstream: `${reflector.status!.podIP}:7000` });
      ports[n] = Number(p.listen.split(':').pop());
      await this.tp.setLatency(n, { latencyMs: 0, jitterMs: 0 });
    }
    const prober = (this.prober = new ProberThread(ports, this.cfg.probeIntervalMs, 5000, this.cfg.probeNice));
    this.rttSource = new EchoRttSource(() => prober.drain());
    if (this.cfg.overheadMs === 'auto') {
      await prober.drain(); // the first replies include the connects
      await sleep(Math.max(1000, 5 * this.cfg.probeIntervalMs));
      const all = [...(await prober.drain()).values()].flatMap((ps) => ps.map((p) => p.rttMs)).sort((a, b) => a - b);
      this.overheadMs = all.length ? all[Math.floor(all.length / 2)]! : 0;
    } else this.overheadMs = this.cfg.overheadMs;

    for (let j = 0; j < this.nodes.length; j++) {
      const spec = this.cfg.nodes[j]!;
      const pod = ready[2 * j + 1]!;
      const statuses = (pod.status as { containerStatuses?: { containerID?: string }[] } | undefined)?.containerStatuses;
      const cid = (statuses?.[0]?.containerID ?? '').replace(/^[a-z]+:\/\//, '');
      const cg = cid ? findContainerCgroup(spec.cgroupRoot, cid) : undefined;
      if (!cg) throw new Error(`load pod on ${spec.name}: container cgroup of ${cid || '(no container id)'} not found under ${spec.cgroupRoot}`);
      const inj = new LoadInjector({ node: spec.name, cgroup: cg, capacity: this.cfg.capacity, labDir: this.cfg.labDir, log: this.log });
      inj.start();
      this.injectors.push(inj);
    }
    this.log(`lab session ready in ${Date.now() - t0} ms: ${this.nodes.length} proxies on toxiproxy pid ${this.toxiproxy.pid} (prober overhead ${this.overheadMs.toFixed(2)} ms), ${this.injectors.length} load injectors`);
  }

  /**
   * A new episode: the service is placed on `serving` (any earlier service pod is removed first), the route's
   * step-0 targets are applied, and one step period is waited out, so the first observation is measured too.
   */
  async reset(serving: number, targets: RouteTargets): Promise<MeasuredStep> {
    if (this.inFlight) await this.inFlight.poll.catch(() => undefined);
    this.inFlight = undefined;
    this.finished = [];
    await this.stopServiceClient();
    await deletePodsAndWait(this.client, this.ns, `app=${SERVICE}`);
    this.episode++;
    this.seq = 0;
    const name = `svc-${this.episode}`;
    await createOrKeep(this.client, paths.pods(this.ns), labPod({ namespace: this.ns, user: USER, name, node: this.nodes[serving]!, image: this.cfg.images.echo, labels: { app: SERVICE, [LABELS.workload]: SERVICE }, echo: true }));
    await waitPodReady(this.client, this.ns, name);
    this.serving = serving;
    this.servingPod = name;
    this.endpoint = new ServiceEndpoint({ client: this.client, namespace: this.ns, service: SERVICE, port: 7000 });
    const port = await this.endpoint.start();
    this.svcClient = new EchoClient({ host: '127.0.0.1', port, intervalMs: this.cfg.serviceProbeMs });
    this.svcClient.start();
    this.averager = new RttTable(this.nodes, this.cfg.rttWindow);
    // One step period to settle (the injector's first quota, the balloon, the kubelet's first cpu rate, which
    // needs two samples), then the measured step 0.
    await this.runStep(undefined, targets);
    return this.runStep(undefined, targets);
  }

  /** One step: start the migration to `target` (0-based) if given, apply the route's targets, wait, measure. */
  async step(target: number | undefined, targets: RouteTargets): Promise<MeasuredStep> {
    return this.runStep(target, targets);
  }

  private async runStep(target: number | undefined, targets: RouteTargets): Promise<MeasuredStep> {
    const t0 = Date.now();
    this.loopDelay?.reset();
    if (target !== undefined && target !== this.serving && !this.inFlight) await this.startMigration(target);
    await Promise.all(this.nodes.map((n, j) => this.tp!.setLatency(n, { latencyMs: Math.max(0, targets.rttMs[j]! - this.overheadMs), jitterMs: this.cfg.jitterMs })));
    this.rttSource!.notBeforeMs = Date.now();
    for (let j = 0; j < this.injectors.length; j++) this.injectors[j]!.set(targets.cpu[j]!, targets.mem[j]!);
    // Wait out the step; the kubelet's read takes a few ms, so it starts just before the end.
    const end = t0 + this.cfg.stepMs;
    await sleep(Math.max(0, end - Date.now() - 30));
    const util = await this.load.readUtilisation(this.nodes);
    await sleep(Math.max(0, end - Date.now()));
    const samples = await this.rttSource!.readRtt(USER, this.nodes);
    const rttMs: number[] = [], counts: number[] = [], cpu: number[] = [], mem: number[] = [];
    for (const n of this.nodes) {
      const s = samples.get(n) ?? [];
      counts.push(s.length);
      this.averager.pushSamples(USER, n, s);
      rttMs.push(s.length ? this.averager.get(USER, n)!.value : Number.NaN);
      const u = util.get(n);
      cpu.push(u?.cpu ?? Number.NaN);
      mem.push(u?.mem ?? Number.NaN);
    }
    const finished = this.finished;
    this.finished = [];
    const wallMs = Date.now() - t0;
    const ld = this.loopDelay;
    return {
      rttMs, samples: counts, cpu, mem, serving: this.serving, inFlightTarget: this.inFlight?.to ?? -1, finished, wallMs, overrunMs: wallMs - this.cfg.stepMs,
      loopDelayP99Ms: ld ? ld.percentile(99) / 1e6 : Number.NaN, loopDelayMaxMs: ld ? ld.max / 1e6 : Number.NaN,
    };
  }

  private async startMigration(to: number): Promise<void> {
    const src = await this.client.request<PodObject>('GET', paths.pods(this.ns, this.servingPod));
    const from = this.serving;
    const id = `svc-${this.episode}-m${++this.seq}`;
    const startedMs = Date.now();
    const f = await this.migrator.start({ kind: 'pod', namespace: this.ns, name: SERVICE, user: USER, node: this.nodes[from]!, object: src }, this.nodes[to]!, id, startedMs);
    const entry = { f, from, to, startedMs, poll: Promise.resolve() };
    entry.poll = this.follow(entry);
    this.inFlight = entry;
  }

  /** Poll the migration until it ends; then record it and switch `serving`. */
  private async follow(e: { f: InFlight; from: number; to: number; startedMs: number }): Promise<void> {
    for (;;) {
      let p;
      try {
        p = await this.migrator.progress(e.f);
      } catch (err) {
        p = { state: 'running' as const, phase: `progress error: ${(err as Error).message}` };
      }
      if (p.state === 'running') {
        if (Date.now() - e.startedMs > 120_000) p = { state: 'failed' as const, reason: 'not Ready after 120 s' };
        else {
          await sleep(100);
          continue;
        }
      }
      const wallMs = Date.now() - e.startedMs;
      await this.migrator.finalize(e.f, p).catch((err: Error) => this.log(`finalize ${e.f.id}: ${err.message}`));
      if (p.state === 'succeeded') {
        this.serving = e.to;
        this.servingPod = e.f.id;
      }
      // The service client needs a moment to reach the target; its downtime is read once it has.
      const downtimeMs = p.state === 'succeeded' ? await this.downtimeAcross(e.f.id, e.startedMs) : Number.NaN;
      this.finished.push({ id: e.f.id, from: e.from, to: e.to, state: p.state, ...(p.state === 'failed' ? { reason: p.reason } : {}), wallMs, podReadyMs: p.state === 'succeeded' ? p.durationMs : Number.NaN, downtimeMs });
      this.inFlight = undefined;
      return;
    }
  }

  /** The service client's longest gap between replies from the start of the move to the first reply of `host`. */
  private async downtimeAcross(host: string, sinceMs: number): Promise<number> {
    const c = this.svcClient;
    if (!c) return Number.NaN;
    if (!(await c.waitForHost((h) => h === host, 10_000))) return Number.NaN;
    let gap = 0;
    let prev: number | undefined;
    for (const p of c.pongs) {
      const at = p.sentAtMs + p.rttMs;
      if (at < sinceMs) {
        prev = at;
        continue;
      }
      if (prev !== undefined) gap = Math.max(gap, at - prev);
      prev = at;
      if (p.host === host) break;
    }
    return gap;
  }

  private async stopServiceClient(): Promise<void> {
    await this.svcClient?.stop();
    this.svcClient = undefined;
    await this.endpoint?.stop();
    this.endpoint = undefined;
  }

  /** Everything the session made goes: clients, injectors (before their pods), toxiproxy, the namespace. */
  async stop(): Promise<void> {
    this.loopDelay?.disable();
    if (this.inFlight) await this.inFlight.poll.catch(() => undefined);
    await this.stopServiceClient();
    await this.prober?.stop();
    this.prober = undefined;
    await Promise.all(this.injectors.map((i) => i.stop()));
    this.injectors = [];
    await this.toxiproxy?.stop();
    try {
      await this.client.request('DELETE', `/api/v1/namespaces/${this.ns}`, { body: { gracePeriodSeconds: 1 } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const list = () => this.client.request<{ items: PodObject[] }>('GET', paths.pods(this.ns)).then((l) => l.items.length, () => 0);
    for (const p of (await this.client.request<{ items: PodObject[] }>('GET', paths.pods(this.ns)).catch(() => ({ items: [] as PodObject[] }))).items)
      await this.client.request('DELETE', paths.pods(this.ns, p.metadata.name), { body: { gracePeriodSeconds: 1 } }).catch(() => undefined);
    const deadline = Date.now() + 30_000;
    while ((await list()) > 0 && Date.now() < deadline) await sleep(100);
  }
}
