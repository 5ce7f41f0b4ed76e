/**
 * Lab tier ("Tests and CI" item 5): the project's Controller drives real moves on the lab, and faults
 * hit it mid-move. Every case runs with the measuring client connected through the stable endpoint, and checks
 * that nothing is lost: the client reconnects and is served by one pod at a time, never back by the old one, no
 * duplicate target pod, no doubled migration. Each case prints the client-side downtime (t.diagnostic);
 * src/lab/README.md ("Faults") records the measured values.
 *
 * The cases share one lab and one echo workload, which moves between edge-1 and edge-2 from case to case.
 * Skips (or fails with REQUIRE_LAB=1) when a precondition is missing, by the one rule of src/lab/testing/lab-fixture.ts.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePolicy } from '../../src/cli/commands/controller.js';
import { LiveFeed, type LiveSnapshot } from '../../src/core/live-feed.js';
import { isNotFound, listAll } from '../../src/cluster/kube/client.js';
import { isPodReady, LABELS, type PodObject } from '../../src/cluster/kube/resources.js';
import { systemClock } from '../../src/cluster/observe/types.js';
import { REPO_ROOT } from '../../src/cluster/testing/control-plane.js';
import { startLabController, writeLabControllerConfig, type LabControllerSettings, type RunningLabController } from '../../src/lab/controller.js';
import { EchoClient, type EchoReport } from '../../src/lab/echo-client.js';
import { ServiceEndpoint } from '../../src/lab/endpoint.js';
import { describeLeftovers, isClean } from '../../src/lab/host.js';
import { Lab } from '../../src/lab/lab.js';
import { RttFeed } from '../../src/lab/rtt-feed.js';
import { metricValue, spawnControllerProcess } from '../../src/lab/testing/controller-process.js';
import { labAvailable, labRequired, missingLab, startTestLab, waitFor } from '../../src/lab/testing/lab-fixture.js';

const REQUIRE = labRequired();
const NS = 'faults';
const USER = 'ue-1';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let unavailable: string | undefined;
let lab: Lab | undefined;
let ep: ServiceEndpoint | undefined;
let port = 0;
const rtt = new RttFeed(() => Date.now());
let rttUrl = '';
let configDir = '';
/** Every pod name ever seen in the namespace (polled every 25 ms; a target pod lives for seconds). */
const seen = new Set<string>();
let poller: NodeJS.Timeout | undefined;

function need(t: TestContext): Lab | undefined {
  return labAvailable(t, unavailable) ? lab! : undefined;
}

const pods = async (l: Lab): Promise<PodObject[]> => (await listAll<PodObject>(l.admin, `/api/v1/namespaces/${NS}/pods`)).items;
const serving = async (l: Lab): Promise<PodObject[]> => (await pods(l)).filter((p) => !p.metadata.deletionTimestamp && p.metadata.labels?.[LABELS.workload] === 'echo');
const targets = async (l: Lab): Promise<PodObject[]> => (await pods(l)).filter((p) => p.metadata.labels?.[LABELS.role] === 'migration-target');

/** Once the move is over, the client must be served by the pod now serving (it reconnects when the old one goes). */
async function servedBy(l: Lab, client: EchoClient, node: string): Promise<void> {
  const pod = await settledOn(l, node, 60_000);
  const got = await client.waitForHost((h) => h === pod.metadata.name, 30_000);
  assert.ok(got, `the client reached ${pod.metadata.name} (last error: ${client.lastError})`);
}

/** The one pod serving the workload, once it is the only one, on `node`, Ready (the move is over). */
async function settledOn(l: Lab, node: string, timeoutMs: number): Promise<PodObject> {
  return waitFor(`the workload to be served by one Ready pod on ${node}`, timeoutMs, async () => {
    const s = await serving(l);
    return s.length === 1 && s[0]!.spec.nodeName === node && isPodReady(s[0]!) && (await targets(l)).length === 0 ? s[0] : undefined;
  });
}

async function events(l: Lab): Promise<{ reason: string; message: string }[]> {
  return (await listAll<{ reason: string; message: string }>(l.admin, `/api/v1/namespaces/${NS}/events`)).items;
}

function echoPod(image: string, node: string): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'echo-0', namespace: NS, labels: { app: 'echo', [LABELS.workload]: 'echo', 'remora.io/managed': 'true' }, annotations: { 'remora.io/user': USER } },
    spec: {
      nodeName: node,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 2,
      containers: [
        {
          name: 'echo',
          image,
          imagePullPolicy: 'Never',
          ports: [{ name: 'ping', containerPort: 7000 }],
          // The 2 s initial delay holds every target un-Ready for a moment: the window the faults hit.
          readinessProbe: { tcpSocket: { port: 7000 }, initialDelaySeconds: 2, periodSeconds: 1, failureThreshold: 1, successThreshold: 1 },
        },
      ],
    },
  } as PodObject;
}

function settings(over: Partial<LabControllerSettings> = {}): LabControllerSettings {
  return { nodes: lab!.snapshot().nodes.map((n) => n.name), workloadNamespace: NS, rttUrl, tickMs: 1000, cooldownMs: 3000, timeoutMs: 60_000, maxAgeMs: 5000, ...over };
}

/** An in-process controller (createController, config from its YAML file), follow-me from the one registry. */
async function controller(name: string, over: Partial<LabControllerSettings> = {}, feed?: LiveFeed): Promise<RunningLabController> {
  const configPath = join(configDir, `${name}.yaml`);
  const config = writeLabControllerConfig(configPath, settings(over));
  const log = join(configDir, `${name}.log`);
  await holdStill();
  return startLabController({ kubeconfig: lab!.kubeconfig, configPath, newPolicy: resolvePolicy('follow-me', REPO_ROOT, config.nodes.length), identity: `lab-${name}`, log: (line) => appendFileSync(log, line), ...(feed ? { feed } : {}) });
}

/** RTTs that keep the workload where it is (its node nearest): each case starts from rest, then moves the UE. */
async function holdStill(): Promise<void> {
  const s = await serving(lab!);
  assert.equal(s.length, 1, `one pod serves the workload before the case starts (${s.map((p) => p.metadata.name).join(', ')})`);
  rtt.set(s[0]!.spec.nodeName === 'edge-1' ? { 'edge-1': 3, 'edge-2': 20 } : { 'edge-1': 20, 'edge-2': 3 });
}

/** Runs `fn` with the client connected through the stable endpoint; returns the client's report. */
async function withClient(fn: (c: EchoClient) => Promise<void>): Promise<EchoReport> {
  const c = new EchoClient({ host: '127.0.0.1', port, intervalMs: 10 });
  c.start();
  try {
    await waitFor('the client to get replies', 15_000, () => (c.pongs.length >= 20 ? true : undefined));
    await fn(c);
    await sleep(300);
  } finally {
    await c.stop();
  }
  return c.report();
}

function downtime(r: EchoReport): string {
  const g = r.switchover ?? r.longest;
  return g ? `client downtime ${g.gapMs} ms (${g.before.host} #${g.before.count} -> ${g.after.host} #${g.after.count}), longest gap ${r.longest?.gapMs} ms, ${r.pongs} PONGs, ${r.failures} failed connects` : 'no replies';
}

/** Served by `from`, then by `to`, never back; the target's counter restarts (a recreate). */
function assertSwitched(r: EchoReport, from: string, to: string): void {
  assert.deepEqual(r.hosts, [from, to], `served by ${from}, then by ${to}, never back: ${r.hosts.join(' -> ')}`);
  assert.equal(r.switchover!.after.count, 1, 'the target starts from a fresh counter (recreate)');
}

describe('lab: the controller drives real moves, and faults hit them mid-move', () => {
  before(async () => {
    unavailable = missingLab();
    if (unavailable) {
      process.stderr.write(`\n!! LAB FAULT TESTS ${REQUIRE ? 'FAIL' : 'SKIPPED'}: ${unavailable}\n`);
      return;
    }
    lab = await startTestLab('remora-lab-faults-', { nodes: 2 });
    configDir = join(lab.dir, 'controller');
    const l = lab;
    await l.admin.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
    await l.admin.request('POST', `/api/v1/namespaces/${NS}/services`, {
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: NS }, spec: { clusterIP: 'None', selector: { app: 'echo' }, ports: [{ name: 'ping', port: 7000, targetPort: 7000 }] } },
    });
    await l.admin.request('POST', `/api/v1/namespaces/${NS}/pods`, { body: echoPod(l.images.echo, 'edge-1') });
    await settledOn(l, 'edge-1', 60_000);
    rttUrl = await rtt.start();
    rtt.set({ 'edge-1': 3, 'edge-2': 20 });
    ep = new ServiceEndpoint({ client: l.admin, namespace: NS, service: 'echo', port: 7000 });
    port = await ep.start();
    await waitFor('the endpoint to see echo-0', 30_000, () => (ep!.current().some((e) => e.pod === 'echo-0') ? true : undefined));
    poller = setInterval(() => {
      void pods(l).then(
        (ps) => ps.forEach((p) => seen.add(p.metadata.name)),
        () => undefined, // the apiserver restart case: nothing to see for a moment
      );
    }, 25);
  });

  after(async () => {
    clearInterval(poller);
    await ep?.stop();
    await rtt.stop();
    if (lab) {
      const left = await lab.stop({ keepDir: process.env.REMORA_KEEP_LAB === '1' });
      assert.ok(isClean(left), `left behind: ${describeLeftovers(left)}`);
    }
  });

  test('the Controller (follow-me, config through the CLI schema) moves the pod for real when the UE nears edge-2', async (t) => {
    const l = need(t);
    if (!l) return;
    const feed = new LiveFeed({ title: 'lab', clock: systemClock });
    const c = await controller('move', {}, feed);
    try {
      const r = await withClient(async (client) => {
        await waitFor('two decisions with the UE near edge-1', 15_000, () => (feed.snapshot().decisions.length >= 2 ? true : undefined));
        for (const d of feed.snapshot().decisions) assert.deepEqual([d.action, d.gate], [0, 'policy chose Wait'], `near edge-1: follow-me waits (${JSON.stringify(d)})`);
        assert.equal((await targets(l)).length, 0);
        rtt.set({ 'edge-1': 20, 'edge-2': 3 });
        await servedBy(l, client, 'edge-2');
      });
      assertSwitched(r, 'echo-0', 'remora-echo-1');
      const m = c.controller.metrics;
      assert.equal(m.migrationsStarted.get({ kind: 'pod', backend: 'recreate' }), 1);
      assert.equal(m.migrations.get({ kind: 'pod', backend: 'recreate', result: 'succeeded' }), 1);
      const ev = await events(l);
      assert.equal(ev.filter((e) => e.reason === 'MigrationStarted').length, 1);
      assert.match(ev.find((e) => e.reason === 'MigrationStarted')!.message, /policy follow-me chose edge-2: migrating edge-1 -> edge-2 via recreate \(remora-echo-1\)/);
      assert.equal(ev.filter((e) => e.reason === 'MigrationSucceeded').length, 1);
      const moved = feed.snapshot().decisions.find((d) => d.action > 0)!;
      assert.deepEqual([moved.target, moved.gate], ['edge-2', 'all gates passed']);
      const load = feed.snapshot().load.map((s) => s.points.at(-1)!.value);
      assert.ok(load.length === 2 && load.every((v) => v >= 1), `Eq.2 load from the real kubelets' Summary API: ${load.join(', ')}`);
      t.diagnostic(`controller move edge-1 -> edge-2: ${downtime(r)}; loads ${load.map((v) => v.toFixed(3)).join(', ')}`);
    } finally {
      await c.stop();
    }
  });

  test('(d) the RTT prober returns garbage (NaN, negative, non-JSON) or nothing: the controller waits and says why', async (t) => {
    const l = need(t);
    if (!l) return;
    const feed = new LiveFeed({ title: 'lab', clock: systemClock });
    const c = await controller('garbage', { rttTimeoutMs: 400 }, feed);
    const before = new Set(seen);
    // Each garbage, taken at face value, would move the workload (to edge-1, the "nearer" node).
    const cases = [
      { mode: { mode: 'nan' as const, nodes: ['edge-2'] }, rtt: { 'edge-1': 3, 'edge-2': 20 }, why: /RTT of edge-2 is NaN/ },
      { mode: { mode: 'negative' as const, nodes: ['edge-1'], rttMs: -5 }, rtt: { 'edge-1': 30, 'edge-2': 20 }, why: /RTT of edge-1 is negative \(-5\)/ },
      { mode: { mode: 'non-json' as const }, rtt: { 'edge-1': 3, 'edge-2': 20 }, why: /last RTT read failed \(http-json: .*JSON/ },
      { mode: { mode: 'hang' as const }, rtt: { 'edge-1': 3, 'edge-2': 20 }, why: /last RTT read failed \(http-json: .*(timeout|aborted)/ },
    ];
    try {
      const r = await withClient(async () => {
        await waitFor('a first decision', 10_000, () => (feed.snapshot().decisions.length ? true : undefined));
        for (const k of cases) {
          const errorsBefore = c.controller.metrics.errors.get({ stage: 'rtt' });
          rtt.set(k.rtt);
          rtt.mode(k.mode);
          const from = feed.snapshot().decisions.length + 1; // skip a tick that may have read before the switch
          const ds = await waitFor(`three decisions under ${k.mode.mode}`, 20_000, () => {
            const d = feed.snapshot().decisions.slice(from);
            return d.length >= 3 ? d : undefined;
          });
          for (const d of ds) {
            assert.equal(d.reason, 'invalid-observation', `${k.mode.mode}: ${JSON.stringify(d)}`);
            assert.equal(d.gate, 'observation validity');
            assert.match(d.detail ?? '', k.why);
          }
          if (k.mode.mode === 'non-json' || k.mode.mode === 'hang') assert.ok(c.controller.metrics.errors.get({ stage: 'rtt' }) > errorsBefore, 'remora_errors_total{stage="rtt"} counts the failed reads');
          t.diagnostic(`${k.mode.mode}: forced Wait, "${ds.at(-1)!.detail}"`);
        }
        rtt.mode({ mode: 'ok' });
        rtt.set({ 'edge-1': 20, 'edge-2': 3 });
        await waitFor('a decision on good RTTs again', 15_000, () => (feed.snapshot().decisions.at(-1)?.reason === 'policy' ? true : undefined));
      });
      assert.deepEqual(new Set(seen), before, 'no pod was created: the controller only waited');
      assert.equal(c.controller.metrics.migrationsStarted.get({ kind: 'pod', backend: 'recreate' }), 0);
      assert.ok(c.controller.metrics.decisions.get({ action: 'wait', reason: 'invalid-observation' }) >= 12, 'remora_decisions_total{reason="invalid-observation"}');
      const ev = (await events(l)).filter((e) => e.reason === 'ObservationInvalid');
      for (const k of cases) assert.ok(ev.some((e) => k.why.test(e.message)), `an ObservationInvalid Event says ${k.why}`);
      assert.deepEqual(r.hosts, ['remora-echo-1'], 'the client was served throughout, by the same pod');
      t.diagnostic(`garbage RTT: no move; longest client gap ${r.longest?.gapMs} ms over ${r.pongs} PONGs, ${r.failures} failed replies/connects`);
    } finally {
      rtt.mode({ mode: 'ok' });
      await c.stop();
    }
  });

  test('(a) the target node\'s kubelet is killed mid-move: the source keeps serving; the move is abandoned, and retried after the cooldown', async (t) => {
    const l = need(t);
    if (!l) return;
    const feed = new LiveFeed({ title: 'lab', clock: systemClock });
    let maxInFlight = 0;
    const history: string[] = [];
    const unsub = feed.subscribe(() => {
      const ms = feed.snapshot().migrations;
      maxInFlight = Math.max(maxInFlight, ms.filter((m) => m.state === 'in-flight').length);
      const sig = ms.map((m) => `${m.id}:${m.state}/${m.phase}`).join(',');
      if (history.at(-1) !== sig) history.push(sig);
    });
    const c = await controller('kubelet', { timeoutMs: 6000, cooldownMs: 5000 }, feed);
    const before = new Set(seen);
    let killedAt = 0;
    try {
      const r = await withClient(async (client) => {
        rtt.set({ 'edge-1': 3, 'edge-2': 20 });
        const tgt = await waitFor('the move to start', 15_000, async () => (await targets(l))[0], 20);
        assert.equal(tgt.metadata.name, 'remora-echo-2');
        assert.equal(tgt.spec.nodeName, 'edge-1');
        await l.killKubelet('edge-1');
        killedAt = Date.now();
        const abandoned = await waitFor('the move to be abandoned', 30_000, () => feed.snapshot().migrations.find((m) => m.id === 'remora-echo-2' && m.state !== 'in-flight'));
        assert.ok(abandoned.state === 'timeout' || abandoned.state === 'cancelled', `abandoned (timeout, or cancelled for a NotReady node), got ${abandoned.state}`);
        const src = (await serving(l)).find((p) => p.metadata.name === 'remora-echo-1');
        assert.ok(src && isPodReady(src), 'the source is untouched and Ready');
        assert.ok(client.pongs.at(-1)!.host === 'remora-echo-1', 'and it serves the client');
        t.diagnostic(`abandoned ${abandoned.state} ${Date.now() - killedAt} ms after the kill: ${abandoned.reason}`);
        l.restartKubelet('edge-1');
        await servedBy(l, client, 'edge-1');
      });
      const created = [...seen].filter((n) => !before.has(n)).sort();
      assert.deepEqual(created, ['remora-echo-2', 'remora-echo-3'], 'one abandoned target, then one retry after the cooldown');
      assert.equal(maxInFlight, 1, `never two migrations in flight: ${history.join(' | ')}`);
      assertSwitched(r, 'remora-echo-1', 'remora-echo-3');
      const m = c.controller.metrics;
      assert.equal(m.migrationsStarted.get({ kind: 'pod', backend: 'recreate' }), 2);
      assert.equal(m.migrations.get({ kind: 'pod', backend: 'recreate', result: 'succeeded' }), 1);
      assert.equal(m.migrations.get({ kind: 'pod', backend: 'recreate', result: 'timeout' }) + m.migrations.get({ kind: 'pod', backend: 'recreate', result: 'cancelled' }), 1, 'the abandoned move finished once');
      t.diagnostic(`kubelet killed mid-move: ${downtime(r)}`);
    } finally {
      unsub();
      await c.stop();
      if (l.nodes.find((n) => n.spec.name === 'edge-1')?.kubeletExited()) l.restartKubelet('edge-1');
    }
  });

  test('(b) the apiserver restarts mid-move: the controller adopts the move when it is back; one target, one migration', async (t) => {
    const l = need(t);
    if (!l) return;
    const c = await controller('apiserver', { cooldownMs: 1000 });
    const before = new Set(seen);
    let restartAt = 0;
    try {
      const r = await withClient(async (client) => {
        rtt.set({ 'edge-1': 20, 'edge-2': 3 });
        const tgt = await waitFor('the move to start', 15_000, async () => (await targets(l))[0], 20);
        assert.equal(isPodReady(tgt), false, 'mid-move');
        restartAt = Date.now();
        await l.restartApiserver(1500);
        t.diagnostic(`apiserver down and back in ${Date.now() - restartAt} ms`);
        await servedBy(l, client, 'edge-2');
      });
      assert.deepEqual([...seen].filter((n) => !before.has(n)), ['remora-echo-4']);
      assertSwitched(r, 'remora-echo-3', 'remora-echo-4');
      const m = c.controller.metrics;
      assert.equal(m.migrationsStarted.get({ kind: 'pod', backend: 'recreate' }), 1);
      assert.equal(m.migrations.get({ kind: 'pod', backend: 'recreate', result: 'succeeded' }), 1);
      const gapAt = r.longest ? r.longest.before.sentAtMs - restartAt : Number.NaN;
      t.diagnostic(`apiserver restart mid-move: ${downtime(r)}; the longest gap began ${gapAt} ms after the restart began, ${r.longest?.before.host === r.longest?.after.host ? 'with the same pod on both sides (the source, untouched)' : 'across the switch'}; controller errors during the outage: tick ${m.errors.get({ stage: 'tick' })}, load ${m.errors.get({ stage: 'load' })}`);
    } finally {
      await c.stop();
    }
  });

  test('(c) the controller process is SIGKILLed mid-move and restarted: it adopts the move and does not repeat it', async (t) => {
    const l = need(t);
    if (!l) return;
    const config = join(configDir, 'process.yaml');
    writeLabControllerConfig(config, settings({ cooldownMs: 1000 }));
    await holdStill();
    const before = new Set(seen);
    const first = spawnControllerProcess({ config, kubeconfig: l.kubeconfig, policy: 'follow-me', identity: 'lab-proc-1' });
    let second: ReturnType<typeof spawnControllerProcess> | undefined;
    try {
      const r = await withClient(async (client) => {
        await first.metricsPort();
        rtt.set({ 'edge-1': 3, 'edge-2': 20 });
        const tgt = await waitFor('the move to start', 30_000, async () => (await targets(l))[0], 20);
        await first.kill('SIGKILL');
        const now = (await pods(l)).find((p) => p.metadata.name === tgt.metadata.name);
        assert.ok(now && !isPodReady(now), 'killed mid-move: the target is not Ready yet');
        const killedAt = Date.now();
        second = spawnControllerProcess({ config, kubeconfig: l.kubeconfig, policy: 'follow-me', identity: 'lab-proc-2', extraArgs: ['--live-port', '0'] });
        await servedBy(l, client, 'edge-1');
        t.diagnostic(`restarted controller finished the move ${Date.now() - killedAt} ms after the SIGKILL`);
      });
      assert.deepEqual([...seen].filter((n) => !before.has(n)), ['remora-echo-5'], 'exactly one target pod ever created');
      assertSwitched(r, 'remora-echo-4', 'remora-echo-5');
      const text = await second!.scrape();
      assert.equal(metricValue(text, 'remora_migrations_started_total', { kind: 'pod', backend: 'recreate' }), 0, 'the restarted controller started nothing');
      assert.equal(metricValue(text, 'remora_migrations_total', { kind: 'pod', backend: 'recreate', result: 'succeeded' }), 1, 'it adopted and finished the move');
      // At most one MigrationStarted: the first process may die between creating the target and recording the
      // Event. Exactly one MigrationSucceeded, from the process that adopted the move.
      const ev = await events(l);
      assert.ok(ev.filter((e) => e.reason === 'MigrationStarted' && /remora-echo-5/.test(e.message)).length <= 1);
      assert.equal(ev.filter((e) => e.reason === 'MigrationSucceeded' && /remora-echo-5/.test(e.message)).length, 1);
      // The restarted process's live page (remora controller --live-port) saw the adopted move finish.
      const live = (await (await fetch((await second!.liveUrl()).replace(/\/live$/, '/api/live'))).json()) as LiveSnapshot;
      const adopted = live.migrations.find((x) => x.id === 'remora-echo-5');
      assert.deepEqual([adopted?.from, adopted?.to, adopted?.state], ['edge-2', 'edge-1', 'succeeded'], JSON.stringify(live.migrations));
      assert.ok(live.nodes.find((n) => n.name === 'edge-1')?.workloads.includes(`${NS}/echo`));
      t.diagnostic(`controller SIGKILLed mid-move: ${downtime(r)}`);
    } finally {
      await first.kill('SIGKILL');
      await second?.kill('SIGTERM');
    }
  });

  test('the controller left a consistent cluster: one serving pod, no target, no Terminating pod', async (t) => {
    const l = need(t);
    if (!l) return;
    const all = await waitFor('terminating pods to go', 30_000, async () => {
      const p = await pods(l);
      return p.every((x) => !x.metadata.deletionTimestamp) ? p : undefined;
    });
    assert.deepEqual(all.map((p) => p.metadata.name), ['remora-echo-5']);
    try {
      await l.admin.request('GET', `/api/v1/namespaces/${NS}/pods/remora-echo-2`);
      assert.fail('the abandoned target is gone');
    } catch (e) {
      assert.ok(isNotFound(e));
    }
  });
});
