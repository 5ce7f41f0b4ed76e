/**
 * The service's stable address for the client: a userspace TCP proxy on loopback that forwards each new
 * connection to a Ready endpoint of a Kubernetes Service, read from its EndpointSlices. This is what kube-proxy's
 * old userspace mode did. The lab has no kube-proxy, so a ClusterIP would not route; a headless Service still
 * gets EndpointSlices from kube-controller-manager's real EndpointSlice controller. So the Ready, and the
 * terminating, state the proxy acts on is Kubernetes' own, not the harness's.
 *
 * A connection stays with the endpoint it was opened to. When that pod goes, the client sees the close and
 * reconnects. The proxy never retries on the client's behalf: that would hide the gap the client measures.
 */
import * as net from 'node:net';
import type { KubeClient } from '../cluster/kube/client.js';

interface EndpointSlice {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean; terminating?: boolean }; targetRef?: { name?: string } }[];
  ports?: { name?: string; port?: number }[];
}

export interface ServiceEndpointOptions {
  client: KubeClient;
  namespace: string;
  service: string;
  /** Target port on the pods. */
  port: number;
  /** EndpointSlice poll period (default 50 ms). */
  pollMs?: number;
}

export interface Backend {
  address: string;
  pod: string;
}

export class ServiceEndpoint {
  private server: net.Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private backends: Backend[] = [];
  private readonly sockets = new Set<net.Socket>();
  /** Every change of the backend set, with the time it was seen (ms since epoch). */
  readonly changes: { atMs: number; backends: Backend[] }[] = [];
  /** The last poll error, if the last poll failed (the proxy keeps the last known backends). */
  lastError: string | undefined;

  constructor(private readonly o: ServiceEndpointOptions) {}

  /** Start polling and listening on 127.0.0.1; resolves with the port. */
  async start(): Promise<number> {
    await this.poll();
    const tick = (): void => {
      this.timer = setTimeout(() => void this.poll().finally(() => this.timer && tick()), this.o.pollMs ?? 50);
    };
    tick();
    this.server = net.createServer((c) => this.accept(c));
    await new Promise<void>((res, rej) => {
      this.server!.once('error', rej);
      this.server!.listen(0, '127.0.0.1', () => res());
    });
    return (this.server.address() as net.AddressInfo).port;
  }

  current(): readonly Backend[] {
    return this.backends;
  }

  private async poll(): Promise<void> {
    try {
      const r = await this.o.client.request<{ items: EndpointSlice[] }>('GET', `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(this.o.namespace)}/endpointslices`, {
        query: { labelSelector: `kubernetes.io/service-name=${this.o.service}` },
        timeoutMs: 2000,
      });
      const next: Backend[] = [];
      for (const s of r.items)
        for (const e of s.endpoints ?? []) if (e.conditions?.ready === true && e.conditions.terminating !== true && e.addresses[0]) next.push({ address: e.addresses[0], pod: e.targetRef?.name ?? '' });
      next.sort((a, b) => a.address.localeCompare(b.address));
      if (JSON.stringify(next) !== JSON.stringify(this.backends)) this.changes.push({ atMs: Date.now(), backends: next });
      this.backends = next;
      this.lastError = undefined;
    } catch (e) {
      this.lastError = (e as Error).message;
    }
  }

  private accept(c: net.Socket): void {
    const b = this.backends[0];
    if (!b) return void c.destroy();
    const up = net.connect(this.o.port, b.address);
    this.sockets.add(c);
    this.sockets.add(up);
    const close = (): void => {
      c.destroy();
      up.destroy();
      this.sockets.delete(c);
      this.sockets.delete(up);
    };
    c.on('error', close).on('close', close);
    up.on('error', close).on('close', close);
    c.pipe(up);
    up.pipe(c);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
