/**
 * What the lab asks of its own cluster through the admin client: the RBAC grants the apiserver needs towards the
 * kubelets, whether every node and component is ready, and deleting every pod before the teardown. Apart from
 * the lifecycle in lab.ts because these are API requests and probes, not processes.
 */
import * as https from 'node:https';
import { isAlreadyExists, type KubeClient } from '../cluster/kube/client.js';
import type { NodeSpec } from './node.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** POST `body` to `path`; an object of that name that exists already is kept as it is. */
export async function createOrKeep(admin: KubeClient, path: string, body: object): Promise<void> {
  try {
    await admin.request('POST', path, { body });
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

/**
 * Bind `kubeletClientUser` (the identity the apiserver presents to kubelets) to system:kubelet-api-admin and to
 * the kubelet's checkpoint endpoint.
 * system:kubelet-api-admin (1.35) covers nodes/proxy, log, stats, metrics and pods, but not the kubelet's
 * checkpoint endpoint, which the kubelet authorizes as `create nodes/checkpoint`.
 */
export async function grantApiserverKubeletAccess(admin: KubeClient, kubeletClientUser: string): Promise<void> {
  await createOrKeep(admin, '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'remora-lab:kubelet-checkpoint' },
    rules: [{ apiGroups: [''], resources: ['nodes/checkpoint'], verbs: ['create'] }],
  });
  await createOrKeep(admin, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'remora-lab:apiserver-kubelet-checkpoint' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'remora-lab:kubelet-checkpoint' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: kubeletClientUser }],
  });
  await createOrKeep(admin, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'remora-lab:apiserver-kubelet-api-admin' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:kubelet-api-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: kubeletClientUser }],
  });
}

interface NodeLike {
  metadata: { name: string };
  spec?: { taints?: { key: string; effect: string }[] };
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

/**
 * Why the lab is not ready yet, or '' when it is: every node registered, Ready and without a node.kubernetes.io
 * taint, and every listening component's /healthz answering 200.
 */
export async function notReadyReason(admin: KubeClient, specs: readonly NodeSpec[], components: readonly { name: string; listen?: string }[]): Promise<string> {
  const nodes = await admin.request<{ items: NodeLike[] }>('GET', '/api/v1/nodes');
  for (const spec of specs) {
    const n = nodes.items.find((x) => x.metadata.name === spec.name);
    if (!n) return `node ${spec.name} not registered`;
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') return `node ${spec.name} Ready=${ready?.status ?? 'unknown'} (${ready?.message ?? ''})`;
    const taint = (n.spec?.taints ?? []).find((t) => t.key.startsWith('node.kubernetes.io/'));
    if (taint) return `node ${spec.name} tainted ${taint.key}:${taint.effect}`;
  }
  for (const p of components) {
    if (!p.listen) continue;
    const code = await httpsStatus(`https://${p.listen}/healthz`).catch((e: Error) => e.message);
    if (code !== 200) return `${p.name} /healthz: ${code}`;
  }
  return '';
}

/** Delete every pod (grace 1 s) and wait until the kubelets confirm, so sandboxes and their netns go first. */
export async function deleteAllPods(admin: KubeClient, log: (l: string) => void): Promise<void> {
  const list = await admin.request<{ items: { metadata: { name: string; namespace: string } }[] }>('GET', '/api/v1/pods', { timeoutMs: 5000 });
  for (const p of list.items) await admin.request('DELETE', `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`, { body: { gracePeriodSeconds: 1 }, timeoutMs: 5000 }).catch(() => undefined);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const left = await admin.request<{ items: unknown[] }>('GET', '/api/v1/pods', { timeoutMs: 5000 });
    if (!left.items.length) return;
    if (Date.now() > deadline) return log(`${left.items.length} pods still terminating after 30 s; the sweep kills them`);
    await sleep(200);
  }
}

/**
 * Status code of an HTTPS GET. `ca` verifies the server; without it the server is not verified (the scheduler's
 * and controller-manager's self-signed /healthz on loopback). Never sends credentials.
 */
export function httpsStatus(url: string, ca?: string, timeoutMs = 3000): Promise<number> {
  return new Promise((res, rej) => {
    const req = https.get(url, { ca, rejectUnauthorized: ca !== undefined, timeout: timeoutMs }, (r) => {
      r.resume();
      res(r.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', rej);
  });
}
