import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admit, groupPods } from './discovery.js';
import type { PodObject } from './kube/resources.js';
import { workloadKey } from './workload-key.js';

const pod = (name: string, o: { workload?: string; ready?: boolean; created?: string; deleting?: boolean; ns?: string } = {}): PodObject => ({
  metadata: {
    name,
    namespace: o.ns ?? 'ns',
    creationTimestamp: o.created ?? '2026-06-01T12:00:00Z',
    labels: o.workload ? { 'remora.io/workload': o.workload } : {},
    ...(o.deleting ? { deletionTimestamp: '2026-06-01T12:01:00Z' } : {}),
  },
  spec: { containers: [] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

test('groupPods: by workload label, else the pod name; per namespace', () => {
  const g = groupPods([pod('sip-0', { workload: 'sip' }), pod('sip-1', { workload: 'sip' }), pod('lone'), pod('sip-0', { workload: 'sip', ns: 'other' })]);
  assert.deepEqual(g.map((x) => `${x.namespace}/${x.name}`), ['ns/sip', 'ns/lone', 'other/sip']);
});

test('groupPods: a Ready pod serves before a non-Ready one, then the oldest; deleting pods are out', () => {
  const [g] = groupPods([
    pod('new-ready', { workload: 'w', created: '2026-06-01T12:05:00Z' }),
    pod('old-unready', { workload: 'w', created: '2026-06-01T11:00:00Z', ready: false }),
    pod('old-ready', { workload: 'w', created: '2026-06-01T12:01:00Z' }),
    pod('oldest-deleting', { workload: 'w', created: '2026-06-01T10:00:00Z', deleting: true }),
  ]);
  assert.equal(g!.serving.metadata.name, 'old-ready');
  assert.deepEqual(groupPods([pod('gone', { deleting: true })]), []);
});

test('admit: the user annotation is required; a kind annotation must agree', () => {
  const k = workloadKey('vm', 'ns', 'upf');
  const obj = (ann: Record<string, string>): PodObject => ({ ...pod('upf'), metadata: { ...pod('upf').metadata, annotations: ann } });
  assert.deepEqual(admit(obj({ 'remora.io/user': 'ue-1' }), 'vm', k), { user: 'ue-1' });
  assert.deepEqual(admit(obj({ 'remora.io/user': 'ue-1', 'remora.io/kind': 'vm' }), 'vm', k), { user: 'ue-1' });
  const mismatch = admit(obj({ 'remora.io/user': 'ue-1', 'remora.io/kind': 'pod' }), 'vm', k);
  assert.ok('reason' in mismatch && mismatch.reason === 'KindMismatch' && mismatch.topic === 'kind-mismatch');
  assert.match('message' in mismatch ? mismatch.message : '', /remora\.io\/kind=pod but this is a VirtualMachineInstance; ignored/);
  const noUser = admit(obj({}), 'pod', k);
  assert.ok('reason' in noUser && noUser.reason === 'MissingUser' && noUser.key === k);
});
