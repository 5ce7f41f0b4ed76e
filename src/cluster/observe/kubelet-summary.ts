/**
 * Node load (Eq.2) from each kubelet's Summary API (`/stats/summary`, read through the apiserver's node proxy),
 * for clusters without metrics-server (the lab in src/lab). Nodes are read in parallel; a node whose kubelet does not
 * answer is missing from the map (a missing observation, which forces Wait).
 *
 * Two scopes:
 * - `node` (default): cpu = `node.cpu.usageNanoCores` / allocatable cpu, mem = `node.memory.workingSetBytes` /
 *   allocatable memory; the time is the kubelet's own sample time (`node.cpu.time`), so stalled stats show as stale.
 * - `containers`: the sums over the containers of every pod on the node (`pods[].containers[].cpu.usageNanoCores`,
 *   `memory.workingSetBytes`); the time is the newest container sample. For kubelets that share one host (the lab,
 *   whose `LabEnv` replays a trace into each node's containers): each of them reports the whole machine as
 *   `node.cpu`. The containers' numbers come from the CRI (containerd reads the container's cgroup when asked), so
 *   they are live to about a second, where the node and pod numbers are cAdvisor's, refreshed every ~10 s.
 *
 * The fractions are relative to each node's `status.allocatable`, or to a fixed `capacity` (the lab's scaled node,
 * see `src/lab/load-injector.ts`).
 */
import type { KubeClient, KubeList } from '../kube/client.js';
import { paths, type NodeObject } from '../kube/resources.js';
import { nodeLoad } from '../../core/reward.js';
import { parseQuantity } from './quantity.js';
import type { LoadSource, Timed } from './types.js';

/** What 100 % cpu and 100 % memory of a node are. */
export interface NodeCapacity {
  cpuCores: number;
  memBytes: number;
}

/** One node's utilisation as its kubelet reports it. */
export interface NodeUtilisation {
  /** Fractions of the capacity (not clipped; Eq. 2 clips). */
  cpu: number;
  mem: number;
  /** Sample time, ms since the epoch (NaN when the kubelet gave none). */
  atMs: number;
  /** Raw values: cores and bytes. */
  cpuCores: number;
  memBytes: number;
}

export interface KubeletSummaryOptions {
  timeoutMs: number;
  /** What is summed (see the module comment). Default `node`. */
  scope?: 'node' | 'containers';
  /** Fixed capacity instead of each node's allocatable. */
  capacity?: NodeCapacity;
}

interface Stats {
  cpu?: { time?: string; usageNanoCores?: number };
  memory?: { time?: string; workingSetBytes?: number };
}

interface Summary {
  node?: Stats;
  pods?: { containers?: Stats[] }[];
}

export class KubeletSummaryLoad implements LoadSource {
  readonly name = 'kubelet-summary';
  constructor(private readonly client: KubeClient, private readonly o: KubeletSummaryOptions) {}

  /** Utilisation per node; a node whose kubelet does not answer (or that has no allocatable) is missing. */
  async readUtilisation(nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, NodeUtilisation>> {
    const caps = new Map<string, NodeCapacity>();
    if (!this.o.capacity) {
      const list = await this.client.request<KubeList<NodeObject>>('GET', paths.nodes(), { signal, timeoutMs: this.o.timeoutMs });
      for (const n of list.items) caps.set(n.metadata.name, { cpuCores: parseQuantity(n.status?.allocatable?.cpu), memBytes: parseQuantity(n.status?.allocatable?.memory) });
    }
    const out = new Map<string, NodeUtilisation>();
    await Promise.all(
      nodes.map(async (name) => {
        const cap = this.o.capacity ?? caps.get(name);
        if (!cap) return;
        let s: Summary;
        try {
          s = await this.client.request<Summary>('GET', paths.nodeProxy(name, 'stats/summary?only_cpu_and_memory=true'), { signal, timeoutMs: this.o.timeoutMs });
        } catch {
          return; // this kubelet is down or unreachable: its load is missing, the others are still good
        }
        let nanoCores: number, bytes: number, atMs: number;
        if (this.o.scope === 'containers') {
          nanoCores = 0;
          bytes = 0;
          atMs = Number.NaN;
          for (const p of s.pods ?? [])
            for (const c of p.containers ?? []) {
              nanoCores += c.cpu?.usageNanoCores ?? 0;
              bytes += c.memory?.workingSetBytes ?? 0;
              const t = Date.parse(c.cpu?.time ?? '');
              if (!Number.isNaN(t) && !(t <= atMs)) atMs = t;
            }
          // A node running no containers (yet) has zero container load, as of the kubelet's own stats time.
          if (Number.isNaN(atMs)) atMs = Date.parse(s.node?.cpu?.time ?? '');
        } else {
          nanoCores = s.node?.cpu?.usageNanoCores ?? Number.NaN;
          bytes = s.node?.memory?.workingSetBytes ?? Number.NaN;
          atMs = Date.parse(s.node?.cpu?.time ?? '');
        }
        const cpuCores = nanoCores / 1e9;
        out.set(name, { cpu: cpuCores / cap.cpuCores, mem: bytes / cap.memBytes, atMs, cpuCores, memBytes: bytes });
      }),
    );
    return out;
  }

  async readLoads(nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, Timed>> {
    const u = await this.readUtilisation(nodes, signal);
    return new Map([...u].map(([n, x]) => [n, { value: nodeLoad(x.cpu, x.mem), atMs: x.atMs }]));
  }
}
