// The Summary API's two scopes, read from the documents a real kubelet 1.35 returns (shapes as in
// `GET /api/v1/nodes/<n>/proxy/stats/summary?only_cpu_and_memory=true`); the lab tier reads them from real kubelets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient } from '../kube/client.js';
import { KubeletSummaryLoad } from './kubelet-summary.js';

const T0 = '2026-12-01T12:00:00Z';
const T1 = '2026-12-01T12:00:04Z';
const summaries: Record<string, unknown> = {
  a: {
    node: { cpu: { time: T0, usageNanoCores: 1.5e9 }, memory: { time: T0, workingSetBytes: 2 ** 30 } },
    pods: [{ containers: [{ cpu: { time: T1, usageNanoCores: 0.1e9 }, memory: { workingSetBytes: 64 * 2 ** 20 } }] }],
  },
  b: { node: { cpu: { time: T0, usageNanoCores: 1.5e9 }, memory: { time: T0, workingSetBytes: 2 ** 30 } }, pods: [] },
};
const client = {
  async request(_method: string, path: string) {
    const m = /nodes\/([^/]+)\/proxy\/stats\/summary/.exec(path);
    if (!m) throw new Error(`unexpected ${path}`);
    if (m[1] === 'down') throw new Error('503');
    return summaries[m[1]!];
  },
} as unknown as KubeClient;
const capacity = { cpuCores: 0.25, memBytes: 256 * 2 ** 20 };

test('kubelet-summary, scope node: the node-level figures over the capacity', async () => {
  const u = await new KubeletSummaryLoad(client, { timeoutMs: 100, capacity }).readUtilisation(['a', 'down']);
  assert.equal(u.get('a')!.cpu, 6);
  assert.equal(u.get('a')!.atMs, Date.parse(T0));
  assert.ok(!u.has('down'), 'a kubelet that does not answer is missing, not zero');
});

test('kubelet-summary, scope containers: the sum over containers; a node with none is zero at the kubelet\'s time', async () => {
  const u = await new KubeletSummaryLoad(client, { timeoutMs: 100, capacity, scope: 'containers' }).readUtilisation(['a', 'b']);
  assert.ok(Math.abs(u.get('a')!.cpu - 0.4) < 1e-12);
  assert.equal(u.get('a')!.mem, 0.25);
  assert.equal(u.get('a')!.atMs, Date.parse(T1));
  assert.equal(u.get('b')!.cpu, 0);
  assert.equal(u.get('b')!.atMs, Date.parse(T0), 'an empty node still has a valid timestamp');
});
