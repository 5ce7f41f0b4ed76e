/**
 * The cluster suite: the controller against a real kube-apiserver + etcd (src/cluster/testing), with real CRDs,
 * RBAC, watches, resourceVersion conflicts and Leases. Only virt-controller, the kubelet, the podmigration
 * operator and the external RTT endpoint are test doubles.
 *
 * The control plane starts in the suite's before() (src/cluster/testing/suite.ts), never at import time.
 * Without Go (or when the binaries cannot be built) the suite is skipped loudly, unless REQUIRE_APISERVER=1,
 * which turns that into a failure. Every test asserts its own invariants (no duplicate migration, no lost
 * workload: `account`); figures (fault cases, ticks, migrations) only print at the end.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { networkInterfaces } from 'node:os';
import type { Policy } from '../../src/core/env.js';
import { FollowMePolicy } from '../../src/agents/baselines/index.js';
import { loadControllerConfig, parseControllerConfig, type ControllerConfigInput } from '../../src/cluster/config.js';
import { Controller, type TickReport } from '../../src/cluster/controller.js';
import { KubeEventRecorder } from '../../src/cluster/events.js';
import { HttpKubeClient, listAll, type KubeClient } from '../../src/cluster/kube/client.js';
import { systemDelay, type Clock } from '../../src/cluster/observe/types.js';
import { ANNOTATIONS, isPodReady, LABELS, paths, type PodmigrationObject, type PodObject, type VmiObject, type VmimObject } from '../../src/cluster/kube/resources.js';
import { jsonLogger } from '../../src/cluster/log.js';
import { serveMetrics } from '../../src/cluster/metrics.js';
import { KubevirtMigrator } from '../../src/cluster/migrate/kubevirt.js';
import { CheckpointMigrator, PodmigrationMigrator, RecreateMigrator } from '../../src/cluster/migrate/pod.js';
import type { Migrator } from '../../src/cluster/migrate/types.js';
import { HttpJsonRtt } from '../../src/cluster/observe/http-json.js';
import { MetricsServerLoad } from '../../src/cluster/observe/metrics-server.js';
import { nodeLoad } from '../../src/core/reward.js';
import { REPO_ROOT, type ControlPlane } from '../../src/cluster/testing/control-plane.js';
import { kustomizeBuild } from '../../src/cluster/testing/kustomize.js';
import { shardLeaseName } from '../../src/cluster/shard.js';
import { useControlPlane } from '../../src/cluster/testing/suite.js';
import { spawnController, type CliProcess } from '../../src/cluster/testing/cli-process.js';
import { FakeClock, FakeKubelet, FakeKubeletServer, FakePodmigrationOperator, FakeRttServer, FakeVirtController, Fixtures } from '../../src/cluster/testing/doubles.js';

const REQUIRE = process.env.REQUIRE_APISERVER === '1';
const NODES = ['edge-1', 'edge-2', 'edge-3'];
const TICK_MS = 5000;

/** Reported at the end (a diagnostic, not an assertion): each test asserts its own duplicates and losses. */
const figures = { faultCases: 0, ticks: 0, migrationsSucceeded: 0, migrationsFailedOrCancelled: 0 };

describe('cluster suite (real kube-apiserver)', () => {
  const t0 = Date.now();
  const clock = new FakeClock(Date.parse('2026-06-01T12:00:00Z'));
  const rtt = new FakeRttServer(clock);
  const logLines: string[] = [];
  let plane!: ControlPlane;
  let admin!: KubeClient;
  let fx!: Fixtures;
  let virt!: FakeVirtController;
  let kubelet!: FakeKubelet;

  const cp = useControlPlane({
    async setup(p) {
      plane = p;
      admin = p.admin;
      fx = new Fixtures(admin, clock);
      virt = new FakeVirtController(admin, clock);
      kubelet = new FakeKubelet(admin, clock);
      await rtt.start();
      virt.start();
      await fx.namespace('remora-system');
      for (const n of NODES) await fx.node(n);
      await freshMetrics();
    },
    async teardown() {
      await virt.stop();
      await rtt.stop();
      process.stderr.write(`cluster suite figures (kube-apiserver ${plane.version}): fault cases=${figures.faultCases}, ticks=${figures.ticks}, migrations succeeded=${figures.migrationsSucceeded}, failed/cancelled=${figures.migrationsFailedOrCancelled}, wall=${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    },
  });
  const test = cp.test;

  async function freshMetrics(loads: Record<string, [number, number]> = {}): Promise<void> {
    for (const n of NODES) {
      const [c, m] = loads[n] ?? [0.3, 0.4];
      await fx.nodeMetrics(n, c, m);
    }
  }

  /** RTT for a user at position `pos` (1..3 along the highway): near nodes are fast. */
  function userAt(user: string, pos: number): void {
    rtt.rtt.set(user, Object.fromEntries(NODES.map((n, i) => [n, 2 + Math.abs(pos - (i + 1)) * 8])));
  }

  interface Harness {
    ctrl: Controller;
    reports: TickReport[];
  }

  function makeController(ns: string, o: { identity?: string; client?: KubeClient; config?: Partial<ControllerConfigInput>; migration?: Partial<NonNullable<ControllerConfigInput['migration']>>; policy?: () => Policy | Promise<Policy>; pod?: Migrator; vm?: Migrator; lease?: string } = {}): Harness {
    const client = o.client ?? admin;
    const config = parseControllerConfig(
      {
        namespace: 'remora-system',
        nodes: NODES,
        tickMs: TICK_MS,
        workloads: { namespaces: [ns] },
        observation: { maxAgeMs: 3 * TICK_MS, rttWindow: 1, rtt: { source: 'http-json', url: rtt.url } },
        migration: { maxConcurrent: 2, cooldownMs: 0, timeoutMs: 120_000, ...(o.migration ?? {}) },
        leaderElection: { leaseName: o.lease ?? `lease-${ns}`, leaseDurationMs: 15_000, renewPeriodMs: 5_000 },
        metrics: { port: 0, bindAddress: '127.0.0.1' },
        ...(o.config ?? {}),
      },
      `test config (${ns})`,
    );
    const identity = o.identity ?? `ctrl-${ns}`;
    const ctrl = new Controller({
      client,
      config,
      clock,
      newPolicy: o.policy ?? (() => new FollowMePolicy()),
      load: new MetricsServerLoad(client),
      rtt: new HttpJsonRtt({ url: rtt.url, timeoutMs: 2000 }, clock),
      migrators: { vm: o.vm ?? new KubevirtMigrator(client, config.migration.kubevirt), pod: o.pod ?? new RecreateMigrator(client) },
      events: new KubeEventRecorder(client, clock, 'remora-controller', identity),
      logger: jsonLogger((l) => logLines.push(l), clock),
      identity,
    });
    return { ctrl, reports: [] };
  }

  /** One period: time passes, metrics refresh, each controller steps, then the doubles react. */
  async function round(hs: Harness[], o: { metrics?: boolean; loads?: Record<string, [number, number]> } = {}): Promise<void> {
    clock.advance(TICK_MS);
    if (o.metrics !== false) await freshMetrics(o.loads);
    for (const h of hs) {
      const r = await h.ctrl.step();
      h.reports.push(r);
      if (r.leader) figures.ticks++;
      for (const f of r.finished) f.result === 'succeeded' ? figures.migrationsSucceeded++ : figures.migrationsFailedOrCancelled++;
      for (const s of r.started) if (s.kind === 'vm') await virt.waitFor((v) => v.metadata.name === s.id && v.metadata.namespace === s.namespace);
    }
    await virt.step();
    await kubelet.sync();
  }

  const vmims = async (ns: string): Promise<VmimObject[]> => (await listAll<VmimObject>(admin, paths.vmims(ns))).items;
  const vmi = (ns: string, name: string): Promise<VmiObject> => admin.request<VmiObject>('GET', paths.vmis(ns, name));
  const events = async (ns: string): Promise<{ reason: string; message: string; involvedObject: { name: string } }[]> =>
    (await listAll<{ reason: string; message: string; involvedObject: { name: string } }>(admin, paths.events(ns))).items;

  /**
   * This test's own invariants: no VMI had two VMIMs active at once (the fake virt-controller's view), and no
   * workload was lost (every VMI still exists; every pod workload still has a live pod).
   */
  async function account(ns: string, vmiNames: string[], podWorkloads: string[] = []): Promise<void> {
    assert.equal(virt.duplicatesIn(ns), 0, `duplicate migrations in ${ns}`);
    for (const name of vmiNames) await assert.doesNotReject(vmi(ns, name), `VMI ${ns}/${name} lost`);
    for (const w of podWorkloads) {
      const pods = (await listAll<PodObject>(admin, paths.pods(ns), { labelSelector: `${LABELS.workload}=${w}` })).items.filter((p) => !p.metadata.deletionTimestamp);
      assert.ok(pods.length > 0, `pod workload ${ns}/${w} lost`);
    }
  }

  describe('control plane and schemas', () => {
    test('real apiserver, real CRD validation', async (t) => {
      t.diagnostic(`kube-apiserver ${plane.version}`);
      assert.match(plane.version, /^v1\.\d+\.\d+/);
      await fx.namespace('schema');
      await assert.rejects(
        admin.request('POST', paths.vmims('schema'), { body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'bad' }, spec: { vmiName: 'x', addedNodeSelector: 'edge-1' } } }),
        (e: Error) => /422|Invalid/.test(e.message),
      );
      await assert.rejects(
        admin.request('POST', paths.podmigrations('schema'), { body: { apiVersion: 'podmig.dcn.ssu.ac.kr/v1', kind: 'Podmigration', metadata: { name: 'bad' }, spec: { destHost: 'edge-2' } } }),
        (e: Error) => /422|Invalid|required/.test(e.message),
      );
    });

    test('metrics.k8s.io NodeMetrics + allocatable -> Eq.2 load', async () => {
      await fx.nodeMetrics('edge-2', 0.5, 0.25);
      const loads = await new MetricsServerLoad(admin).readLoads(NODES);
      assert.ok(Math.abs(loads.get('edge-2')!.value - nodeLoad(0.5, 0.25)) < 1e-3, `got ${loads.get('edge-2')!.value}`);
      assert.equal(loads.get('edge-2')!.atMs, Math.floor(clock.nowMs() / 1000) * 1000);
      await freshMetrics();
    });
  });

  describe('KubeVirt migrations', () => {
    test('follow-me moves a VM with addedNodeSelector VMIMs; durations, Events, metrics, JSON logs', async () => {
      const ns = 'kv-basic';
      await fx.namespace(ns);
      await fx.vmi(ns, 'upf', 'edge-1', { user: 'ue-1' });
      userAt('ue-1', 1);
      const h = makeController(ns);
      await round([h]);
      assert.equal(h.reports[0]!.decisions[0]!.action, 0, 'already on the nearest node: Wait');
      assert.deepEqual(h.reports[0]!.decisions[0]!.observation!.slice(0, 4), [1, 2, 10, 18]);
      userAt('ue-1', 3);
      await round([h]);
      assert.equal(h.reports[1]!.started.length, 1);
      const [m] = await vmims(ns);
      assert.deepEqual(m!.spec.addedNodeSelector, { 'kubernetes.io/hostname': 'edge-3' });
      assert.equal(m!.metadata.labels![LABELS.managedBy], 'remora');
      for (let i = 0; i < 8; i++) await round([h]);
      assert.equal((await vmi(ns, 'upf')).status!.nodeName, 'edge-3');
      assert.equal((await vmims(ns)).length, 1, 'exactly one VMIM');
      const fin = h.reports.flatMap((r) => r.finished);
      assert.equal(fin.length, 1);
      assert.equal(fin[0]!.result, 'succeeded');
      assert.equal(fin[0]!.durationMs, 6 * TICK_MS, 'Pending..Succeeded from phaseTransitionTimestamps');
      const reasons = (await events(ns)).map((e) => e.reason);
      assert.ok(reasons.includes('MigrationStarted') && reasons.includes('MigrationSucceeded'), reasons.join(','));
      const text = h.ctrl.metrics.registry.render();
      assert.match(text, /remora_migrations_total\{kind="vm",backend="kubevirt-addedNodeSelector",result="succeeded"\} 1/);
      assert.match(text, /remora_migration_duration_seconds_count\{kind="vm",backend="kubevirt-addedNodeSelector"\} 1/);
      assert.match(text, /remora_decisions_total\{action="migrate",reason="policy"\} 1/);
      assert.match(text, /remora_observation_age_seconds\{workload="kv-basic\/upf"\}/);
      const srv = await serveMetrics(h.ctrl.metrics, 0, '127.0.0.1', () => true);
      const scraped = await (await fetch(`http://127.0.0.1:${srv.port}/metrics`)).text();
      await srv.close();
      assert.match(scraped, /# TYPE remora_migration_duration_seconds histogram/);
      for (const l of logLines) JSON.parse(l);
      assert.ok(logLines.some((l) => JSON.parse(l).msg === 'migration finished'));
      await account(ns, ['upf']);
    });

    test('lifecycle: a deleted workload is forgotten (policy, Events, metrics); recreated, it gets a fresh policy', async () => {
      const ns = 'kv-lifecycle';
      await fx.namespace(ns);
      await fx.vmi(ns, 'upf', 'edge-1', { user: 'ue-life' });
      userAt('ue-life', 1);
      const calls: number[] = []; // act() calls per policy instance: a stand-in for recurrent state
      const policy = (): Policy => {
        const i = calls.push(0) - 1;
        return { name: `p${i}`, reset() {}, act: () => (calls[i]!++, 0) };
      };
      const h = makeController(ns, { policy });
      await round([h]);
      await round([h]);
      assert.deepEqual(calls, [2], 'one policy instance, kept across ticks');
      await admin.request('DELETE', paths.vmis(ns, 'upf'));
      await round([h]);
      assert.deepEqual(h.reports.at(-1)!.forgotten, [`vm/${ns}/upf`]);
      assert.equal(h.ctrl.state.size, 0, 'no per-workload memory left');
      assert.doesNotMatch(h.ctrl.metrics.registry.render(), /workload="kv-lifecycle\/upf"/, 'its observation-age series is gone too');
      await fx.vmi(ns, 'upf', 'edge-1', { user: 'ue-life' });
      await round([h]);
      assert.deepEqual(calls, [2, 1], 'the recreated workload starts from a fresh policy');
      await account(ns, ['upf']);
    });

    test('label-move fallback for older KubeVirt', async (t) => {
      const ns = 'kv-label';
      t.after(async () => {
        for (const n of NODES) await admin.request('PATCH', paths.nodes(n), { body: { metadata: { labels: { 'remora.io/edge-host': null } } } });
      });
      await fx.namespace(ns);
      await admin.request('PATCH', paths.nodes('edge-1'), { body: { metadata: { labels: { 'remora.io/edge-host': 'smf' } } } });
      await fx.vmi(ns, 'smf', 'edge-1', { user: 'ue-2', nodeSelector: { 'remora.io/edge-host': 'smf' } });
      userAt('ue-2', 2);
      const h = makeController(ns, { migration: { kubevirt: { mode: 'labelMove', labelKey: 'remora.io/edge-host' }, cooldownMs: 2 * TICK_MS } });
      await round([h]);
      const [m] = await vmims(ns);
      assert.equal(m!.spec.addedNodeSelector, undefined);
      const label = async (n: string): Promise<string | undefined> => (await admin.request<{ metadata: { labels?: Record<string, string> } }>('GET', paths.nodes(n))).metadata.labels?.['remora.io/edge-host'];
      assert.equal(await label('edge-2'), 'smf');
      assert.equal(await label('edge-1'), undefined);
      for (let i = 0; i < 8; i++) await round([h]);
      assert.equal((await vmi(ns, 'smf')).status!.nodeName, 'edge-2');
      assert.equal((await vmims(ns)).length, 1);
      // A failed label-move migration moves the label back to the node the VMI still runs on.
      virt.behaviours.set(ns, 'fail');
      userAt('ue-2', 3);
      for (let i = 0; i < 20 && !h.reports.at(-1)!.finished.some((f) => f.result === 'failed'); i++) await round([h]);
      assert.equal(h.reports.at(-1)!.finished[0]?.result, 'failed');
      assert.equal((await vmi(ns, 'smf')).status!.nodeName, 'edge-2');
      assert.equal(await label('edge-2'), 'smf', 'label restored on the source');
      assert.equal(await label('edge-3'), undefined);
      virt.behaviours.delete(ns);
      await admin.request('PATCH', paths.nodes('edge-2'), { body: { metadata: { labels: { 'remora.io/edge-host': null } } } });
      await account(ns, ['smf']);
    });

    test('opt-in by label or annotation; MissingUser and KindMismatch are ignored with an Event', async () => {
      const ns = 'kv-optin';
      await fx.namespace(ns);
      await fx.vmi(ns, 'by-label', 'edge-1', { user: 'ue-o1' });
      await fx.vmi(ns, 'by-annotation', 'edge-1', { user: 'ue-o2', managed: false });
      await admin.request('PATCH', paths.vmis(ns, 'by-annotation'), { body: { metadata: { annotations: { 'remora.io/opt-in': 'true' } } } });
      await fx.vmi(ns, 'not-opted', 'edge-1', { user: 'ue-o3', managed: false });
      await fx.vmi(ns, 'no-user', 'edge-1', { user: 'x' });
      await admin.request('PATCH', paths.vmis(ns, 'no-user'), { body: { metadata: { annotations: { 'remora.io/user': null } } } });
      await fx.vmi(ns, 'wrong-kind', 'edge-1', { user: 'ue-o4' });
      await admin.request('PATCH', paths.vmis(ns, 'wrong-kind'), { body: { metadata: { annotations: { 'remora.io/kind': 'pod' } } } });
      for (const u of ['ue-o1', 'ue-o2', 'ue-o3', 'ue-o4']) userAt(u, 1);
      const h = makeController(ns, { config: { workloads: { namespaces: [ns], optInAnnotation: 'remora.io/opt-in' } } });
      await round([h]);
      await round([h]);
      assert.deepEqual(h.reports[0]!.decisions.map((d) => d.workload).sort(), [`${ns}/by-annotation`, `${ns}/by-label`]);
      const ev = await events(ns);
      assert.deepEqual(ev.filter((e) => e.reason === 'MissingUser').map((e) => e.involvedObject.name), ['no-user'], 'once, not per tick');
      assert.deepEqual(ev.filter((e) => e.reason === 'KindMismatch').map((e) => e.involvedObject.name), ['wrong-kind']);
      await account(ns, ['by-label', 'by-annotation', 'not-opted', 'no-user', 'wrong-kind']);
    });

    test('a misbehaving policy (masked action, out of range, throws) is forced to Wait with an Event', async () => {
      const ns = 'kv-badpolicy';
      await fx.namespace(ns);
      await fx.vmi(ns, 'mme', 'edge-1', { user: 'ue-bp' });
      userAt('ue-bp', 3);
      await fx.nodeStatus('edge-2', false);
      const script = [2, 9, 0.5, -1];
      let call = 0;
      const bad = (): Policy => ({ name: 'bad', reset() {}, act: () => { const a = script[call++]; if (a === -1) throw new Error('NaN in the network'); return a!; } });
      const h = makeController(ns, { policy: bad });
      try {
        for (let i = 0; i < script.length; i++) await round([h]);
      } finally {
        await fx.nodeStatus('edge-2', true);
      }
      assert.deepEqual(h.reports.map((r) => r.decisions[0]!.reason), ['illegal-action', 'illegal-action', 'illegal-action', 'error']);
      assert.equal((await vmims(ns)).length, 0);
      const reasons = (await events(ns)).map((e) => e.reason).sort();
      assert.deepEqual(reasons, ['IllegalAction', 'IllegalAction', 'IllegalAction', 'PolicyError']);
      await account(ns, ['mme']);
    });

    test('safety: cluster-wide cap, one in flight per workload, cooldown, dry-run', async () => {
      const ns = 'kv-safety';
      await fx.namespace(ns);
      for (const n of ['a', 'b', 'c']) await fx.vmi(ns, n, 'edge-1', { user: `ue-${n}` });
      for (const n of ['a', 'b', 'c']) userAt(`ue-${n}`, 3);
      virt.behaviours.set(ns, 'hang');
      const h = makeController(ns, { migration: { maxConcurrent: 1, cooldownMs: 10 * 60_000 } });
      for (let i = 0; i < 4; i++) await round([h]);
      assert.equal((await vmims(ns)).length, 1, 'cap 1: one VMIM only, and no second one for the same VMI');
      const reasons = h.reports.flatMap((r) => r.decisions.map((d) => d.reason));
      assert.ok(reasons.includes('cap') && reasons.includes('in-flight'));
      virt.behaviours.delete(ns);
      for (let i = 0; i < 8; i++) await round([h]);
      const first = (await vmims(ns))[0]!.spec.vmiName;
      userAt(`ue-${first}`, 1); // wants to come back at once: cooldown holds it
      for (let i = 0; i < 2; i++) await round([h]);
      assert.ok(h.reports.slice(-2).some((r) => r.decisions.some((d) => d.workload === `${ns}/${first}` && d.reason === 'cooldown')));
      const dry = makeController(ns, { migration: { dryRun: true }, lease: 'lease-dry' });
      const before = (await vmims(ns)).length;
      await round([dry]);
      assert.ok(dry.reports[0]!.decisions.some((d) => d.reason === 'dry-run'));
      assert.equal((await vmims(ns)).length, before, 'dry-run creates nothing');
      assert.ok((await events(ns)).some((e) => e.reason === 'DryRunMigration'));
      await account(ns, ['a', 'b', 'c']);
    });
  });

  describe('fault cases (controller live)', () => {
    test('fault: VMIM fails -> MigrationFailed, VM stays, retried later', async () => {
      figures.faultCases++;
      const ns = 'f-vmimfail';
      await fx.namespace(ns);
      await fx.vmi(ns, 'amf', 'edge-1', { user: 'ue-f1' });
      userAt('ue-f1', 3);
      virt.behaviours.set(ns, (v) => (v.metadata.name.endsWith('-1') ? 'fail' : 'succeed'));
      const h = makeController(ns);
      for (let i = 0; i < 9; i++) await round([h]);
      const fin = h.reports.flatMap((r) => r.finished);
      assert.equal(fin[0]!.result, 'failed');
      assert.match(fin[0]!.reason!, /injected failure/);
      assert.ok((await events(ns)).some((e) => e.reason === 'MigrationFailed'));
      for (let i = 0; i < 9; i++) await round([h]);
      assert.equal((await vmi(ns, 'amf')).status!.nodeName, 'edge-3', 'second attempt succeeds');
      assert.deepEqual((await vmims(ns)).map((v) => v.metadata.name).sort(), ['remora-amf-1', 'remora-amf-2']);
      virt.behaviours.delete(ns);
      await account(ns, ['amf']);
    });

    test('fault: VMI not LiveMigratable -> no VMIM, Event', async () => {
      figures.faultCases++;
      const ns = 'f-notlm';
      await fx.namespace(ns);
      await fx.vmi(ns, 'gnb', 'edge-1', { user: 'ue-f2', liveMigratable: false });
      userAt('ue-f2', 3);
      const h = makeController(ns);
      for (let i = 0; i < 3; i++) await round([h]);
      assert.equal((await vmims(ns)).length, 0);
      assert.ok(h.reports.every((r) => r.decisions[0]!.reason === 'precheck'));
      const ev = (await events(ns)).filter((e) => e.reason === 'NotLiveMigratable');
      assert.equal(ev.length, 1, 'one Event, not one per tick');
      assert.match(ev[0]!.message, /DisksNotLiveMigratable/);
      await account(ns, ['gnb']);
    });

    test('fault: NaN and stale metrics -> forced Wait + Event', async (t) => {
      t.after(() => {
        rtt.frozenAtMs = undefined;
      });
      figures.faultCases++;
      const ns = 'f-nan';
      await fx.namespace(ns);
      await fx.vmi(ns, 'cu', 'edge-1', { user: 'ue-f3' });
      rtt.rtt.set('ue-f3', { 'edge-1': 30, 'edge-2': null, 'edge-3': 2 });
      const h = makeController(ns);
      await round([h]);
      assert.equal(h.reports[0]!.decisions[0]!.reason, 'invalid-observation');
      assert.match(h.reports[0]!.decisions[0]!.detail!, /RTT of edge-2 is NaN/);
      // metrics-server answering garbage for one node: its load is NaN.
      userAt('ue-f3', 1);
      clock.advance(TICK_MS);
      await freshMetrics();
      const nm = await admin.request<Record<string, unknown> & { usage: Record<string, string> }>('GET', paths.nodeMetrics('edge-3'));
      await admin.request('PUT', paths.nodeMetrics('edge-3'), { body: { ...nm, usage: { cpu: 'NaN', memory: '1Gi' } } });
      const r = await h.ctrl.step();
      figures.ticks++;
      assert.equal(r.decisions[0]!.reason, 'invalid-observation');
      assert.match(r.decisions[0]!.detail!, /load of edge-3 is NaN/);
      userAt('ue-f3', 1); // valid values that say "stay", so only staleness can force the Wait
      clock.advance(3 * TICK_MS);
      await round([h], { metrics: false }); // NodeMetrics now 20 s old > maxAge 15 s
      let last = h.reports.at(-1)!.decisions[0]!;
      assert.equal(last.reason, 'invalid-observation');
      assert.match(last.detail!, /load of edge-1 is stale/);
      rtt.frozenAtMs = clock.nowMs(); // the RTT endpoint stops producing new samples
      for (let i = 0; i < 4; i++) await round([h]);
      last = h.reports.at(-1)!.decisions[0]!;
      assert.equal(last.reason, 'invalid-observation');
      assert.match(last.detail!, /RTT of edge-1 is stale/);
      rtt.frozenAtMs = undefined;
      assert.equal((await vmims(ns)).length, 0, 'no migration on an invalid observation');
      const ev = (await events(ns)).filter((e) => e.reason === 'ObservationInvalid');
      assert.ok(ev.length >= 2 && ev.some((e) => /NaN/.test(e.message)) && ev.some((e) => /stale/.test(e.message)));
      userAt('ue-f3', 3);
      await round([h]);
      assert.equal(h.reports.at(-1)!.decisions[0]!.reason, 'policy', 'acts again once observations are fresh');
      assert.equal(h.reports.at(-1)!.started.length, 1);
      for (let i = 0; i < 8; i++) await round([h]);
      await account(ns, ['cu']);
    });

    test('fault: target node NotReady -> masked out; mid-migration -> VMIM deleted (cancel)', async (t) => {
      t.after(() => fx.nodeStatus('edge-3', true));
      figures.faultCases++;
      const ns = 'f-notready';
      await fx.namespace(ns);
      await fx.vmi(ns, 'smf2', 'edge-1', { user: 'ue-f4' });
      userAt('ue-f4', 3);
      await fx.nodeStatus('edge-3', false);
      const h = makeController(ns);
      await round([h]);
      const d = h.reports[0]!.decisions[0]!;
      assert.equal(d.policyAction, 2, 'edge-3 is masked; follow-me picks the best Ready node');
      await fx.nodeStatus('edge-3', true);
      for (let i = 0; i < 8; i++) await round([h]);
      assert.equal((await vmi(ns, 'smf2')).status!.nodeName, 'edge-2');
      // Now a migration to edge-3 that loses its target half-way.
      virt.behaviours.set(ns, 'hang');
      await round([h]);
      await round([h]);
      assert.equal((await vmims(ns)).length, 2);
      await fx.nodeStatus('edge-3', false);
      await round([h]);
      const fin = h.reports.at(-1)!.finished;
      assert.equal(fin[0]?.result, 'cancelled');
      assert.match(fin[0]!.reason!, /edge-3 is NotReady/);
      assert.equal((await vmims(ns)).length, 1, 'the cancelled VMIM was deleted');
      assert.equal((await vmi(ns, 'smf2')).status!.nodeName, 'edge-2');
      await fx.nodeStatus('edge-3', true);
      virt.behaviours.delete(ns);
      await account(ns, ['smf2']);
    });

    test('fault: migration timeout -> VMIM deleted', async () => {
      figures.faultCases++;
      const ns = 'f-timeout';
      await fx.namespace(ns);
      await fx.vmi(ns, 'nrf', 'edge-1', { user: 'ue-f5' });
      userAt('ue-f5', 2);
      virt.behaviours.set(ns, 'hang');
      const h = makeController(ns, { migration: { timeoutMs: 4 * TICK_MS } });
      for (let i = 0; i < 7; i++) await round([h]);
      const fin = h.reports.flatMap((r) => r.finished);
      assert.equal(fin[0]?.result, 'timeout');
      assert.ok(!(await vmims(ns)).some((v) => v.metadata.name === 'remora-nrf-1'));
      assert.ok((await events(ns)).some((e) => e.reason === 'MigrationTimedOut'));
      virt.behaviours.delete(ns);
      await account(ns, ['nrf']);
    });

    test('fault: apiserver restarts mid-migration -> completes, one VMIM', async () => {
      figures.faultCases++;
      const ns = 'f-apirestart';
      await fx.namespace(ns);
      await fx.vmi(ns, 'udm', 'edge-1', { user: 'ue-f6' });
      userAt('ue-f6', 3);
      const h = makeController(ns);
      await round([h]);
      await round([h]);
      const restarts = virt.watchRestarts;
      // The controller keeps ticking while the apiserver is down and while it comes back.
      // Tick until one fails (the apiserver is down), then wait for it to be back: a condition, not a sleep.
      const restarting = plane.restartApiserver(1000);
      let failedTicks = 0;
      while (failedTicks === 0) {
        try {
          await h.ctrl.step();
        } catch {
          failedTicks++;
        }
      }
      await restarting;
      await h.ctrl.step().catch(() => failedTicks++); // and the first tick after the outage (storage may still initialise)
      assert.ok(failedTicks >= 1, 'ticks ran (and failed) during the outage');
      assert.equal(h.ctrl.isLeader(), true, 'a short outage does not cost the lease');
      for (let i = 0; i < 8; i++) await round([h]);
      assert.ok(virt.watchRestarts > restarts, 'the fake virt-controller re-established its watch');
      assert.equal((await vmi(ns, 'udm')).status!.nodeName, 'edge-3');
      assert.equal((await vmims(ns)).length, 1);
      await account(ns, ['udm']);
    });

    test('fault: two replicas -> only the leader acts; graceful stop hands over', async () => {
      figures.faultCases++;
      const ns = 'f-two';
      await fx.namespace(ns);
      await fx.vmi(ns, 'ausf', 'edge-1', { user: 'ue-f7' });
      userAt('ue-f7', 3);
      const a = makeController(ns, { identity: 'replica-a', lease: 'lease-two' });
      const b = makeController(ns, { identity: 'replica-b', lease: 'lease-two' });
      await round([a, b]);
      assert.equal(a.reports[0]!.leader, true);
      assert.equal(b.reports[0]!.leader, false);
      assert.equal(b.reports[0]!.decisions.length, 0);
      await round([a, b]);
      await a.ctrl.stop(); // releases the lease
      for (let i = 0; i < 8; i++) await round([b]);
      assert.ok(b.reports.slice(-8).some((r) => r.leader), 'standby took over after release');
      assert.equal(b.reports.slice(-8).flatMap((r) => r.finished).length >= 1, true, 'b adopted and finished a\'s migration');
      assert.equal((await vmims(ns)).filter((v) => v.metadata.name === 'remora-ausf-1').length, 1);
      const lease = await admin.request<{ spec: { holderIdentity: string; leaseTransitions: number } }>('GET', paths.leases('remora-system', 'lease-two'));
      assert.equal(lease.spec.holderIdentity, 'replica-b');
      assert.ok(lease.spec.leaseTransitions >= 1);
      await account(ns, ['ausf']);
    });

    test('fault: controller killed and restarted mid-migration -> adopts, no duplicate', async () => {
      figures.faultCases++;
      const ns = 'f-kill';
      await fx.namespace(ns);
      await fx.vmi(ns, 'pcf', 'edge-1', { user: 'ue-f8' });
      userAt('ue-f8', 3);
      const first = makeController(ns, { identity: 'incarnation-1', lease: 'lease-kill' });
      await round([first]);
      await round([first]);
      assert.equal((await vmims(ns)).length, 1);
      // Killed: no stop(), no lease release. A new incarnation must wait out the lease, then adopt.
      const second = makeController(ns, { identity: 'incarnation-2', lease: 'lease-kill' });
      await round([second]);
      assert.equal(second.reports[0]!.leader, false, 'the dead leader\'s lease has not expired yet');
      for (let i = 0; i < 8; i++) await round([second]);
      assert.ok(second.reports.some((r) => r.leader));
      assert.equal((await vmims(ns)).length, 1, 'adopted, not duplicated');
      assert.equal((await vmi(ns, 'pcf')).status!.nodeName, 'edge-3');
      assert.equal(second.reports.flatMap((r) => r.finished)[0]?.id, 'remora-pcf-1');
      await account(ns, ['pcf']);
    });

    test('fault: concurrent writer -> resourceVersion conflict, no duplicate', async () => {
      figures.faultCases++;
      const ns = 'f-conflict';
      await fx.namespace(ns);
      await fx.vmi(ns, 'nssf', 'edge-1', { user: 'ue-f9' });
      userAt('ue-f9', 3);
      // Two controllers that both believe they lead (leader election off): a split-brain stress case.
      const a = makeController(ns, { identity: 'sb-a', config: { leaderElection: { enabled: false } } });
      const b = makeController(ns, { identity: 'sb-b', config: { leaderElection: { enabled: false } } });
      clock.advance(TICK_MS);
      await freshMetrics();
      const [ra, rb] = await Promise.all([a.ctrl.step(), b.ctrl.step()]);
      figures.ticks += 2;
      const started = ra.started.length + rb.started.length;
      assert.equal(started, 1, 'exactly one replica won the sequence number');
      await virt.waitFor((v) => v.metadata.namespace === ns);
      for (let i = 0; i < 8; i++) await round([a]);
      assert.equal((await vmims(ns)).length, 1);
      await account(ns, ['nssf']);
    });
  });

  describe('pod backends', () => {
    test('recreate: source deleted only after the target is Ready', async () => {
      const ns = 'pod-recreate';
      await fx.namespace(ns);
      await fx.pod(ns, 'sip-0', 'edge-1', { user: 'ue-p1', workload: 'sip' });
      await kubelet.sync();
      userAt('ue-p1', 3);
      const h = makeController(ns);
      kubelet.holdNotReady.add('remora-sip-1');
      await round([h]);
      assert.equal(h.reports[0]!.started[0]?.id, 'remora-sip-1');
      for (let i = 0; i < 3; i++) await round([h]);
      const names = async (): Promise<string[]> => (await listAll<PodObject>(admin, paths.pods(ns))).items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort();
      assert.deepEqual(await names(), ['remora-sip-1', 'sip-0'], 'target not Ready: source still there');
      kubelet.holdNotReady.delete('remora-sip-1');
      for (let i = 0; i < 3; i++) await round([h]);
      assert.deepEqual(await names(), ['remora-sip-1']);
      const target = await admin.request<PodObject>('GET', paths.pods(ns, 'remora-sip-1'));
      assert.equal(target.spec.nodeName, 'edge-3');
      assert.equal(target.metadata.labels?.[LABELS.role], undefined, 'finalized');
      await round([h]);
      assert.deepEqual([h.reports.at(-1)!.decisions[0]!.action, h.reports.at(-1)!.decisions[0]!.observation![0]], [0, 3], 'serving from edge-3 now: Wait');
      await account(ns, [], ['sip']);
    });

    test('recreate: a target whose kubelet died (stays Terminating) finishes once, not on every tick', async () => {
      const ns = 'pod-dead-target';
      await fx.namespace(ns);
      await fx.pod(ns, 'sip-0', 'edge-1', { user: 'ue-p2', workload: 'sip' });
      await kubelet.sync();
      userAt('ue-p2', 3);
      const h = makeController(ns, { migration: { timeoutMs: 2 * TICK_MS, cooldownMs: 60 * TICK_MS } });
      kubelet.holdNotReady.add('remora-sip-1');
      kubelet.holdTerminating.add('remora-sip-1');
      await round([h]);
      assert.equal(h.reports[0]!.started[0]?.id, 'remora-sip-1');
      for (let i = 0; i < 6; i++) await round([h]);
      const target = await admin.request<PodObject>('GET', paths.pods(ns, 'remora-sip-1'));
      assert.ok(target.metadata.deletionTimestamp, 'the target was cancelled (deleted) and is stuck Terminating, as with a dead kubelet');
      const finished = h.reports.flatMap((r) => r.finished).filter((f) => f.id === 'remora-sip-1');
      assert.deepEqual(finished.map((f) => f.result), ['timeout'], 'finished exactly once');
      assert.equal((await events(ns)).filter((e) => e.reason === 'MigrationTimedOut').length, 1);
      assert.equal(h.ctrl.metrics.migrations.get({ kind: 'pod', backend: 'recreate', result: 'timeout' }), 1);
      assert.deepEqual(h.reports.at(-1)!.decisions.map((d) => d.reason), ['cooldown'], 'abandoned: no retry inside the cooldown');
      assert.equal(h.reports.flatMap((r) => r.started).length, 1, 'no second target');
      assert.ok(isPodReady(await admin.request<PodObject>('GET', paths.pods(ns, 'sip-0'))), 'the source still serves');
      kubelet.holdTerminating.delete('remora-sip-1');
      kubelet.holdNotReady.delete('remora-sip-1');
      await kubelet.sync();
      await account(ns, [], ['sip']);
    });

    test('recreate: a second move of the same workload gets a new target (the target carries the sequence number)', async () => {
      const ns = 'pod-twice';
      await fx.namespace(ns);
      await fx.pod(ns, 'sip-0', 'edge-1', { user: 'ue-p3', workload: 'sip' });
      await kubelet.sync();
      userAt('ue-p3', 3);
      const h = makeController(ns);
      for (let i = 0; i < 4; i++) await round([h]);
      userAt('ue-p3', 1);
      for (let i = 0; i < 4; i++) await round([h]);
      assert.deepEqual(h.reports.flatMap((r) => r.started.map((s) => s.id)), ['remora-sip-1', 'remora-sip-2'], `never the serving pod adopted as a new target: ${JSON.stringify(h.reports.map((r) => r.decisions.map((d) => [d.reason, d.detail])))}`);
      assert.deepEqual(h.reports.flatMap((r) => r.finished.map((f) => `${f.id}:${f.result}`)), ['remora-sip-1:succeeded', 'remora-sip-2:succeeded']);
      const live = (await listAll<PodObject>(admin, paths.pods(ns))).items.filter((p) => !p.metadata.deletionTimestamp);
      assert.deepEqual(live.map((p) => [p.metadata.name, p.spec.nodeName, p.metadata.annotations?.[ANNOTATIONS.migrationSeq]]), [['remora-sip-2', 'edge-1', '2']]);
      await account(ns, [], ['sip']);
    });

    test('podmigration: Podmigration CR validated by the real CRD, operator double completes it', async () => {
      const ns = 'pod-pm';
      await fx.namespace(ns);
      await fx.pod(ns, 'video-0', 'edge-1', { user: 'ue-p2', workload: 'video' });
      await kubelet.sync();
      userAt('ue-p2', 2);
      const op = new FakePodmigrationOperator(admin);
      const h = makeController(ns, { pod: new PodmigrationMigrator(admin, 'live-migration') });
      await round([h]);
      const crs = (await listAll<PodmigrationObject>(admin, paths.podmigrations(ns))).items;
      assert.equal(crs.length, 1);
      assert.deepEqual(crs[0]!.spec.selector, { matchLabels: { [LABELS.workload]: 'video' } });
      assert.equal(crs[0]!.spec.destHost, 'edge-2');
      for (let i = 0; i < 4; i++) {
        await op.sync();
        await round([h]);
      }
      const fin = h.reports.flatMap((r) => r.finished);
      assert.equal(fin[0]?.result, 'succeeded');
      const pods = (await listAll<PodObject>(admin, paths.pods(ns))).items.filter((p) => !p.metadata.deletionTimestamp);
      assert.deepEqual(pods.map((p) => p.spec.nodeName), ['edge-2']);
      await account(ns, [], ['video']);
    });

    test('checkpoint: kubelet checkpoint API through the real node proxy', async (t) => {
      const ip = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
      if (!ip) {
        t.skip('no non-loopback IPv4 address: the apiserver refuses to proxy to loopback nodes');
        return;
      }
      const ns = 'pod-ckpt';
      await fx.namespace(ns);
      const fake = new FakeKubeletServer(join(plane.dir, 'serving.crt'), join(plane.dir, 'serving.key'));
      await fake.start(ip);
      try {
        await fx.node('edge-ckpt-src', { address: ip, kubeletPort: fake.port });
        await fx.pod(ns, 'cache-0', 'edge-1', { user: 'ue-p3', workload: 'cache' });
        await kubelet.sync();
        const pod = await admin.request<PodObject>('GET', paths.pods(ns, 'cache-0'));
        const m = new CheckpointMigrator(admin, 'registry.local/ckpt/{pod}-{container}:{archive}');
        // The source node's kubelet is the fake: point the workload at it for this backend-level test.
        const f = await m.start({ kind: 'pod', namespace: ns, name: 'cache', user: 'ue-p3', node: 'edge-ckpt-src', object: pod }, 'edge-2', 'remora-cache-1', clock.nowMs());
        assert.deepEqual(fake.calls, [`${ns}/cache-0/app`]);
        const target = await admin.request<PodObject>('GET', paths.pods(ns, f.id));
        assert.match(target.spec.containers[0]!.image, /^registry\.local\/ckpt\/cache-0-app:checkpoint-cache-0_pod-ckpt-app-/);
        assert.equal(target.spec.nodeName, 'edge-2');
        assert.equal((await m.progress(f)).state, 'running');
        assert.ok(await admin.request('GET', paths.pods(ns, 'cache-0')), 'source untouched while target not Ready');
        await kubelet.sync();
        assert.equal((await m.progress(f)).state, 'succeeded');
        await m.finalize(f, { state: 'succeeded', durationMs: 0, durationSource: 'test' });
      } finally {
        await fake.stop();
        await admin.request('DELETE', paths.nodes('edge-ckpt-src')).catch(() => undefined);
      }
      await account(ns, [], ['cache']);
    });
  });

  describe('RBAC (deploy/ ServiceAccount)', () => {
    const user = 'system:serviceaccount:remora-system:remora-controller';
    /** Whether the controller's ServiceAccount may do this, by the apiserver's own RBAC authorizer. */
    const can = async (verb: string, group: string, resource: string, namespace?: string, name?: string, subresource?: string): Promise<boolean> => {
      const r = await admin.request<{ status: { allowed: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, groups: ['system:serviceaccounts', 'system:serviceaccounts:remora-system', 'system:authenticated'], resourceAttributes: { verb, group, resource, namespace, name, subresource } } },
      });
      return r.status.allowed;
    };
    test('the ServiceAccount can do exactly what the controller needs, and is refused the rest', async () => {
      // The whole kustomize base goes through the real apiserver's validation (Deployment, RBAC, ConfigMap).
      const objs = await plane.applyObjects(kustomizeBuild(join(REPO_ROOT, 'deploy/base')));
      assert.deepEqual(objs.map((o) => o.kind).sort(), ['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Namespace', 'Role', 'RoleBinding', 'ServiceAccount']);
      await admin.request('GET', '/apis/apps/v1/namespaces/remora-system/deployments/remora-controller');
      const cm = objs.find((o) => o.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
      loadControllerConfig(cm.data['remora.yaml']!, 'deploy/base/configmap.yaml');
      for (const o of objs.filter((x) => x.kind === 'ClusterRole' || x.kind === 'Role')) {
        for (const rule of (o as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }).rules) {
          for (const v of [...rule.apiGroups, ...rule.resources, ...rule.verbs]) assert.notEqual(v, '*', `no wildcards in ${o.metadata.name}`);
          assert.ok(!rule.resources.includes('secrets'), 'no secrets');
        }
      }
      const allowed: [string, string, string, string?, string?][] = [
        ['get', '', 'nodes'], ['list', '', 'nodes'], ['patch', '', 'nodes'],
        ['list', 'metrics.k8s.io', 'nodes'],
        ['list', '', 'pods', 'any-ns'], ['create', '', 'pods', 'any-ns'], ['delete', '', 'pods', 'any-ns'], ['patch', '', 'pods', 'any-ns'],
        ['create', '', 'events', 'any-ns'],
        ['list', 'kubevirt.io', 'virtualmachineinstances'], ['patch', 'kubevirt.io', 'virtualmachineinstances', 'any-ns'],
        ['create', 'kubevirt.io', 'virtualmachineinstancemigrations', 'any-ns'], ['watch', 'kubevirt.io', 'virtualmachineinstancemigrations'], ['delete', 'kubevirt.io', 'virtualmachineinstancemigrations', 'any-ns'],
        ['create', 'podmig.dcn.ssu.ac.kr', 'podmigrations', 'any-ns'],
        ['create', 'coordination.k8s.io', 'leases', 'remora-system'], ['update', 'coordination.k8s.io', 'leases', 'remora-system', 'remora-controller'],
      ];
      const refused: [string, string, string, string?, string?][] = [
        ['get', '', 'secrets', 'remora-system'], ['list', '', 'secrets'], ['delete', '', 'nodes'], ['update', '', 'nodes'],
        ['delete', 'kubevirt.io', 'virtualmachineinstances', 'any-ns'], ['create', 'kubevirt.io', 'virtualmachineinstances', 'any-ns'], ['delete', 'kubevirt.io', 'virtualmachines', 'any-ns'],
        ['update', 'coordination.k8s.io', 'leases', 'remora-system', 'someone-elses-lease'], ['create', 'coordination.k8s.io', 'leases', 'kube-system'],
        ['get', '', 'configmaps', 'remora-system'], ['create', 'apps', 'deployments', 'any-ns'], ['escalate', 'rbac.authorization.k8s.io', 'clusterroles'],
        ['delete', '', 'events', 'any-ns'], ['create', '', 'nodes', undefined, undefined],
      ];
      for (const [v, g, r, n, name] of allowed) assert.equal(await can(v, g, r, n, name), true, `should allow ${v} ${g}/${r}`);
      for (const [v, g, r, n, name] of refused) assert.equal(await can(v, g, r, n, name), false, `should refuse ${v} ${g}/${r}`);
      assert.equal(await can('create', '', 'nodes', undefined, 'edge-1', 'proxy'), false, 'nodes/proxy only with deploy/optional/checkpoint-rbac.yaml');
      assert.equal(await can('create', '', 'pods', 'any-ns', 'x', 'exec'), false);

      // And for real: a full migration driven with the ServiceAccount's own (TokenRequest) token.
      const saToken = await plane.tokenFor('remora-system', 'remora-controller');
      const sa = plane.clientWithToken(saToken);
      await assert.rejects(sa.request('GET', '/api/v1/namespaces/remora-system/secrets'), /403/);

      // In-cluster auth path (what `remora controller` uses without --kubeconfig): client-node's loadFromCluster
      // reads the projected token, CA and namespace files (it re-reads the token file every 60 s, like client-go).
      const prefix = join(plane.dir, 'incluster');
      const saDir = join(prefix, 'var/run/secrets/kubernetes.io/serviceaccount');
      mkdirSync(saDir, { recursive: true });
      writeFileSync(join(saDir, 'token'), saToken);
      writeFileSync(join(saDir, 'ca.crt'), readFileSync(join(plane.dir, 'ca.crt')));
      writeFileSync(join(saDir, 'namespace'), 'remora-system');
      const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
      process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
      process.env.KUBERNETES_SERVICE_PORT = new URL(plane.server).port;
      const kcIn = new KubeConfig();
      try {
        kcIn.loadFromCluster(prefix);
      } finally {
        if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
        else process.env.KUBERNETES_SERVICE_HOST = saved.host;
        if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
        else process.env.KUBERNETES_SERVICE_PORT = saved.port;
      }
      const inCluster = new HttpKubeClient(kcIn);
      assert.ok((await inCluster.request<{ items: unknown[] }>('GET', paths.nodes())).items.length >= 3);
      await assert.rejects(inCluster.request('GET', '/api/v1/namespaces/remora-system/secrets'), /403/);

      const ns = 'rbac-e2e';
      await fx.namespace(ns);
      await fx.vmi(ns, 'smsf', 'edge-1', { user: 'ue-r' });
      userAt('ue-r', 2);
      const h = makeController(ns, { client: sa, lease: 'remora-controller', identity: 'sa-replica' });
      for (let i = 0; i < 9; i++) await round([h]);
      assert.equal(h.reports[0]!.leader, true);
      assert.equal((await vmi(ns, 'smsf')).status!.nodeName, 'edge-2');
      assert.ok((await events(ns)).some((e) => e.reason === 'MigrationSucceeded'));
      assert.equal(h.ctrl.metrics.errors.get({ stage: 'start' }), 0);
      await account(ns, ['smsf']);
    });

    test('the sharded overlay: a StatefulSet of 3, the shards\' named Leases and the one budget ConfigMap, nothing more', async () => {
      // The overlay goes through the real apiserver's validation; what the shards do with these grants is proven by
      // the sharded test, whose three replicas run with this ServiceAccount's own token.
      const objs = kustomizeBuild(join(REPO_ROOT, 'deploy/sharded'));
      assert.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ['ClusterRole/remora-controller', 'ClusterRoleBinding/remora-controller', 'ConfigMap/remora-config', 'Namespace/remora-system', 'Role/remora-shards', 'RoleBinding/remora-shards', 'Service/remora-controller', 'ServiceAccount/remora-controller', 'StatefulSet/remora-controller'].sort());
      const sts = objs.find((o) => o.kind === 'StatefulSet') as unknown as { spec: { replicas: number; template: { spec: { containers: { args: string[] }[] } } } };
      const args = sts.spec.template.spec.containers[0]!.args;
      assert.equal(args[args.indexOf('--shards') + 1], String(sts.spec.replicas), 'one replica per shard');
      // A cluster that ran the base first: the overlay's Role replaces the single-Lease one.
      await admin.request('DELETE', '/apis/rbac.authorization.k8s.io/v1/namespaces/remora-system/roles/remora-leader-election').catch(() => undefined);
      await admin.request('DELETE', '/apis/rbac.authorization.k8s.io/v1/namespaces/remora-system/rolebindings/remora-leader-election').catch(() => undefined);
      await plane.applyObjects(objs);
      await admin.request('GET', '/apis/apps/v1/namespaces/remora-system/statefulsets/remora-controller');
      const shards = sts.spec.replicas;
      // The apiserver authorises through RBAC informers: a Role just applied (or deleted) takes effect a moment
      // later. Wait until the new grant and the deleted Role's refusal are both visible, then check every verb.
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !((await can('get', 'coordination.k8s.io', 'leases', 'remora-system', shardLeaseName('remora-controller', 0))) && !(await can('update', 'coordination.k8s.io', 'leases', 'remora-system', 'remora-controller')))) {
        await new Promise((r) => setTimeout(r, 100));
      }
      for (let i = 0; i < shards; i++) {
        for (const verb of ['get', 'update']) assert.equal(await can(verb, 'coordination.k8s.io', 'leases', 'remora-system', shardLeaseName('remora-controller', i)), true, `${verb} the Lease of shard ${i}`);
      }
      assert.equal(await can('create', 'coordination.k8s.io', 'leases', 'remora-system'), true);
      for (const verb of ['get', 'update']) assert.equal(await can(verb, '', 'configmaps', 'remora-system', 'remora-controller-budget'), true, `${verb} the budget`);
      assert.equal(await can('create', '', 'configmaps', 'remora-system'), true, 'create the budget');
      const refused: [string, string, string, string?, string?][] = [
        ['update', 'coordination.k8s.io', 'leases', 'remora-system', shardLeaseName('remora-controller', shards)],
        ['update', 'coordination.k8s.io', 'leases', 'remora-system', 'remora-controller'],
        ['delete', 'coordination.k8s.io', 'leases', 'remora-system', shardLeaseName('remora-controller', 0)],
        ['list', 'coordination.k8s.io', 'leases', 'remora-system'],
        ['create', 'coordination.k8s.io', 'leases', 'kube-system'],
        ['get', '', 'configmaps', 'remora-system', 'remora-config'], ['update', '', 'configmaps', 'remora-system', 'remora-config'],
        ['list', '', 'configmaps', 'remora-system'], ['delete', '', 'configmaps', 'remora-system', 'remora-controller-budget'],
        ['create', '', 'configmaps', 'kube-system'], ['get', '', 'secrets', 'remora-system'],
      ];
      for (const [v, g, r, n, name] of refused) assert.equal(await can(v, g, r, n, name), false, `should refuse ${v} ${g}/${r} ${n ?? ''}/${name ?? ''}`);
    });
  });

  describe('remora controller (CLI, real process)', () => {
    function writeCliConfig(name: string, ns: string, rttUrl: string, lease: string): { kc: string; cfg: string } {
      const kc = join(plane.dir, `${name}.kubeconfig`);
      const cfg = join(plane.dir, `${name}.yaml`);
      plane.writeKubeconfig(kc);
      writeFileSync(cfg, [
        'namespace: remora-system',
        `nodes: [${NODES.join(', ')}]`,
        'tickMs: 300',
        `workloads: { namespaces: [${ns}] }`,
        `observation: { maxAgeMs: 5000, rttWindow: 1, rtt: { source: http-json, url: "${rttUrl}" } }`,
        'migration: { cooldownMs: 0 }',
        `leaderElection: { leaseName: ${lease}, leaseDurationMs: 3000, renewPeriodMs: 200 }`,
        'metrics: { port: 0, bindAddress: 127.0.0.1 }',
      ].join('\n'));
      return { kc, cfg };
    }

    test('runs from a kubeconfig, leads, serves /metrics, logs JSON, stops gracefully on SIGTERM', async () => {
      const ns = 'cli-e2e';
      await fx.namespace(ns);
      await fx.vmi(ns, 'ims', 'edge-1', { user: 'ue-cli' });
      userAt('ue-cli', 1);
      const { kc, cfg } = writeCliConfig('cli', ns, rtt.url, 'cli-lease');
      const p = spawnController(['--kubeconfig', kc, '--config', cfg, '--policy', 'follow-me', '--identity', 'cli-replica']);
      try {
        const port = (await p.waitLog((l) => l.msg === 'metrics listening', 'metrics listening')).port as number;
        await p.waitLog((l) => l.msg === 'became leader', 'became leader');
        // The RTT endpoint stamps samples with the suite's fake clock, months behind the real one: stale.
        const forced = await p.waitLog((l) => l.msg === 'forced wait', 'forced wait');
        assert.match(String(forced.why), /RTT of edge-1 is stale/);
        const metricsText = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        assert.match(metricsText, /remora_ticks_total \d+/);
        assert.match(metricsText, /remora_leader 1/);
        assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
        const lease = await admin.request<{ spec: { holderIdentity: string } }>('GET', paths.leases('remora-system', 'cli-lease'));
        assert.equal(lease.spec.holderIdentity, 'cli-replica');
      } finally {
        p.kill('SIGTERM');
      }
      assert.equal(await p.exited, 0, p.stderr());
      assert.ok(p.lines.some((l) => l.msg === 'stopped'));
      for (const l of p.lines) assert.ok(typeof l.time === 'string' && typeof l.level === 'string');
      const lease = await admin.request<{ spec: { holderIdentity: string | null } }>('GET', paths.leases('remora-system', 'cli-lease'));
      assert.equal(lease.spec.holderIdentity ?? null, null, 'lease released on graceful shutdown');
      assert.equal((await vmims(ns)).length, 0);
      await account(ns, ['ims']);
    });

    test('fault: controller process SIGKILLed mid-migration, restarted -> adopts, no duplicate', async () => {
      figures.faultCases++;
      const ns = 'cli-kill';
      await fx.namespace(ns);
      await fx.vmi(ns, 'hss', 'edge-1', { user: 'ue-kill' });
      // Real time for real processes: a second RTT endpoint and NodeMetrics on the wall clock.
      const wall: Clock = { nowMs: () => Date.now() };
      const rttWall = new FakeRttServer(wall);
      await rttWall.start();
      rttWall.rtt.set('ue-kill', { 'edge-1': 18, 'edge-2': 10, 'edge-3': 2 });
      const refresh = async (): Promise<void> => {
        for (const n of NODES) await fx.nodeMetrics(n, 0.3, 0.4, Date.now());
      };
      await refresh();
      // The doubles' heartbeat for processes that run on the wall clock (metrics must stay fresh, VMIMs move on
      // their own): pacing, not a wait for a result; the assertions below wait on log lines.
      const stop = new AbortController();
      const background = (async () => {
        while (!stop.signal.aborted) {
          await refresh().catch(() => undefined);
          await virt.step().catch(() => undefined);
          await systemDelay(250, stop.signal);
        }
      })();
      virt.behaviours.set(ns, 'hang');
      const { kc, cfg } = writeCliConfig('kill', ns, rttWall.url, 'kill-lease');
      let b: CliProcess | undefined;
      try {
        const a = spawnController(['--kubeconfig', kc, '--config', cfg, '--policy', 'follow-me', '--identity', 'kill-a']);
        await a.waitLog((l) => l.msg === 'migration started', 'migration started');
        a.kill('SIGKILL');
        assert.equal(await a.exited, null, 'killed, no graceful shutdown');
        assert.equal((await vmims(ns)).length, 1);
        b = spawnController(['--kubeconfig', kc, '--config', cfg, '--policy', 'follow-me', '--identity', 'kill-b']);
        await b.waitLog((l) => l.msg === 'became leader', 'became leader');
        virt.behaviours.delete(ns); // only now, so b's VMIM watch (running since its start) sees the phases
        const fin = await b.waitLog((l) => l.msg === 'migration finished', 'migration finished');
        assert.equal(fin.migration, 'remora-hss-1', 'the new process adopted the dead one\'s VMIM');
        assert.equal(fin.result, 'succeeded');
        assert.ok(!b.lines.some((l) => l.msg === 'migration started'), 'and started none of its own');
        assert.ok(b.lines.some((l) => l.msg === 'migration phase' && l.migration === 'remora-hss-1' && l.phase === 'Succeeded'), 'phases seen through the VMIM watch');
        assert.equal((await vmims(ns)).length, 1);
        assert.equal((await vmi(ns, 'hss')).status!.nodeName, 'edge-3');
      } finally {
        b?.kill('SIGTERM');
        stop.abort();
        await background;
        await rttWall.stop();
        virt.behaviours.delete(ns);
      }
      assert.equal(await b!.exited, 0);
      await account(ns, ['hss']);
    });

    test('a policy file from src/agents (model.json) drives the controller through the CLI resolver', async () => {
      const { DEFAULT_DQN_CONFIG, DqnAgent } = await import('../../src/agents/dqn.js');
      const { saveAgent } = await import('../../src/agents/factory.js');
      const { Rng } = await import('../../src/core/rng.js');
      const { resolvePolicy } = await import('../../src/cli/commands/controller.js');
      const dir = join(plane.dir, 'model');
      const agent = new DqnAgent({ ...DEFAULT_DQN_CONFIG, warmupSteps: 10 }, NODES.length, 100, new Rng(7));
      saveAgent(dir, agent, { scenario: 'cluster-test', seed: 7, steps: 0, episodes: 0, updates: 0, meanReward: 0, config: {} });
      const newPolicy = resolvePolicy(join(dir, 'model.json'), REPO_ROOT, NODES.length);
      const ns = 'cli-model';
      await fx.namespace(ns);
      await fx.vmi(ns, 'pcscf', 'edge-1', { user: 'ue-m' });
      userAt('ue-m', 2);
      const h = makeController(ns, { policy: newPolicy, migration: { dryRun: true } });
      for (let i = 0; i < 3; i++) await round([h]);
      for (const r of h.reports) {
        const d = r.decisions[0]!;
        assert.ok(Number.isInteger(d.policyAction) && d.policyAction! >= 0 && d.policyAction! <= NODES.length, `legal action, got ${d.policyAction}`);
        assert.ok(!['illegal-action', 'error'].includes(d.reason), d.reason);
      }
      assert.equal((await vmims(ns)).length, 0, 'dry run');
    });

    test('bad config and unknown policy fail with one line', async () => {
      const { main } = await import('../../src/cli/main.js');
      const out: string[] = [];
      const io = { out: (t: string) => void out.push(t), err: (t: string) => void out.push(t), isTTY: false, cwd: plane.dir, env: {} };
      writeFileSync(join(plane.dir, 'bad.yaml'), `nodes: [edge-1]\nobservation: { rtt: { source: http-json, url: x } }\ntickMS: 5\n`);
      assert.equal(await main(['controller', '--config', 'bad.yaml', '--policy', 'follow-me'], io), 1);
      assert.match(out.join(''), /^remora: .*bad\.yaml: tickMS: expected no such key \(unknown keys are errors\), got 5\n$/);
      out.length = 0;
      writeFileSync(join(plane.dir, 'ok.yaml'), `nodes: [edge-1]\nobservation: { rtt: { source: http-json, url: x } }\n`);
      assert.equal(await main(['controller', '--config', 'ok.yaml', '--policy', 'no-such-model.json'], io), 1);
      assert.equal(out.join('').trim().split('\n').length, 1, out.join(''));
    });
  });
});
