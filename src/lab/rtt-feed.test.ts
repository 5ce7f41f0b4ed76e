import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpJsonRtt } from '../cluster/observe/http-json.js';
import { RttFeed } from './rtt-feed.js';

test('RttFeed speaks the controller\'s http-json RTT format, and misbehaves on demand (NaN, negative, not JSON, no answer)', async () => {
  const feed = new RttFeed(() => 1_000_000);
  const url = await feed.start();
  const src = new HttpJsonRtt({ url, timeoutMs: 300 }, { nowMs: () => 0 });
  const nodes = ['edge-1', 'edge-2'];
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/rtt\/\{user\}$/, 'loopback only');
    feed.set({ 'edge-1': 3, 'edge-2': 20 });
    assert.deepEqual(Object.fromEntries(await src.readRtt('ue 1', nodes)), { 'edge-1': [{ value: 3, atMs: 1_000_000 }], 'edge-2': [{ value: 20, atMs: 1_000_000 }] });
    feed.mode({ mode: 'nan', nodes: ['edge-2'] });
    assert.ok(Number.isNaN((await src.readRtt('u', nodes)).get('edge-2')![0]!.value));
    feed.mode({ mode: 'negative', nodes: ['edge-1'], rttMs: -5 });
    assert.equal((await src.readRtt('u', nodes)).get('edge-1')![0]!.value, -5);
    feed.mode({ mode: 'non-json' });
    await assert.rejects(src.readRtt('u', nodes), /not valid JSON/);
    feed.mode({ mode: 'hang' });
    await assert.rejects(src.readRtt('u', nodes), /timeout|aborted/);
    feed.mode({ mode: 'ok' });
    assert.equal((await src.readRtt('u', nodes)).get('edge-1')![0]!.value, 3, 'back to normal');
    assert.deepEqual(Object.fromEntries(feed.served), { ok: 2, nan: 1, negative: 1, 'non-json': 1, hang: 1 });
  } finally {
    await feed.stop();
  }
});
