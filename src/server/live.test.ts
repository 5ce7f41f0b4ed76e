import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveFeed, type LiveSnapshot } from '../core/live-feed.js';
import { Dashboard } from './dashboard.js';
import { liveSections } from './live.js';

const clock = { nowMs: () => Date.parse('2026-12-01T10:00:00Z') };

function feedWithATick(): LiveFeed {
  const f = new LiveFeed({ title: 'lab 1a2b', clock });
  f.batch(() => {
    f.setNodes([
      { name: 'edge-1', ready: true, workloads: ['lab/echo'] },
      { name: 'edge-2', ready: false, workloads: [] },
    ]);
    f.addPoint('rtt', 'edge-1', 'ue-1', { atMs: 1000, value: 3 });
    f.addPoint('rtt', 'edge-2', 'ue-1', { atMs: 1000, value: 20 });
    f.addPoint('load', 'edge-1', undefined, { atMs: 1000, value: 1.2 });
    f.addDecision({ atMs: 1000, workload: 'lab/echo', node: 'edge-1', action: 0, reason: 'cooldown', detail: 'last migration 2 s ago', gate: 'cooldown' });
    f.setRoute({ units: 'km along SR-111', antennas: [{ node: 'edge-1', x: 0, y: 0 }, { node: 'edge-2', x: 10, y: 0 }], path: [{ x: 0, y: 0 }, { x: 10, y: 0 }], ue: { x: 2, y: 0, atMs: 1000 } });
  });
  return f;
}

test('live sections: nodes with workloads, decisions with their gate, migrations with their phase, the map', () => {
  const f = feedWithATick();
  f.upsertMigration({ id: 'remora-echo-1', workload: 'lab/echo', from: 'edge-1', to: 'edge-2', backend: 'recreate', state: 'in-flight', phase: 'Pending', startedAtMs: 1000 });
  const s = liveSections(f.snapshot());
  assert.match(s['live-nodes'], /edge-1<\/td><td>Ready<\/td><td class="workloads">lab\/echo/);
  assert.match(s['live-nodes'], /NotReady/);
  assert.match(s['live-decisions'], /<tr data-action="0" data-reason="cooldown">.*<td>cooldown<\/td><td>cooldown<\/td><td>last migration 2 s ago<\/td>/);
  assert.match(s['live-migrations'], /data-migration="remora-echo-1" data-state="in-flight">.*edge-1 → edge-2.*<td>Pending<\/td>/);
  // edge-1 hosts the only workload, so it is the node serving the UE: highlighted, and joined to the UE.
  assert.match(s['live-map'], /<g class="node serving" data-node="edge-1">/);
  assert.match(s['live-map'], /<g class="node" data-node="edge-2">/);
  assert.match(s['live-map'], /<line class="link" [^>]*stroke="#1f77b4"/);
  assert.match(s['live-map'], /<g class="ue"><circle/);
  assert.match(s['live-timeline'], /<svg/);
  const empty = liveSections(new LiveFeed({ title: 'x', clock }).snapshot());
  assert.match(empty['live-map'], /No route/);
  assert.match(empty['live-decisions'], /No decision yet/);
});

test('live API: JSON snapshot, an SSE stream that follows the feed, the page; without a feed /live says so', async () => {
  const f = feedWithATick();
  const d = new Dashboard({ runsDir: mkdtempSync(join(tmpdir(), 'remora-live-')), port: 0, live: f });
  const url = await d.start();
  try {
    const snap = (await (await fetch(`${url}/api/live`)).json()) as LiveSnapshot;
    assert.equal(snap.title, 'lab 1a2b');
    assert.equal(snap.decisions.length, 1);
    const page = await (await fetch(`${url}/live`)).text();
    assert.match(page, /<section id="live-decisions">/);
    assert.match(page, /new EventSource\('\/api\/live\/stream'\)/);

    const ac = new AbortController();
    const res = await fetch(`${url}/api/live/stream`, { signal: ac.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    let buf = '';
    const next = async (): Promise<{ snapshot: LiveSnapshot; sections: Record<string, string> }> => {
      for (;;) {
        const i = buf.indexOf('\n\n');
        if (i >= 0) {
          const msg = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = msg.split('\n').find((l) => l.startsWith('data: '));
          if (data) return JSON.parse(data.slice(6));
          continue;
        }
        const { value, done } = await reader.read();
        assert.ok(!done, 'stream ended');
        buf += Buffer.from(value).toString();
      }
    };
    const first = await next();
    assert.equal(first.snapshot.seq, snap.seq, 'the stream opens with the current state');
    f.addDecision({ atMs: 2000, workload: 'lab/echo', node: 'edge-1', action: 2, target: 'edge-2', policyAction: 2, reason: 'policy', gate: 'all gates passed' });
    f.upsertMigration({ id: 'remora-echo-1', state: 'in-flight', phase: 'Pending' });
    const second = await next();
    assert.equal(second.snapshot.seq, snap.seq + 2, 'two changes within the coalescing window: one message');
    assert.match(second.sections['live-decisions']!, /migrate to edge-2/);
    assert.match(second.sections['live-migrations']!, /data-state="in-flight"/);
    ac.abort();
  } finally {
    await d.stop();
  }
  const bare = new Dashboard({ runsDir: mkdtempSync(join(tmpdir(), 'remora-live-')), port: 0 });
  const u2 = await bare.start();
  try {
    const r = await fetch(`${u2}/live`);
    assert.equal(r.status, 404);
    assert.match(await r.text(), /started without a live controller or lab/);
  } finally {
    await bare.stop();
  }
});
