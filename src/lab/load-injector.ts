/**
 * Replays a trace's cpu and memory onto a lab node, so that what the node's kubelet *measures* follows
 * the Borg load the twin reads, and Eq. 2 sees the same shape.
 *
 * How: a `load` pod per node (the pause image, BestEffort, pinned by `nodeName`) gives the node a container whose
 * cgroup the kubelet accounts. Into that container's cgroup (every v1 hierarchy) the injector moves
 * - one or more busy loops (`sh -c 'while :; do :; done'`), throttled by the container's CFS quota
 *   (`cpu.cfs_quota_us`) to `cpu · capacity.cpuCores` cores, and stopped (SIGSTOP) when that is ~0;
 * - a memory balloon (a few lines of python3 reading a byte count per line from stdin) holding
 *   `mem · capacity.memBytes` bytes of touched anonymous memory. Without python3 there is no memory injection,
 *   and the node's memory is whatever its pods use (said once in the log).
 *
 * The mapping (configurable, {@link LabCapacity}): the machine has 2 cores shared by everything, so a lab node is
 * scaled down. A trace value `cpu = 0.4` on a node of `cpuCores = 0.25` is a quota of 0.1 core; the kubelet then
 * reports ~0.1 core for the node's containers, which {@link KubeletSummaryLoad} divides by the same 0.25 to get
 * 0.4 back. Memory likewise with `memBytes`. What comes back differs from the trace by what the node's other pods
 * use (the reflector and the service, both small), by CPU contention on the shared machine (a quota is a
 * ceiling, not a reservation), and by the kubelet's ~1 s sampling: the sim-to-real report measures that error.
 *
 * Cleanup: the processes live in a lab cgroup (`/<cgroupPrefix>-<node>/…`) and their command lines name the lab
 * folder, so the lab sweep (`host.ts`) finds them after a crash. {@link LoadInjector.stop} kills them before the
 * load pod is deleted, so the kubelet never meets a container cgroup with strangers in it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupHierarchies, joinCgroup, onPath, terminate } from './host.js';

/** What 100 % of a lab node is (the scale of the trace → quota mapping). */
export interface LabCapacity {
  /** Cores a trace cpu of 1.0 means (default 0.25: three nodes at full load use 0.75 of the 2 cores). */
  cpuCores: number;
  /** Bytes a trace mem of 1.0 means (default 256 MiB). */
  memBytes: number;
}

export const DEFAULT_LAB_CAPACITY: Readonly<LabCapacity> = Object.freeze({ cpuCores: 0.25, memBytes: 256 * 2 ** 20 });

const CFS_PERIOD_US = 100_000;
/** The smallest quota the kernel takes (1 ms per period). */
const CFS_MIN_QUOTA_US = 1000;

const BALLOON = [
  'import sys',
  'b = bytearray(0)',
  'for line in sys.stdin:',
  '    n = int(line)',
  '    if n != len(b):',
  '        b = bytearray(0)',
  '        b = bytearray(n)',
  '        for i in range(0, n, 4096): b[i] = 1',
].join('\n');

/** The container cgroup (path below each hierarchy's root) whose directory is named `containerId`, or undefined. */
export function findContainerCgroup(cgroupRoot: string, containerId: string): string | undefined {
  const cpu = cgroupHierarchies().find((h) => h.endsWith('/cpu') || h.endsWith('/cpu,cpuacct'));
  if (!cpu) return undefined;
  const walk = (rel: string, depth: number): string | undefined => {
    let names: string[];
    try {
      names = readdirSync(join(cpu, rel));
    } catch {
      return undefined;
    }
    for (const n of names) {
      const r = `${rel}/${n}`;
      if (n === containerId) return r;
      if (depth > 0 && statSync(join(cpu, r), { throwIfNoEntry: false })?.isDirectory()) {
        const found = walk(r, depth - 1);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(cgroupRoot, 4);
}

export interface LoadInjectorOptions {
  node: string;
  /** The load container's cgroup, a path below each hierarchy's root (see {@link findContainerCgroup}). */
  cgroup: string;
  capacity: LabCapacity;
  /** The lab folder: named on the processes' command lines, for the sweep. */
  labDir: string;
  log?: (line: string) => void;
}

export class LoadInjector {
  private burners: ChildProcess[] = [];
  private balloon: ChildProcess | undefined;
  private stopped = true;
  private burning = false;
  /** Last values set (fractions of capacity). */
  cpu = 0;
  mem = 0;

  constructor(private readonly o: LoadInjectorOptions) {}

  private get cpuDir(): string {
    const cpu = cgroupHierarchies().find((h) => h.endsWith('/cpu') || h.endsWith('/cpu,cpuacct'));
    if (!cpu) throw new Error('no cgroup v1 cpu hierarchy');
    return join(cpu, this.o.cgroup);
  }

  start(): void {
    if (!existsSync(this.cpuDir)) throw new Error(`load injector ${this.o.node}: container cgroup ${this.cpuDir} does not exist`);
    this.stopped = false;
    writeFileSync(join(this.cpuDir, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
    writeFileSync(join(this.cpuDir, 'cpu.cfs_quota_us'), String(CFS_MIN_QUOTA_US));
    const n = Math.max(1, Math.ceil(this.o.capacity.cpuCores));
    for (let i = 0; i < n; i++) {
      // $0 of the script names the lab folder on the command line (sweep); the loop is the load.
      const p = spawn('sh', ['-c', 'while :; do :; done', `remora-lab-load:${this.o.labDir}/${this.o.node}`], { stdio: 'ignore', detached: true });
      p.unref();
      this.adopt(p);
      this.burners.push(p);
    }
    for (const p of this.burners) process.kill(p.pid!, 'SIGSTOP');
    if (onPath('python3')) {
      const b = spawn('python3', ['-c', BALLOON, `remora-lab-load:${this.o.labDir}/${this.o.node}`], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
      b.unref();
      b.stdin!.on('error', () => undefined);
      this.adopt(b);
      this.balloon = b;
    } else {
      this.o.log?.(`load injector ${this.o.node}: python3 not found, memory is not injected (only the pods' own)`);
    }
  }

  private adopt(p: ChildProcess): void {
    const joined = joinCgroup(this.o.cgroup, p.pid!);
    if (!joined.some((h) => h.startsWith('cpu')) || !joined.some((h) => h === 'memory')) {
      p.kill('SIGKILL');
      throw new Error(`load injector ${this.o.node}: could not join ${this.o.cgroup} (joined ${joined.join(', ') || 'nothing'})`);
    }
  }

  /** Set the node's injected cpu and memory, fractions of {@link LabCapacity} (clipped to [0, 1]). */
  set(cpu: number, mem: number): void {
    if (this.stopped) throw new Error(`load injector ${this.o.node}: not started`);
    const c = clip01(cpu), m = clip01(mem);
    const cores = c * this.o.capacity.cpuCores;
    const quota = Math.round(cores * CFS_PERIOD_US);
    if (quota < CFS_MIN_QUOTA_US) {
      if (this.burning) for (const p of this.burners) process.kill(p.pid!, 'SIGSTOP');
      this.burning = false;
    } else {
      writeFileSync(join(this.cpuDir, 'cpu.cfs_quota_us'), String(quota));
      if (!this.burning) for (const p of this.burners) process.kill(p.pid!, 'SIGCONT');
      this.burning = true;
    }
    if (this.balloon && m !== this.mem) this.balloon.stdin!.write(`${Math.round(m * this.o.capacity.memBytes)}\n`);
    this.cpu = c;
    this.mem = m;
  }

  /** Kill every process the injector started (the load pod itself is the caller's). */
  async stop(): Promise<void> {
    this.stopped = true;
    const pids = [...this.burners, ...(this.balloon ? [this.balloon] : [])].map((p) => p.pid!).filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* gone */
      }
    }
    this.balloon?.stdin?.end();
    await terminate(pids, 1000);
    this.burners = [];
    this.balloon = undefined;
  }
}

function clip01(x: number): number {
  return !(x > 0) ? 0 : x > 1 ? 1 : x;
}
