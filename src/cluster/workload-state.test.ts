import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Policy } from '../core/env.js';
import { RttTable } from './observe/rtt-table.js';
import { WorkloadState } from './workload-state.js';
import { workloadKey } from './workload-key.js';

/** A "recurrent" policy: it counts its calls since reset, so stale history shows. */
function counting(): { make: () => Policy; made: () => number } {
  let made = 0;
  return {
    made: () => made,
    make: () => {
      made++;
      let seen = 0;
      return { name: `p${made}`, reset: () => void (seen = 0), act: () => seen++ };
    },
  };
}

const obs = new Float64Array(3);
const mask = Uint8Array.from([1, 1]);
const upf = workloadKey('vm', 'ns', 'upf');

test('workload state: one policy per workload, kept across ticks', async () => {
  const c = counting();
  const s = new WorkloadState(c.make, new RttTable(['edge-1'], 3));
  const p = await s.policyFor(upf, 'uid-1', 'ue-1');
  p.act(obs, mask);
  assert.equal(await s.policyFor(upf, 'uid-1', 'ue-1'), p);
  assert.equal((await s.policyFor(workloadKey('pod', 'ns', 'upf'), '', 'ue-1')).name, 'p2', 'a pod of the same name is another workload');
});

test('workload state: a workload that disappears is pruned; recreated, it gets a fresh recurrent policy', async () => {
  const c = counting();
  const averager = new RttTable(['edge-1'], 3);
  const s = new WorkloadState(c.make, averager);
  const p = await s.policyFor(upf, 'uid-1', 'ue-1');
  p.act(obs, mask);
  p.act(obs, mask);
  s.dedup.shouldEmit(upf, 'observation-invalid', 'stale');
  s.noteUser('ue-1');
  averager.pushSamples('ue-1', 'edge-1', [{ value: 5, atMs: 1 }]);

  assert.deepEqual(s.prune(new Set([upf]), new Set(['ue-1'])), [], 'still there: kept');
  assert.deepEqual(s.prune(new Set(), new Set()), [upf]);
  assert.equal(s.size, 0);
  assert.equal(averager.get('ue-1', 'edge-1'), undefined, 'RttTable.forgetUser: the user no workload has any more');
  assert.equal(s.dedup.shouldEmit(upf, 'observation-invalid', 'stale'), true, 'Event de-duplication forgotten too');

  const again = await s.policyFor(upf, 'uid-2', 'ue-1');
  assert.notEqual(again, p);
  assert.equal(again.act(obs, mask), 0, 'history starts from zero');
  assert.equal(c.made(), 2);
});

test('workload state: a VMI recreated between two ticks (new uid) also starts fresh', async () => {
  const c = counting();
  const s = new WorkloadState(c.make, new RttTable(['edge-1'], 3));
  const p = await s.policyFor(upf, 'uid-1', 'ue-1');
  p.act(obs, mask);
  const q = await s.policyFor(upf, 'uid-2', 'ue-1');
  assert.notEqual(q, p);
  assert.equal(q.act(obs, mask), 0);
});

test('workload state: a user still used by another workload keeps its RTT history', async () => {
  const averager = new RttTable(['edge-1'], 3);
  const s = new WorkloadState(counting().make, averager);
  await s.policyFor(upf, 'u', 'ue-1');
  await s.policyFor(workloadKey('vm', 'ns', 'smf'), 'v', 'ue-1');
  s.noteUser('ue-1');
  averager.pushSamples('ue-1', 'edge-1', [{ value: 5, atMs: 1 }]);
  s.prune(new Set([workloadKey('vm', 'ns', 'smf')]), new Set(['ue-1']));
  assert.equal(averager.get('ue-1', 'edge-1')?.value, 5);
});
