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
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { join, resolve } from 'node:path';
import { ControlPlane, freePort, KUBELET_CLIENT_USER, REPO_ROOT } from '../cluster/testing/control-plane.js';
import { isAlreadyExists, type KubeClient } from '../cluster/kube/client.js';
import { describeLeftovers, isClean, labProcesses, leftovers, logTail, rssBytes, SHARED_HOST_DIRS, spawnDaemon, sweep, terminate, usedTenNets, type HostFootprint, type Leftovers } from './host.js';
import { EdgeNode, KUBELET_PORT, type NodeSpec } from './node.js';
import { ensureLabBinaries, missingHostPreconditions, type LabBinaries } from './preconditions.js';

export const STATE_FILE = 'lab.json';

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

export interface LabComponent {
  name: string;
  pid: number;
  log: string;
  /** Where it listens, when it does. */
  listen?: string;
}

/** `lab.json`: what `remora lab status|down` read. */
export interface LabState {
  version: 1;
  id: string;
  phase: 'starting' | 'ready' | 'failed' | 'stopping';
  error?: string;
  /** The process that owns the lab (`remora lab up`'s supervisor, or the test). */
  ownerPid: number;
  footprint: HostFootprint;
  server?: string;
  kubeconfig?: string;
  nodes: NodeSpec[];
  components: LabComponent[];
  startedAtMs: number;
  /** Wall time from start to every node Ready. */
  readyAfterMs?: number;
  images?: { pause: string; echo: string };
}

export function footprintFor(id: string, dir: string): HostFootprint {
  return { dir: resolve(dir), linkPrefix: `rl${id}`, cgroupPrefix: `remora-lab-${id}`, networkPrefix: `remora-lab-${id}`, createdDirs: SHARED_HOST_DIRS.filter((d) => !existsSync(d)) };
}

export function readState(dir: string): LabState | undefined {
  const f = join(dir, STATE_FILE);
  if (!existsSync(f)) return undefined;
  return JSON.parse(readFileSync(f, 'utf8')) as LabState;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
    const slot = this.pickSlot();
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

  private pickSlot(): number {
    const used = usedTenNets();
    for (let s = 0; s < 50; s++) if (!used.has(200 + s) && claimSlot(s, this.dir)) return s;
    throw new Error('no free 10.200-249.0.0/16 network for the lab on this host');
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
    // system:kubelet-api-admin (1.35) covers nodes/proxy, log, stats, metrics and pods, but not the kubelet's
    // checkpoint endpoint, which the kubelet authorizes as `create nodes/checkpoint`.
    await this.createOrKeep('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'remora-lab:kubelet-checkpoint' },
      rules: [{ apiGroups: [''], resources: ['nodes/checkpoint'], verbs: ['create'] }],
    });
    await this.createOrKeep('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'remora-lab:apiserver-kubelet-checkpoint' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'remora-lab:kubelet-checkpoint' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: KUBELET_CLIENT_USER }],
    });
    await this.createOrKeep('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'remora-lab:apiserver-kubelet-api-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:kubelet-api-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: KUBELET_CLIENT_USER }],
    });

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

  private async createOrKeep(path: string, body: object): Promise<void> {
    try {
      await this.admin.request('POST', path, { body });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
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
      why = await this.notReadyReason();
      if (!why) return;
      if (Date.now() > deadline) throw new Error(`lab not ready after ${this.opts.readyTimeoutMs ?? 120_000} ms: ${why}; kubelet log tail: ${logTail(this.nodesList[0]?.kubeletLog ?? '', 1500)}`);
      await sleep(250);
    }
  }

  private async notReadyReason(): Promise<string> {
    const nodes = await this.admin.request<{ items: NodeLike[] }>('GET', '/api/v1/nodes');
    for (const spec of this.state.nodes) {
      const n = nodes.items.find((x) => x.metadata.name === spec.name);
      if (!n) return `node ${spec.name} not registered`;
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status !== 'True') return `node ${spec.name} Ready=${ready?.status ?? 'unknown'} (${ready?.message ?? ''})`;
      const taint = (n.spec?.taints ?? []).find((t) => t.key.startsWith('node.kubernetes.io/'));
      if (taint) return `node ${spec.name} tainted ${taint.key}:${taint.effect}`;
    }
    for (const p of this.procs) {
      if (!p.listen) continue;
      const code = await httpsStatus(`https://${p.listen}/healthz`).catch((e: Error) => e.message);
      if (code !== 200) return `${p.name} /healthz: ${code}`;
    }
    return '';
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

/**
 * Slot claims: two labs starting at once (two test files of the lab tier run concurrently) would both find the same
 * 10.2xx network free, since the links appear only seconds later. A lab claims its slot with a lock file
 * `/run/remora-lab-slot-<n>` (created exclusively, naming the lab folder) before it uses it; a claim whose lab folder
 * has no `lab.json` any more (and that is over a minute old) is stale and is taken over. Released by `stop()` and by `downFromState`.
 */
const slotLock = (s: number): string => `/run/remora-lab-slot-${s}`;

function claimSlot(s: number, dir: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(slotLock(s), dir, { flag: 'wx', mode: 0o600 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = '';
      try {
        owner = readFileSync(slotLock(s), 'utf8');
      } catch {
        continue; // released meanwhile
      }
      if (owner === dir) return true;
      // A claim younger than a minute may belong to a lab between its claim and its first lab.json.
      if (existsSync(join(owner, STATE_FILE)) || Date.now() - (statSync(slotLock(s), { throwIfNoEntry: false })?.mtimeMs ?? 0) < 60_000) return false;
      rmSync(slotLock(s), { force: true }); // stale: that lab is gone
    }
  }
  return false;
}

function releaseSlot(dir: string): void {
  for (let s = 0; s < 50; s++) {
    try {
      if (readFileSync(slotLock(s), 'utf8') === dir) rmSync(slotLock(s), { force: true });
    } catch {
      /* no claim */
    }
  }
}

/**
 * Tear down a lab from its folder alone (`remora lab down`, or a test cleaning up after a crash): ask the owner
 * to stop (SIGTERM) and wait for it, then sweep whatever is left.
 */
export async function downFromState(dir: string, opts: { ownerTimeoutMs?: number } = {}): Promise<Leftovers | undefined> {
  const state = readState(dir);
  if (!state) return undefined;
  if (state.ownerPid !== process.pid) await terminate([state.ownerPid], opts.ownerTimeoutMs ?? 90_000);
  const left = await sweep(state.footprint);
  releaseSlot(state.footprint.dir);
  return left;
}

/** Current leftovers of the lab in `dir` (from its state file), or undefined when there is none. */
export function leftoversFromState(dir: string): Leftovers | undefined {
  const s = readState(dir);
  return s ? leftovers(s.footprint) : undefined;
}

interface NodeLike {
  metadata: { name: string };
  spec?: { taints?: { key: string; effect: string }[] };
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

/** Delete every pod (grace 1 s) and wait until the kubelets confirm, so sandboxes and their netns go first. */
async function deleteAllPods(admin: KubeClient, log: (l: string) => void): Promise<void> {
  const list = await admin.request<{ items: { metadata: { name: string; namespace: string } }[] }>('GET', '/api/v1/pods', { timeoutMs: 5000 });
  for (const p of list.items) await admin.request('DELETE', `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`, { body: { gracePeriodSeconds: 1 }, timeoutMs: 5000 }).catch(() => undefined);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const left = await admin.request<{ items: unknown[] }>('GET', '/api/v1/pods', { timeoutMs: 5000 });
    if (!left.items.length) return;
    if (Date.now() > deadline) return log(`${left.items.length} pods still terminating after 30 s; the sweep kills them`);
    await sleep(200);
  }
}


/**
 * Status code of an HTTPS GET. `ca` verifies the server; without it the server is not verified (the scheduler's
 * and controller-manager's self-signed /healthz on loopback). Never sends credentials.
 */
export function httpsStatus(url: string, ca?: string, timeoutMs = 3000): Promise<number> {
  return new Promise((res, rej) => {
    const req = https.get(url, { ca, rejectUnauthorized: ca !== undefined, timeout: timeoutMs }, (r) => {
      r.resume();
      res(r.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', rej);
  });
}
