import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { HttpKubeClient, KubeApiError } from './client.js';

test('HttpKubeClient: 429 with Retry-After waits on the injected delay, then retries', async () => {
  let hits = 0;
  const srv = http.createServer((_req, res) => {
    hits++;
    if (hits < 3) {
      res.writeHead(429, { 'Retry-After': '7', 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', reason: 'TooManyRequests', message: 'slow down' }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const kc = new KubeConfig();
  const server = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  kc.loadFromOptions({ clusters: [{ name: 'c', server, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  const waits: number[] = [];
  try {
    const c = new HttpKubeClient(kc, { delay: async (ms) => void waits.push(ms) });
    assert.deepEqual(await c.request('GET', '/api/v1/nodes'), { ok: true });
    assert.deepEqual(waits, [2000, 2000], 'Retry-After 7 s, capped at 2 s, no real sleep');
    hits = 0;
    const once = new HttpKubeClient(kc, { delay: async () => undefined, maxRetries: 0 });
    await assert.rejects(once.request('GET', '/x'), (e: unknown) => e instanceof KubeApiError && e.status === 429 && e.retryAfterS === 7);
  } finally {
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
  }
});
