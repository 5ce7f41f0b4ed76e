/**
 * RTT from an HTTP JSON endpoint. `GET <url with {user}>` must answer
 * `{"samples": [{"node": "edge-1", "rttMs": 4.2, "timestamp": "2026-01-01T00:00:00Z" | 1767225600000}, ...]}`,
 * oldest first; several samples per node are the "last N transmissions" of Eq.1. A sample without a timestamp
 * gets the controller's clock.
 */
import { fillTemplate, getJson } from './http.js';
import type { Clock, RttSource, Timed } from './types.js';

export class HttpJsonRtt implements RttSource {
  readonly name = 'http-json';
  constructor(private readonly o: { url: string; timeoutMs: number }, private readonly clock: Clock) {}

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
}
