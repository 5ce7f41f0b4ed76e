/**
 * RTT from an HTTP JSON endpoint. `GET <url with {user}>` must answer
 * `{"samples": [{"node": "edge-1", "rttMs": 4.2, "timestamp": "2026-01-01T00:00:00Z" | 1767225600000}, ...]}`,
 * oldest first; several samples per node are the "last N transmissions" of Eq.1. A sample without a timestamp
 * gets the controller's clock.
 *
 * The batch form (the fleet path): `POST <batchUrl>` with `{"users": [...], "nodes": [...]}`, answered with
 * `{"users": {"<user>": {"samples": [...]}, ...}}`, each user's samples exactly as above, or in the compact form
 * `{"<user>": {"rttMs": [R_1, ..., R_N], "timestamp": ...}}`, one RTT per node of the request's `nodes`, in that
 * order (null = unreachable): 10k users × 100 nodes is then 5 MB of JSON, not 50. Every entry is checked:
 * a user whose entry is malformed (a sample without a node name, an RTT that is neither a number nor null, a
 * timestamp that is not a time) is rejected as a whole, with a one-line reason, and waits; the rest proceed.
 */
import { InvalidInputError } from '../../core/errors.js';
import { fillTemplate, getJson, postJson } from './http.js';
import type { BatchRttReport, BatchRttSource, Clock, RttRowSink, RttSink, RttSource, Timed } from './types.js';

export class HttpJsonRtt implements RttSource, BatchRttSource {
  readonly name = 'http-json';
  constructor(private readonly o: { url: string; batchUrl?: string; timeoutMs: number }, private readonly clock: Clock) {}

  async readRtt(user: string, nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, Timed[]>> {
    const body = (await getJson(fillTemplate(this.o.url, { user }), this.o.timeoutMs, {}, signal)) as { samples?: unknown };
    if (!body || !Array.isArray(body.samples)) throw new Error('http-json RTT: response has no "samples" array');
    const wanted = new Set(nodes);
    const out = new Map<string, Timed[]>();
    for (const s of body.samples as { node?: unknown; rttMs?: unknown; timestamp?: unknown }[]) {
      if (typeof s?.node !== 'string' || !wanted.has(s.node)) continue;
      const value = typeof s.rttMs === 'number' ? s.rttMs : s.rttMs === null ? Number.NaN : Number(s.rttMs);
      const atMs = typeof s.timestamp === 'number' ? s.timestamp : typeof s.timestamp === 'string' ? Date.parse(s.timestamp) : this.clock.nowMs();
      const list = out.get(s.node) ?? [];
      list.push({ value, atMs });
      out.set(s.node, list);
    }
    return out;
  }

  async readRttBatch(users: readonly string[], nodes: readonly string[], sink: RttSink, signal?: AbortSignal, rowSink?: RttRowSink): Promise<BatchRttReport> {
    const url = this.o.batchUrl;
    if (!url) throw new Error('http-json RTT: no batchUrl configured (observation.rtt.batchUrl)');
    const body = (await postJson(url, { users, nodes }, this.o.timeoutMs, signal)) as { users?: unknown };
    if (!body || typeof body !== 'object' || !body.users || typeof body.users !== 'object' || Array.isArray(body.users)) {
      throw new InvalidInputError({ source: `POST ${url}`, field: 'users', expected: 'an object of user id -> {"samples": [...]}', actual: JSON.stringify(body?.users ?? body)?.slice(0, 60) ?? 'nothing' });
    }
    const answers = body.users as Record<string, unknown>;
    const wanted = new Set(nodes);
    const now = this.clock.nowMs();
    const report: BatchRttReport = { rejected: [] };
    for (const user of users) {
      const entry = answers[user];
      if (entry === undefined) continue; // not measured this tick: goes stale, waits
      const why = checkEntry(entry, now, nodes.length);
      if (why) {
        report.rejected.push({ user, why: new InvalidInputError({ source: `POST ${url}`, field: `users.${user}${why.field}`, expected: why.expected, actual: why.actual }).message });
        continue;
      }
      const compact = (entry as { rttMs?: (number | null)[]; timestamp?: number | string }).rttMs;
      if (compact) {
        const at = timeOf((entry as { timestamp?: number | string }).timestamp, now);
        if (rowSink) {
          rowSink(user, compact, at);
          continue;
        }
        for (let j = 0; j < nodes.length; j++) sink(user, nodes[j]!, compact[j] === null ? Number.NaN : compact[j]!, at);
        continue;
      }
      for (const s of (entry as { samples: Sample[] }).samples) {
        if (!wanted.has(s.node)) continue;
        sink(user, s.node, s.rttMs === null ? Number.NaN : s.rttMs, timeOf(s.timestamp, now));
      }
    }
    return report;
  }
}

interface Sample {
  node: string;
  rttMs: number | null;
  timestamp?: number | string;
}

const timeOf = (t: number | string | undefined, now: number): number => (typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : now);

/** Why one user's entry of a batch answer cannot be used (undefined: it can). Checked by hand: 1M samples a tick. */
function checkEntry(entry: unknown, now: number, nodes: number): { field: string; expected: string; actual: string } | undefined {
  const e = entry as { samples?: unknown; rttMs?: unknown; timestamp?: unknown } | null;
  if (e && e.rttMs !== undefined) {
    if (!Array.isArray(e.rttMs) || e.rttMs.length !== nodes) return { field: '.rttMs', expected: `an array of ${nodes} RTTs (one per requested node, in order)`, actual: Array.isArray(e.rttMs) ? `${e.rttMs.length} entries` : JSON.stringify(e.rttMs).slice(0, 60) };
    for (let j = 0; j < nodes; j++) {
      const v = e.rttMs[j] as unknown;
      if (v !== null && (typeof v !== 'number' || v < 0)) return { field: `.rttMs[${j}]`, expected: 'a number of ms >= 0, or null', actual: JSON.stringify(v) ?? 'nothing' };
    }
    const t = e.timestamp;
    if (t !== undefined && ((typeof t !== 'number' && typeof t !== 'string') || !Number.isFinite(timeOf(t, now)))) return { field: '.timestamp', expected: 'RFC 3339 or epoch ms', actual: JSON.stringify(t) };
    return undefined;
  }
  const samples = e?.samples;
  if (!Array.isArray(samples)) return { field: '.samples', expected: 'an array of samples', actual: JSON.stringify(samples ?? entry)?.slice(0, 60) ?? 'nothing' };
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as Partial<Record<keyof Sample, unknown>> | null;
    if (typeof s?.node !== 'string') return { field: `.samples[${i}].node`, expected: 'a node name', actual: JSON.stringify(s?.node) ?? 'nothing' };
    if (s.rttMs !== null && (typeof s.rttMs !== 'number' || s.rttMs < 0)) return { field: `.samples[${i}].rttMs`, expected: 'a number of ms >= 0, or null', actual: JSON.stringify(s.rttMs) ?? 'nothing' };
    const t = s.timestamp;
    if (t !== undefined && (typeof t !== 'number' && typeof t !== 'string')) return { field: `.samples[${i}].timestamp`, expected: 'RFC 3339 or epoch ms', actual: JSON.stringify(t) };
    if (t !== undefined && !Number.isFinite(timeOf(t as number | string, now))) return { field: `.samples[${i}].timestamp`, expected: 'RFC 3339 or epoch ms', actual: JSON.stringify(t) };
  }
  return undefined;
}
