/**
 * The lab: a small real edge cluster on this machine. etcd and kube-apiserver (the cluster suite's
 * {@link ControlPlane}, here with the Node authorizer, NodeRestriction, and kubelet certificates verified),
 * kube-scheduler, kube-controller-manager, and N edge nodes, each a real kubelet with its own containerd
 * ({@link EdgeNode}).
 *
 * Identities: every component has its own client certificate from the control plane's CA (system:node:<name>
 * in system:nodes for kubelets, system:kube-scheduler, system:kube-controller-manager, and
 * kube-apiserver-kubelet-client for the apiserver towards kubelets, bound to system:kubelet-api-admin). Only the
 * admin kubeconfig carries the static system:masters token. Keys and kubeconfigs are 0600 under the lab folder.
 *
 * Lifecycle: {@link Lab.start} writes `lab.json` before it creates anything, so `remora lab down` can always
 * find and remove a lab, even a half-started one; {@link Lab.stop} deletes the pods through the API (the
 * kubelets tear down their sandboxes), stops every process, then sweeps (see host.ts) and returns what is left.
 * What the lab keeps on disk (`lab.json`, network slot claims) lives in lab-state.ts; what it asks of its own
 * apiserver (RBAC grants, readiness, pod deletion) in lab-api.ts.
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ControlPlane, freePort, KUBELET_CLIENT_USER, REPO_ROOT } from '../cluster/testing/control-plane.js';
import type { KubeClient } from '../cluster/kube/client.js';
import { describeLeftovers, isClean, labProcesses, leftovers, logTail, rssBytes, spawnDaemon, sweep, terminate, type HostFootprint, type Leftovers } from './host.js';
import { deleteAllPods, grantApiserverKubeletAccess, notReadyReason, sleep } from './lab-api.js';
import { footprintFor, pickSlot, releaseSlot, STATE_FILE, type LabState } from './lab-state.js';
import { EdgeNode, KUBELET_PORT } from './node.js';
import { ensureLabBinaries, missingHostPreconditions, type LabBinaries } from './preconditions.js';

export interface LabOptions {
  /** The lab folder (created 0700; everything the lab writes lives here). */
  dir: string;
  /** Edge nodes (default 2). */
  nodes?: number;
  /** 4 hex characters naming the lab's links and cgroups (default random). */
  id?: string;
  /** Progress lines. */
  log?: (line: string) => void;
  /** How long nodes may take to become Ready (default 120 s). */
  readyTimeoutMs?: number;
  /**
   * kube-controller-manager's `--node-monitor-grace-period` in seconds (default: Kubernetes' 50 s): how long a node
   * that stopped reporting stays Ready. A test that kills a kubelet and waits for its pods to be evicted shortens it.
   */
  nodeMonitorGracePeriodS?: number;
}

export class Lab {
  readonly dir: string;
  readonly id: string;
  readonly footprint: HostFootprint;
  private readonly nodeCount: number;
  private readonly log: (line: string) => void;
  private cp: ControlPlane | undefined;
  private nodesList: EdgeNode[] = [];
  private procs: { name: string; proc: ChildProcess; log: string; listen?: string }[] = [];
  private state: LabState;
  /** Set once start() found the folder free: from then on the folder, and what the sweep finds, are this lab's. */
  private claimed = false;
  bins: LabBinaries | undefined;

  constructor(private readonly opts: LabOptions) {
    this.dir = resolve(opts.dir);
    this.id = opts.id ?? randomBytes(2).toString('hex');
    if (!/^[0-9a-f]{4}$/.test(this.id)) throw new Error(`lab id: expected 4 hex characters, got ${this.id}`);
    this.footprint = footprintFor(this.id, this.dir);
    this.nodeCount = opts.nodes ?? 2;
    this.log = opts.log ?? (() => undefined);
    this.state = { version: 1, id: this.id, phase: 'starting', ownerPid: process.pid, footprint: this.footprint, nodes: [], components: [], startedAtMs: Date.now() };
  }

  /** What must be true of the host before {@link start}: empty when nothing is missing. */
  static preconditions(): string[] {
    return missingHostPreconditions();
  }

  get admin(): KubeClient {
    if (!this.cp) throw new Error('lab not started');
    return this.cp.admin;
  }

  get controlPlane(): ControlPlane {
    if (!this.cp) throw new Error('lab not started');
    return this.cp;
  }

  get nodes(): readonly EdgeNode[] {
    return this.nodesList;
  }

  get kubeconfig(): string {
    return join(this.dir, 'admin.kubeconfig');
  }

  get images(): { pause: string; echo: string } {
    if (!this.bins) throw new Error('lab not started');
    return { pause: this.bins.pauseImage, echo: this.bins.echoImage };
  }

  snapshot(): LabState {
    return structuredClone(this.state);
  }

  private save(): void {
    writeFileSync(join(this.dir, STATE_FILE), JSON.stringify(this.state, null, 2), { mode: 0o600 });
  }

  async start(): Promise<void> {
    const t0 = Date.now();
    const missing = missingHostPreconditions();
    if (missing.length) throw new Error(`lab preconditions missing: ${missing.join('; ')}`);
    if (existsSync(join(this.dir, STATE_FILE))) throw new Error(`${join(this.dir, STATE_FILE)} exists: a lab is up there (remora lab down --dir ${this.dir})`);
    this.claimed = true;
    const bins = ensureLabBinaries(REPO_ROOT);
    if (typeof bins === 'string') throw new Error(`lab binaries: ${bins}`);
    this.bins = bins;
    mkdirSync(join(this.dir, 'logs'), { recursive: true, mode: 0o700 });
    const slot = pickSlot(this.dir);
    const net10 = 200 + slot;
    for (let i = 1; i <= this.nodeCount; i++) {
      const name = `edge-${i}`;
      const p = this.footprint.linkPrefix;
      this.state.nodes.push({
        name,
        ip: `10.${net10}.0.${10 + i}`,
        link: `${p}n${i}`,
        peer: `${p}p${i}`,
        bridge: `${p}b${i}`,
        podSubnet: `10.${net10}.${i}.0/24`,
        gateway: `10.${net10}.${i}.1`,
        network: `${this.footprint.networkPrefix}-${name}`,
        cgroupRoot: `/${this.footprint.cgroupPrefix}-${name}`,
        dir: join(this.dir, 'nodes', name),
      });
    }
    this.state.images = { pause: bins.pauseImage, echo: bins.echoImage };
    this.save(); // before anything exists on the host, so `lab down` finds it whatever happens next
    try {
      await this.startAll(bins);
      this.state.phase = 'ready';
      this.state.readyAfterMs = Date.now() - t0;
      this.save();
      this.log(`lab ${this.id} ready in ${this.state.readyAfterMs} ms`);
    } catch (e) {
      this.state.phase = 'failed';
      this.state.error = (e as Error).message;
      this.save();
      throw e;
    }
  }

  private async startAll(bins: LabBinaries): Promise<void> {
    this.log('starting etcd and kube-apiserver');
    const cp = new ControlPlane(
      { dir: bins.kubeDir, apiserver: bins.apiserver, etcd: bins.etcd },
      {
        parentDir: this.dir,
        authorizationModes: ['Node', 'RBAC'],
        admissionPlugins: ['NodeRestriction'],
        verifyKubelets: true,
        // Node names do not resolve; the apiserver reaches kubelets at their InternalIP (the lab address).
        extraArgs: ['--kubelet-preferred-address-types=InternalIP'],
      },
    );
    this.cp = cp;
    await cp.start();
    this.state.server = cp.server;
    this.state.components.push(...cp.pids.map((pid, i) => ({ name: i === 0 ? 'etcd' : 'kube-apiserver', pid, log: '(kept in memory by the owner process)' })));
    cp.writeKubeconfig(this.kubeconfig);
    this.state.kubeconfig = this.kubeconfig;
    this.save();
    await grantApiserverKubeletAccess(cp.admin, KUBELET_CLIENT_USER);

    this.log('starting kube-scheduler and kube-controller-manager');
    for (const [name, user, bin] of [
      ['kube-scheduler', 'system:kube-scheduler', bins.scheduler],
      ['kube-controller-manager', 'system:kube-controller-manager', bins.controllerManager],
    ] as const) {
      const kc = join(this.dir, `${name}.kubeconfig`);
      cp.writeKubeconfig(kc, cp.signCert(name, user));
      const port = await freePort();
      const args = [`--kubeconfig=${kc}`, `--authentication-kubeconfig=${kc}`, `--authorization-kubeconfig=${kc}`, '--bind-address=127.0.0.1', `--secure-port=${port}`, '--leader-elect=false', '--v=1'];
      if (name === 'kube-controller-manager') args.push('--use-service-account-credentials=true', `--service-account-private-key-file=${cp.serviceAccountKeyFile}`, `--root-ca-file=${cp.caFile}`, '--controllers=*,-nodeipam,-cloud-node-lifecycle-controller,-service-lb-controller,-route');
      if (name === 'kube-controller-manager' && this.opts.nodeMonitorGracePeriodS !== undefined) args.push(`--node-monitor-grace-period=${this.opts.nodeMonitorGracePeriodS}s`);
      this.spawn(name, bin, args, `127.0.0.1:${port}`);
    }

    this.log(`starting ${this.nodeCount} edge nodes`);
    this.nodesList = this.state.nodes.map(
      (spec) =>
        new EdgeNode(spec, {
          containerd: bins.containerd,
          ctr: bins.ctr,
          kubelet: bins.kubelet,
          cniBinDir: bins.cniBinDir,
          pauseImage: bins.pauseImage,
          imageArchives: [bins.pauseArchive, bins.echoArchive],
          server: cp.server,
          caFile: cp.caFile,
          caData: cp.caData,
          clientCert: cp.signCert(`node-${spec.name}`, `system:node:${spec.name}`, ['system:nodes']),
          servingCert: cp.signCert(`node-${spec.name}-serving`, spec.name, [], [spec.ip]),
        }),
    );
    await Promise.all(this.nodesList.map((n) => n.start()));
    for (const n of this.nodesList) {
      this.state.components.push({ name: `containerd/${n.spec.name}`, pid: n.pids.containerd!, log: n.containerdLog, listen: n.socket });
      this.state.components.push({ name: `kubelet/${n.spec.name}`, pid: n.pids.kubelet!, log: n.kubeletLog, listen: `${n.spec.ip}:${KUBELET_PORT}` });
    }
    this.save();
    await this.waitReady();
  }

  private spawn(name: string, bin: string, args: string[], listen?: string): void {
    const log = join(this.dir, 'logs', `${name}.log`);
    const proc = spawnDaemon(bin, args, log);
    this.procs.push({ name, proc, log, listen });
    this.state.components.push({ name, pid: proc.pid!, log, listen });
  }

  /** Every node Ready and untainted, and the scheduler and controller-manager healthy. */
  private async waitReady(): Promise<void> {
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 120_000);
    let why = '';
    for (;;) {
      for (const n of this.nodesList) {
        const exited = n.kubeletExited();
        if (exited) throw new Error(exited);
      }
      for (const p of this.procs) if (p.proc.exitCode !== null) throw new Error(`${p.name} exited (${p.proc.exitCode}): ${logTail(p.log)}`);
      why = await notReadyReason(this.admin, this.state.nodes, this.procs);
      if (!why) return;
      if (Date.now() > deadline) throw new Error(`lab not ready after ${this.opts.readyTimeoutMs ?? 120_000} ms: ${why}; kubelet log tail: ${logTail(this.nodesList[0]?.kubeletLog ?? '', 1500)}`);
      await sleep(250);
    }
  }

  /**
   * Stop kube-apiserver and start it again on the same port, certificates and etcd (the fault tests: an
   * apiserver restart mid-move). Clients keep their kubeconfig; `lab.json` gets the new pid.
   */
  async restartApiserver(downMs = 0): Promise<void> {
    const cp = this.controlPlane;
    await cp.restartApiserver(downMs);
    const pid = cp.pids[1];
    const c = this.state.components.find((x) => x.name === 'kube-apiserver');
    if (c && pid) c.pid = pid;
    this.save();
  }

  /** SIGKILL one node's kubelet (`restartKubelet` brings it back); `lab.json` keeps the pid until then. */
  async killKubelet(node: string): Promise<void> {
    await this.node(node).killKubelet();
  }

  restartKubelet(node: string): void {
    const n = this.node(node);
    n.restartKubelet();
    const c = this.state.components.find((x) => x.name === `kubelet/${node}`);
    if (c && n.pids.kubelet) c.pid = n.pids.kubelet;
    this.save();
  }

  private node(name: string): EdgeNode {
    const n = this.nodesList.find((x) => x.spec.name === name);
    if (!n) throw new Error(`lab has no node ${name} (nodes: ${this.nodesList.map((x) => x.spec.name).join(', ')})`);
    return n;
  }

  /** PIDs of every lab process now (control plane, nodes, shims, pods), and their total RSS in bytes. */
  usage(): { processes: { pid: number; cmd: string }[]; rssBytes: number } {
    const processes = labProcesses(this.footprint);
    return { processes, rssBytes: rssBytes(processes.map((p) => p.pid)) };
  }

  /** Tear everything down; returns what is left on the host (nothing, when all went well). */
  async stop(opts: { keepDir?: boolean } = {}): Promise<Leftovers> {
    // A lab that never claimed its folder (another lab's lab.json was there) must not sweep that other lab.
    if (!this.claimed) return leftovers(this.footprint);
    if (existsSync(this.dir)) {
      if (this.state.phase !== 'failed') this.state.phase = 'stopping';
      try {
        this.save();
      } catch {
        /* folder gone */
      }
    }
    if (this.cp) await deleteAllPods(this.cp.admin, this.log).catch((e: Error) => this.log(`deleting pods: ${e.message}`));
    await Promise.all(this.nodesList.map((n) => n.stopKubelet()));
    await terminate(this.procs.map((p) => p.proc.pid!).filter(Boolean));
    await Promise.all(this.nodesList.map((n) => n.stopContainerd()));
    if (this.cp) await this.cp.stop();
    const left = await sweep(this.footprint, opts);
    releaseSlot(this.dir);
    if (!isClean(left)) this.log(`left behind: ${describeLeftovers(left)}`);
    return left;
  }
}
