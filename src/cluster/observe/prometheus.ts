/**
 * Prometheus HTTP API (`GET /api/v1/query?query=...`, instant vectors) as a load source (two node-exporter
 * queries, Eq.2 applied here) and as an RTT source (one series per node, value in ms). The sample time is the
 * one Prometheus returns with each value.
 */
import { nodeLoad } from '../../core/reward.js';
import { fillTemplate, getJson } from './http.js';
import type { BatchRttReport, BatchRttSource, LoadSource, RttSink, RttSource, Timed } from './types.js';

interface PromVector {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

type PromSeries = NonNullable<PromVector['data']>['result'];

/** Run one instant query and return its series (an instant vector, checked). */
async function promVector(baseUrl: string, query: string, timeoutMs: number, signal?: AbortSignal): Promise<PromSeries> {
  const body = (await getJson(`${baseUrl.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`, timeoutMs, {}, signal)) as PromVector;
  if (body.status !== 'success' || !body.data) throw new Error(`prometheus query failed: ${body.error ?? body.status}`);
  if (body.data.resultType !== 'vector' || !Array.isArray(body.data.result)) throw new Error(`prometheus query returned ${body.data.resultType}, expected vector`);
  return body.data.result;
}

/** Run one instant query; returns node → sample, where the node is `metric[nodeLabel]` mapped through `nodeMap`. */
export async function promInstant(baseUrl: string, query: string, nodeLabel: string, nodeMap: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<Map<string, Timed>> {
  const out = new Map<string, Timed>();
  for (const s of await promVector(baseUrl, query, timeoutMs, signal)) {
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

/**
 * RTT per user, one query per user (`query`), or for every user at once (`batchQuery`, the fleet path): one series
 * per (user, node), the user in `userLabel`, the node in `nodeLabel`. A series whose value is not a number (`NaN`,
 * `+Inf` stand for unreachable) gives NaN, so that user waits; a series without both labels is rejected and named.
 */
export class PrometheusRtt implements RttSource, BatchRttSource {
  readonly name = 'prometheus';
  constructor(private readonly o: { url: string; query: string; nodeLabel: string; batchQuery?: string; userLabel?: string; timeoutMs: number }) {}

  async readRttBatch(users: readonly string[], nodes: readonly string[], sink: RttSink, signal?: AbortSignal): Promise<BatchRttReport> {
    const q = this.o.batchQuery;
    if (!q) throw new Error('prometheus RTT: no batchQuery configured (observation.rtt.batchQuery)');
    const userLabel = this.o.userLabel ?? 'user';
    const series = await promVector(this.o.url, q, this.o.timeoutMs, signal);
    const wantedUsers = new Set(users);
    const wantedNodes = new Set(nodes);
    const report: BatchRttReport = { rejected: [] };
    let unlabelled = 0;
    for (const s of series) {
      const user = s.metric?.[userLabel];
      const node = s.metric?.[this.o.nodeLabel];
      if (user === undefined || node === undefined) {
        unlabelled++;
        continue;
      }
      if (!wantedUsers.has(user) || !wantedNodes.has(node)) continue;
      const atMs = Number(s.value?.[0]) * 1000;
      const v = Number(s.value?.[1]);
      if (!Number.isFinite(atMs)) {
        report.rejected.push({ user, why: `prometheus RTT: series {${userLabel}="${user}",${this.o.nodeLabel}="${node}"}: expected a sample time, got ${JSON.stringify(s.value?.[0])}` });
        continue;
      }
      sink(user, node, Number.isFinite(v) && v >= 0 ? v : Number.NaN, atMs);
    }
    if (unlabelled) report.rejected.push({ why: `prometheus RTT: ${unlabelled} series of ${JSON.stringify(q)} lack the ${userLabel} or ${this.o.nodeLabel} label; ignored` });
    return report;
  }

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
