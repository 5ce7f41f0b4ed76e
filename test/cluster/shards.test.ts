/**
 * The sharded controller on a real kube-apiserver: 3 shards (`remora controller --shards 3 --shard-index i`, three
 * real processes) and 30,000 pod workloads, each shard deciding the ~10,000 whose key hashes into its range.
 *
 * - **exactly one shard decides each workload**: each tick's log line names the ranges its replica held and how many
 *   workloads it decided, which must be exactly the workloads hashing into those ranges; while all three run, their
 *   ranges partition {0, 1, 2};
 * - **the caps hold across shards**: a watch on the migration targets checks, on every change, at most
 *   `migration.maxConcurrent` (5) in flight cluster-wide and `fleet.maxOutboundPerNode` (2) leaving any node;
 * - **a shard SIGKILLed mid-tick** (right after its log says a migration started, while the tick goes on) leaves no
 *   duplicate migration (no target name created twice, never two unfinished targets of one workload) and no lost
 *   workload; a survivor takes its range over once the Lease expires;
 * - **a restart re-balances**: the restarted replica asks for its range back and gets it.
 *
 * The replicas run as deploy/sharded's ServiceAccount, with its own token, so the overlay's RBAC is exactly what the
 * shards use: a missing verb fails here.
 *
 * Only the kubelet is a double, driven by a watch (target pods become Ready, deleted pods go away), so it costs
 * nothing per workload. The workloads are bare pods created 64 at a time; only the misplaced ones (those whose user
 * is nearer another node, so follow-me moves them) are marked Ready: the others never need to move.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNotFound, listAll, type KubeClient, type WatchEvent } from '../../src/cluster/kube/client.js';
import { isPodReady, LABELS, paths, type PodObject } from '../../src/cluster/kube/resources.js';
import { systemDelay, type Clock } from '../../src/cluster/observe/types.js';
import { shardOf } from '../../src/cluster/shard.js';
import { BatchRttServer, createFleetNodes, createFleetPods, markFleetPodsReady, writeFleetNodeMetrics, type FleetUser } from '../../src/cluster/testing/fleet.js';
import { spawnController, type CliProcess, type LogLine } from '../../src/cluster/testing/cli-process.js';
import { useControlPlane, waitUntil } from '../../src/cluster/testing/suite.js';
import { REPO_ROOT } from '../../src/cluster/testing/control-plane.js';
import { kustomizeBuild } from '../../src/cluster/testing/kustomize.js';
import { workloadKey } from '../../src/cluster/workload-key.js';

const NS = 'shards';
const SHARDS = 3;
const WORKLOADS = Number(process.env.REMORA_SHARD_TEST_WORKLOADS ?? 30_000);
const NODES = Array.from({ length: 10 }, (_, j) => `edge-${String(j + 1).padStart(2, '0')}`);
/** Every 97th user sits next to another node than the one serving it (97: they start on every node, not one). */
const MISPLACED_EVERY = 97;
/** Ticks per shard after the re-balance (more for the report's 100-tick figure: REMORA_SHARD_TEST_SETTLE_TICKS). */
const SETTLE_TICKS = Number(process.env.REMORA_SHARD_TEST_SETTLE_TICKS ?? 3);
const NODE_CPU = 2 * Math.ceil((WORKLOADS * 0.1) / NODES.length);
const CAP = 5;
const OUTBOUND = 2;
const TICK_MS = 2000;
const LEASE_MS = 6000;
const wall: Clock = { nowMs: () => Date.now() };

interface Proc extends CliProcess {
  name: string;
}

function spawnShard(name: string, args: string[]): Proc {
  return Object.assign(spawnController(args), { name });
}

/** A replica's `tick` log lines: the ranges it held, how many workloads it decided, what it started. */
type TickLine = LogLine & { shards?: number[]; decided?: number; started?: string[]; ms?: number; decideMs?: number };
const ticks = (p: Proc, sinceMs = 0): TickLine[] => p.lines.filter((l) => l.msg === 'tick' && l.atMs >= sinceMs) as TickLine[];
const lastHeld = (p: Proc): string => (ticks(p).at(-1)?.shards ?? []).join(',');

describe(`sharded controller (real kube-apiserver, ${SHARDS} shards, ${WORKLOADS.toLocaleString('en')} workloads)`, () => {
  const users: FleetUser[] = Array.from({ length: WORKLOADS }, (_, u) => ({ user: `ue-${u}`, name: `svc-${u}`, node: NODES[u % NODES.length]!, cpuMillis: 100 }));
  const misplaced = users.filter((_, u) => u % MISPLACED_EVERY === 0);
  const nearest = (u: number): string => (u % MISPLACED_EVERY === 0 ? NODES[(u + 1 + (u % 7)) % NODES.length]! : NODES[u % NODES.length]!);
  const rows = new Map(users.map((x, u) => [x.user, NODES.map((n, j) => (n === nearest(u) ? 2 : 12 + j))]));
  const rtt = new BatchRttServer(wall, (user) => rows.get(user));
  /** Workloads per range, from the same hash the controller uses. */
  const perRange = new Array<number>(SHARDS).fill(0);
  for (const x of users) perRange[shardOf(workloadKey('pod', NS, x.name), SHARDS)]!++;
  const stop = new AbortController();
  const background: Promise<void>[] = [];
  // The watch on migration targets: names created (name → uid), unfinished targets per workload and per source node.
  const created = new Map<string, string>();
  const recreated: string[] = [];
  const alive = new Map<string, string>(); // target name → source node
  const perWorkload = new Map<string, Set<string>>();
  const violations: string[] = [];
  let maxInFlight = 0;
  let admin!: KubeClient;
  let setupS = 0;

  const cp = useControlPlane({
    async setup(p) {
      admin = p.admin;
      const t0 = Date.now();
      await admin.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
      // What `kubectl apply -k deploy/sharded` installs: the replicas run as its ServiceAccount, with its RBAC.
      await p.applyObjects(kustomizeBuild(join(REPO_ROOT, 'deploy/sharded')));
      await createFleetNodes(admin, NODES, NODE_CPU, 10);
      await createFleetPods(admin, NS, users, 64);
      await markFleetPodsReady(admin, NS, misplaced, Date.now(), 32);
      setupS = (Date.now() - t0) / 1000;
      await rtt.start();
      // The kubelet double, driven by one watch from now on: a new target pod becomes Ready, a deleted pod goes.
      const list = await admin.request<{ metadata: { resourceVersion: string } }>('GET', paths.pods(NS), { query: { limit: 1 } });
      const onPod = (e: WatchEvent<PodObject>): void => {
        const pod = e.object;
        const m = pod.metadata;
        if (e.type === 'BOOKMARK' || e.type === 'ERROR') return;
        if (m.deletionTimestamp && e.type !== 'DELETED') void admin.request('DELETE', paths.pods(NS, m.name), { query: { gracePeriodSeconds: 0 } }).catch(() => undefined);
        else if (e.type !== 'DELETED' && m.labels?.[LABELS.role] === 'migration-target' && !isPodReady(pod)) {
          const now = new Date().toISOString();
          void admin.request('PATCH', paths.podStatus(NS, m.name), { body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } }, patchType: 'strategic' }).catch((err: unknown) => (isNotFound(err) ? undefined : violations.push(`kubelet double: ${(err as Error).message}`)));
        }
        if (!m.labels?.[LABELS.managedBy]) return;
        // The caps, counted from the cluster: unfinished targets (role label, not deleted), per source node.
        const w = m.labels[LABELS.workload] ?? '';
        const set = perWorkload.get(w) ?? new Set<string>();
        perWorkload.set(w, set);
        if (e.type === 'ADDED') {
          const seen = created.get(m.name);
          if (seen !== undefined && seen !== m.uid) recreated.push(m.name);
          created.set(m.name, m.uid!);
        }
        if (e.type === 'DELETED' || m.deletionTimestamp || m.labels[LABELS.role] !== 'migration-target') {
          set.delete(m.name);
          alive.delete(m.name);
        } else {
          set.add(m.name);
          alive.set(m.name, m.annotations?.['remora.io/source-node'] ?? '');
        }
        if (set.size > 1) violations.push(`two unfinished migrations of ${w}: ${[...set].join(', ')}`);
        maxInFlight = Math.max(maxInFlight, alive.size);
        if (alive.size > CAP) violations.push(`${alive.size} migrations in flight > ${CAP}`);
        const out = new Map<string, number>();
        for (const src of alive.values()) out.set(src, (out.get(src) ?? 0) + 1);
        for (const [n, k] of out) if (k > OUTBOUND) violations.push(`${k} migrations leaving ${n} > ${OUTBOUND}`);
      };
      let rv = list.metadata.resourceVersion;
      background.push(
        (async () => {
          while (!stop.signal.aborted) {
            try {
              await admin.watch<PodObject>(paths.pods(NS), { resourceVersion: rv, allowWatchBookmarks: 'true' }, (e) => {
                if (e.object.metadata.resourceVersion) rv = e.object.metadata.resourceVersion;
                onPod(e);
              }, stop.signal);
            } catch {
              /* re-watch from the newest version seen */
            }
          }
        })(),
        // Fresh NodeMetrics on the wall clock (the load source judges staleness).
        (async () => {
          while (!stop.signal.aborted) {
            await writeFleetNodeMetrics(admin, NODES, () => [0.3, 0.3], NODE_CPU, Date.now(), 10).catch(() => undefined);
            await systemDelay(1000, stop.signal);
          }
        })(),
      );
    },
    async teardown() {
      stop.abort();
      await Promise.all(background);
      await rtt.stop();
    },
  });

  cp.test('every workload decided by exactly one shard; caps hold across shards; a shard SIGKILLed mid-tick is taken over; a restart re-balances', async (t) => {
    const t0 = Date.now();
    const kc = join(cp.plane.dir, 'shards.kubeconfig');
    const cfg = join(cp.plane.dir, 'shards.yaml');
    // The ServiceAccount's own token: a verb the replicas use that deploy/sharded does not grant fails this test.
    cp.plane.writeKubeconfig(kc, await cp.plane.tokenFor('remora-system', 'remora-controller'));
    writeFileSync(cfg, [
      'namespace: remora-system',
      `nodes: [${NODES.join(', ')}]`,
      `tickMs: ${TICK_MS}`,
      `workloads: { namespaces: [${NS}], kinds: [pod] }`,
      `observation: { maxAgeMs: 30000, rttWindow: 1, rtt: { source: http-json, url: "${rtt.url}?user={user}", batchUrl: "${rtt.url}", timeoutMs: 20000 } }`,
      `migration: { maxConcurrent: ${CAP}, cooldownMs: 0 }`,
      `fleet: { enabled: true, maxOutboundPerNode: ${OUTBOUND} }`,
      `leaderElection: { leaseName: remora-controller, leaseDurationMs: ${LEASE_MS}, renewPeriodMs: 1000 }`,
      'metrics: { port: 0, bindAddress: 127.0.0.1 }',
    ].join('\n'));
    const start = (i: number, id: string): Proc => spawnShard(id, ['--kubeconfig', kc, '--config', cfg, '--policy', 'follow-me', '--shards', String(SHARDS), '--shard-index', String(i), '--identity', id]);
    const procs: Proc[] = [start(0, 'shard-0'), start(1, 'shard-1'), start(2, 'shard-2')];
    const live = (): Proc[] => procs.filter((p) => p.name !== 'shard-1' || !killedAt);
    let killedAt = 0;
    try {
      const fail = (what: string) => (e: unknown) => assert.fail(`${what}: ${(e as Error).message}; stderr: ${procs.map((p) => `${p.name}: ${p.stderr().slice(-400)}`).join(' | ')}; last lines: ${JSON.stringify(procs.map((p) => p.lines.slice(-2)))}`);
      // 1. All three tick on their own range.
      await waitUntil(() => procs.every((p, i) => lastHeld(p) === String(i) && ticks(p).length >= 2), 'each shard ticks on its own range', 240_000, 200).catch(fail('start'));
      // 2. Kill shard 1 right after it starts a migration: the rest of its tick never runs.
      const victim = procs[1]!;
      await waitUntil(() => victim.lines.some((l) => l.msg === 'migration started'), 'shard 1 starts a migration', 240_000, 5).catch(fail('shard 1 never started a migration'));
      victim.kill('SIGKILL');
      killedAt = Date.now();
      assert.equal(await victim.exited, null, 'killed, no graceful shutdown');
      // 3. A survivor takes range 1 over once its Lease expires.
      const takeover = await waitUntil(() => [procs[0]!, procs[2]!].map((p) => ticks(p, killedAt).find((l) => l.shards?.includes(1))).find((l) => l), 'a survivor ticks on range 1', 120_000, 50).catch(fail('takeover'));
      // From the kill to the start of the survivor's first tick on the range (the line is logged at its end).
      const takeoverMs = takeover.atMs - Number(takeover.ms) - killedAt;
      // 4. Restart: the new replica asks for range 1 back and gets it; the survivor lets go.
      const restartedAt = Date.now();
      procs.push(start(1, 'shard-1b'));
      await waitUntil(() => lastHeld(procs[3]!) === '1' && lastHeld(procs[0]!) === '0' && lastHeld(procs[2]!) === '2', 're-balanced', 120_000, 200).catch(fail('re-balance'));
      const rebalanceMs = Date.now() - restartedAt;
      // Let the moves run a while after the re-balance, under the caps.
      const settleFrom = Date.now();
      await waitUntil(() => live().every((p) => ticks(p, settleFrom).length >= SETTLE_TICKS), `${SETTLE_TICKS} more ticks each`, 60_000 + SETTLE_TICKS * 10_000, 200).catch(fail('ticks after re-balance'));

      // Exactly one shard per workload: each tick decided exactly the workloads of the ranges it held, and while
      // all ran, the ranges held partitioned the key space.
      for (const p of procs) {
        for (const l of ticks(p)) {
          const want = (l.shards ?? []).reduce((s, r) => s + perRange[r]!, 0);
          assert.equal(l.decided, want, `${p.name} held ${JSON.stringify(l.shards)} and decided ${l.decided} workloads, not ${want}`);
        }
      }
      assert.deepEqual([procs[0], procs[3], procs[2]].map((p) => lastHeld(p!)).sort(), ['0', '1', '2']);
      assert.equal(perRange.reduce((a, b) => a + b, 0), WORKLOADS);
      // Caps across shards, duplicates, the kubelet double.
      assert.deepEqual(violations, [], 'caps held across shards; no workload had two unfinished migrations');
      assert.deepEqual(recreated, [], 'no migration object name was created twice');
      const started = procs.flatMap((p) => ticks(p).flatMap((l) => l.started ?? []));
      assert.equal(new Set(started).size, started.length, 'no migration started twice (by tick logs)');
      assert.ok(started.length >= CAP, `migrations started: ${started.length}`);
      // No workload lost: every service still has a pod.
      const pods = (await listAll<PodObject>(admin, paths.pods(NS))).items.filter((p) => !p.metadata.deletionTimestamp);
      const served = new Set(pods.map((p) => p.metadata.labels?.[LABELS.workload]));
      const lost = users.filter((u) => !served.has(u.name)).map((u) => u.name);
      assert.deepEqual(lost, [], 'no workload lost');
      const decideMs = procs.flatMap((p) => ticks(p).map((l) => Number(l.decideMs))).filter(Number.isFinite).sort((a, b) => a - b);
      const tickMs = procs.flatMap((p) => ticks(p).map((l) => Number(l.ms))).sort((a, b) => a - b);
      t.diagnostic(`shards: ${WORKLOADS} workloads (ranges ${perRange.join('/')}), setup ${setupS.toFixed(1)} s; ${procs.reduce((s, p) => s + ticks(p).length, 0)} ticks; ${started.length} migrations started, max ${maxInFlight} in flight; takeover ${(takeoverMs / 1000).toFixed(1)} s after SIGKILL to its first tick on the range (Lease ${LEASE_MS / 1000} s, renew 1 s, tick ${TICK_MS / 1000} s); re-balance ${(rebalanceMs / 1000).toFixed(1)} s after restart; decide per shard median ${decideMs[decideMs.length >> 1]} ms, full tick median ${tickMs[tickMs.length >> 1]} ms; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      for (const p of procs) p.kill('SIGTERM');
      await Promise.all(procs.map((p) => p.exited));
    }
  });
});
