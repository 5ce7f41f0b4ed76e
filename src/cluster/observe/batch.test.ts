/** The batch forms of the RTT sources (the fleet path) against loopback servers: one request per tick, every entry checked. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type * as net from 'node:net';
import { HttpJsonRtt } from './http-json.js';
import { PrometheusRtt } from './prometheus.js';
import type { Clock } from './types.js';

const NOW = 1_767_225_600_000;
const clock: Clock = { nowMs: () => NOW };

async function serve(handler: (body: string, url: URL) => unknown): Promise<{ url: string; close(): Promise<void>; requests: { method: string; url: string; body: string }[] }> {
  const requests: { method: string; url: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body });
      const out = handler(body, new URL(req.url ?? '/', 'http://x'));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(typeof out === 'string' ? out : JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

type Got = [string, string, number, number][];

test('http-json batch: one POST for every user; a malformed entry rejects that user alone, with a one-line reason; null = NaN', async () => {
  const srv = await serve(() => ({
    users: {
      u1: { samples: [{ node: 'a', rttMs: 3, timestamp: NOW - 1000 }, { node: 'b', rttMs: null, timestamp: '2026-01-01T00:00:00Z' }, { node: 'zz', rttMs: 1 }] },
      u2: { samples: [{ node: 'a', rttMs: 'fast' }] },
      u3: { samples: [{ node: 'a', rttMs: 4, timestamp: 'yesterday' }] },
      u4: { nope: true },
      u5: { samples: [{ node: 'b', rttMs: 7 }] },
      u6: { rttMs: [1.5, null], timestamp: NOW - 5 },
      u7: { rttMs: [1.5] },
    },
  }));
  try {
    const src = new HttpJsonRtt({ url: 'unused', batchUrl: `${srv.url}/batch`, timeoutMs: 2000 }, clock);
    const got: Got = [];
    const rep = await src.readRttBatch(['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'], ['a', 'b'], (u, n, v, at) => got.push([u, n, v, at]));
    assert.equal(srv.requests.length, 1);
    assert.equal(srv.requests[0]!.method, 'POST');
    assert.deepEqual(JSON.parse(srv.requests[0]!.body), { users: ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'], nodes: ['a', 'b'] });
    assert.deepEqual(got, [['u1', 'a', 3, NOW - 1000], ['u1', 'b', Number.NaN, Date.parse('2026-01-01T00:00:00Z')], ['u5', 'b', 7, NOW], ['u6', 'a', 1.5, NOW - 5], ['u6', 'b', Number.NaN, NOW - 5]]);
    assert.deepEqual(rep.rejected.map((r) => r.user), ['u2', 'u3', 'u4', 'u7'], 'u8 is not in the answer: it just gets nothing');
    assert.match(rep.rejected[3]!.why, /users\.u7\.rttMs: expected an array of 2 RTTs \(one per requested node, in order\), got 1 entries/);
    assert.match(rep.rejected[0]!.why, /^POST http:\/\/127\.0\.0\.1:\d+\/batch: users\.u2\.samples\[0\]\.rttMs: expected a number of ms >= 0, or null, got "fast"$/);
    assert.match(rep.rejected[1]!.why, /users\.u3\.samples\[0\]\.timestamp: expected RFC 3339 or epoch ms, got "yesterday"/);
    assert.match(rep.rejected[2]!.why, /users\.u4\.samples: expected an array of samples/);
  } finally {
    await srv.close();
  }
});

test('http-json batch: an answer without a users object fails the whole read in one line', async () => {
  const srv = await serve(() => ({ samples: [] }));
  try {
    const src = new HttpJsonRtt({ url: 'unused', batchUrl: `${srv.url}/batch`, timeoutMs: 2000 }, clock);
    await assert.rejects(src.readRttBatch(['u1'], ['a'], () => undefined), /users: expected an object of user id -> \{"samples": \[\.\.\.\]\}, got/);
  } finally {
    await srv.close();
  }
});

test('prometheus batch: one instant query for all users, one series per (user, node); NaN and +Inf read as NaN; unlabelled series named', async () => {
  const srv = await serve((_b, url) => {
    assert.equal(url.searchParams.get('query'), 'remora_user_rtt_ms');
    return {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { user: 'u1', node: 'a' }, value: [NOW / 1000, '3.5'] },
          { metric: { user: 'u1', node: 'b' }, value: [NOW / 1000, 'NaN'] },
          { metric: { user: 'u2', node: 'a' }, value: [NOW / 1000, '+Inf'] },
          { metric: { user: 'other', node: 'a' }, value: [NOW / 1000, '1'] },
          { metric: { node: 'a' }, value: [NOW / 1000, '1'] },
        ],
      },
    };
  });
  try {
    const src = new PrometheusRtt({ url: srv.url, query: 'unused', nodeLabel: 'node', batchQuery: 'remora_user_rtt_ms', userLabel: 'user', timeoutMs: 2000 });
    const got: Got = [];
    const rep = await src.readRttBatch(['u1', 'u2'], ['a', 'b'], (u, n, v, at) => got.push([u, n, v, at]));
    assert.equal(srv.requests.length, 1);
    assert.deepEqual(got, [['u1', 'a', 3.5, NOW], ['u1', 'b', Number.NaN, NOW], ['u2', 'a', Number.NaN, NOW]]);
    assert.equal(rep.rejected.length, 1);
    assert.match(rep.rejected[0]!.why, /1 series of "remora_user_rtt_ms" lack the user or node label/);
  } finally {
    await srv.close();
  }
});
