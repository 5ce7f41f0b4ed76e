/**
 * The pods a lab session places and the plain API requests it makes about them: the pod manifest (pinned to a
 * node, image never pulled), waiting for Ready, deleting by label, and lowering the priority of a pod's threads.
 * Apart from lab-session.ts because none of it holds the session's state; the session decides what to place where.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { KubeClient } from '../cluster/kube/client.js';
import { isPodReady, paths, type PodObject } from '../cluster/kube/resources.js';
import { sleep } from './lab-api.js';

/**
 * A pod of the session pinned to `node` by `nodeName` (no scheduler). An echo pod listens on 7000 and is Ready once
 * that port accepts; a load pod is the pause image, whose container cgroup the load injector fills.
 */
export function labPod(p: { namespace: string; user: string; name: string; node: string; image: string; labels: Record<string, string>; echo: boolean }): PodObject {
  const { namespace, user, name, node, image, labels, echo } = p;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { 'remora.io/lab-env': 'true', ...labels }, annotations: { 'remora.io/user': user } },
    spec: {
      nodeName: node,
      enableServiceLinks: false,
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: echo ? 'echo' : 'load',
          image,
          imagePullPolicy: 'Never',
          ...(echo ? { ports: [{ name: 'ping', containerPort: 7000 }], readinessProbe: { tcpSocket: { port: 7000 }, periodSeconds: 1, failureThreshold: 1, successThreshold: 1 } } : {}),
        },
      ],
    },
  } as PodObject;
}

export async function waitPodReady(client: KubeClient, ns: string, name: string, timeoutMs = 60_000): Promise<PodObject> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await client.request<PodObject>('GET', paths.pods(ns, name)).catch(() => undefined);
    if (p && isPodReady(p)) return p;
    if (Date.now() > deadline) throw new Error(`pod ${ns}/${name} not Ready after ${timeoutMs} ms (phase ${p?.status?.phase ?? 'unknown'})`);
    await sleep(100);
  }
}

/** Delete the pods matching `labelSelector` (grace 1 s) and wait up to 30 s until they are gone. */
export async function deletePodsAndWait(client: KubeClient, ns: string, labelSelector: string): Promise<void> {
  const list = await client.request<{ items: PodObject[] }>('GET', paths.pods(ns), { query: { labelSelector } });
  for (const p of list.items) await client.request('DELETE', paths.pods(ns, p.metadata.name), { body: { gracePeriodSeconds: 1 } }).catch(() => undefined);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const left = await client.request<{ items: PodObject[] }>('GET', paths.pods(ns), { query: { labelSelector } });
    if (!left.items.length) return;
    await sleep(100);
  }
}

/** Set the nice value of every thread of every process whose cgroup path contains `mark` (a pod's `pod<uid>`). */
export function reniceThreadsOf(mark: string, nice: number): number {
  let n = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cgroup`, 'utf8').includes(mark)) continue;
      for (const tid of readdirSync(`/proc/${name}/task`)) {
        setPriority(Number(tid), nice);
        n++;
      }
    } catch {
      /* exited meanwhile */
    }
  }
  return n;
}
