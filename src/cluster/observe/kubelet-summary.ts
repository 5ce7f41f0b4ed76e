/**
 * Node load (Eq.2) from each kubelet's Summary API (`/stats/summary`, read through the apiserver's node proxy),
 * for clusters without metrics-server (the issue 11 lab): cpu = `node.cpu.usageNanoCores` / allocatable cpu,
 * mem = `node.memory.workingSetBytes` / allocatable memory. The observation time is the kubelet's own sample time
 * (`node.cpu.time`), so a kubelet whose stats stall shows up as stale. Nodes are read in parallel; a node whose
 * kubelet does not answer is missing from the map (a missing observation, which forces Wait).
 */
import type { KubeClient, KubeList } from '../kube/client.js';
import { paths, type NodeObject } from '../kube/resources.js';
import { nodeLoad } from '../../core/reward.js';
import { parseQuantity } from './quantity.js';
import type { LoadSource, Timed } from './types.js';

interface Summary {
  node?: { cpu?: { time?: string; usageNanoCores?: number }; memory?: { time?: string; workingSetBytes?: number } };
}

export class KubeletSummaryLoad implements LoadSource {
  readonly name = 'kubelet-summary';
  constructor(private readonly client: KubeClient, private readonly o: { timeoutMs: number }) {}

  async readLoads(nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, Timed>> {
    const nodeList = await this.client.request<KubeList<NodeObject>>('GET', paths.nodes(), { signal, timeoutMs: this.o.timeoutMs });
    const alloc = new Map(nodeList.items.map((n) => [n.metadata.name, n.status?.allocatable ?? {}]));
    const out = new Map<string, Timed>();
    await Promise.all(
      nodes.map(async (name) => {
        const a = alloc.get(name);
        if (!a) return;
        let s: Summary;
        try {
          s = await this.client.request<Summary>('GET', paths.nodeProxy(name, 'stats/summary?only_cpu_and_memory=true'), { signal, timeoutMs: this.o.timeoutMs });
        } catch {
          return; // this kubelet is down or unreachable: its load is missing, the others are still good
        }
        const cpu = (s.node?.cpu?.usageNanoCores ?? Number.NaN) / 1e9 / parseQuantity(a.cpu);
        const mem = (s.node?.memory?.workingSetBytes ?? Number.NaN) / parseQuantity(a.memory);
        const atMs = Date.parse(s.node?.cpu?.time ?? '');
        out.set(name, { value: nodeLoad(cpu, mem), atMs: Number.isNaN(atMs) ? Number.NaN : atMs });
      }),
    );
    return out;
  }
}
