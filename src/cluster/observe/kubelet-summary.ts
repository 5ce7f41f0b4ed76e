/**
 * Node load (Eq. 2) from each kubelet's own resource metrics: the Summary API (`/stats/summary`), read through the
 * apiserver's node proxy (`nodes/proxy`, so the kubelet authenticates and authorizes the caller by webhook).
 *
 * What is summed: the containers of every pod on the node (`pods[].containers[].cpu.usageNanoCores`,
 * `memory.workingSetBytes`). Not `node.cpu`: kubelets that share one host (the lab, issue 11) each report the whole
 * machine there. The containers' numbers come from the CRI (containerd reads the container's cgroup when asked), so
 * they are live to about a second, where the pod-level and node-level ones are cAdvisor's, refreshed every ~10 s.
 *
 * cpu and mem fractions are relative to a capacity: the node's `status.allocatable` by default, or a fixed one the
 * caller gives (the lab's scaled node, see `src/lab/load-injector.ts`). The observation time is the newest
 * container sample's `time` (whole seconds from the kubelet), so a kubelet that stopped answering shows as stale.
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
  /** Newest container sample, ms since the epoch (NaN when the node runs no container). */
  atMs: number;
  /** Raw sums: cores and bytes. */
  cpuCores: number;
  memBytes: number;
}

interface Summary {
  pods?: { containers?: { cpu?: { time?: string; usageNanoCores?: number }; memory?: { time?: string; workingSetBytes?: number } }[] }[];
}

export class KubeletSummaryLoad implements LoadSource {
  readonly name = 'kubelet-summary';
  constructor(
    private readonly client: KubeClient,
    private readonly capacity?: NodeCapacity,
  ) {}

  /** Utilisation per node; a node whose kubelet does not answer is missing from the map. */
  async readUtilisation(nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, NodeUtilisation>> {
    const caps = new Map<string, NodeCapacity>();
    if (!this.capacity) {
      const list = await this.client.request<KubeList<NodeObject>>('GET', paths.nodes(), { signal });
      for (const n of list.items) caps.set(n.metadata.name, { cpuCores: parseQuantity(n.status?.allocatable?.cpu), memBytes: parseQuantity(n.status?.allocatable?.memory) });
    }
    const out = new Map<string, NodeUtilisation>();
    await Promise.all(
      nodes.map(async (node) => {
        let s: Summary;
        try {
          s = await this.client.request<Summary>('GET', paths.nodeProxy(node, 'stats/summary'), { signal, timeoutMs: 3000 });
        } catch {
          return; // missing: the observation says so
        }
        const cap = this.capacity ?? caps.get(node);
        let nanoCores = 0, bytes = 0, atMs = Number.NaN;
        for (const p of s.pods ?? [])
          for (const c of p.containers ?? []) {
            nanoCores += c.cpu?.usageNanoCores ?? 0;
            bytes += c.memory?.workingSetBytes ?? 0;
            const t = Date.parse(c.cpu?.time ?? '');
            if (!Number.isNaN(t) && !(t <= atMs)) atMs = t;
          }
        const cpuCores = nanoCores / 1e9;
        out.set(node, { cpu: cap ? cpuCores / cap.cpuCores : Number.NaN, mem: cap ? bytes / cap.memBytes : Number.NaN, atMs, cpuCores, memBytes: bytes });
      }),
    );
    return out;
  }

  async readLoads(nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, Timed>> {
    const u = await this.readUtilisation(nodes, signal);
    return new Map([...u].map(([n, x]) => [n, { value: nodeLoad(x.cpu, x.mem), atMs: x.atMs }]));
  }
}
