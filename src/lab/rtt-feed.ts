/**
 * An RTT endpoint the lab's caller controls, in the controller's `http-json` RTT source format (see
 * src/cluster/observe/http-json.ts): `GET /rtt/<user>` answers `{"samples": [{"node", "rttMs", "timestamp"}]}`,
 * one fresh sample per node, stamped when it is served. It stands where the LMF (or the lab's real prober) would,
 * so a test can say which node is near and the controller's own source reads it over HTTP.
 *
 * It can also misbehave the ways a real prober does, for the fault tests: a NaN or a negative RTT, a body that
 * is not JSON, or no answer at all (the connection is held open until the client gives up).
 * Binds to loopback only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RttFeedMode =
  /** The RTTs set with {@link RttFeed.set}. */
  | { mode: 'ok' }
  /** As `ok`, but these nodes' `rttMs` is the JSON string "NaN" (the source reads it as NaN). */
  | { mode: 'nan'; nodes: string[] }
  /** As `ok`, but these nodes' RTT is this negative number. */
  | { mode: 'negative'; nodes: string[]; rttMs: number }
  /** 200 with a body that is not JSON. */
  | { mode: 'non-json' }
  /** Never answers (the source times out). */
  | { mode: 'hang' };

export class RttFeed {
  private server: Server | undefined;
  private rtt: Record<string, number> = {};
  private m: RttFeedMode = { mode: 'ok' };
  private readonly held = new Set<ServerResponse>();
  /** Requests served, by mode (what the controller actually read). */
  readonly served = new Map<string, number>();

  constructor(private readonly nowMs: () => number) {}

  /** RTT per node, ms. */
  set(rtt: Record<string, number>): void {
    this.rtt = { ...rtt };
  }

  mode(m: RttFeedMode): void {
    this.m = m;
    if (m.mode !== 'hang') for (const r of this.held) r.destroy();
  }

  /** Starts listening on 127.0.0.1; returns the URL template for the controller config (`{user}` placeholder). */
  async start(): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/rtt/{user}`;
  }

  async stop(): Promise<void> {
    for (const r of this.held) r.destroy();
    this.held.clear();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server?.closeAllConnections();
    this.server = undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const m = this.m;
    this.served.set(m.mode, (this.served.get(m.mode) ?? 0) + 1);
    if (!/^\/rtt\/[^/]+$/.test(req.url ?? '')) {
      res.writeHead(404).end();
      return;
    }
    if (m.mode === 'hang') {
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    if (m.mode === 'non-json') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('<html>prober restarting</html>');
      return;
    }
    const timestamp = this.nowMs();
    const samples = Object.entries(this.rtt).map(([node, rttMs]) => ({
      node,
      rttMs: m.mode === 'nan' && m.nodes.includes(node) ? 'NaN' : m.mode === 'negative' && m.nodes.includes(node) ? m.rttMs : rttMs,
      timestamp,
    }));
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ samples }));
  }
}
