/**
 * The dashboard's live page for a running controller or lab. It reads a
 * {@link LiveFeed} that the process running the controller passes to the dashboard (`DashboardOptions.live`):
 *
 * - `/live`               the page: nodes and their workloads, the RTT and load timelines, the decision log (with the
 *                         gate that allowed or deferred each), migrations with their phase, and the route as a map
 * - `/api/live`           the feed's snapshot as JSON
 * - `/api/live/stream`    Server-Sent Events: one `data:` message per change (coalesced to at most one per
 *                         `coalesceMs`), `{"snapshot": ..., "sections": {"<element id>": "<html>"}}`
 *
 * The HTML of every section is rendered here, on the server, by the same functions for the first page load and
 * for every stream message, so the page's script only swaps `innerHTML` (no client-side rendering to keep in
 * step). SSE needs no dependency and reconnects by itself (EventSource).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LiveFeed, LiveSnapshot, LiveTrailPoint } from '../core/live-feed.js';
import { escapeHtml } from '../experiments/report/html.js';
import { PALETTE, renderChart, type Series } from '../experiments/report/plots.js';
import { MAP_SCRIPT, mapView } from './map-view.js';
import { page } from './page.js';

export interface LiveOptions {
  /** At most one stream message per this many ms (default 100). */
  coalesceMs?: number;
  /** An SSE comment this often keeps proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
}

const SECTION_IDS = ['live-status', 'live-nodes', 'live-map', 'live-timeline', 'live-migrations', 'live-decisions'] as const;
type SectionId = (typeof SECTION_IDS)[number];

const colorOf = (s: LiveSnapshot, node: string): string => {
  const names = [...new Set([...s.nodes.map((n) => n.name), ...(s.route?.antennas.map((a) => a.node) ?? [])])];
  const i = names.indexOf(node);
  return PALETTE[(i < 0 ? names.length : i) % PALETTE.length]!;
};
const time = (ms: number): string => new Date(ms).toISOString().slice(11, 23);
const e = (v: unknown): string => escapeHtml(String(v));

function nodesHtml(s: LiveSnapshot): string {
  if (!s.nodes.length) return '<p>No tick yet.</p>';
  const rows = s.nodes
    .map((n) => `<tr data-node="${e(n.name)}"><td><span style="color:${colorOf(s, n.name)}">&#9632;</span> ${e(n.name)}</td><td>${n.ready ? 'Ready' : '<span class="err">NotReady</span>'}</td><td class="workloads">${n.workloads.map(e).join(', ') || '—'}</td></tr>`)
    .join('');
  return `<table><thead><tr><th>node</th><th>status</th><th>workloads</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function timelineHtml(s: LiveSnapshot): string {
  const all = [...s.rtt, ...s.load].flatMap((x) => x.points.map((p) => p.atMs));
  if (!all.length) return '<p>No measurements yet.</p>';
  const t0 = Math.min(...all);
  const series = (list: LiveSnapshot['rtt'], label: (x: LiveSnapshot['rtt'][number]) => string): Series[] =>
    list.filter((x) => x.points.length).map((x) => ({ name: label(x), x: x.points.map((p) => (p.atMs - t0) / 1000), y: x.points.map((p) => p.value), color: colorOf(s, x.node) }));
  const users = new Set(s.rtt.map((x) => x.user));
  return renderChart({
    title: 'Measured RTT (Eq. 1) and node load (Eq. 2)',
    xLabel: `time [s] since ${time(t0)} UTC`,
    width: 900,
    panels: [
      { yLabel: 'RTT [ms]', series: series(s.rtt, (x) => (users.size > 1 ? `${x.node} (${x.user})` : x.node)), height: 170 },
      { yLabel: 'load L', series: series(s.load, (x) => x.node), height: 130 },
    ],
    vLines: s.migrations.filter((m) => m.startedAtMs >= t0).map((m) => ({ x: (m.startedAtMs - t0) / 1000, label: `${m.id} → ${m.to}`, color: '#555', dash: '4 3' })),
  });
}

function migrationsHtml(s: LiveSnapshot): string {
  if (!s.migrations.length) return '<p>No migration yet.</p>';
  const rows = [...s.migrations]
    .reverse()
    .map(
      (m) =>
        `<tr data-migration="${e(m.id)}" data-state="${e(m.state)}"><td>${e(m.id)}</td><td>${e(m.workload)}</td><td>${e(m.from)} → ${e(m.to)}</td><td>${e(m.backend)}</td><td class="state">${e(m.state)}</td><td>${e(m.phase)}</td><td class="n">${time(m.startedAtMs)}</td><td class="n">${m.durationMs !== undefined && Number.isFinite(m.durationMs) ? (m.durationMs / 1000).toFixed(2) : ''}</td><td>${e(m.reason ?? '')}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>migration</th><th>workload</th><th>move</th><th>backend</th><th>state</th><th>phase</th><th>started (UTC)</th><th>duration [s]</th><th>reason</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function decisionsHtml(s: LiveSnapshot): string {
  if (!s.decisions.length) return '<p>No decision yet.</p>';
  const rows = [...s.decisions]
    .reverse()
    .slice(0, 100)
    .map(
      (d) =>
        `<tr data-action="${d.action}" data-reason="${e(d.reason)}"><td class="n">${time(d.atMs)}</td><td>${e(d.workload)}</td><td>${e(d.node)}</td><td>${d.action > 0 ? `<b>migrate to ${e(d.target ?? d.action)}</b>` : 'wait'}</td><td>${e(d.reason)}</td><td>${e(d.gate)}</td><td>${e(d.detail ?? '')}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>time (UTC)</th><th>workload</th><th>on</th><th>decision</th><th>reason</th><th>gate</th><th>detail</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * The route as a map (map-view.ts): the road, an antenna per edge node (coloured as in the timeline), the UE's
 * trail coloured by the node that served it, and the node serving it now. It follows the newest position; the
 * slider goes back along the trail.
 */
function mapHtml(s: LiveSnapshot): string {
  const r = s.route;
  if (!r) return '<p>No route: the producer did not publish one.</p>';
  const trail: LiveTrailPoint[] = r.trail?.length ? r.trail : r.ue ? [r.ue] : [];
  const steps = trail.map((p) => ({ x: p.x, y: p.y, ...(p.serving ? { serving: p.serving } : {}), label: `${time(p.atMs)} UTC` }));
  return mapView({ id: 'live-route', units: r.units, road: r.path, nodes: r.antennas.map((a) => ({ name: a.node, x: a.x, y: a.y, color: colorOf(s, a.node) })), steps, current: steps.length - 1, follow: true });
}

function statusHtml(s: LiveSnapshot): string {
  const inFlight = s.migrations.filter((m) => m.state === 'in-flight').length;
  return `<p><b>${e(s.title)}</b> · update <span id="live-seq">${s.seq}</span> at ${time(s.updatedAtMs)} UTC · ${s.nodes.length} nodes · ${inFlight} migration${inFlight === 1 ? '' : 's'} in flight · ${s.decisions.length} decisions kept</p>`;
}

/** Every section's HTML, by element id. */
export function liveSections(s: LiveSnapshot): Record<SectionId, string> {
  return { 'live-status': statusHtml(s), 'live-nodes': nodesHtml(s), 'live-map': mapHtml(s), 'live-timeline': timelineHtml(s), 'live-migrations': migrationsHtml(s), 'live-decisions': decisionsHtml(s) };
}

const HEADINGS: Record<SectionId, string> = { 'live-status': '', 'live-nodes': 'Nodes', 'live-map': 'Route', 'live-timeline': 'Timelines', 'live-migrations': 'Migrations', 'live-decisions': 'Decisions' };

export function livePage(s: LiveSnapshot): string {
  const sec = liveSections(s);
  const body = SECTION_IDS.map((id) => `${HEADINGS[id] ? `<h2>${HEADINGS[id]}</h2>` : ''}<section id="${id}">${sec[id]}</section>`).join('\n');
  const script = `${MAP_SCRIPT}<script>
const es = new EventSource('/api/live/stream');
es.onmessage = (ev) => {
  const m = JSON.parse(ev.data);
  for (const [id, html] of Object.entries(m.sections)) { const el = document.getElementById(id); if (el) el.innerHTML = html; }
  window.remoraMap(document.querySelector('#live-map .map'));
  document.body.dataset.seq = String(m.snapshot.seq);
};
es.onerror = () => { document.body.dataset.stream = 'reconnecting'; };
es.onopen = () => { document.body.dataset.stream = 'open'; };
</script>`;
  return page(`Live: ${s.title}`, body + script);
}

/** The live routes over one feed; {@link close} ends every open stream (the dashboard calls it on stop). */
export class LiveRoutes {
  private readonly streams = new Set<ServerResponse>();

  constructor(private readonly feed: LiveFeed, private readonly o: LiveOptions = {}) {}

  /** Serves `p` when it is a live route; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, p: string): boolean {
    if (p === '/live') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(livePage(this.feed.snapshot()));
      return true;
    }
    if (p === '/api/live') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(this.feed.snapshot()));
      return true;
    }
    if (p === '/api/live/stream') {
      this.stream(req, res);
      return true;
    }
    return false;
  }

  private stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    this.streams.add(res);
    let timer: NodeJS.Timeout | undefined;
    let sentSeq = -1;
    const send = (): void => {
      timer = undefined;
      const snapshot = this.feed.snapshot();
      if (snapshot.seq === sentSeq) return;
      sentSeq = snapshot.seq;
      res.write(`id: ${snapshot.seq}\ndata: ${JSON.stringify({ snapshot, sections: liveSections(snapshot) })}\n\n`);
    };
    const unsubscribe = this.feed.subscribe(() => {
      timer ??= setTimeout(send, this.o.coalesceMs ?? 100);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), this.o.heartbeatMs ?? 15_000);
    const done = (): void => {
      unsubscribe();
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      this.streams.delete(res);
    };
    req.on('close', done);
    res.on('close', done);
    send();
  }

  close(): void {
    for (const r of [...this.streams]) r.end();
  }
}
