/**
 * What the lab does to the host, and how it undoes it: processes, network links, cgroups, mounts and CNI cache
 * files. Everything the lab creates is recognisable without memory of having created it, so `remora lab down`
 * from a fresh process (or after the supervisor was SIGKILLed) finds all of it:
 * - processes: one of the lab's programs whose command line names a path under the lab folder (etcd, kube-*,
 *   containerd and its shims, which carry `-address <lab>/…/containerd.sock`), or anything in one of the lab's
 *   cgroups (the pods);
 * - links: their names start with the lab's prefix `rl<id>` (veths for node addresses, CNI bridges);
 * - cgroups: `/<cgroupPrefix>-<node>` in every cgroup v1 hierarchy (each kubelet's `cgroupRoot`);
 * - mounts: under the lab folder (containerd's rootfs and netns mounts, kubelet volumes);
 * - CNI result cache files: `/var/lib/cni/results/<networkPrefix>-*` and `cni-loopback-<sandbox>-lo` (libcni's
 *   default cache, not configurable from containerd 1.6), and shim sockets in /run/containerd/s (containerd 1.6
 *   puts them there whatever its state folder): both named from the task ids in the lab's containerd state;
 * - host folders containerd and libcni create on first use, if they did not exist before the lab.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What identifies one lab's host objects (see the module comment). */
export interface HostFootprint {
  /** Absolute lab folder. */
  dir: string;
  /** Link-name prefix, e.g. `rl3fa2` (IFNAMSIZ leaves 15 characters; the lab adds 2). */
  linkPrefix: string;
  /** Cgroup-name prefix; each node's cgroupRoot is `/<cgroupPrefix>-<node>`. */
  cgroupPrefix: string;
  /** CNI network-name prefix; each node's network is `<networkPrefix>-<node>`. */
  networkPrefix: string;
  /** Host folders that did not exist before the lab (containerd's and libcni's); removed once empty. */
  createdDirs?: string[];
}

export interface Leftovers {
  processes: { pid: number; cmd: string }[];
  links: string[];
  mounts: string[];
  cgroups: string[];
  /** libcni result cache files of the lab's networks and of its sandboxes' loopback. */
  cniCache: string[];
  /** containerd shim sockets (/run/containerd/s/<sha256>) of the lab's tasks. */
  shimSockets: string[];
  /** Host folders the lab created that still exist. */
  dirs: string[];
}

export const isClean = (l: Leftovers): boolean => Object.values(l).every((v: unknown[]) => !v.length);

export function describeLeftovers(l: Leftovers): string {
  const parts: string[] = [];
  if (l.processes.length) parts.push(`processes ${l.processes.map((p) => `${p.pid} (${p.cmd})`).join(', ')}`);
  if (l.links.length) parts.push(`links ${l.links.join(', ')}`);
  if (l.mounts.length) parts.push(`mounts ${l.mounts.join(', ')}`);
  if (l.cgroups.length) parts.push(`cgroups ${l.cgroups.join(', ')}`);
  if (l.cniCache.length) parts.push(`CNI cache ${l.cniCache.join(', ')}`);
  if (l.shimSockets.length) parts.push(`shim sockets ${l.shimSockets.join(', ')}`);
  if (l.dirs.length) parts.push(`folders ${l.dirs.join(', ')}`);
  return parts.length ? parts.join('; ') : 'nothing';
}

// --- commands -------------------------------------------------------------------------------------------

/** Run a command; throws with its stderr on a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, timeout: opts.timeoutMs ?? 60_000 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

export function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/**
 * Start a long-running process detached (its own process group, so a terminal's Ctrl-C does not reach it
 * half-way through a teardown), with stdout and stderr appended to `logFile`.
 */
export function spawnDaemon(cmd: string, args: readonly string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a', 0o600);
  try {
    const p = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
    p.unref();
    return p;
  } finally {
    closeSync(fd);
  }
}

export function logTail(logFile: string, chars = 2500): string {
  try {
    return readFileSync(logFile, 'utf8').slice(-chars);
  } catch {
    return '(no log)';
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once every pid is gone (or after a final SIGKILL wait). */
export async function terminate(pids: readonly number[], graceMs = 10_000): Promise<void> {
  const live = pids.filter(alive);
  for (const p of live) signal(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (live.some(alive) && Date.now() < deadline) await sleep(50);
  for (const p of live.filter(alive)) signal(p, 'SIGKILL');
  const hard = Date.now() + 5000;
  while (live.some(alive) && Date.now() < hard) await sleep(50);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

// --- processes ------------------------------------------------------------------------------------------

/**
 * Programs the lab starts. A process that merely names the lab folder (a `tail -f` of a log) is not the lab's,
 * and is never killed; a pod's processes are found by cgroup, whatever they run.
 */
const LAB_PROGRAMS = new Set(['etcd', 'kube-apiserver', 'kube-scheduler', 'kube-controller-manager', 'kubelet', 'containerd', 'containerd-shim-runc-v2', 'runc']);

/** Every process of this lab (see the module comment), except this one and its parent. */
export function labProcesses(f: HostFootprint): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  const cgMark = `/${f.cgroupPrefix}-`;
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid || pid === process.ppid) continue;
    let cmdline: string;
    let cgroup: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    if (!cmdline) continue; // kernel thread or zombie
    const cmd = cmdline.split(' ')[0]!.split('/').pop()!;
    if ((LAB_PROGRAMS.has(cmd) && cmdline.includes(f.dir + '/')) || cgroup.includes(cgMark)) out.push({ pid, cmd });
  }
  return out;
}

/** Resident memory (VmRSS) of the given processes, in bytes. */
export function rssBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      /* exited */
    }
  }
  return total;
}

// --- links ----------------------------------------------------------------------------------------------

export function links(prefix: string): string[] {
  const out = run('ip', ['-o', 'link', 'show']);
  return [...out.matchAll(/^\d+:\s+([^:@\s]+)[@:]/gm)].map((m) => m[1]!).filter((n) => n.startsWith(prefix));
}

/**
 * A veth pair whose `name` end carries `address`/32: a non-loopback address for a node (the kubelet refuses a
 * loopback node IP) that only this host can reach. This kernel has no dummy links, veths work.
 */
export function addAddressLink(name: string, peer: string, address: string): void {
  run('ip', ['link', 'add', name, 'type', 'veth', 'peer', 'name', peer]);
  run('ip', ['addr', 'add', `${address}/32`, 'dev', name]);
  run('ip', ['link', 'set', name, 'up']);
  run('ip', ['link', 'set', peer, 'up']);
}

export function deleteLink(name: string): void {
  spawnSync('ip', ['link', 'del', name], { encoding: 'utf8' });
}

/** Lab slots whose 10.<200+slot>.0.0/16 overlaps no address or route on this host. */
export function usedTenNets(): Set<number> {
  const text = run('ip', ['-4', '-o', 'addr', 'show']) + run('ip', ['-4', 'route', 'show', 'table', 'all']);
  return new Set([...text.matchAll(/\b10\.(\d+)\./g)].map((m) => Number(m[1])));
}

// --- cgroups --------------------------------------------------------------------------------------------

const CGROUP_ROOT = '/sys/fs/cgroup';

/** Mounted cgroup v1 hierarchies (dirs under /sys/fs/cgroup that are not the v2 `unified` mount). */
export function cgroupHierarchies(): string[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const out: string[] = [];
  for (const line of mounts) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const mountPoint = pre.split(' ')[4]!;
    if (post.startsWith('cgroup ') && mountPoint.startsWith(CGROUP_ROOT + '/')) out.push(mountPoint);
  }
  return out;
}

/**
 * Create `/<name>` in every v1 hierarchy: the kubelet refuses a cgroupRoot that does not exist. cpuset needs
 * its cpus and mems copied from the parent before any child can hold a task.
 */
export function createCgroup(name: string): void {
  for (const h of cgroupHierarchies()) {
    const d = join(h, name);
    mkdirSync(d, { recursive: true });
    if (existsSync(join(h, 'cpuset.cpus'))) {
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        const cur = readFileSync(join(d, f), 'utf8').trim();
        if (!cur) writeFileSync(join(d, f), readFileSync(join(h, f), 'utf8').trim());
      }
    }
  }
}

/**
 * Move `pid` into the cgroup `name` (a path under each hierarchy's root) in every v1 hierarchy that has it, so its
 * cpu, memory and pids accounting follow. Returns the hierarchies joined (their last path segment).
 */
export function joinCgroup(name: string, pid: number): string[] {
  const joined: string[] = [];
  for (const h of cgroupHierarchies()) {
    const f = join(h, name, 'cgroup.procs');
    if (!existsSync(f)) continue;
    writeFileSync(f, String(pid));
    joined.push(h.split('/').pop()!);
  }
  return joined;
}

/** Lab cgroups that still exist: `/<prefix>-*` in any hierarchy. */
export function labCgroups(prefix: string): string[] {
  const out: string[] = [];
  for (const h of cgroupHierarchies()) {
    for (const name of safeReaddir(h)) if (name.startsWith(`${prefix}-`)) out.push(join(h, name));
  }
  return out;
}

/** rmdir a cgroup tree bottom-up (a cgroup with tasks or children refuses; the caller killed the tasks). */
export function removeCgroupTree(dir: string): void {
  for (const name of safeReaddir(dir)) {
    const p = join(dir, name);
    try {
      if (statSync(p).isDirectory()) removeCgroupTree(p);
    } catch {
      /* gone */
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    /* busy or gone; reported by labCgroups */
  }
}

function safeReaddir(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

// --- mounts and files -----------------------------------------------------------------------------------

/** Mount points under `dir`, deepest first (the order to unmount them in). */
export function mountsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (mp && (mp === dir || mp.startsWith(dir + '/'))) out.push(mp.replace(/\\040/g, ' '));
  }
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

export function unmountAll(dir: string): void {
  for (let round = 0; round < 3; round++) {
    const ms = mountsUnder(dir);
    if (!ms.length) return;
    for (const m of ms) spawnSync('umount', ['-l', m], { encoding: 'utf8' });
  }
}

export const CNI_CACHE_DIR = '/var/lib/cni/results';
/** containerd 1.6 puts every shim's socket here, whatever its root and state (`shim.SocketAddress`). */
export const SHIM_SOCKET_DIR = '/run/containerd/s';
/** Host folders containerd and libcni create on first use; the lab removes them if it created them. */
export const SHARED_HOST_DIRS = [SHIM_SOCKET_DIR, '/run/containerd', CNI_CACHE_DIR, '/var/lib/cni'];

/**
 * Ids of the tasks (sandboxes and containers) each of the lab's containerds ran, from their state folders:
 * `<dir>/nodes/<node>/containerd/state/io.containerd.runtime.v2.task/k8s.io/<id>`.
 */
function labTasks(dir: string): { socket: string; id: string }[] {
  const out: { socket: string; id: string }[] = [];
  for (const node of safeReaddir(join(dir, 'nodes'))) {
    const c = join(dir, 'nodes', node, 'containerd');
    for (const id of safeReaddir(join(c, 'state', 'io.containerd.runtime.v2.task', 'k8s.io'))) out.push({ socket: join(c, 'containerd.sock'), id });
  }
  return out;
}

export function cniCacheFiles(f: HostFootprint): string[] {
  const ids = new Set(labTasks(f.dir).map((t) => t.id));
  return safeReaddir(CNI_CACHE_DIR)
    .filter((n) => n.startsWith(`${f.networkPrefix}-`) || [...ids].some((id) => n === `cni-loopback-${id}-lo`))
    .map((n) => join(CNI_CACHE_DIR, n));
}

/** A shim's socket is sha256(<containerd address>/<namespace>/<task id>) under /run/containerd/s. */
export function shimSockets(dir: string): string[] {
  return labTasks(dir)
    .map((t) => join(SHIM_SOCKET_DIR, createHash('sha256').update(join(t.socket, 'k8s.io', t.id)).digest('hex')))
    .filter((p) => existsSync(p));
}

// --- the sweep ------------------------------------------------------------------------------------------

export function leftovers(f: HostFootprint): Leftovers {
  return {
    processes: labProcesses(f),
    links: links(f.linkPrefix),
    mounts: mountsUnder(f.dir),
    cgroups: labCgroups(f.cgroupPrefix),
    cniCache: cniCacheFiles(f),
    shimSockets: shimSockets(f.dir),
    // A folder the lab created but that now holds something counts only through that something: a shim socket
    // of this lab is reported above, and anything else belongs to another user of the host (another lab, a
    // system containerd), so the folder is theirs to keep.
    dirs: (f.createdDirs ?? []).filter((d) => existsSync(d) && safeReaddir(d).length === 0),
  };
}

/**
 * Remove everything of the lab that is still there, in dependency order: processes (SIGKILL; the graceful
 * stop came before), mounts, links, cgroups, CNI cache files, then the folder unless `keepDir`. Returns what
 * could not be removed.
 */
export async function sweep(f: HostFootprint, opts: { keepDir?: boolean } = {}): Promise<Leftovers> {
  for (let round = 0; round < 5; round++) {
    const ps = labProcesses(f);
    if (!ps.length) break;
    await terminate(
      ps.map((p) => p.pid),
      0,
    );
  }
  unmountAll(f.dir);
  for (const l of links(f.linkPrefix)) deleteLink(l);
  for (const c of labCgroups(f.cgroupPrefix)) removeCgroupTree(c);
  for (const c of [...cniCacheFiles(f), ...shimSockets(f.dir)]) rmSync(c, { force: true });
  for (const d of f.createdDirs ?? []) {
    try {
      rmdirSync(d); // only when empty: someone else may use it by now
    } catch {
      /* not empty, or gone */
    }
  }
  if (!opts.keepDir && !mountsUnder(f.dir).length) rmSync(f.dir, { recursive: true, force: true });
  return leftovers(f);
}
