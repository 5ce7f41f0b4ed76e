/**
 * The lab for real: a control plane, kube-scheduler, kube-controller-manager and real kubelets with
 * their own containerd, on this machine. The pod that moves is the echo service (tools/lab/echo), moved by the
 * project's own RecreateMigrator while a client stays connected through a stable endpoint.
 *
 * Preconditions (root, containerd, runc, CNI plugins, cgroup v1, Go for the builds): a missing one skips every
 * test and names it; with REQUIRE_LAB=1 it fails them instead. Once the preconditions hold, a lab that does
 * not come up is a failure either way.
 *
 * Run: npm run test:lab (LAB_NODES=3 for three nodes; REMORA_KEEP_LAB=1 keeps the folder for its logs).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import { after, before, describe, test, type TestContext } from 'node:test';
import { isNotFound, KubeApiError } from '../../src/cluster/kube/client.js';
import { isPodReady, type PodObject } from '../../src/cluster/kube/resources.js';
import { CheckpointMigrator, CheckpointUnavailableError, FALLBACK_ANNOTATION, RecreateMigrator } from '../../src/cluster/migrate/pod.js';
import type { InFlight, Progress, Workload } from '../../src/cluster/migrate/types.js';
import { EchoClient } from '../../src/lab/echo-client.js';
import { ServiceEndpoint } from '../../src/lab/endpoint.js';
import { CNI_CACHE_DIR, describeLeftovers, isClean, leftovers, SHIM_SOCKET_DIR } from '../../src/lab/host.js';
import { Lab } from '../../src/lab/lab.js';
import { httpsStatus } from '../../src/lab/lab-api.js';
import { KUBELET_PORT, type NodeSpec } from '../../src/lab/node.js';
import { labAvailable, labRequired, missingLab, startTestLab, waitFor } from '../../src/lab/testing/lab-fixture.js';

const REQUIRE = labRequired();
const NODES = Number(process.env.LAB_NODES ?? 2);
const NS = 'lab';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let lab: Lab | undefined;
let unavailable = '';
/** Shared host folders before the lab: what containerd and libcni put there must be gone afterwards. */
let hostBefore: Record<string, string[] | null> = {};
const hostNow = (): Record<string, string[] | null> => Object.fromEntries([SHIM_SOCKET_DIR, CNI_CACHE_DIR].map((d) => [d, existsSync(d) ? readdirSync(d).sort() : null]));
let stopped = false;

function need(t: TestContext): Lab | undefined {
  return labAvailable(t, unavailable) ? lab! : undefined;
}

const getPod = async (l: Lab, name: string): Promise<PodObject | undefined> => {
  try {
    return await l.admin.request<PodObject>('GET', `/api/v1/namespaces/${NS}/pods/${name}`);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
};

function echoPod(image: string, node: string): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'echo-0', namespace: NS, labels: { app: 'echo', 'remora.io/workload': 'echo', 'remora.io/managed': 'true' }, annotations: { 'remora.io/user': 'ue-1' } },
    spec: {
      nodeName: node,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 2,
      containers: [
        {
          name: 'echo',
          image,
          imagePullPolicy: 'Never',
          ports: [
            { name: 'ping', containerPort: 7000 },
            { name: 'http', containerPort: 8080 },
          ],
          readinessProbe: { tcpSocket: { port: 7000 }, periodSeconds: 1, failureThreshold: 1, successThreshold: 1 },
        },
      ],
    },
  } as PodObject;
}

describe('lab: real kubelets, a pod that moves', () => {
  before(async () => {
    unavailable = missingLab();
    if (unavailable) {
      process.stderr.write(`\n!! LAB TESTS ${REQUIRE ? 'FAIL' : 'SKIPPED'}: ${unavailable}\n`);
      return;
    }
    hostBefore = hostNow();
    lab = await startTestLab('remora-lab-', { nodes: NODES });
    const u = lab.usage();
    process.stderr.write(`lab: up in ${lab.snapshot().readyAfterMs} ms, ${u.processes.length} processes, RSS ${(u.rssBytes / 2 ** 20).toFixed(0)} MiB\n`);
  });

  after(async () => {
    if (lab && !stopped) await lab.stop({ keepDir: process.env.REMORA_KEEP_LAB === '1' });
  });

  test('(a) every node registers with its lab address and becomes Ready; the scheduler binds an unpinned pod', async (t) => {
    const l = need(t);
    if (!l) return;
    const nodes = await l.admin.request<{ items: { metadata: { name: string }; status: { addresses: { type: string; address: string }[]; conditions: { type: string; status: string }[]; nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string } } }[] }>('GET', '/api/v1/nodes');
    assert.deepEqual(nodes.items.map((n) => n.metadata.name).sort(), l.snapshot().nodes.map((n) => n.name).sort());
    for (const n of nodes.items) {
      const spec: NodeSpec = l.snapshot().nodes.find((s) => s.name === n.metadata.name)!;
      assert.equal(n.status.conditions.find((c) => c.type === 'Ready')?.status, 'True', `${n.metadata.name} Ready`);
      assert.equal(n.status.addresses.find((a) => a.type === 'InternalIP')?.address, spec.ip);
      assert.match(n.status.nodeInfo.kubeletVersion, /^v1\.\d+\.\d+/);
      t.diagnostic(`${n.metadata.name}: ${spec.ip}, kubelet ${n.status.nodeInfo.kubeletVersion}, ${n.status.nodeInfo.containerRuntimeVersion}`);
    }
    await l.admin.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sched' } } });
    const pod = echoPod(l.images.echo, '');
    delete (pod.spec as { nodeName?: string }).nodeName;
    pod.metadata = { name: 'unpinned', namespace: 'sched' };
    await l.admin.request('POST', '/api/v1/namespaces/sched/pods', { body: pod });
    const bound = await waitFor('the scheduler to bind the pod', 30_000, async () => (await l.admin.request<PodObject>('GET', '/api/v1/namespaces/sched/pods/unpinned')).spec.nodeName || undefined);
    assert.ok(l.snapshot().nodes.some((n) => n.name === bound), `bound to a lab node, got ${bound}`);
    await l.admin.request('DELETE', '/api/v1/namespaces/sched/pods/unpinned', { body: { gracePeriodSeconds: 0 } });
  });

  test('(b) a kubelet refuses anonymous and unauthorized requests, and listens only on its lab address', async (t) => {
    const l = need(t);
    if (!l) return;
    const ca = l.controlPlane.caData;
    for (const n of l.snapshot().nodes) {
      // The kubelet's serving certificate is verified against the lab CA: this is the real kubelet on its address.
      for (const path of ['/pods', '/metrics', '/healthz', `/checkpoint/${NS}/x/y`]) {
        const code = await httpsStatus(`https://${n.ip}:${KUBELET_PORT}${path}`, ca);
        assert.ok(code === 401 || code === 403, `anonymous GET ${path} on ${n.name}: expected 401/403, got ${code}`);
        if (path === '/pods') assert.equal(code, 401, 'anonymous authentication is off');
      }
      const refused = await new Promise<string>((res) => {
        const s = net.connect(KUBELET_PORT, '127.0.0.1');
        s.once('connect', () => (s.destroy(), res('connected')));
        s.once('error', (e: NodeJS.ErrnoException) => res(e.code ?? e.message));
      });
      assert.equal(refused, 'ECONNREFUSED', 'nothing of the lab on 127.0.0.1:10250');
    }
    // Authenticated by the apiserver (webhook TokenReview) but not authorized (webhook SubjectAccessReview): 403.
    await l.admin.request('POST', '/api/v1/namespaces/default/serviceaccounts', { body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'nobody' } } });
    const token = await l.controlPlane.tokenFor('default', 'nobody');
    const n = l.snapshot().nodes[0]!;
    const code = await new Promise<number>((res, rej) => {
      const req = https.get(`https://${n.ip}:${KUBELET_PORT}/pods`, { ca, headers: { authorization: `Bearer ${token}` } }, (r) => (r.resume(), res(r.statusCode ?? 0)));
      req.on('error', rej);
    });
    assert.equal(code, 403, 'a service account without nodes/proxy is authenticated and then refused');
  });

  let movedTo = '';
  test('(c) a pod moves: RecreateMigrator, target Ready before the source goes, client measures the gap', async (t) => {
    const l = need(t);
    if (!l) return;
    const [a, b] = l.snapshot().nodes;
    assert.ok(a && b, 'two nodes');
    await l.admin.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
    await l.admin.request('POST', `/api/v1/namespaces/${NS}/services`, {
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: NS }, spec: { clusterIP: 'None', selector: { app: 'echo' }, ports: [{ name: 'ping', port: 7000, targetPort: 7000 }] } },
    });
    const t0 = Date.now();
    await l.admin.request('POST', `/api/v1/namespaces/${NS}/pods`, { body: echoPod(l.images.echo, a.name) });
    const src = await waitFor('echo-0 Ready on node A', 60_000, async () => {
      const p = await getPod(l, 'echo-0');
      return p && isPodReady(p) ? p : undefined;
    });
    t.diagnostic(`echo-0 Ready on ${a.name} at ${src.status?.podIP} in ${Date.now() - t0} ms`);

    const ep = new ServiceEndpoint({ client: l.admin, namespace: NS, service: 'echo', port: 7000 });
    const port = await ep.start();
    await waitFor('EndpointSlice with echo-0', 30_000, async () => (ep.current().some((e) => e.pod === 'echo-0') ? true : undefined));
    const client = new EchoClient({ host: '127.0.0.1', port, intervalMs: 10 });
    client.start();
    try {
      await waitFor('first PONG', 10_000, async () => (client.pongs.length >= 20 ? true : undefined));

      const w: Workload = { kind: 'pod', namespace: NS, name: 'echo', user: 'ue-1', node: a.name, object: src };
      const m = new RecreateMigrator(l.admin);
      assert.equal(await m.precheck(w, b.name), undefined);
      const startedAt = Date.now();
      const f: InFlight = await m.start(w, b.name, 'remora-echo-1', startedAt);
      let p: Progress = { state: 'running', phase: '' };
      let sourceSeenWhileTargetNotReady = false;
      while (p.state === 'running') {
        const srcNow = await getPod(l, 'echo-0');
        p = await m.progress(f);
        if (p.state === 'running') sourceSeenWhileTargetNotReady ||= !!srcNow && isPodReady(srcNow);
        if (Date.now() - startedAt > 60_000) assert.fail(`migration still ${JSON.stringify(p)} after 60 s`);
        if (p.state === 'running') await sleep(50);
      }
      const succeededAt = Date.now();
      assert.equal(p.state, 'succeeded', JSON.stringify(p));
      assert.ok(sourceSeenWhileTargetNotReady, 'the source stayed Ready while the target was starting');
      await m.finalize(f, p);
      const target = (await getPod(l, 'remora-echo-1'))!;
      assert.equal(target.spec.nodeName, b.name);
      const readyAt = Date.parse(target.status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime!);

      const after = await client.waitForHost((h) => h === 'remora-echo-1', 30_000);
      assert.ok(after, `the client reached the target (last error: ${client.lastError})`);
      await waitFor('source pod gone', 30_000, async () => ((await getPod(l, 'echo-0')) ? undefined : true));
      await sleep(200);
      const r = await client.stop();
      assert.deepEqual(r.hosts, ['echo-0', 'remora-echo-1'], 'served by the source, then by the target, never back');
      const gap = r.switchover!;
      assert.ok(gap.before.count >= 20, `the source's counter was visible and counting (${gap.before.count})`);
      assert.equal(gap.after.count, 1, 'recreate starts the target from a fresh state: its counter restarts');
      assert.ok(gap.gapMs > 0);
      movedTo = b.name;
      const durationMs = (p as { durationMs: number }).durationMs;
      t.diagnostic(
        `migration ${a.name} -> ${b.name}: start->succeeded ${succeededAt - startedAt} ms (pod created->Ready ${durationMs} ms, Ready at +${readyAt - startedAt} ms, 1 s condition resolution); ` +
          `client downtime ${gap.gapMs} ms (last PONG ${gap.before.count} from ${gap.before.host}, next PONG ${gap.after.count} from ${gap.after.host}); ` +
          `${r.pongs} PONGs, ${r.failures} failed connects; endpoint changes: ${ep.changes.map((c) => `${c.backends.map((x) => x.pod).join('+') || 'none'}@+${c.atMs - startedAt}`).join(' ')}`,
      );
    } finally {
      await client.stop();
      await ep.stop();
    }
  });

  test('(d) checkpoint backend meets the real kubelet: classified as unavailable; with fallback allowed, a real recreate', async (t) => {
    const l = need(t);
    if (!l) return;
    assert.ok(movedTo, 'needs the pod moved by (c)');
    const pod = (await getPod(l, 'remora-echo-1'))!;
    const back = l.snapshot().nodes.find((n) => n.name !== movedTo)!.name;
    const w: Workload = { kind: 'pod', namespace: NS, name: 'echo', user: 'ue-1', node: movedTo, object: pod };
    const m = new CheckpointMigrator(l.admin, 'remora.local/lab/checkpoint/{pod}-{container}:{archive}');
    const err = await m.start(w, back, 'remora-echo-2', Date.now()).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof CheckpointUnavailableError, `classified as unavailable, got ${String(err)}`);
    const raw = err.cause as KubeApiError;
    t.diagnostic(`real kubelet via the apiserver node proxy answered: ${raw.status} ${raw.message}`);
    assert.equal(raw.status, 500);
    assert.match(raw.message, /rpc error: code = Unimplemented desc = method CheckpointContainer not implemented/);
    assert.equal(await getPod(l, 'remora-echo-2'), undefined, 'no target pod was created');
    assert.ok(isPodReady((await getPod(l, 'remora-echo-1'))!), 'the serving pod is untouched');

    // The workload allows a cold restart: the same backend falls back to a real recreate, client connected.
    const annotated = await l.admin.request<PodObject>('PATCH', `/api/v1/namespaces/${NS}/pods/remora-echo-1`, { body: { metadata: { annotations: { [FALLBACK_ANNOTATION]: 'recreate' } } } });
    const ep = new ServiceEndpoint({ client: l.admin, namespace: NS, service: 'echo', port: 7000 });
    const port = await ep.start();
    const client = new EchoClient({ host: '127.0.0.1', port, intervalMs: 10 });
    client.start();
    try {
      await waitFor('PONGs from remora-echo-1', 10_000, async () => (client.pongs.length >= 20 ? true : undefined));
      const startedAt = Date.now();
      const f = await m.start({ ...w, object: annotated }, back, 'remora-echo-2', startedAt);
      assert.match(f.fallback ?? '', /does not implement CheckpointContainer/, 'the in-flight record says why');
      let p: Progress = { state: 'running', phase: '' };
      while (p.state === 'running') {
        p = await m.progress(f);
        if (Date.now() - startedAt > 60_000) assert.fail(`fallback migration still ${JSON.stringify(p)} after 60 s`);
        if (p.state === 'running') await sleep(50);
      }
      assert.equal(p.state, 'succeeded', JSON.stringify(p));
      const succeededAt = Date.now();
      await m.finalize(f, p);
      const adopted = await m.listInFlight([NS]);
      assert.deepEqual(adopted, [], 'finalized');
      assert.ok(await client.waitForHost((h) => h === 'remora-echo-2', 30_000), `client reached the fallback target (last error: ${client.lastError})`);
      const r = await client.stop();
      assert.deepEqual(r.hosts, ['remora-echo-1', 'remora-echo-2']);
      assert.equal(r.switchover!.after.count, 1, 'state lost, as the fallback says');
      t.diagnostic(`checkpoint -> recreate fallback ${movedTo} -> ${back}: start->succeeded ${succeededAt - startedAt} ms; client downtime ${r.switchover!.gapMs} ms`);
    } finally {
      await client.stop();
      await ep.stop();
    }
  });

  test('(e) stop leaves nothing behind: no processes, links, mounts, cgroups or CNI cache files', async (t) => {
    const l = need(t);
    if (!l) return;
    const fp = l.footprint;
    const left = await l.stop();
    stopped = true;
    assert.ok(isClean(left), `left behind: ${describeLeftovers(left)}`);
    assert.ok(isClean(leftovers(fp)), 'and still nothing a moment later');
    assert.deepEqual(hostNow(), hostBefore, 'no shim socket or CNI cache file (nor their folders) added to the host');
    assert.equal(existsSync(fp.dir), false, 'the lab folder is gone');
  });
});
