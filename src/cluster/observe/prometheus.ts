/**
 * Prometheus HTTP API (`GET /api/v1/query?query=...`, instant vectors) as a load source (two node-exporter
 * queries, Eq.2 applied here) and as an RTT source (one series per node, value in ms). The sample time is the
 * one Prometheus returns with each value.
 */
import { nodeLoad } from '../../core/reward.js';
import { fillTemplate, getJson } from './http.js';
import type { LoadSource, RttSource, Timed } from './types.js';

interface PromVector {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

/** Run one instant query; returns node → sample, where the node is `metric[nodeLabel]` mapped through `nodeMap`. */
export async function promInstant(baseUrl: string, query: string, nodeLabel: string, nodeMap: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<Map<string, Timed>> {
  const body = (await getJson(`${baseUrl.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`, timeoutMs, {}, signal)) as PromVector;
  if (body.status !== 'success' || !body.data) throw new Error(`prometheus query failed: ${body.error ?? body.status}`);
  if (body.data.resultType !== 'vector') throw new Error(`prometheus query returned ${body.data.resultType}, expected vector`);
  const out = new Map<string, Timed>();
  for (const s of body.data.result) {
    const raw = s.metric[nodeLabel];
    if (raw === undefined) continue;
    const node = nodeMap[raw] ?? raw;
    out.set(node, { value: Number(s.value[1]), atMs: Number(s.value[0]) * 1000 });
  }
  return out;
}

export interface PrometheusLoadOptions {
  url: string;
  cpuQuery: string;
  memQuery: string;
  nodeLabel: string;
  nodeMap: Record<string, string>;
  timeoutMs: number;
}

export class PrometheusLoad implements LoadSource {
  readonly name = 'prometheus';
  constructor(private readonly o: PrometheusLoadOptions) {}

  async readLoads(nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, Timed>> {
    const [cpu, mem] = await Promise.all([
      promInstant(this.o.url, this.o.cpuQuery, this.o.nodeLabel, this.o.nodeMap, this.o.timeoutMs, signal),
      promInstant(this.o.url, this.o.memQuery, this.o.nodeLabel, this.o.nodeMap, this.o.timeoutMs, signal),
    ]);
    const out = new Map<string, Timed>();
    for (const n of nodes) {
      const c = cpu.get(n);
      const m = mem.get(n);
      if (!c || !m) continue;
      out.set(n, { value: nodeLoad(c.value, m.value), atMs: Math.min(c.atMs, m.atMs) });
    }
    return out;
  }
}

export class PrometheusRtt implements RttSource {
  readonly name = 'prometheus';
  constructor(private readonly o: { url: string; query: string; nodeLabel: string; timeoutMs: number }) {}

  async readRtt(user: string, nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, Timed[]>> {
    // PromQL string literal: escape backslashes and quotes in the user id.
    const q = fillTemplate(this.o.query, { user: user.replace(/\\/g, '\\\\').replace(/"/g, '\\"') }, false);
    const got = await promInstant(this.o.url, q, this.o.nodeLabel, {}, this.o.timeoutMs, signal);
    const out = new Map<string, Timed[]>();
    for (const n of nodes) {
      const s = got.get(n);
      if (s) out.set(n, [s]);
    }
    return out;
  }
}
