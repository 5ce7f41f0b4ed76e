import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventDeduplicator } from './event-dedup.js';
import { workloadKey } from './workload-key.js';

const a = workloadKey('vm', 'ns', 'a');
const b = workloadKey('pod', 'ns', 'a');

test('event dedup: once per cause, again when the cause changes or after a clear', () => {
  const d = new EventDeduplicator();
  assert.equal(d.shouldEmit(a, 'observation-invalid', 'RTT of edge-1 is NaN'), true);
  assert.equal(d.shouldEmit(a, 'observation-invalid', 'RTT of edge-1 is NaN'), false, 'same cause: no repeat');
  assert.equal(d.shouldEmit(a, 'observation-invalid', 'load of edge-2 is stale'), true, 'new cause');
  d.clear(a, 'observation-invalid');
  assert.equal(d.shouldEmit(a, 'observation-invalid', 'load of edge-2 is stale'), true, 'cleared: recorded again');
});

test('event dedup: topics and workloads are independent (a vm and a pod of the same name too)', () => {
  const d = new EventDeduplicator();
  assert.equal(d.shouldEmit(a, 'cap', 'edge-2'), true);
  assert.equal(d.shouldEmit(a, 'precheck', 'edge-2'), true, 'another topic, same cause');
  assert.equal(d.shouldEmit(b, 'cap', 'edge-2'), true, 'another workload');
  d.clear(a, 'cap');
  assert.equal(d.shouldEmit(a, 'precheck', 'edge-2'), false, 'clearing one topic leaves the others');
});

test('event dedup: forget drops every topic of a workload', () => {
  const d = new EventDeduplicator();
  d.shouldEmit(a, 'missing-user', '');
  d.shouldEmit(a, 'cap', 'edge-3');
  d.shouldEmit(b, 'cap', 'edge-3');
  d.forget(a);
  assert.deepEqual([...d.keys()], [b]);
  assert.equal(d.shouldEmit(a, 'missing-user', ''), true);
});
