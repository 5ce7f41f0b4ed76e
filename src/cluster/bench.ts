/**
 * `remora bench controller`: the fleet path's cost per tick.
 *
 * - **decide phase** (`decideMsPerTick`): gates, the observation matrix, one batched scoring pass and the
 *   coordinated step over a synthetic metro edge ({@link syntheticFleet}), in memory, no API I/O: the median over
 *   `ticks` ticks after two warm-up ticks, RTT samples refreshed between ticks (outside the timing). Goal ≤ 100 ms
 *   at 10k users × 100 nodes on one core (the controller is one Node thread).
 * - **full tick** (`fullTickMs`): the same fleet as real objects on a real kube-apiserver (the test harness,
 *   src/cluster/testing), the controller's whole tick: node list, in-flight reads, the cache's snapshot, the load
 *   and batch RTT reads, decide, Events and migration starts. Median of the steady ticks (from the third on; the
 *   first lists into the cache and records every first deferral Event). Goal ≤ 1 s. Omitted, with one stderr line
 *   saying why, when no apiserver can be had.
 * - **sharded** (`--shards N`): the workloads split by the controller's own hash (shard.ts); the decide phase timed
 *   per shard over its range (`decideMsPerShard`), and N sharded controllers (each with its shard's Lease and the
 *   shared budget) ticking in turn on the apiserver (`fullTickMsPerShard`). In production each shard is its own
 *   process on its own core; here they share this one, so a shard's figure is its own tick alone.
 */
import type { BulkScorer } from './bulk-score.js';
import { decideFleet, FleetScratch, type FleetView } from './bulk-decide.js';
import { parseControllerConfig, type ControllerConfig } from './config.js';
import { Controller } from './controller.js';
import { KubeEventRecorder } from './events.js';
import { silentLogger } from './log.js';
import { ControllerMetrics } from './metrics.js';
import { RecreateMigrator } from './migrate/pod.js';
import type { Workload } from './migrate/types.js';
import { HttpJsonRtt } from './observe/http-json.js';
import { MetricsServerLoad } from './observe/metrics-server.js';
import { RttTable } from './observe/rtt-table.js';
import { systemClock, type Clock, type Timed } from './observe/types.js';
import { ControlPlane, crdFiles, ensureBinaries } from './testing/control-plane.js';
import { BatchRttServer, createFleetNodes, createFleetPods, fleetPod, markFleetPodsReady, syntheticFleet, writeFleetNodeMetrics, type SyntheticFleet } from './testing/fleet.js';
import { nodeLoad } from '../core/reward.js';
import { shardOf } from './shard.js';
import { workloadKey } from './workload-key.js';

export interface BenchControllerOptions {
  users: number;
  nodes: number;
  /** Measured ticks (after warm-up). */
  ticks: number;
  seed: number;
  scorer: BulkScorer;
  /** Skip the apiserver part. */
  decideOnly: boolean;
  /** Progress lines (stderr). */
  log: (line: string) => void;
  /** Shards the workloads are split over (1: unsharded). */
  shards?: number;
}

export interface BenchControllerResult {
  users: number;
  nodes: number;
  /** Median CPU time of the decide phase (the process's, ≈ one core: the controller is one thread). */
  decideMsPerTick: number;
  /** Median wall time of the same (inflated when other work shares the cores). */
  decideWallMsPerTick: number;
  fullTickMs?: number;
  /** The controller process's CPU time of the same ticks (the apiserver and etcd run in their own processes). */
  fullTickCpuMs?: number;
  policy: string;
  /** Per decide tick: workloads scored and moves accepted (the rest of the wishes were deferred). */
  scored: number;
  moves: number;
  deferred: Record<string, number>;
  /** The first full tick (list into the cache, first Events), ms. */
  coldTickMs?: number;
  /** Creating the objects on the apiserver, s. */
  setupS?: number;
  /** Sharded: workloads per shard, and the medians per shard (decideMsPerTick / fullTickMs are then the largest). */
  shardSizes?: number[];
  decideMsPerShard?: number[];
  fullTickMsPerShard?: number[];
}

/** Node cores in the synthetic fleet: 10k workloads of 250m over 100 nodes use 39 % of 64 cores each. */
const NODE_CPU = 64;
const WORKLOAD_MILLIS = 250;
const TICK_MS = 5000;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : Number.NaN;
};

function benchConfig(fleet: SyntheticFleet, extra: { rttUrl: string; namespace?: string; sharded?: boolean }): ControllerConfig {
  return parseControllerConfig(
    {
      namespace: 'default',
      nodes: fleet.nodes,
      tickMs: TICK_MS,
      workloads: { namespaces: extra.namespace ? [extra.namespace] : [], kinds: ['pod'] },
      observation: { maxAgeMs: 60_000, rttWindow: 1, rtt: { source: 'http-json', url: `${extra.rttUrl}?user={user}`, batchUrl: extra.rttUrl, timeoutMs: 30_000 } },
      migration: { maxConcurrent: 5, cooldownMs: 60_000 },
      fleet: { enabled: true },
      leaderElection: { enabled: extra.sharded === true, leaseName: 'remora-bench' },
      metrics: { port: 0, bindAddress: '127.0.0.1' },
    },
    'bench controller',
  );
}

/** Background utilisation of each node (cpu, mem), fixed per node from the seed. */
function utilisation(fleet: SyntheticFleet): Map<string, [number, number]> {
  return new Map(fleet.nodes.map((n, j) => [n, [0.2 + ((j * 37) % 50) / 100, 0.3 + ((j * 53) % 40) / 100]]));
}

/** The decide phase per shard: each over the workloads of its range (one shard: all of them). */
export function benchDecideShards(fleet: SyntheticFleet, o: Pick<BenchControllerOptions, 'ticks' | 'scorer' | 'shards'>): ReturnType<typeof benchDecide> & { shardSizes: number[]; decideMsPerShard: number[] } {
  const n = o.shards ?? 1;
  const parts = Array.from({ length: n }, (_, i) => fleet.users.filter((u) => shardOf(workloadKey('pod', 'bench', u.name), n) === i));
  const runs = parts.map((users) => benchDecide(fleet, o, users));
  const worst = runs.reduce((a, b) => (b.decideMsPerTick > a.decideMsPerTick ? b : a));
  return { ...worst, shardSizes: parts.map((p) => p.length), decideMsPerShard: runs.map((r) => r.decideMsPerTick) };
}

export function benchDecide(fleet: SyntheticFleet, o: Pick<BenchControllerOptions, 'ticks' | 'scorer'>, only?: readonly SyntheticFleet['users'][number][]): { decideMsPerTick: number; decideWallMsPerTick: number; scored: number; moves: number; deferred: Record<string, number> } {
  const config = benchConfig(fleet, { rttUrl: 'http://127.0.0.1:1/unused' });
  const N = fleet.nodes.length;
  const index = new Map(fleet.users.map((u, i) => [u, i]));
  const mine = only ?? fleet.users;
  const workloads: Workload[] = mine.map((u) => {
    const pod = fleetPod('bench', u) as { metadata: Workload['object']['metadata'] };
    return { kind: 'pod', namespace: 'bench', name: u.name, user: u.user, node: u.node, object: { ...pod, metadata: { ...pod.metadata, uid: u.name, resourceVersion: '1' } } };
  });
  const table = new RttTable(fleet.nodes, config.observation.rttWindow);
  const util = utilisation(fleet);
  const scratch = new FleetScratch();
  let now = Date.parse('2026-06-01T12:00:00Z');
  const times: number[] = [];
  const walls: number[] = [];
  let last = { scored: 0, moves: 0, deferred: {} as Record<string, number> };
  for (let tick = 0; tick < o.ticks + 2; tick++) {
    now += TICK_MS;
    // Fresh samples (a small per-tick wobble) and loads: the observe phase, not timed.
    for (const x of mine) {
      const u = index.get(x)!;
      const s = table.slot(x.user);
      for (let j = 0; j < N; j++) table.push(s, j, fleet.rttMs[u * N + j]! * (1 + 0.01 * (((u + j + tick) % 7) - 3)), now);
    }
    const loads = new Map<string, Timed>(fleet.nodes.map((n) => [n, { value: nodeLoad(...util.get(n)!), atMs: now }]));
    const view: FleetView = { nowMs: now, loads, readyNodes: new Set(fleet.nodes), inFlight: new Map(), capacityMillis: fleet.nodes.map(() => NODE_CPU * 1000) };
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const d = decideFleet(workloads, table, view, config, o.scorer, scratch);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (tick >= 2) {
      times.push((c.user + c.system) / 1000);
      walls.push(ms);
    }
    last = { scored: d.scored, moves: d.moves.length, deferred: d.deferred };
  }
  return { decideMsPerTick: +median(times).toFixed(2), decideWallMsPerTick: +median(walls).toFixed(2), ...last };
}

/** The full tick against a real kube-apiserver; a string says why it could not run. */
export async function benchFullTick(fleet: SyntheticFleet, o: BenchControllerOptions): Promise<{ fullTickMs: number; fullTickCpuMs: number; coldTickMs: number; setupS: number; fullTickMsPerShard?: number[] } | string> {
  const bins = ensureBinaries();
  if (typeof bins === 'string') return bins;
  const plane = new ControlPlane(bins);
  const rows = new Map(fleet.users.map((u, i) => [u.user, fleet.rttMs.subarray(i * fleet.nodes.length, (i + 1) * fleet.nodes.length)]));
  const rtt = new BatchRttServer(systemClock, (user) => rows.get(user));
  const ctrls: Controller[] = [];
  try {
    const t0 = Date.now();
    try {
      await plane.start();
      await plane.applyFiles(crdFiles());
    } catch (e) {
      return `the control plane did not start: ${(e as Error).message.split('\n')[0]}`;
    }
    o.log(`bench controller: kube-apiserver ${plane.version} up; creating ${fleet.nodes.length} nodes and ${fleet.users.length} pods`);
    const admin = plane.admin;
    const ns = 'bench';
    await admin.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    await createFleetNodes(admin, fleet.nodes, NODE_CPU, 16);
    await createFleetPods(admin, ns, fleet.users, 32, (done) => o.log(`bench controller: ${done}/${fleet.users.length} pods`));
    await markFleetPodsReady(admin, ns, fleet.users, Date.now(), 32);
    const setupS = (Date.now() - t0) / 1000;
    await rtt.start();
    const shards = o.shards ?? 1;
    const config = benchConfig(fleet, { rttUrl: rtt.url, namespace: ns, sharded: shards > 1 });
    const clock: Clock = systemClock;
    const source = new HttpJsonRtt({ url: config.observation.rtt.source === 'http-json' ? config.observation.rtt.url : '', batchUrl: rtt.url, timeoutMs: 30_000 }, clock);
    for (let i = 0; i < shards; i++) ctrls.push(new Controller({
      client: admin,
      config,
      clock,
      newPolicy: () => ({ name: 'unused', reset() {}, act: () => 0 }),
      load: new MetricsServerLoad(admin),
      rtt: source,
      batchRtt: source,
      scorer: o.scorer,
      migrators: { pod: new RecreateMigrator(admin) },
      events: new KubeEventRecorder(admin, clock, 'remora-controller', `bench-${i}`),
      logger: silentLogger,
      metrics: new ControllerMetrics(),
      identity: `bench-${i}`,
      ...(shards > 1 ? { shard: { count: shards, index: i } } : {}),
    }));
    const util = utilisation(fleet);
    // The users each shard asks the RTT endpoint about, so their answers are serialised outside the timing.
    const groups = Array.from({ length: shards }, (_, i) => [...new Set(fleet.users.filter((u) => shards === 1 || shardOf(workloadKey('pod', ns, u.name), shards) === i).map((u) => u.user))]);
    const times: number[][] = ctrls.map(() => []);
    const cpus: number[][] = ctrls.map(() => []);
    let cold = Number.NaN;
    for (let tick = 0; tick < o.ticks + 2; tick++) {
      // What the cluster does between ticks (metrics-server refreshes, the RTT endpoint measures): not timed.
      await writeFleetNodeMetrics(admin, fleet.nodes, (n) => util.get(n)!, NODE_CPU, clock.nowMs(), 16);
      rtt.freeze(groups);
      for (const [i, ctrl] of ctrls.entries()) {
        if (shards > 1) await ctrl.membership.round(); // the shard Leases: not part of the tick's figure
        const c1 = process.cpuUsage();
        const t1 = performance.now();
        const r = await ctrl.tick();
        const ms = performance.now() - t1;
        const c = process.cpuUsage(c1);
        if (tick === 0) cold = Math.max(Number.isNaN(cold) ? 0 : cold, ms);
        if (tick >= 2) {
          times[i]!.push(ms);
          cpus[i]!.push((c.user + c.system) / 1000);
        }
        o.log(`bench controller: tick ${tick + 1}${shards > 1 ? ` shard ${i} (ranges ${r.shards?.join(',')}, ${r.decisions.length} workloads)` : ''}: ${ms.toFixed(0)} ms (${Object.entries(r.phasesMs ?? {}).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')} ms; ${r.started.length} started, ${r.inFlight} in flight)`);
      }
    }
    const perShard = times.map((t) => +median(t).toFixed(1));
    const worst = perShard.indexOf(Math.max(...perShard));
    return { fullTickMs: perShard[worst]!, fullTickCpuMs: +median(cpus[worst]!).toFixed(1), coldTickMs: +cold.toFixed(0), setupS: +setupS.toFixed(1), ...(shards > 1 ? { fullTickMsPerShard: perShard } : {}) };
  } finally {
    for (const c of ctrls) await c.stop();
    await rtt.stop();
    await plane.stop();
  }
}

export async function benchController(o: BenchControllerOptions, warn: (line: string) => void): Promise<BenchControllerResult> {
  const fleet = syntheticFleet({ users: o.users, nodes: o.nodes, seed: o.seed, misplaced: 0.1, cpuMillis: WORKLOAD_MILLIS });
  const d = benchDecideShards(fleet, o);
  const out: BenchControllerResult = { users: o.users, nodes: o.nodes, decideMsPerTick: d.decideMsPerTick, decideWallMsPerTick: d.decideWallMsPerTick, policy: o.scorer.name, scored: d.scored, moves: d.moves, deferred: d.deferred, ...((o.shards ?? 1) > 1 ? { shardSizes: d.shardSizes, decideMsPerShard: d.decideMsPerShard } : {}) };
  if (o.decideOnly) return out;
  const full = await benchFullTick(fleet, o);
  if (typeof full === 'string') warn(`bench controller: fullTickMs omitted: no kube-apiserver (${full})`);
  else Object.assign(out, full);
  return out;
}
