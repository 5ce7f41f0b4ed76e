/**
 * Fleet fixtures, shared by the fleet cluster test (test/cluster/fleet.test.ts) and `remora bench
 * controller`: a synthetic metro edge (nodes on a grid, users placed on it, RTT growing with distance), its
 * objects created on a real apiserver with bounded concurrency, and a loopback RTT endpoint in the http-json batch
 * form (observe/http-json.ts).
 */
import * as http from 'node:http';
import type * as net from 'node:net';
import { Rng } from '../../core/rng.js';
import { isConflict, type KubeClient } from '../kube/client.js';
import { LABELS, paths } from '../kube/resources.js';
import type { Clock } from '../observe/types.js';
import { forEachLimited } from '../bulk-tick.js';

export interface FleetUser {
  user: string;
  /** Workload (pod) name. */
  name: string;
  /** Node it runs on at the start. */
  node: string;
  cpuMillis: number;
}

export interface SyntheticFleet {
  nodes: string[];
  users: FleetUser[];
  /** RTT of user u to node j (ms), row-major [users × nodes]. */
  rttMs: Float64Array;
}

/**
 * `nodes` edge nodes on a √N × √N grid of cells and `users` users placed uniformly on it, RTT = 2 ms + 1.5 ms per
 * cell of distance (the paper's RTT is linear in the UE–cell distance). A fraction `misplaced` of the workloads
 * starts on a random node, the rest on their nearest one: the users that want to move in a steady tick.
 */
export function syntheticFleet(o: { users: number; nodes: number; seed: number; misplaced: number; cpuMillis: number }): SyntheticFleet {
  const rng = new Rng(o.seed);
  const side = Math.ceil(Math.sqrt(o.nodes));
  const nodes = Array.from({ length: o.nodes }, (_, j) => `edge-${String(j + 1).padStart(3, '0')}`);
  const rttMs = new Float64Array(o.users * o.nodes);
  const users: FleetUser[] = [];
  for (let u = 0; u < o.users; u++) {
    const x = rng.uniform() * side, y = rng.uniform() * side;
    let best = 0;
    for (let j = 0; j < o.nodes; j++) {
      const d = Math.hypot(x - ((j % side) + 0.5), y - (Math.floor(j / side) + 0.5));
      rttMs[u * o.nodes + j] = 2 + 1.5 * d;
      if (rttMs[u * o.nodes + j]! < rttMs[u * o.nodes + best]!) best = j;
    }
    const node = rng.uniform() < o.misplaced ? rng.int(o.nodes) : best;
    users.push({ user: `ue-${u}`, name: `svc-${u}`, node: nodes[node]!, cpuMillis: o.cpuMillis });
  }
  return { nodes, users, rttMs };
}

/** Body of a pod workload (opted in, bare, pinned to its node, with a cpu request the coordinated step counts). */
export function fleetPod(ns: string, u: FleetUser): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: u.name, namespace: ns, labels: { 'remora.io/managed': 'true', [LABELS.workload]: u.name }, annotations: { 'remora.io/user': u.user } },
    spec: { nodeName: u.node, containers: [{ name: 'app', image: 'registry.example/edge-app:1', resources: { requests: { cpu: `${u.cpuMillis}m` } } }] },
  };
}

/** Create the pods, `concurrency` requests at a time (409 = already there); `progress(done)` every 500. */
export async function createFleetPods(admin: KubeClient, ns: string, users: readonly FleetUser[], concurrency: number, progress?: (done: number) => void): Promise<void> {
  let done = 0;
  await forEachLimited(users, concurrency, async (u) => {
    try {
      await admin.request('POST', paths.pods(ns), { body: fleetPod(ns, u) });
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
    if (++done % 500 === 0) progress?.(done);
  });
}

/**
 * The http-json batch endpoint (`POST`, compact form): each user's RTT row from `rtt(user)`, stamped with the
 * clock. `freeze()` serialises the answer once per distinct request (each shard asks for its own users), so a
 * benchmark times the controller, not this server.
 */
export class BatchRttServer {
  requests = 0;
  port = 0;
  private server: http.Server | undefined;
  private frozen: Map<string, string> | undefined;
  constructor(private readonly clock: Clock, private readonly rtt: (user: string) => ArrayLike<number> | undefined) {}

  private answer(users: readonly string[]): string {
    const now = this.clock.nowMs();
    const out: Record<string, { rttMs: number[]; timestamp: number }> = {};
    for (const u of users) {
      const row = this.rtt(u);
      if (row) out[u] = { rttMs: Array.from(row), timestamp: now };
    }
    return JSON.stringify({ users: out });
  }

  /**
   * Until {@link thaw}, answer a request for the users of one of `groups` (each shard asks for its own) with the
   * answer serialised now; any other request is answered as it comes, once.
   */
  freeze(groups: readonly (readonly string[])[]): void {
    this.frozen = new Map(groups.map((g) => [[...g].sort().join('\n'), this.answer(g)]));
  }

  thaw(): void {
    this.frozen = undefined;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        let body: string;
        try {
          const users = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { users: string[] }).users;
          const key = this.frozen ? [...users].sort().join('\n') : '';
          const kept = this.frozen?.get(key);
          body = kept ?? this.answer(users);
          if (this.frozen && kept === undefined) this.frozen.set(key, body);
        } catch (e) {
          res.writeHead(400).end(String(e));
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(body);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/rtt-batch`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** Nodes with `cpu` cores allocatable (Ready), `concurrency` at a time. */
export async function createFleetNodes(admin: KubeClient, nodes: readonly string[], cpu: number, concurrency: number): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await forEachLimited(nodes, concurrency, async (name) => {
    try {
      await admin.request('POST', paths.nodes(), { body: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } } });
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
    const status = { capacity: { cpu: String(cpu), memory: `${cpu * 4}Gi`, pods: '1000' }, allocatable: { cpu: String(cpu), memory: `${cpu * 4}Gi`, pods: '1000' }, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastTransitionTime: now }] };
    await admin.request('PATCH', `${paths.nodes(name)}/status`, { body: { status }, patchType: 'merge' });
  });
}

/** NodeMetrics (the metrics.k8s.io stand-in) with the given utilisations of `cpu` cores and `4·cpu` GiB, stamped `atMs`. */
export async function writeFleetNodeMetrics(admin: KubeClient, nodes: readonly string[], util: (node: string) => [number, number], cpu: number, atMs: number, concurrency: number): Promise<void> {
  const stamp = new Date(atMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await forEachLimited(nodes, concurrency, async (name) => {
    const [c, m] = util(name);
    const body = { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'NodeMetrics', metadata: { name }, timestamp: stamp, window: '10s', usage: { cpu: `${Math.round(c * cpu * 1000)}m`, memory: `${Math.round(m * cpu * 4 * 1024 * 1024)}Ki` } };
    try {
      const cur = await admin.request<{ metadata: { resourceVersion: string } }>('GET', paths.nodeMetrics(name));
      await admin.request('PUT', paths.nodeMetrics(name), { body: { ...body, metadata: { name, resourceVersion: cur.metadata.resourceVersion } } });
    } catch (e) {
      if (!(e instanceof Error && /404|NotFound/.test(e.message))) throw e;
      await admin.request('POST', paths.nodeMetrics(), { body });
    }
  });
}

/** The kubelet's part for freshly created pods: Running and Ready, `concurrency` at a time. */
export async function markFleetPodsReady(admin: KubeClient, ns: string, users: readonly FleetUser[], atMs: number, concurrency: number): Promise<void> {
  const now = new Date(atMs).toISOString();
  await forEachLimited(users, concurrency, async (u) => {
    await admin.request('PATCH', paths.podStatus(ns, u.name), { body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } }, patchType: 'strategic' });
  });
}
