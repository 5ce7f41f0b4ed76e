import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveFeed } from './live-feed.js';

const clock = (): { nowMs(): number; t: number } => {
  const c = { t: 1000, nowMs: () => c.t };
  return c;
};

test('LiveFeed: one notification per batch, bounded timelines, repeats ignored', () => {
  const f = new LiveFeed({ title: 't', clock: clock(), maxPoints: 3 });
  const seen: number[] = [];
  f.subscribe((seq) => seen.push(seq));
  f.batch(() => {
    f.setNodes([{ name: 'b', ready: true, workloads: ['ns/y', 'ns/x'] }]);
    for (let i = 1; i <= 5; i++) f.addPoint('rtt', 'b', 'ue', { atMs: i, value: i * 10 });
    f.addPoint('rtt', 'b', 'ue', { atMs: 5, value: 99 }); // a repeat of the last sample
  });
  assert.equal(seen.length, 1, 'one notification for the whole batch');
  const s = f.snapshot();
  assert.deepEqual(s.rtt, [{ node: 'b', user: 'ue', points: [{ atMs: 3, value: 30 }, { atMs: 4, value: 40 }, { atMs: 5, value: 50 }] }]);
  assert.deepEqual(s.nodes[0]!.workloads, ['ns/x', 'ns/y']);
  assert.equal(s.seq, seen[0]);
  f.addPoint('load', 'b', undefined, { atMs: 1, value: 1.5 });
  assert.equal(seen.length, 2);
  assert.deepEqual(f.snapshot().load, [{ node: 'b', points: [{ atMs: 1, value: 1.5 }] }]);
});

test('LiveFeed: migrations merge by id, and an in-flight one is never dropped to make room', () => {
  const c = clock();
  const f = new LiveFeed({ title: 't', clock: c, maxMigrations: 2 });
  f.upsertMigration({ id: 'm1', workload: 'ns/w', from: 'a', to: 'b', backend: 'recreate', state: 'in-flight', phase: 'Pending', startedAtMs: 500 });
  c.t = 2000;
  f.upsertMigration({ id: 'm1', state: 'succeeded', phase: 'succeeded', durationMs: 1200 });
  const m1 = f.snapshot().migrations[0]!;
  assert.deepEqual([m1.from, m1.to, m1.state, m1.startedAtMs, m1.updatedAtMs, m1.durationMs], ['a', 'b', 'succeeded', 500, 2000, 1200]);
  f.upsertMigration({ id: 'm2', state: 'in-flight' });
  f.upsertMigration({ id: 'm3', state: 'in-flight' });
  assert.deepEqual(f.snapshot().migrations.map((m) => m.id), ['m2', 'm3'], 'the finished one went first');
  f.upsertMigration({ id: 'm4', state: 'in-flight' });
  assert.deepEqual(f.snapshot().migrations.map((m) => m.id), ['m2', 'm3', 'm4'], 'in flight: kept beyond the bound');
});

test('LiveFeed: the route and the UE; a snapshot is a copy', () => {
  const f = new LiveFeed({ title: 't', clock: clock() });
  f.moveUe({ x: 1, y: 1, atMs: 1 });
  assert.equal(f.snapshot().route, undefined, 'no route, no UE');
  f.setRoute({ units: 'km', antennas: [{ node: 'a', x: 0, y: 0 }], path: [{ x: 0, y: 0 }, { x: 10, y: 0 }] });
  f.moveUe({ x: 4, y: 0, atMs: 7 });
  const s = f.snapshot();
  assert.deepEqual(s.route!.ue, { x: 4, y: 0, atMs: 7 });
  s.route!.antennas.length = 0;
  assert.equal(f.snapshot().route!.antennas.length, 1);
});
