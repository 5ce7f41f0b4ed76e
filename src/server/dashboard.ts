/**
 * The web dashboard: a small HTTP server (node:http, no framework) that shows what people would rather see than
 * read. Every page is server-rendered HTML with inline SVG from `src/experiments/figures.ts`, so it works offline
 * and needs no front-end build.
 *
 * - `/`                 run folders under the runs directory (training runs and `reproduce` outputs)
 * - `/run/<name>`       one run: training curves (Fig. 5a/5b) and, for a reproduce output, its tables and Fig. 6
 * - `/episode?...`      any policy on any scenario, one episode as a Fig. 6 timeline plus its decision log
 *                       (`scenario`, `policy` = baseline name or a run name with a model.json, `seed`)
 * - `/api/runs`, `/api/episode?...`   the same data as JSON
 * - `/live`, `/api/live`, `/api/live/stream`   a running controller's or lab's live view, when started with one
 *                       (`live`; see live.ts)
 * Bad parameters get a 400 with one line naming the parameter, expected and actual value.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { InvalidInputError, RemoraError } from '../core/errors.js';
import { evaluatePolicy, METRIC_COLUMNS, metricsRow, roundMetrics, type PolicyMetrics, type TraceStep } from '../experiments/evaluate/evaluate.js';
import { fig5a, fig5b, fig6, type TrainingCurve } from '../experiments/report/figures.js';
import { escapeHtml } from '../experiments/report/html.js';
import { readReproduceSummary, SUMMARY_FILE, type ReproduceSummaryFile } from '../experiments/reproduce-summary.js';
import { METRICS_FILE, readMetricsJsonl } from '../experiments/train/metrics-jsonl.js';
import { baselineNames, resolvePolicy } from '../experiments/policies.js';
import { loadScenario, scenarioNames, type ResolvedScenario } from '../twin/index.js';
import type { LiveFeed } from '../core/live-feed.js';
import { LiveRoutes } from './live.js';
import { page } from './page.js';

export interface DashboardOptions {
  /** Folder whose sub-folders are runs (each with metrics.jsonl and/or summary.json). */
  runsDir: string;
  /** Port (0 = any free port). */
  port: number;
  host?: string;
  /** A running controller's or lab's live view: serves `/live`, `/api/live` and `/api/live/stream` (live.ts). */
  live?: LiveFeed;
}

export interface RunInfo {
  name: string;
  /** `train` (metrics.jsonl + model.json), `reproduce` (summary.json), or `other`. */
  kind: 'train' | 'reproduce' | 'other';
  episodes?: number;
  hasModel: boolean;
  /** Why the run's metrics.jsonl or summary.json could not be read (one line naming file, field, expected, actual). */
  error?: string;
}

class BadRequest extends RemoraError {
  constructor(param: string, expected: string, actual: string) {
    super('E_HTTP', `${param}: expected ${expected}, got ${actual}`);
  }
}

const NAME_RE = /^[A-Za-z0-9._-]+$/;

/** Runs `read`; a malformed artefact (InvalidInputError) becomes `{ error }` so one bad run cannot break a page. */
function readable<T>(read: () => T): T | { error: string } {
  try {
    return read();
  } catch (e) {
    if (e instanceof InvalidInputError) return { error: e.message };
    throw e;
  }
}

function errorRow(message: string): string {
  return `<p class="err">${escapeHtml(message)}</p>`;
}

function metricsTable(rows: PolicyMetrics[]): string {
  const head = METRIC_COLUMNS.map((c) => `<th>${c}</th>`).join('');
  const body = rows.map((m) => `<tr>${metricsRow(m).map((v, i) => `<td${i ? ' class="n"' : ''}>${escapeHtml(v)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export class Dashboard {
  private server: Server | undefined;
  private readonly runsDir: string;
  private readonly scenarios = new Map<string, ResolvedScenario>();
  private readonly traceCache = new Map();

  private readonly live: LiveRoutes | undefined;

  constructor(private readonly opts: DashboardOptions) {
    this.runsDir = resolve(opts.runsDir);
    this.live = opts.live ? new LiveRoutes(opts.live) : undefined;
  }

  /** Start listening; resolves with the URL. */
  start(): Promise<string> {
    return new Promise((resolveStart, reject) => {
      const server = createServer((req, res) => void this.handle(req, res));
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => {
        this.server = server;
        const a = server.address() as AddressInfo;
        resolveStart(`http://${a.address}:${a.port}`);
      });
    });
  }

  stop(): Promise<void> {
    this.live?.close();
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Run folders, newest first. */
  listRuns(): RunInfo[] {
    if (!existsSync(this.runsDir)) return [];
    return readdirSync(this.runsDir)
      .filter((n) => NAME_RE.test(n) && statSync(join(this.runsDir, n)).isDirectory())
      .map((n) => ({ n, t: statSync(join(this.runsDir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t)
      .map(({ n }) => this.runInfo(n));
  }

  private runInfo(name: string): RunInfo {
    const dir = join(this.runsDir, name);
    const kind = existsSync(join(dir, SUMMARY_FILE)) ? 'reproduce' : existsSync(join(dir, METRICS_FILE)) ? 'train' : 'other';
    const info: RunInfo = { name, kind, hasModel: existsSync(join(dir, 'model.json')) };
    const read = kind === 'train' ? this.curves(dir, name) : kind === 'reproduce' ? this.summary(dir) : undefined;
    if (read && 'error' in read) info.error = read.error;
    else if (read && 'points' in read) info.episodes = read.points.length;
    return info;
  }

  private scenario(name: string): ResolvedScenario {
    let sc = this.scenarios.get(name);
    if (!sc) {
      if (!scenarioNames().includes(name)) throw new BadRequest('scenario', `one of ${scenarioNames().join(', ')}`, JSON.stringify(name));
      sc = loadScenario(name, { traceCache: this.traceCache });
      this.scenarios.set(name, sc);
    }
    return sc;
  }

  /** The run's training curve, `{ error }` for a malformed metrics.jsonl, or undefined when there is none. */
  private curves(dir: string, label: string): TrainingCurve | { error: string } | undefined {
    const f = join(dir, METRICS_FILE);
    if (!existsSync(f)) return undefined;
    return readable(() => ({ name: label, points: readMetricsJsonl(f) }));
  }

  private summary(dir: string): ReproduceSummaryFile | { error: string } {
    return readable(() => readReproduceSummary(join(dir, SUMMARY_FILE)));
  }

  /** One episode of `policy` on `scenario` (a baseline, or a run folder holding model.json). */
  async episode(scenarioName: string, policySpec: string, seed: number): Promise<{ metrics: PolicyMetrics; trace: TraceStep[]; scenario: ResolvedScenario }> {
    const sc = this.scenario(scenarioName);
    let spec = policySpec;
    if (!baselineNames().includes(policySpec)) {
      const dir = join(this.runsDir, policySpec);
      const model = existsSync(join(dir, 'model.json')) ? join(dir, 'model.json') : existsSync(join(dir, 'dqn', 'model.json')) ? join(dir, 'dqn', 'model.json') : undefined;
      if (!NAME_RE.test(policySpec) || !model) throw new BadRequest('policy', `a baseline (${baselineNames().join(', ')}) or a run with a model.json`, JSON.stringify(policySpec));
      spec = model;
    }
    const policy = await resolvePolicy(spec, { seed, scenario: sc }, this.runsDir);
    const ev = evaluatePolicy(policy, sc, { episodes: 1, seed, recordFirstEpisode: true });
    return { metrics: roundMetrics({ ...ev.metrics, policy: policySpec }), trace: ev.trace!, scenario: sc };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      res.end(body);
    };
    try {
      if (req.method !== 'GET') return send(405, 'text/plain', 'method: expected GET\n');
      const p = url.pathname;
      if (this.live?.handle(req, res, p)) return;
      if (p === '/live') return send(404, 'text/html', page('Live', '<p>This dashboard was started without a live controller or lab (see src/server/README.md).</p>'));
      if (p === '/api/runs') return send(200, 'application/json', JSON.stringify(this.listRuns()));
      if (p === '/' || p === '/index.html') return send(200, 'text/html', this.indexPage());
      if (p.startsWith('/run/')) {
        const name = decodeURIComponent(p.slice(5));
        if (!NAME_RE.test(name) || !existsSync(join(this.runsDir, name))) throw new BadRequest('run', 'the name of a folder under the runs directory', JSON.stringify(name));
        return send(200, 'text/html', this.runPage(name));
      }
      if (p === '/episode' || p === '/api/episode') {
        const scenarioName = url.searchParams.get('scenario') ?? 'sr111-roundtrip';
        const policy = url.searchParams.get('policy') ?? 'oracle';
        const seedRaw = url.searchParams.get('seed') ?? '1000';
        const seed = Number(seedRaw);
        if (!Number.isInteger(seed) || seed < 0) throw new BadRequest('seed', 'an integer >= 0', JSON.stringify(seedRaw));
        const ep = await this.episode(scenarioName, policy, seed);
        if (p === '/api/episode') return send(200, 'application/json', JSON.stringify({ metrics: ep.metrics, trace: ep.trace }));
        return send(200, 'text/html', this.episodePage(scenarioName, policy, seed, ep));
      }
      send(404, 'text/html', page('Not found', `<p class="err">No page at ${escapeHtml(p)}.</p>`));
    } catch (e) {
      const msg = e instanceof RemoraError ? e.message : `internal error: ${(e as Error).message}`;
      const status = e instanceof BadRequest || e instanceof RemoraError ? 400 : 500;
      if (url.pathname.startsWith('/api/')) send(status, 'application/json', JSON.stringify({ error: msg }));
      else send(status, 'text/html', page('Error', `<p class="err">${escapeHtml(msg)}</p>`));
    }
  }

  private indexPage(): string {
    const runs = this.listRuns();
    const rows = runs
      .map((r) => {
        const run = `<td><a href="/run/${encodeURIComponent(r.name)}">${escapeHtml(r.name)}</a></td><td>${r.kind}</td>`;
        if (r.error) return `<tr>${run}<td class="err" colspan="2">${escapeHtml(r.error)}</td></tr>`;
        return `<tr>${run}<td class="n">${r.episodes ?? ''}</td><td>${r.hasModel || r.kind === 'reproduce' ? `<a href="/episode?policy=${encodeURIComponent(r.name)}">replay on the round trip</a>` : ''}</td></tr>`;
      })
      .join('\n');
    const body = runs.length
      ? `<p>Runs in <code>${escapeHtml(this.runsDir)}</code>.</p><table><thead><tr><th>run</th><th>kind</th><th>episodes</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
      : `<p>No runs in <code>${escapeHtml(this.runsDir)}</code> yet. Train one with <code>remora train --out ${escapeHtml(this.runsDir)}/dqn</code> or run <code>remora reproduce --out ${escapeHtml(this.runsDir)}/reproduce</code>.</p>`;
    return page('Runs', body + `<p><a href="/episode">Explore an episode</a> of any baseline on any scenario.</p>`);
  }

  private runPage(name: string): string {
    const dir = join(this.runsDir, name);
    const info = this.runInfo(name);
    const parts: string[] = [];
    if (info.kind === 'reproduce') {
      const s = this.summary(dir);
      if ('error' in s) parts.push(errorRow(s.error));
      else {
        parts.push(`<p>Commit <code>${escapeHtml(s.commit)}</code>, ${escapeHtml(String(s.steps))} training steps, ${escapeHtml(String(s.seconds))} s.</p>`);
        // Summaries since the edge model list every comparison (paper and edge model, test days); older ones have two.
        if (s.comparisons.length) for (const c of s.comparisons) parts.push(`<h2>${escapeHtml(c.title)}</h2>${metricsTable(c.policies)}`);
        else {
          parts.push(`<h2>sr111-roundtrip (Fig. 6 evaluation)</h2>${metricsTable(s.roundtrip.policies)}`);
          parts.push(`<h2>sr111, held-out episodes</h2>${metricsTable(s.sr111.policies)}`);
        }
      }
      if (existsSync(join(dir, 'fig6.svg'))) parts.push(`<h2>Fig. 6</h2>${readFileSync(join(dir, 'fig6.svg'), 'utf8')}`);
      const read = [this.curves(join(dir, 'dqn'), 'DQN'), this.curves(join(dir, 'sarsa'), 'Deep SARSA')].filter((c) => c !== undefined);
      for (const r of read) if ('error' in r) parts.push(errorRow(r.error));
      const curves = read.filter((c): c is TrainingCurve => !('error' in c));
      if (curves.length) parts.push(`<h2>Training</h2>${fig5a(curves)}${fig5b(curves)}`);
    } else {
      const c = this.curves(dir, name);
      if (c && 'error' in c) parts.push(errorRow(c.error));
      else if (c) parts.push(`<p>${c.points.length} episodes. ${info.hasModel ? `<a href="/episode?policy=${encodeURIComponent(name)}">Replay the trained policy on the round trip</a>.` : ''}</p>${fig5a([c])}${fig5b([c])}`);
      else parts.push('<p>This folder has no metrics.jsonl or summary.json.</p>');
    }
    return page(`Run ${name}`, parts.join('\n'));
  }

  private episodePage(scenarioName: string, policy: string, seed: number, ep: { metrics: PolicyMetrics; trace: TraceStep[]; scenario: ResolvedScenario }): string {
    const models = this.listRuns().filter((r) => r.hasModel || r.kind === 'reproduce').map((r) => r.name);
    const opt = (v: string, cur: string) => `<option value="${escapeHtml(v)}"${v === cur ? ' selected' : ''}>${escapeHtml(v)}</option>`;
    const form = `<form method="get" action="/episode">
<label>Scenario <select name="scenario">${scenarioNames().map((s) => opt(s, scenarioName)).join('')}</select></label>
<label>Policy <select name="policy">${[...baselineNames(), ...models].map((s) => opt(s, policy)).join('')}</select></label>
<label>Seed <input name="seed" type="number" min="0" value="${seed}" style="width:7em"></label><button type="submit">Run</button></form>`;
    const sc = ep.scenario;
    const svg = fig6(ep.trace, { policy, stepSeconds: sc.spec.stepSeconds, rttMaxMs: sc.spec.sla.rttMs.max, loadMax: sc.spec.sla.load.max, nodes: sc.nodeX.length });
    const decisions = ep.trace
      .filter((s) => s.action !== 0)
      .map((s) => `<tr><td class="n">${s.t}</td><td class="n">${(s.t * sc.spec.stepSeconds).toFixed(0)}</td><td class="n">${s.node}</td><td>${s.action === s.node ? 'self (wait)' : `migrate to node ${s.action}`}</td><td class="n">${s.rttMs.map((x) => x.toFixed(1)).join(' / ')}</td><td class="n">${s.load.map((x) => x.toFixed(2)).join(' / ')}</td><td class="n">${s.reward.toFixed(3)}</td></tr>`)
      .join('\n');
    return page(`Episode: ${policy} on ${scenarioName}`, `${form}${metricsTable([ep.metrics])}${svg}
<h2>Decisions</h2><table><thead><tr><th>step</th><th>time [s]</th><th>on node</th><th>action</th><th>RTT per node [ms]</th><th>load per node</th><th>reward</th></tr></thead><tbody>${decisions || '<tr><td colspan="7">no migrations</td></tr>'}</tbody></table>`);
  }
}
