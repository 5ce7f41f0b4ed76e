/**
 * One edge node of the lab: its own containerd (own root, state, sockets, runc root and CNI config), the lab's
 * images imported into it, and a real kubelet on the node's own non-loopback address.
 *
 * The settings that matter on this machine kind (../shared/lab/README.md):
 * - containerd: `restrict_oom_score_adj` (no CAP_SYS_RESOURCE here: without it every sandbox fails with
 *   "can't get final child's PID from pipe: EOF"), the lab's own pause image as `sandbox_image` (nothing can be
 *   pulled), a bridge conflist with this node's subnet, `netns_mounts_under_state_dir` so the pods' network
 *   namespaces are mounts under the lab folder (found and removed by the sweep);
 * - kubelet: `cgroupDriver: cgroupfs`, `failCgroupV1: false`, its own `cgroupRoot` (two kubelets sharing
 *   `/kubepods` would each treat the other's pod cgroups as orphans and kill them), `makeIPTablesUtilChains:
 *   false` (no iptables chains left behind), webhook authentication and authorization through the apiserver,
 *   no anonymous access, no read-only port, listening only on the node address.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { addAddressLink, createCgroup, logTail, run, spawnDaemon, terminate } from './host.js';

export const KUBELET_PORT = 10250;
export const KUBELET_HEALTHZ_PORT = 10248;

export interface NodeSpec {
  /** Node name (also `--hostname-override`). */
  name: string;
  /** The node's address: kubelet's `address` and `--node-ip`. */
  ip: string;
  /** veth end that carries `ip`, and its peer. */
  link: string;
  peer: string;
  /** CNI bridge name and its pod subnet (CIDR) and gateway. */
  bridge: string;
  podSubnet: string;
  gateway: string;
  /** CNI network name (also the prefix of its libcni cache files). */
  network: string;
  /** Kubelet `cgroupRoot`, e.g. `/remora-lab-3fa2-edge-1`. */
  cgroupRoot: string;
  /** This node's folder. */
  dir: string;
}

export interface NodeDeps {
  containerd: string;
  ctr: string;
  kubelet: string;
  cniBinDir: string;
  pauseImage: string;
  /** docker-archive tars to import into the node's containerd (k8s.io namespace). */
  imageArchives: readonly string[];
  /** API server URL, CA file, and this node's client certificate (CN system:node:<name>, O system:nodes). */
  server: string;
  caFile: string;
  caData: string;
  clientCert: { cert: string; key: string };
  /** Serving certificate for `ip`, signed by the CA (the apiserver verifies kubelets). */
  servingCert: { cert: string; key: string };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class EdgeNode {
  private containerdProc: ChildProcess | undefined;
  private kubeletProc: ChildProcess | undefined;

  constructor(
    readonly spec: NodeSpec,
    private readonly deps: NodeDeps,
  ) {}

  get socket(): string {
    return join(this.spec.dir, 'containerd', 'containerd.sock');
  }

  get containerdLog(): string {
    return join(this.spec.dir, 'containerd.log');
  }

  get kubeletLog(): string {
    return join(this.spec.dir, 'kubelet.log');
  }

  get pids(): { containerd?: number; kubelet?: number } {
    return { containerd: this.containerdProc?.pid, kubelet: this.kubeletProc?.pid };
  }

  /** Address link, cgroup root, containerd (images imported), then the kubelet. Does not wait for Ready. */
  async start(): Promise<void> {
    const s = this.spec;
    mkdirSync(s.dir, { recursive: true, mode: 0o700 });
    addAddressLink(s.link, s.peer, s.ip);
    createCgroup(s.cgroupRoot.replace(/^\//, ''));
    await this.startContainerd();
    for (const a of this.deps.imageArchives) run(this.deps.ctr, ['--address', this.socket, '-n', 'k8s.io', 'images', 'import', a], { timeoutMs: 120_000 });
    this.startKubelet();
  }

  private async startContainerd(): Promise<void> {
    const s = this.spec;
    const c = join(s.dir, 'containerd');
    const cni = join(s.dir, 'cni');
    for (const d of [c, join(cni, 'net.d'), join(cni, 'ipam')]) mkdirSync(d, { recursive: true, mode: 0o700 });
    writeFileSync(join(cni, 'net.d', '10-lab.conflist'), JSON.stringify(this.conflist(), null, 2));
    const config = join(c, 'config.toml');
    writeFileSync(config, this.containerdConfig());
    this.containerdProc = spawnDaemon(this.deps.containerd, ['--config', config], this.containerdLog);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (existsSync(this.socket)) {
        try {
          run(this.deps.ctr, ['--address', this.socket, 'version'], { timeoutMs: 5000 });
          return;
        } catch {
          /* not serving yet */
        }
      }
      if (this.containerdProc.exitCode !== null || Date.now() > deadline) throw new Error(`containerd of ${s.name} did not start: ${logTail(this.containerdLog)}`);
      await sleep(100);
    }
  }

  private conflist(): object {
    const s = this.spec;
    return {
      cniVersion: '0.4.0',
      name: s.network,
      plugins: [
        {
          type: 'bridge',
          bridge: s.bridge,
          isGateway: true,
          // No masquerade: that would leave iptables rules behind, and nothing here leaves the host.
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: s.podSubnet, gateway: s.gateway }]], dataDir: join(s.dir, 'cni', 'ipam') },
        },
      ],
    };
  }

  private containerdConfig(): string {
    const s = this.spec;
    const c = join(s.dir, 'containerd');
    const q = (v: string): string => JSON.stringify(v);
    return `version = 2
root = ${q(join(c, 'root'))}
state = ${q(join(c, 'state'))}
[grpc]
  address = ${q(this.socket)}
[ttrpc]
  address = ${q(this.socket + '.ttrpc')}
[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(c, 'opt'))}
[plugins."io.containerd.grpc.v1.cri"]
  restrict_oom_score_adj = true
  sandbox_image = ${q(this.deps.pauseImage)}
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = ${q(join(c, 'runc'))}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${q(this.deps.cniBinDir)}
    conf_dir = ${q(join(s.dir, 'cni', 'net.d'))}
    max_conf_num = 1
`;
  }

  private startKubelet(): void {
    const s = this.spec;
    const k = join(s.dir, 'kubelet');
    mkdirSync(join(k, 'root'), { recursive: true, mode: 0o700 });
    mkdirSync(join(k, 'pod-logs'), { recursive: true, mode: 0o700 });
    const kubeconfig = join(k, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'lab', cluster: { server: this.deps.server, 'certificate-authority-data': Buffer.from(this.deps.caData).toString('base64') } }],
        users: [{ name: s.name, user: { 'client-certificate': this.deps.clientCert.cert, 'client-key': this.deps.clientCert.key } }],
        contexts: [{ name: 'lab', context: { cluster: 'lab', user: s.name } }],
        'current-context': 'lab',
      }),
      { mode: 0o600 },
    );
    chmodSync(kubeconfig, 0o600);
    const config = {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: s.ip,
      port: KUBELET_PORT,
      healthzBindAddress: s.ip,
      healthzPort: KUBELET_HEALTHZ_PORT,
      readOnlyPort: 0,
      tlsCertFile: this.deps.servingCert.cert,
      tlsPrivateKeyFile: this.deps.servingCert.key,
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true, cacheTTL: '10s' }, x509: { clientCAFile: this.deps.caFile } },
      authorization: { mode: 'Webhook', webhook: { cacheAuthorizedTTL: '10s', cacheUnauthorizedTTL: '5s' } },
      containerRuntimeEndpoint: `unix://${this.socket}`,
      cgroupDriver: 'cgroupfs',
      cgroupRoot: s.cgroupRoot,
      failCgroupV1: false,
      failSwapOn: false,
      makeIPTablesUtilChains: false,
      podLogsDir: join(k, 'pod-logs'),
      featureGates: { ContainerCheckpoint: true },
      // The host's disk and memory belong to everyone on it: never evict or garbage-collect the lab's images.
      evictionHard: { 'memory.available': '50Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      nodeStatusUpdateFrequency: '2s',
      syncFrequency: '10s',
      maxPods: 16,
      serializeImagePulls: false,
      resolvConf: '/etc/resolv.conf',
    };
    const configFile = join(k, 'config.json');
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    this.kubeletProc = spawnDaemon(
      this.deps.kubelet,
      [`--config=${configFile}`, `--kubeconfig=${kubeconfig}`, `--root-dir=${join(k, 'root')}`, `--cert-dir=${join(k, 'pki')}`, `--hostname-override=${s.name}`, `--node-ip=${s.ip}`, '--v=1'],
      this.kubeletLog,
    );
  }

  kubeletExited(): string | undefined {
    const p = this.kubeletProc;
    if (p && (p.exitCode !== null || p.signalCode !== null)) return `kubelet of ${this.spec.name} exited (${p.exitCode ?? p.signalCode}): ${logTail(this.kubeletLog)}`;
    return undefined;
  }

  async stopKubelet(): Promise<void> {
    if (this.kubeletProc?.pid) await terminate([this.kubeletProc.pid]);
  }

  /** SIGKILL the kubelet (a node failure, for the fault tests); its containerd and containers keep running. */
  async killKubelet(): Promise<void> {
    const p = this.kubeletProc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGKILL');
    await exited;
  }

  /** Start the kubelet again (same config, certificates and root dir) after {@link killKubelet} or {@link stopKubelet}. */
  restartKubelet(): void {
    const p = this.kubeletProc;
    if (p && p.exitCode === null && p.signalCode === null) throw new Error(`kubelet of ${this.spec.name} is still running (pid ${p.pid})`);
    this.startKubelet();
  }

  async stopContainerd(): Promise<void> {
    if (this.containerdProc?.pid) await terminate([this.containerdProc.pid]);
  }
}
