/**
 * What the lab needs from the host, checked before anything is started, each missing piece named exactly with
 * the way to get it. Binaries the project builds itself (kubelet, kube-*, etcd, the images) come from the build
 * scripts, which are idempotent and cached by version.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupHierarchies, onPath } from './host.js';

export const CNI_BIN_DIR = '/usr/lib/cni';

export interface LabBinaries {
  kubeDir: string;
  apiserver: string;
  etcd: string;
  kubelet: string;
  scheduler: string;
  controllerManager: string;
  containerd: string;
  ctr: string;
  cniBinDir: string;
  pauseArchive: string;
  pauseImage: string;
  echoArchive: string;
  echoImage: string;
}

/** Host preconditions that are missing, each a one-line reason (empty when the host can run the lab). */
export function missingHostPreconditions(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root: the lab creates network links and cgroups (run as root)');
  const apt: Record<string, string> = { containerd: 'containerd', ctr: 'containerd', runc: 'runc', ip: 'iproute2', openssl: 'openssl', umount: 'mount' };
  for (const [cmd, pkg] of Object.entries(apt)) if (!onPath(cmd)) missing.push(`${cmd} not on PATH (apt-get install ${pkg})`);
  for (const p of ['bridge', 'host-local', 'loopback']) if (!existsSync(join(CNI_BIN_DIR, p))) missing.push(`CNI plugin ${join(CNI_BIN_DIR, p)} missing (apt-get install containernetworking-plugins)`);
  if (existsSync('/proc/self/mountinfo')) {
    const hs = cgroupHierarchies().map((h) => h.split('/').pop());
    for (const c of ['cpu', 'memory', 'pids', 'cpuset']) if (!hs.includes(c)) missing.push(`cgroup v1 hierarchy /sys/fs/cgroup/${c} not mounted (the lab's kubelets run cgroupfs on cgroup v1)`);
  }
  return missing;
}

/** Build (or find cached) the Kubernetes binaries and the lab images. Returns a one-line reason on failure. */
export function ensureLabBinaries(repoRoot: string): LabBinaries | string {
  const script = (name: string, args: string[] = []): { dir: string } | string => {
    const r = spawnSync('bash', [join(repoRoot, 'scripts', name), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 80 * 60_000 });
    if (r.status !== 0) {
      const why = r.status === 3 ? 'Go is not installed (needed to build them)' : (r.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
      return `scripts/${name}${args.length ? ' ' + args.join(' ') : ''} failed (exit ${r.status}): ${why}`;
    }
    return { dir: r.stdout.trim().split('\n').pop() ?? '' };
  };
  const kube = script('build-control-plane.sh', ['--lab']);
  if (typeof kube === 'string') return kube;
  const images = script('build-lab-images.sh');
  if (typeof images === 'string') return images;
  const env = Object.fromEntries(
    readFileSync(join(images.dir, 'images.env'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => l.split('=', 2) as [string, string]),
  );
  const k = (n: string): string => join(kube.dir, n);
  const b: LabBinaries = {
    kubeDir: kube.dir,
    apiserver: k('kube-apiserver'),
    etcd: k('etcd'),
    kubelet: k('kubelet'),
    scheduler: k('kube-scheduler'),
    controllerManager: k('kube-controller-manager'),
    containerd: 'containerd',
    ctr: 'ctr',
    cniBinDir: CNI_BIN_DIR,
    pauseArchive: join(images.dir, 'pause.tar'),
    pauseImage: env.PAUSE_IMAGE ?? '',
    echoArchive: join(images.dir, 'echo.tar'),
    echoImage: env.ECHO_IMAGE ?? '',
  };
  for (const f of [b.apiserver, b.etcd, b.kubelet, b.scheduler, b.controllerManager, b.pauseArchive, b.echoArchive]) if (!existsSync(f)) return `${f} missing after the build scripts ran`;
  if (!b.pauseImage || !b.echoImage) return `${join(images.dir, 'images.env')} lacks PAUSE_IMAGE or ECHO_IMAGE`;
  return b;
}
