import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubeApiError } from '../kube/client.js';
import { checkpointUnavailableReason } from './pod.js';

const proxy = '/api/v1/nodes/edge-2/proxy/checkpoint/lab/echo-0/echo';

test('checkpointUnavailableReason: the real kubelet + containerd 1.6 refusal means the node cannot checkpoint', () => {
  // Verbatim from the lab (test/lab/lab.test.ts (d)): kubelet v1.35.4, containerd 1.6.20, through the node proxy.
  const real = new KubeApiError(500, 'Internal Server Error', 'checkpointing of lab/echo-0/echo failed (rpc error: code = Unimplemented desc = method CheckpointContainer not implemented)', 'POST', proxy);
  assert.match(checkpointUnavailableReason(real)!, /does not implement CheckpointContainer/);
  assert.match(checkpointUnavailableReason(new KubeApiError(404, 'Not Found', '404 page not found', 'POST', proxy))!, /feature gate ContainerCheckpoint off/);
});

test('checkpointUnavailableReason: anything else surfaces as it is (RBAC, a missing pod, a transient failure)', () => {
  for (const e of [
    new KubeApiError(403, 'Forbidden', 'Forbidden (user=kube-apiserver-kubelet-client, verb=create, resource=nodes, subresource(s)=[checkpoint])', 'POST', proxy),
    new KubeApiError(404, 'Not Found', 'pod does not exist', 'POST', proxy),
    new KubeApiError(500, 'Internal Server Error', 'checkpointing of lab/echo-0/echo failed (rpc error: code = DeadlineExceeded desc = context deadline exceeded)', 'POST', proxy),
    new KubeApiError(503, 'Service Unavailable', 'error trying to reach service: dial tcp 10.200.0.12:10250: connect: connection refused', 'POST', proxy),
    new Error('socket hang up'),
  ])
    assert.equal(checkpointUnavailableReason(e), undefined, e.message);
});
