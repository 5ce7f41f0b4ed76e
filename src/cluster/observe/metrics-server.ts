/**
 * Node load (Eq.2) from `metrics.k8s.io/v1beta1` NodeMetrics (metrics-server) and each node's allocatable:
 * cpu = usage.cpu / allocatable.cpu, mem = usage.memory / allocatable.memory. The observation time is the
 * NodeMetrics `timestamp` (end of the metrics window), so a stalled metrics-server shows up as stale.
 */
import type { KubeClient, KubeList } from '../kube/client.js';
import { paths, type NodeMetricsObject, type NodeObject } from '../kube/resources.js';
import { nodeLoad } from '../../core/reward.js';
import { parseQuantity } from './quantity.js';
import type { LoadSource, Timed } from './types.js';

export class MetricsServerLoad implements LoadSource {
  readonly name = 'metrics-server';
  constructor(private readonly client: KubeClient) {}

  async readLoads(nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, Timed>> {
    const [metrics, nodeList] = await Promise.all([
      this.client.request<KubeList<NodeMetricsObject>>('GET', paths.nodeMetrics(), { signal }),
      this.client.request<KubeList<NodeObject>>('GET', paths.nodes(), { signal }),
    ]);
    const alloc = new Map(nodeList.items.map((n) => [n.metadata.name, n.status?.allocatable ?? {}]));
    const out = new Map<string, Timed>();
    const wanted = new Set(nodes);
    for (const m of metrics.items) {
      const name = m.metadata.name;
      if (!wanted.has(name)) continue;
      const a = alloc.get(name);
      const cpu = parseQuantity(m.usage?.cpu) / parseQuantity(a?.cpu);
      const mem = parseQuantity(m.usage?.memory) / parseQuantity(a?.memory);
      const atMs = Date.parse(m.timestamp);
      out.set(name, { value: nodeLoad(cpu, mem), atMs: Number.isNaN(atMs) ? Number.NaN : atMs });
    }
    return out;
  }
}
