import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admit, type Reservation } from './budget.js';
import { shardOf } from './shard.js';
import { workloadKey } from './workload-key.js';

test('shards: the ranges split 30,000 workload keys evenly, and the same key always lands in the same range', () => {
  const counts = [0, 0, 0];
  for (let u = 0; u < 30_000; u++) counts[shardOf(workloadKey('pod', 'ns', `svc-${u}`), 3)]!++;
  // A fair split has a standard deviation of about 82 per range; 4σ either way.
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 330, `range sizes ${counts.join('/')}`);
  assert.equal(shardOf('pod/ns/svc-7', 3), shardOf('pod/ns/svc-7', 3));
  for (let n = 1; n <= 8; n++) for (const k of ['a', 'pod/x/y', 'vm/ns/upf']) assert.ok(shardOf(k, n) >= 0 && shardOf(k, n) < n);
});

test('budget: in-flight migrations and live reservations count once each against both caps; expired ones do not', () => {
  const caps = { maxConcurrent: 3, maxOutboundPerNode: 2 };
  const r = (id: string, node: string, expiresAtMs: number): Reservation => ({ id, node, by: 's0', expiresAtMs });
  const want = { id: 'remora-x-1', node: 'a', by: 's1' };
  // m1 is both in flight and reserved: one slot. m2 reserved only. One slot left.
  const ok = admit([r('m1', 'a', 200), r('m2', 'b', 200)], [{ id: 'm1', sourceNode: 'a' }], want, caps, 100, 50);
  assert.equal(ok.ok, true);
  assert.deepEqual(ok.ok && ok.reservations.map((x) => [x.id, x.expiresAtMs]), [['m1', 200], ['m2', 200], ['remora-x-1', 150]]);
  const full = admit([r('m1', 'a', 200), r('m2', 'b', 200), r('m3', 'c', 200)], [], want, caps, 100, 50);
  assert.deepEqual(full.ok ? 'granted' : full.reason, 'cap');
  // Expired reservations free their slots (a crashed shard's); its started migrations count as in flight.
  const expired = admit([r('m2', 'b', 99), r('m3', 'c', 50)], [{ id: 'm9', sourceNode: 'c' }], want, caps, 100, 50);
  assert.equal(expired.ok, true);
  assert.deepEqual(expired.ok && expired.reservations.map((x) => x.id), ['remora-x-1'], 'expired entries are pruned on write');
  const nodeCap = admit([r('m1', 'a', 200)], [{ id: 'm2', sourceNode: 'a' }], want, caps, 100, 50);
  assert.deepEqual(nodeCap.ok ? 'granted' : nodeCap.reason, 'node-cap');
  // Reserving again for the same migration (a retry) does not count it twice.
  assert.equal(admit([r('remora-x-1', 'a', 200), r('m2', 'a', 200)], [], want, caps, 100, 50).ok, true);
});
