/**
 * The web dashboard: a small HTTP server (node:http, no framework) that shows what people would rather see than
 * read. Every page is server-rendered HTML with inline SVG from the report's figures, so it works offline and
 * needs no front-end build.
 *
 * - `/`                 every run under the runs directory, nested ones included (runs.ts)
 * - `/run/<path>`       one run: a training run's curves (live over SSE while it trains), a reproduce output's
 *                       tables and figures, a sweep's per-seed points, IQM and CI per scenario (run-pages.ts)
 * - `/episode?...`      any policy on any scenario: the map, the Fig. 6 timeline and the decision log
 *                       (`scenario`, `policy` = baseline name or the path of a run with a model.json, `seed`)
 * - `/api/runs`, `/api/episode?...`, `/api/curves?run=`   the same data as JSON
 * - `/api/curves/stream?run=`   Server-Sent Events: a training run's curves as its metrics.jsonl grows
 * - `/live`, `/api/live`, `/api/live/stream`   a running controller's or lab's live view, when started with one
 *                       (`live`; see live.ts)
 * Bad parameters get a 400 and an unknown run a 404, each with one line naming the parameter, expected and actual.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { RemoraError } from '../core/errors.js';
import { evaluatePolicy, roundMetrics } from '../experiments/evaluate/evaluate.js';
import { escapeHtml } from '../experiments/report/html.js';
import { baselineNames, resolvePolicy } from '../experiments/policies.js';
import { loadScenario, scenarioNames, type ResolvedScenario } from '../twin/index.js';
import type { LiveFeed } from '../core/live-feed.js';
import { CurveStreams, type CurveStreamOptions } from './curve-stream.js';
import { episodeBody, episodeForm, type Episode } from './episode-page.js';
import { LiveRoutes } from './live.js';
import { page } from './page.js';
import { fleetSweepBody, indexBody, reproduceBody, sweepBody, totalStepsOf, trainBody, trainSections } from './run-pages.js';
import { resolveRun, RunNotFound, RunStore, type RunInfo } from './runs.js';

export type { RunInfo } from './runs.js';

export interface DashboardOptions {
  /** Folder whose sub-folders are runs (each with metrics.jsonl and/or summary.json). */
  runsDir: string;
  /** Port (0 = any free port). */
  port: number;
  host?: string;
  /** A running controller's or lab's live view: serves `/live`, `/api/live` and `/api/live/stream` (live.ts). */
  live?: LiveFeed;
  /** How the live training curves follow metrics.jsonl (curve-stream.ts). */
  curves?: CurveStreamOptions;
  /** Clock for "modified … ago" (default Date.now). */
  nowMs?: () => number;
}

class BadRequest extends RemoraError {
  constructor(param: string, expected: string, actual: string) {
    super('E_HTTP', `${param}: expected ${expected}, got ${actual}`);
  }
}

export class Dashboard {
  private server: Server | undefined;
  private readonly runsDir: string;
  private readonly store: RunStore;
  private readonly scenarios = new Map<string, ResolvedScenario>();
  private readonly traceCache = new Map();
  private readonly live: LiveRoutes | undefined;
  /** The live training curves' streams (exposed for tests: `curves.following`). */
  readonly curves: CurveStreams;

  constructor(private readonly opts: DashboardOptions) {
    this.runsDir = resolve(opts.runsDir);
    this.store = new RunStore(this.runsDir);
    this.live = opts.live ? new LiveRoutes(opts.live) : undefined;
    this.curves = new CurveStreams(opts.curves);
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
    this.curves.close();
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Every run and group under the runs directory, nested ones included (runs.ts). */
  listRuns(): RunInfo[] {
    return this.store.list();
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

  /** One episode of `policy` on `scenario` (a baseline, or a run folder holding model.json). */
  async episode(scenarioName: string, policySpec: string, seed: number): Promise<Episode> {
    const sc = this.scenario(scenarioName);
    let spec = policySpec;
    if (!baselineNames().includes(policySpec)) {
      const bad = () => new BadRequest('policy', `a baseline (${baselineNames().join(', ')}) or a run with a model.json`, JSON.stringify(policySpec));
      let dir: string;
      try {
        dir = resolveRun(this.runsDir, policySpec);
      } catch (e) {
        if (e instanceof RunNotFound) throw bad();
        throw e;
      }
      // A reproduce output replays its paper DQN.
      const model = [join(dir, 'model.json'), join(dir, 'dqn', 'model.json')].find((f) => existsSync(f));
      if (!model) throw bad();
      spec = model;
    }
    const policy = await resolvePolicy(spec, { seed, scenario: sc }, this.runsDir);
    const ev = evaluatePolicy(policy, sc, { episodes: 1, seed, recordFirstEpisode: true });
    return { metrics: roundMetrics({ ...ev.metrics, policy: policySpec }), trace: ev.trace!, scenario: sc };
  }

  private runParam(url: URL): { name: string; dir: string } {
    const name = url.searchParams.get('run') ?? '';
    return { name, dir: resolveRun(this.runsDir, name) };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      res.end(body);
    };
    try {
      if (req.method !== 'GET') return send(405, 'text/plain', 'method: expected GET\n');
      // Dot segments are judged on the path as sent: URL parsing would resolve `/run/a/../..` to `/` first.
      const raw = (req.url ?? '/').split('?')[0]!;
      const p = raw.startsWith('/run/') ? raw : url.pathname;
      if (this.live?.handle(req, res, p)) return;
      if (p === '/live') return send(404, 'text/html', page('Live', '<p>This dashboard was started without a live controller or lab (see src/server/README.md).</p>'));
      if (p === '/api/runs') return send(200, 'application/json', JSON.stringify(this.listRuns()));
      if (p === '/' || p === '/index.html') return send(200, 'text/html', page('Runs', indexBody(this.runsDir, this.listRuns(), (this.opts.nowMs ?? Date.now)())));
      if (p.startsWith('/run/')) {
        let name: string;
        try {
          name = decodeURIComponent(p.slice(5)).replace(/\/+$/, '');
        } catch {
          throw new RunNotFound(this.runsDir, p.slice(5));
        }
        return send(200, 'text/html', this.runPage(name, resolveRun(this.runsDir, name)));
      }
      if (p === '/api/curves') {
        const { dir } = this.runParam(url);
        const c = this.store.curve(dir);
        return send(200, 'application/json', JSON.stringify(c === undefined ? { points: [] } : 'error' in c ? c : { points: c }));
      }
      if (p === '/api/curves/stream') {
        const { name, dir } = this.runParam(url);
        const total = totalStepsOf(dir);
        this.curves.serve(req, res, dir, (points, error) => trainSections(name.split('/').at(-1)!, points, error, total));
        return;
      }
      if (p === '/episode' || p === '/api/episode') {
        const scenarioName = url.searchParams.get('scenario') ?? 'sr111-roundtrip';
        const policy = url.searchParams.get('policy') ?? 'oracle';
        const seedRaw = url.searchParams.get('seed') ?? '1000';
        const seed = Number(seedRaw);
        if (!Number.isInteger(seed) || seed < 0) throw new BadRequest('seed', 'an integer >= 0', JSON.stringify(seedRaw));
        const ep = await this.episode(scenarioName, policy, seed);
        if (p === '/api/episode') return send(200, 'application/json', JSON.stringify({ metrics: ep.metrics, trace: ep.trace }));
        const models = this.listRuns().filter((r) => r.hasModel || r.kind === 'reproduce').map((r) => r.name);
        const form = episodeForm(scenarioNames(), [...baselineNames(), ...models], scenarioName, policy, seed);
        return send(200, 'text/html', page(`Episode: ${policy} on ${scenarioName}`, episodeBody(form, policy, ep)));
      }
      send(404, 'text/html', page('Not found', `<p class="err">No page at ${escapeHtml(p)}.</p>`));
    } catch (e) {
      const msg = e instanceof RemoraError ? e.message : `internal error: ${(e as Error).message}`;
      const status = e instanceof RunNotFound ? 404 : e instanceof RemoraError ? 400 : 500;
      if (res.headersSent) return void res.end();
      if (url.pathname.startsWith('/api/')) send(status, 'application/json', JSON.stringify({ error: msg }));
      else send(status, 'text/html', page(status === 404 ? 'Not found' : 'Error', `<p class="err">${escapeHtml(msg)}</p>`));
    }
  }

  private runPage(name: string, dir: string): string {
    const depth = name.split('/').length - 1;
    const info = this.store.info(name, dir, depth ? name.split('/').slice(0, -1).join('/') : undefined, depth);
    const crumbs = name.split('/').slice(0, -1).map((_, i, a) => `<a href="/run/${a.slice(0, i + 1).map(encodeURIComponent).join('/')}">${escapeHtml(a[i]!)}</a> / `).join('');
    const trail = crumbs ? `<p class="muted">in ${crumbs}</p>` : '';
    if (info.kind === 'sweep') return page(`Sweep ${name}`, trail + sweepBody(this.store, name, this.store.sweep(dir)!));
    if (info.kind === 'fleet-sweep') return page(`Fleet sweep ${name}`, trail + fleetSweepBody(this.store, name, this.store.fleetSweep(dir)!));
    if (info.kind === 'reproduce') return page(`Reproduce ${name}`, trail + reproduceBody(this.store, name, dir, this.store.reproduce(dir)!));
    if (info.kind === 'train') return page(`Run ${name}`, trail + trainBody(this.store, name, dir, info));
    const kids = this.listRuns().filter((r) => r.parent === name);
    return page(`Runs in ${name}`, trail + (kids.length ? indexBody(dir, kids, (this.opts.nowMs ?? Date.now)()) : '<p>This folder has no metrics.jsonl, summary.json or sweep.json.</p>'));
  }
}
