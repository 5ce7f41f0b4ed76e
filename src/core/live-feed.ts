/**
 * The live view of a running controller: one in-process object that the producer
 * (the controller, and the lab for the route) writes to and the dashboard's live page reads and streams. It is
 * passed in to both, never global. It holds the current state only, bounded: each timeline keeps the last
 * `maxPoints` points, and the decision and migration logs their last `maxDecisions` / `maxMigrations` entries.
 *
 * It lives in core because two layers meet here that may not import each other (cluster produces, server
 * consumes); it has no I/O and no timers. Subscribers are called synchronously after each change, once per
 * {@link LiveFeed.batch}, with the snapshot's new sequence number; they read {@link LiveFeed.snapshot} when
 * they are ready to (the page's stream coalesces).
 */

export interface LiveNode {
  name: string;
  ready: boolean;
  /** Workloads served on this node (`namespace/name`). */
  workloads: string[];
}

export interface LivePoint {
  atMs: number;
  value: number;
}

export interface LiveSeries {
  node: string;
  /** RTT series are per user (the UE whose RTT drives the workload); load series have none. */
  user?: string;
  points: LivePoint[];
}

export interface LiveDecision {
  atMs: number;
  workload: string;
  /** Node the workload ran on when it was decided. */
  node: string;
  /** What the controller did: 0 = Wait, j = migrate to node j (1-based). */
  action: number;
  /** Target node name when action > 0. */
  target?: string;
  /** What the policy chose, when it was asked. */
  policyAction?: number;
  /** The controller's decision reason (`policy`, `cooldown`, `invalid-observation`, ...). */
  reason: string;
  detail?: string;
  /** The gate that allowed the migration, or the one that made the controller wait. */
  gate: string;
}

export type LiveMigrationState = 'in-flight' | 'succeeded' | 'failed' | 'timeout' | 'cancelled';

export interface LiveMigration {
  id: string;
  workload: string;
  from: string;
  to: string;
  backend: string;
  state: LiveMigrationState;
  /** The backend's phase while in flight (a pod's phase, a VMIM's phase). */
  phase: string;
  startedAtMs: number;
  updatedAtMs: number;
  reason?: string;
  durationMs?: number;
}

export interface LivePosition {
  x: number;
  y: number;
}

/** One position of the UE's trail, with the node that served it while it was there (when known). */
export interface LiveTrailPoint extends LivePosition {
  atMs: number;
  serving?: string;
}

/** The route as a map: antennas (one per edge node), the road, and the UE. Units are the producer's (say which). */
export interface LiveRoute {
  units: string;
  antennas: (LivePosition & { node: string })[];
  path: LivePosition[];
  ue?: LivePosition & { atMs: number };
  /**
   * The workload that follows this UE: the node serving it is the one whose workloads include it. Default: the
   * only workload, when the nodes serve exactly one.
   */
  workload?: string;
  /**
   * Where the UE has been (the last `maxPoints` positions, oldest first; kept by the feed from {@link
   * LiveFeed.moveUe}). Each point's `serving` is the node that served the UE's workload while the UE was there:
   * set when the UE arrives, and updated by {@link LiveFeed.setNodes} until it moves on.
   */
  trail?: LiveTrailPoint[];
}

export interface LiveSnapshot {
  title: string;
  /** Increases with every change. */
  seq: number;
  updatedAtMs: number;
  nodes: LiveNode[];
  rtt: LiveSeries[];
  load: LiveSeries[];
  decisions: LiveDecision[];
  migrations: LiveMigration[];
  route?: LiveRoute;
}

export interface LiveFeedOptions {
  title: string;
  clock: { nowMs(): number };
  /** Points kept per timeline (default 600). */
  maxPoints?: number;
  /** Decisions kept (default 200). */
  maxDecisions?: number;
  /** Migrations kept (default 50); in-flight ones are never dropped. */
  maxMigrations?: number;
}

export class LiveFeed {
  private readonly s: LiveSnapshot;
  private readonly subs = new Set<(seq: number) => void>();
  private depth = 0;
  private dirty = false;

  constructor(private readonly o: LiveFeedOptions) {
    this.s = { title: o.title, seq: 0, updatedAtMs: o.clock.nowMs(), nodes: [], rtt: [], load: [], decisions: [], migrations: [] };
  }

  /** A copy of the current state (safe to serialise or keep). */
  snapshot(): LiveSnapshot {
    return structuredClone(this.s);
  }

  get seq(): number {
    return this.s.seq;
  }

  /** `fn(seq)` after every change; returns the unsubscribe function. */
  subscribe(fn: (seq: number) => void): () => void {
    this.subs.add(fn);
    return () => void this.subs.delete(fn);
  }

  /** Several changes, one notification. */
  batch(fn: () => void): void {
    this.depth++;
    try {
      fn();
    } finally {
      this.depth--;
      if (this.depth === 0 && this.dirty) this.notify();
    }
  }

  setNodes(nodes: readonly LiveNode[]): void {
    this.s.nodes = nodes.map((n) => ({ name: n.name, ready: n.ready, workloads: [...n.workloads].sort() }));
    const last = this.s.route?.trail?.at(-1);
    if (last) setServing(last, this.servingNode());
    this.changed();
  }

  /** The node serving the route's workload (see {@link LiveRoute.workload}), if one does. */
  servingNode(): string | undefined {
    const w = this.s.route?.workload;
    if (w !== undefined) return this.s.nodes.find((n) => n.workloads.includes(w))?.name;
    const hosts = this.s.nodes.filter((n) => n.workloads.length > 0);
    return hosts.length === 1 && hosts[0]!.workloads.length === 1 ? hosts[0]!.name : undefined;
  }

  /** Append a measurement; one not newer than the series' last point is a repeat and is ignored. */
  addPoint(kind: 'rtt' | 'load', node: string, user: string | undefined, p: LivePoint): void {
    const list = kind === 'rtt' ? this.s.rtt : this.s.load;
    let series = list.find((x) => x.node === node && x.user === user);
    if (!series) {
      series = user === undefined ? { node, points: [] } : { node, user, points: [] };
      list.push(series);
    }
    const last = series.points.at(-1);
    if (last && !(p.atMs > last.atMs)) return;
    series.points.push({ atMs: p.atMs, value: p.value });
    const max = this.o.maxPoints ?? 600;
    if (series.points.length > max) series.points.splice(0, series.points.length - max);
    this.changed();
  }

  addDecision(d: LiveDecision): void {
    this.s.decisions.push({ ...d });
    const max = this.o.maxDecisions ?? 200;
    if (this.s.decisions.length > max) this.s.decisions.splice(0, this.s.decisions.length - max);
    this.changed();
  }

  /** Create or update a migration by id (fields not given keep their value). */
  upsertMigration(m: Partial<LiveMigration> & Pick<LiveMigration, 'id'>): void {
    const now = this.o.clock.nowMs();
    const i = this.s.migrations.findIndex((x) => x.id === m.id);
    const base: LiveMigration = i >= 0 ? this.s.migrations[i]! : { id: m.id, workload: '', from: '', to: '', backend: '', state: 'in-flight', phase: '', startedAtMs: now, updatedAtMs: now };
    const next: LiveMigration = { ...base, ...Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)), updatedAtMs: now };
    if (i >= 0) this.s.migrations[i] = next;
    else this.s.migrations.push(next);
    const max = this.o.maxMigrations ?? 50;
    while (this.s.migrations.length > max) {
      const j = this.s.migrations.findIndex((x) => x.state !== 'in-flight');
      if (j < 0) break;
      this.s.migrations.splice(j, 1);
    }
    this.changed();
  }

  setRoute(r: LiveRoute): void {
    this.s.route = structuredClone(r);
    const ue = this.s.route.ue;
    this.s.route.trail = ue ? [setServing({ x: ue.x, y: ue.y, atMs: ue.atMs }, this.servingNode())] : [];
    this.changed();
  }

  moveUe(p: LivePosition & { atMs: number }): void {
    if (!this.s.route) return;
    this.s.route.ue = { x: p.x, y: p.y, atMs: p.atMs };
    const trail = (this.s.route.trail ??= []);
    trail.push(setServing({ x: p.x, y: p.y, atMs: p.atMs }, this.servingNode()));
    const max = this.o.maxPoints ?? 600;
    if (trail.length > max) trail.splice(0, trail.length - max);
    this.changed();
  }

  private changed(): void {
    this.s.seq++;
    this.s.updatedAtMs = this.o.clock.nowMs();
    this.dirty = true;
    if (this.depth === 0) this.notify();
  }

  private notify(): void {
    this.dirty = false;
    for (const fn of [...this.subs]) fn(this.s.seq);
  }
}

function setServing(p: LiveTrailPoint, serving: string | undefined): LiveTrailPoint {
  if (serving === undefined) delete p.serving;
  else p.serving = serving;
  return p;
}
