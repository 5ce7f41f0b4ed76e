/**
 * A minimal Prometheus text-format registry (counters, gauges, histograms with labels) and the controller's
 * metric set. No global registry: the controller owns one instance.
 */
import * as http from 'node:http';

type Labels = Record<string, string>;
const key = (l: Labels): string => JSON.stringify(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const fmtLabels = (l: Labels, extra?: [string, string]): string => {
  const e = Object.entries(l);
  if (extra) e.push(extra);
  return e.length ? `{${e.map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}` : '';
};
const fmtNum = (v: number): string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; v: number }>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    const e = this.values.get(k) ?? { labels, v: 0 };
    e.v += by;
    this.values.set(k, e);
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels))?.v ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, v } of this.values.values()) lines.push(`${this.name}${fmtLabels(labels)} ${fmtNum(v)}`);
    return lines.join('\n');
  }
}

export class Gauge implements Metric {
  private readonly values = new Map<string, { labels: Labels; v: number }>();
  constructor(readonly name: string, readonly help: string) {}
  set(labels: Labels, v: number): void {
    this.values.set(key(labels), { labels, v });
  }
  /** Drop one series (its object is gone), so per-object label sets do not grow without bound. */
  delete(labels: Labels): void {
    this.values.delete(key(labels));
  }
  get(labels: Labels = {}): number | undefined {
    return this.values.get(key(labels))?.v;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const { labels, v } of this.values.values()) lines.push(`${this.name}${fmtLabels(labels)} ${fmtNum(v)}`);
    return lines.join('\n');
  }
}

export class Histogram implements Metric {
  private readonly values = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}
  observe(labels: Labels, v: number): void {
    const k = key(labels);
    const e = this.values.get(k) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) e.counts[i]!++;
    e.sum += v;
    e.count++;
    this.values.set(k, e);
  }
  count(labels: Labels = {}): number {
    return this.values.get(key(labels))?.count ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.values.values()) {
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${fmtLabels(labels, ['le', fmtNum(b)])} ${counts[i]}`));
      lines.push(`${this.name}_bucket${fmtLabels(labels, ['le', '+Inf'])} ${count}`);
      lines.push(`${this.name}_sum${fmtLabels(labels)} ${fmtNum(sum)}`);
      lines.push(`${this.name}_count${fmtLabels(labels)} ${count}`);
    }
    return lines.join('\n');
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  register<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }
  render(): string {
    return this.metrics.map((m) => m.render()).join('\n') + '\n';
  }
}

/** The controller's metrics (names are part of the deploy contract; dashboards use them). */
export class ControllerMetrics {
  readonly registry = new Registry();
  readonly decisions = this.registry.register(new Counter('remora_decisions_total', 'Policy decisions by action taken (wait|migrate) and reason.'));
  readonly migrations = this.registry.register(new Counter('remora_migrations_total', 'Migrations finished, by workload kind, backend and result.'));
  readonly migrationsStarted = this.registry.register(new Counter('remora_migrations_started_total', 'Migrations started, by workload kind and backend.'));
  readonly migrationDuration = this.registry.register(
    new Histogram('remora_migration_duration_seconds', 'Migration duration (from KubeVirt timestamps where available).', [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600]),
  );
  readonly observationAge = this.registry.register(new Gauge('remora_observation_age_seconds', 'Age of the oldest component of the last observation, per workload.'));
  readonly inFlight = this.registry.register(new Gauge('remora_migrations_in_flight', 'Migrations in flight (cluster-wide).'));
  readonly ticks = this.registry.register(new Counter('remora_ticks_total', 'Controller ticks run while leader.'));
  readonly isLeader = this.registry.register(new Gauge('remora_leader', '1 when this replica holds the lease.'));
  readonly errors = this.registry.register(new Counter('remora_errors_total', 'Errors by stage.'));
  readonly deferred = this.registry.register(
    new Counter('remora_migrations_deferred_total', 'Wished migrations the fleet path deferred this tick, by reason (cluster-cap|node-cap|capacity).'),
  );
  readonly decidePhase = this.registry.register(new Gauge('remora_decide_phase_seconds', 'Duration of the last fleet tick\'s decide phase (gates, batched scoring, coordination; no API I/O).'));
  readonly checkpointUnavailable = this.registry.register(
    new Counter('remora_checkpoint_unavailable_total', 'Checkpoint migrations whose source node could not checkpoint, by node and outcome (fallback-recreate|not-migrated).'),
  );
}

/** Serves `/metrics`, `/healthz` and `/readyz`. Returns the bound port. */
export async function serveMetrics(metrics: ControllerMetrics, port: number, host: string, ready: () => boolean): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(metrics.registry.render());
    } else if (req.url === '/healthz') {
      res.writeHead(200).end('ok');
    } else if (req.url === '/readyz') {
      const ok = ready();
      res.writeHead(ok ? 200 : 503).end(ok ? 'ok' : 'not ready');
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
