/** Observation sources against tiny loopback servers (Prometheus, HTTP JSON, TCP, MEC 013), and Eq.1-3. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { averageRtt, nodeLoad } from '../../core/reward.js';
import { HttpJsonRtt } from './http-json.js';
import { haversineKm, Mec013Rtt } from './mec013.js';
import { buildObservation } from './observation.js';
import { RttTable } from './rtt-table.js';
import { PrometheusLoad, PrometheusRtt } from './prometheus.js';
import { parseQuantity } from './quantity.js';
import { splitHostPort, TcpProbeRtt } from './tcp-probe.js';
import type { Clock } from './types.js';

const clock: Clock = { nowMs: () => 1_767_225_600_000 };

async function serve(handler: (req: http.IncomingMessage, url: URL) => unknown): Promise<{ url: string; close(): Promise<void>; seen: string[] }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.url} ${req.headers.authorization ?? ''}`.trim());
    const body = handler(req, url);
    res.writeHead(body === undefined ? 500 : 200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'boom' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

test('Eq.1 averageRtt and Eq.2 nodeLoad (clamped like the twin)', () => {
  assert.equal(averageRtt([2, 4, 6]), 4);
  assert.ok(Number.isNaN(averageRtt([])));
  assert.equal(nodeLoad(0, 0), 1);
  assert.ok(Math.abs(nodeLoad(0.5, 0.5) - 4) < 1e-12);
  assert.ok(Math.abs(nodeLoad(1.5, 2) - 10_000) < 1e-6);
  assert.ok(Number.isNaN(nodeLoad(Number.NaN, 0.1)));
});

test('quantities', () => {
  assert.equal(parseQuantity('250m'), 0.25);
  assert.equal(parseQuantity('2'), 2);
  assert.equal(parseQuantity('1500000000n'), 1.5);
  assert.equal(parseQuantity('1Ki'), 1024);
  assert.equal(parseQuantity('8Gi'), 8 * 2 ** 30);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.ok(Number.isNaN(parseQuantity('lots')));
});

test('the RTT store keeps the last N samples per (user, node), ignores repeats', () => {
  const a = new RttTable(['n1', 'n2'], 3);
  a.pushSamples('u', 'n1', [{ value: 10, atMs: 1 }, { value: 20, atMs: 2 }]);
  a.pushSamples('u', 'n1', [{ value: 20, atMs: 2 }]); // repeat of the same sample
  a.pushSamples('u', 'n1', [{ value: 30, atMs: 3 }, { value: 40, atMs: 4 }]);
  assert.deepEqual(a.get('u', 'n1'), { value: 30, atMs: 4 });
  assert.equal(a.get('u', 'n2'), undefined);
});

test('the RTT store: a garbage sample (negative, NaN) poisons the Eq.1 mean while it is in the window', () => {
  const a = new RttTable(['n1'], 3);
  a.pushSamples('u', 'n1', [{ value: 10, atMs: 1 }, { value: 10, atMs: 2 }, { value: -5, atMs: 3 }]);
  // A mean of 5 would look like a good node; the observation must see the -5 instead.
  assert.deepEqual(a.get('u', 'n1'), { value: -5, atMs: 3 });
  a.pushSamples('u', 'n1', [{ value: Number.NaN, atMs: 4 }]);
  assert.ok(Number.isNaN(a.get('u', 'n1')!.value));
  a.pushSamples('u', 'n1', [{ value: 12, atMs: 5 }, { value: 14, atMs: 6 }, { value: 16, atMs: 7 }]);
  assert.deepEqual(a.get('u', 'n1'), { value: 14, atMs: 7 }, 'once the window has only RTTs, the mean is back');
  // The batched read (the fleet path's rows) refuses a poisoned pair too: a negative value is no RTT.
  a.pushSamples('u', 'n1', [{ value: -1, atMs: 8 }]);
  assert.ok(Number.isNaN(a.readRow(a.find('u'), new Float64Array(1), 0, 8, 1000)));
  const obs = buildObservation(['n1'], 'n1', () => ({ value: -5, atMs: 100 }), () => ({ value: 1, atMs: 100 }), 100, 10_000);
  assert.deepEqual(obs.problems, ['RTT of n1 is negative (-5)']);
  // A slower load source gets its own staleness budget; the RTT keeps the tighter one.
  const slow = (loadMaxAgeMs?: number) => buildObservation(['n1'], 'n1', () => ({ value: 5, atMs: 90_000 }), () => ({ value: 1, atMs: 88_000 }), 100_000, 11_000, false, loadMaxAgeMs).problems;
  assert.deepEqual(slow(), ['load of n1 is stale (12000 ms > 11000 ms)']);
  assert.deepEqual(slow(20_000), []);
});

test('buildObservation: layout (N_i, R_1..R_N, L_1..L_N) and forced-Wait reasons', () => {
  const nodes = ['a', 'b', 'c'];
  const now = 100_000;
  const ok = buildObservation(nodes, 'b', (n) => ({ value: { a: 5, b: 7, c: 9 }[n]!, atMs: now - 1000 }), (n) => ({ value: { a: 1.5, b: 2, c: 3 }[n]!, atMs: now - 2000 }), now, 10_000);
  assert.deepEqual(Array.from(ok.observation), [2, 5, 7, 9, 1.5, 2, 3]);
  assert.deepEqual(ok.problems, []);
  // The edge model's layout: the in-flight block follows, zeros (the policy is asked only when nothing is in flight).
  const edge = buildObservation(nodes, 'b', (n) => ({ value: { a: 5, b: 7, c: 9 }[n]!, atMs: now - 1000 }), (n) => ({ value: { a: 1.5, b: 2, c: 3 }[n]!, atMs: now - 2000 }), now, 10_000, true);
  assert.deepEqual(Array.from(edge.observation), [2, 5, 7, 9, 1.5, 2, 3, 0, 0, 0]);
  assert.equal(ok.maxAgeMs, 2000);
  const bad = buildObservation(nodes, 'z', (n) => (n === 'a' ? undefined : { value: n === 'b' ? Number.NaN : 1, atMs: now }), () => ({ value: 1, atMs: now - 20_000 }), now, 10_000);
  assert.ok(bad.problems.some((p) => /not one of the configured nodes/.test(p)));
  assert.ok(bad.problems.includes('RTT of a missing'));
  assert.ok(bad.problems.includes('RTT of b is NaN'));
  assert.ok(bad.problems.some((p) => /load of c is stale/.test(p)));
});

test('Prometheus HTTP API: load from two node-exporter queries (Eq.2) and RTT per node', async () => {
  const s = await serve((_req, url) => {
    const q = url.searchParams.get('query') ?? '';
    const at = 1_767_225_590;
    if (q.includes('idle')) return { status: 'success', data: { resultType: 'vector', result: [{ metric: { instance: '10.0.0.1:9100' }, value: [at, '0.5'] }, { metric: { instance: 'edge-2' }, value: [at, '0.2'] }] } };
    if (q.includes('MemAvailable')) return { status: 'success', data: { resultType: 'vector', result: [{ metric: { instance: '10.0.0.1:9100' }, value: [at, '0.5'] }, { metric: { instance: 'edge-2' }, value: [at, 'NaN'] }] } };
    if (q.startsWith('remora_user_rtt_ms')) return { status: 'success', data: { resultType: 'vector', result: [{ metric: { node: 'edge-1' }, value: [at, '4.5'] }] } };
    return { status: 'error', error: 'bad query' };
  });
  try {
    const load = new PrometheusLoad({ url: s.url, cpuQuery: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[1m]))', memQuery: '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', nodeLabel: 'instance', nodeMap: { '10.0.0.1:9100': 'edge-1' }, timeoutMs: 1000 });
    const l = await load.readLoads(['edge-1', 'edge-2', 'edge-3']);
    assert.equal(l.get('edge-1')!.value, 4);
    assert.equal(l.get('edge-1')!.atMs, 1_767_225_590_000);
    assert.ok(Number.isNaN(l.get('edge-2')!.value));
    assert.equal(l.has('edge-3'), false);
    const r = await new PrometheusRtt({ url: s.url, query: 'remora_user_rtt_ms{user="{user}"}', nodeLabel: 'node', timeoutMs: 1000 }).readRtt('imsi-"1', ['edge-1', 'edge-2']);
    assert.deepEqual(r.get('edge-1'), [{ value: 4.5, atMs: 1_767_225_590_000 }]);
    assert.ok(s.seen.some((u) => decodeURIComponent(u).includes('user="imsi-\\"1"')), 'user id escaped in PromQL');
  } finally {
    await s.close();
  }
});

test('HTTP JSON RTT: several samples per node, ISO or epoch timestamps, null = NaN', async () => {
  const s = await serve((_req, url) => ({
    samples: [
      { node: 'edge-1', rttMs: 3, timestamp: '2026-01-01T00:00:00Z' },
      { node: 'edge-1', rttMs: 5, timestamp: 1_767_225_601_000 },
      { node: 'edge-2', rttMs: null, timestamp: 1_767_225_601_000 },
      { node: 'other', rttMs: 1 },
      { node: 'edge-3', rttMs: 7 },
      { user: url.searchParams.get('user') },
    ],
  }));
  try {
    const r = await new HttpJsonRtt({ url: `${s.url}/rtt?user={user}`, timeoutMs: 1000 }, clock).readRtt('ue 1', ['edge-1', 'edge-2', 'edge-3']);
    assert.deepEqual(r.get('edge-1'), [{ value: 3, atMs: 1_767_225_600_000 }, { value: 5, atMs: 1_767_225_601_000 }]);
    assert.ok(Number.isNaN(r.get('edge-2')![0]!.value));
    assert.deepEqual(r.get('edge-3'), [{ value: 7, atMs: clock.nowMs() }]);
    assert.equal(r.has('other'), false);
    assert.ok(s.seen[0]!.startsWith('/rtt?user=ue%201'));
  } finally {
    await s.close();
  }
});

test('TCP-connect probe: handshake time per node, refused = NaN', async () => {
  const server = net.createServer((c) => c.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const closedPort = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  try {
    const r = await new TcpProbeRtt({ targets: { 'edge-1': `127.0.0.1:${port}`, 'edge-2': `127.0.0.1:${closedPort}`, 'edge-3': 'no-port' }, timeoutMs: 500 }, clock).readRtt('u', ['edge-1', 'edge-2', 'edge-3']);
    const v = r.get('edge-1')![0]!.value;
    assert.ok(v >= 0 && v < 500, `connect took ${v} ms`);
    assert.ok(Number.isNaN(r.get('edge-2')![0]!.value));
    assert.ok(Number.isNaN(r.get('edge-3')![0]!.value));
    assert.deepEqual(splitHostPort('[::1]:80'), { host: '::1', port: 80 });
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('ETSI MEC 013 Location API: user position -> RTT model per node', async () => {
  const s = await serve((_req, url) => ({
    userList: {
      resourceURL: 'http://mec/location/v2/queries/users',
      user: [{ address: url.searchParams.get('address'), accessPointId: 'ap1', zoneId: 'zone01', timestamp: { seconds: 1_767_225_599, nanoSeconds: 500_000_000 }, locationInfo: { latitude: [33.0], longitude: [-115.5], shape: 2 } }],
    },
  }));
  try {
    const src = new Mec013Rtt({ url: s.url, apiVersion: 'v2', bearerToken: 'tok', nodePositions: { 'edge-1': { latitude: 33.0, longitude: -115.5 }, 'edge-2': { latitude: 33.1, longitude: -115.5 } }, baseRttMs: 1, msPerKm: 0.5, timeoutMs: 1000 }, clock);
    const r = await src.readRtt('acr:10.0.0.7', ['edge-1', 'edge-2']);
    assert.deepEqual(r.get('edge-1'), [{ value: 1, atMs: 1_767_225_599_500 }]);
    const km = haversineKm(33.0, -115.5, 33.1, -115.5);
    assert.ok(Math.abs(km - 11.12) < 0.05, `0.1 deg latitude = ${km} km`);
    assert.ok(Math.abs(r.get('edge-2')![0]!.value - (1 + 0.5 * km)) < 1e-9);
    assert.equal(s.seen[0], '/location/v2/queries/users?address=acr%3A10.0.0.7 Bearer tok');
  } finally {
    await s.close();
  }
});

test('a failing source rejects (the controller then forces Wait)', async () => {
  const s = await serve(() => undefined);
  try {
    await assert.rejects(new HttpJsonRtt({ url: `${s.url}/x?u={user}`, timeoutMs: 1000 }, clock).readRtt('u', ['a']), /HTTP 500/);
  } finally {
    await s.close();
  }
});
