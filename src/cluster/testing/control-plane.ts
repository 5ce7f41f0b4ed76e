/**
 * Test harness: a real etcd + kube-apiserver on loopback, envtest-style. Certificates (openssl), a static admin
 * token in system:masters, the RBAC authorizer, service-account token signing (TokenRequest works), and the
 * real CRDs installed from test/cluster/crds. Excluded from the build (tsconfig.build.json).
 *
 * Binaries come from scripts/build-control-plane.sh (cached outside the repo), or REMORA_K8S_BIN_DIR.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { HttpKubeClient, isAlreadyExists, type KubeClient, type KubeObject } from '../kube/client.js';

/** The user kube-apiserver presents to kubelets (`--kubelet-client-certificate`). */
export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Binaries {
  dir: string;
  apiserver: string;
  etcd: string;
}

/** Locate or build the binaries. Returns a reason string when they cannot be had. */
export function ensureBinaries(): Binaries | string {
  const fromEnv = process.env.REMORA_K8S_BIN_DIR;
  const check = (dir: string): Binaries | undefined => {
    const b = { dir, apiserver: join(dir, 'kube-apiserver'), etcd: join(dir, 'etcd') };
    return existsSync(b.apiserver) && existsSync(b.etcd) ? b : undefined;
  };
  if (fromEnv) return check(fromEnv) ?? `REMORA_K8S_BIN_DIR=${fromEnv} lacks kube-apiserver or etcd`;
  const script = join(REPO_ROOT, 'scripts/build-control-plane.sh');
  const go = spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' });
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 80 * 60_000 });
  if (r.status !== 0) return go.status !== 0 ? 'Go is not installed (needed to build kube-apiserver)' : `scripts/build-control-plane.sh failed (exit ${r.status})`;
  const dir = r.stdout.trim().split('\n').pop() ?? '';
  return check(dir) ?? `build script printed ${dir}, which lacks the binaries`;
}

/** A free TCP port on loopback (the kernel picks it; the listener closes before the port is used). */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface ControlPlaneOptions {
  /** Keep the logs here (default: the temp dir, removed on stop). */
  logDir?: string;
  /** Folder to make the control plane's own folder in (default: REMORA_TEST_TMP, else the OS temp dir). */
  parentDir?: string;
  /** `--authorization-mode` (default RBAC; the lab, which runs real kubelets, adds Node). */
  authorizationModes?: readonly string[];
  /** `--enable-admission-plugins` (default: the apiserver's own set; the lab adds NodeRestriction). */
  admissionPlugins?: readonly string[];
  /**
   * Verify kubelets' serving certificates against the CA (`--kubelet-certificate-authority`). The lab signs its
   * kubelets' certificates, so it turns this on; the cluster suite's fake kubelet serves the loopback certificate
   * on another address, so it stays off there.
   */
  verifyKubelets?: boolean;
  /** More apiserver flags (ones not set above; a repeated list flag would append, not replace). */
  extraArgs?: readonly string[];
}

/** PEM files of a client certificate signed by the control plane's CA. */
export interface ClientCert {
  cert: string;
  key: string;
}

export class ControlPlane {
  readonly dir: string;
  private etcd: ChildProcess | undefined;
  private apiserver: ChildProcess | undefined;
  private etcdPort = 0;
  private apiPort = 0;
  readonly adminToken = randomBytes(16).toString('hex');
  private caPem = '';
  version = '';
  /** Admin client (system:masters). */
  admin!: KubeClient;

  constructor(
    private readonly bins: Binaries,
    private readonly opts: ControlPlaneOptions = {},
  ) {
    this.dir = mkdtempSync(join(opts.parentDir ?? process.env.REMORA_TEST_TMP ?? tmpdir(), 'remora-cp-'));
  }

  /** The CA that signs the apiserver's serving certificate and every client certificate it trusts. */
  get caFile(): string {
    return join(this.dir, 'ca.crt');
  }

  get caData(): string {
    return this.caPem;
  }

  /** The key the apiserver verifies service-account tokens with (kube-controller-manager signs with it). */
  get serviceAccountKeyFile(): string {
    return join(this.dir, 'sa.key');
  }

  /**
   * A client certificate for user `cn` in groups `orgs`, signed by the CA (after {@link start}); key 0600.
   * `ipSans` also makes it a serving certificate for those addresses (a kubelet's).
   */
  signCert(name: string, cn: string, orgs: readonly string[] = [], ipSans: readonly string[] = []): ClientCert {
    const d = this.dir;
    const subj = `/CN=${cn}${orgs.map((o) => `/O=${o}`).join('')}`;
    const usage = ipSans.length ? 'serverAuth,clientAuth' : 'clientAuth';
    const ext = `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=${usage}\n${ipSans.length ? `subjectAltName=${ipSans.map((ip) => `IP:${ip}`).join(',')}\n` : ''}`;
    writeFileSync(join(d, `${name}.cnf`), ext);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj], d);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.cnf`], d);
    chmodSync(join(d, `${name}.key`), 0o600);
    return { cert: join(d, `${name}.crt`), key: join(d, `${name}.key`) };
  }

  get server(): string {
    return `https://127.0.0.1:${this.apiPort}`;
  }

  async start(): Promise<void> {
    const d = this.dir;
    // CA and a serving certificate for 127.0.0.1.
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=remora-test-ca'], d);
    writeFileSync(join(d, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'serving.key', '-out', 'serving.csr', '-subj', '/CN=127.0.0.1'], d);
    openssl(['x509', '-req', '-in', 'serving.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'serving.crt', '-days', '2', '-extfile', 'san.cnf'], d);
    this.caPem = readFileSync(join(d, 'ca.crt'), 'utf8');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(d, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(d, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(d, 'tokens.csv'), `${this.adminToken},remora-test-admin,remora-test-admin,system:masters\n`);
    // The apiserver's identity towards kubelets (their webhook authn/authz sees it as this user).
    this.signCert('kubelet-client', KUBELET_CLIENT_USER);
    for (const f of ['ca.key', 'serving.key', 'sa.key', 'tokens.csv']) chmodSync(join(d, f), 0o600);
    mkdirSync(join(d, 'etcd'), { recursive: true });
    this.etcdPort = await freePort();
    this.apiPort = await freePort();
    await this.startEtcd();
    await this.startApiserver();
  }

  private spawnLogged(cmd: string, args: string[], log: string): ChildProcess {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: string[] = [];
    const keep = (c: Buffer): void => {
      chunks.push(c.toString());
      if (chunks.length > 400) chunks.splice(0, 200);
    };
    p.stdout!.on('data', keep);
    p.stderr!.on('data', keep);
    p.on('exit', () => {
      try {
        writeFileSync(join(this.dir, log), chunks.join(''));
      } catch {
        /* dir already removed */
      }
    });
    (p as ChildProcess & { logTail: () => string }).logTail = () => chunks.join('').slice(-3000);
    return p;
  }

  private async startEtcd(): Promise<void> {
    const peer = await freePort();
    const client = `http://127.0.0.1:${this.etcdPort}`;
    const help = spawnSync(this.bins.etcd, ['--help'], { encoding: 'utf8' });
    const noFsync = /unsafe-no-fsync/.test(help.stdout + help.stderr) ? ['--unsafe-no-fsync'] : [];
    this.etcd = this.spawnLogged(this.bins.etcd, ['--name', 'remora-test', '--data-dir', join(this.dir, 'etcd'), '--listen-client-urls', client, '--advertise-client-urls', client, '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`, '--initial-cluster', `remora-test=http://127.0.0.1:${peer}`, '--log-level', 'warn', ...noFsync], 'etcd.log');
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const r = await fetch(`${client}/health`);
        if (r.ok) return;
      } catch {
        /* not up yet */
      }
      if (this.etcd.exitCode !== null || Date.now() > deadline) throw new Error(`etcd did not start: ${(this.etcd as unknown as { logTail(): string }).logTail()}`);
      await sleep(100);
    }
  }

  private apiserverArgs(): string[] {
    const d = this.dir;
    return [
      `--etcd-servers=http://127.0.0.1:${this.etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${this.apiPort}`,
      `--tls-cert-file=${join(d, 'serving.crt')}`,
      `--tls-private-key-file=${join(d, 'serving.key')}`,
      `--client-ca-file=${join(d, 'ca.crt')}`,
      `--token-auth-file=${join(d, 'tokens.csv')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(d, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(d, 'sa.key')}`,
      `--authorization-mode=${(this.opts.authorizationModes ?? ['RBAC']).join(',')}`,
      ...(this.opts.admissionPlugins ? [`--enable-admission-plugins=${this.opts.admissionPlugins.join(',')}`] : []),
      `--kubelet-client-certificate=${join(d, 'kubelet-client.crt')}`,
      `--kubelet-client-key=${join(d, 'kubelet-client.key')}`,
      ...(this.opts.verifyKubelets ? [`--kubelet-certificate-authority=${join(d, 'ca.crt')}`] : []),
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      '--disable-admission-plugins=ServiceAccount',
      `--cert-dir=${join(d, 'certs')}`,
      '--enable-priority-and-fairness=false',
      '--endpoint-reconciler-type=none',
      '--v=0',
      ...(this.opts.extraArgs ?? []),
    ];
  }

  private async startApiserver(): Promise<void> {
    this.apiserver = this.spawnLogged(this.bins.apiserver, this.apiserverArgs(), `kube-apiserver.${Date.now()}.log`);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'test', server: this.server, caData: Buffer.from(this.caPem).toString('base64') }],
      users: [{ name: 'admin', token: this.adminToken }],
      contexts: [{ name: 'test', cluster: 'test', user: 'admin' }],
      currentContext: 'test',
    });
    this.admin = new HttpKubeClient(kc);
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        await this.admin.request('GET', '/readyz', { timeoutMs: 2000 });
        break;
      } catch {
        /* not ready */
      }
      if (this.apiserver.exitCode !== null || Date.now() > deadline) throw new Error(`kube-apiserver did not become ready: ${(this.apiserver as unknown as { logTail(): string }).logTail()}`);
      await sleep(200);
    }
    const v = await this.admin.request<{ gitVersion: string }>('GET', '/version');
    this.version = v.gitVersion;
  }

  /** A client authenticating with `token` (e.g. a service-account token from {@link tokenFor}). */
  clientWithToken(token: string): KubeClient {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'test', server: this.server, caData: Buffer.from(this.caPem).toString('base64') }],
      users: [{ name: 'u', token }],
      contexts: [{ name: 'test', cluster: 'test', user: 'u' }],
      currentContext: 'test',
    });
    return new HttpKubeClient(kc);
  }

  /** A kubeconfig file (0600) for `token`, or for a client certificate (what `remora controller --kubeconfig` reads). */
  writeKubeconfig(path: string, token: string | ClientCert = this.adminToken): void {
    const user = typeof token === 'string' ? { token } : { 'client-certificate': token.cert, 'client-key': token.key };
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'test', cluster: { server: this.server, 'certificate-authority-data': Buffer.from(this.caPem).toString('base64') } }],
        users: [{ name: 'u', user }],
        contexts: [{ name: 'test', context: { cluster: 'test', user: 'u' } }],
        'current-context': 'test',
      }),
      { mode: 0o600 },
    );
  }

  /** PIDs of etcd and kube-apiserver while they run. */
  get pids(): number[] {
    return [this.etcd, this.apiserver].filter((p) => p && p.exitCode === null && p.pid).map((p) => p!.pid!);
  }

  /** A real service-account token (TokenRequest API, signed by the apiserver). */
  async tokenFor(namespace: string, serviceAccount: string): Promise<string> {
    const r = await this.admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    return r.status.token;
  }

  /** Stop and start kube-apiserver on the same port and etcd (a rolling control-plane restart). */
  async restartApiserver(downMs = 0): Promise<void> {
    await this.kill(this.apiserver);
    if (downMs) await sleep(downMs);
    await this.startApiserver();
  }

  /** Create every object in the YAML files (CRDs first) and wait for CRDs to be Established. */
  async applyFiles(files: string[]): Promise<KubeObject[]> {
    const objs: KubeObject[] = [];
    for (const f of files) for (const doc of parseAllDocuments(readFileSync(f, 'utf8'))) {
      const o = doc.toJS() as KubeObject | null;
      if (o && o.kind) objs.push(o);
    }
    return this.applyObjects(objs);
  }

  /** Create every object (CRDs first in the list are Established before this returns). */
  async applyObjects(objs: KubeObject[]): Promise<KubeObject[]> {
    for (const o of objs) await this.create(o);
    for (const o of objs) if (o.kind === 'CustomResourceDefinition') await this.waitEstablished(o.metadata.name);
    return objs;
  }

  async create(o: KubeObject): Promise<void> {
    const path = restPath(o);
    try {
      await this.admin.request('POST', path, { body: o });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }

  async waitEstablished(name: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const crd = await this.admin.request<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not Established`);
      await sleep(100);
    }
  }

  private async kill(p: ChildProcess | undefined): Promise<void> {
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }

  async stop(): Promise<void> {
    await this.kill(this.apiserver);
    await this.kill(this.etcd);
    if (!process.env.REMORA_KEEP_TEST_DIR) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** REST collection path for an object (core, apis, cluster- or namespace-scoped). */
export function restPath(o: KubeObject): string {
  const [group, version] = o.apiVersion!.includes('/') ? o.apiVersion!.split('/') : ['', o.apiVersion!];
  const plural = PLURALS[o.kind!] ?? `${o.kind!.toLowerCase()}s`;
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const ns = o.metadata.namespace && !CLUSTER_SCOPED.has(o.kind!) ? `/namespaces/${o.metadata.namespace}` : '';
  return `${base}${ns}/${plural}`;
}

const PLURALS: Record<string, string> = {
  CustomResourceDefinition: 'customresourcedefinitions',
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  ServiceAccount: 'serviceaccounts',
  Namespace: 'namespaces',
  ConfigMap: 'configmaps',
  Deployment: 'deployments',
  Service: 'services',
  NodeMetrics: 'nodes',
};
const CLUSTER_SCOPED = new Set(['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Namespace', 'Node', 'NodeMetrics']);

export const CRD_DIR = join(REPO_ROOT, 'test/cluster/crds');
export function crdFiles(): string[] {
  return readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(CRD_DIR, f));
}
