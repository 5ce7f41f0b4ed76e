/**
 * Toxiproxy: the lab's latency injector, one TCP proxy per edge node. This kernel has no `sch_netem`
 * (`../shared/lab/README.md`), so delay is added in user space: the UE reaches node j's reflector only through
 * proxy j, and a `latency` toxic on that proxy carries the route's RTT for node j (see `route.ts`).
 *
 * The binary is built from the Go module proxy by `scripts/build-toxiproxy.sh` (pinned version, cached in
 * `~/.cache/remora/toxiproxy/<version>/`). Its HTTP API binds 127.0.0.1 only, on a free port; so do the proxies.
 * The server runs in the lab's cgroup `/<cgroupPrefix>-route` and its command line names the lab folder (its
 * `-config` file lives there), so the lab sweep (`host.ts`) finds and kills it even after a crash.
 *
 * Toxic semantics (toxiproxy v2 `latency`): every chunk of data on the toxic's stream is held `latency ± jitter`
 * ms, the jitter uniform in [-jitter, +jitter) from the server's `-seed`ed generator. One toxic on the downstream
 * stream (reflector → UE) adds its latency once per request/response round trip.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { freePort } from '../../cluster/testing/control-plane.js';
import { cgroupHierarchies, createCgroup, joinCgroup, logTail, removeCgroupTree, spawnDaemon, terminate } from '../host.js';

/** The pinned version `scripts/build-toxiproxy.sh` builds unless TOXIPROXY_VERSION says otherwise. */
export const TOXIPROXY_VERSION = 'v2.5.0';

/** Build (or find cached) toxiproxy-server; returns its path, or a one-line reason on failure. */
export function ensureToxiproxy(repoRoot: string): { bin: string } | { error: string } {
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'build-toxiproxy.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20 * 60_000 });
  if (r.status !== 0) {
    const why = r.status === 3 ? 'Go is not installed (needed to build it)' : (r.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    return { error: `scripts/build-toxiproxy.sh failed (exit ${r.status}): ${why}` };
  }
  return { bin: r.stdout.trim().split('\n').pop() ?? '' };
}

export interface ProxySpec {
  name: string;
  /** `host:port` the proxy listens on (127.0.0.1:0 picks a free port). */
  listen: string;
  /** `host:port` it forwards to. */
  upstream: string;
}

export interface ProxyState extends ProxySpec {
  enabled: boolean;
}

export interface LatencyToxic {
  latencyMs: number;
  jitterMs: number;
}

/** A typed client for toxiproxy's HTTP API (v2). Every call is one HTTP request on loopback. */
export class ToxiproxyClient {
  constructor(readonly apiPort: number, private readonly timeoutMs = 3000) {}

  private request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: this.apiPort, method, path, timeout: this.timeoutMs, headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* not JSON: keep the text */
            }
            if (status >= 400) reject(new Error(`toxiproxy ${method} ${path}: ${status} ${typeof parsed === 'object' && parsed && 'error' in parsed ? String((parsed as { error: unknown }).error) : text.trim()}`));
            else resolve({ status, body: parsed as T });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`toxiproxy ${method} ${path}: no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }

  async version(): Promise<string> {
    const r = await this.request<unknown>('GET', '/version');
    return typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  }

  /** Create a proxy; resolves with its state, whose `listen` is the bound address (the real port for `:0`). */
  async createProxy(p: ProxySpec): Promise<ProxyState> {
    return (await this.request<ProxyState>('POST', '/proxies', { ...p, enabled: true })).body;
  }

  async proxies(): Promise<Record<string, ProxyState>> {
    return (await this.request<Record<string, ProxyState>>('GET', '/proxies')).body;
  }

  /**
   * Set proxy `proxy`'s downstream latency toxic (named `latency_downstream`): created on first use, updated
   * after. Toxiproxy takes whole milliseconds; the value is rounded.
   */
  async setLatency(proxy: string, t: LatencyToxic): Promise<void> {
    const attributes = { latency: Math.max(0, Math.round(t.latencyMs)), jitter: Math.max(0, Math.round(t.jitterMs)) };
    const path = `/proxies/${encodeURIComponent(proxy)}/toxics`;
    try {
      await this.request('POST', `${path}/latency_downstream`, { attributes });
    } catch (e) {
      if (!/: 404 /.test((e as Error).message)) throw e;
      await this.request('POST', path, { name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes });
    }
  }

  /** The latency toxic now on `proxy`, or undefined when it has none. */
  async latency(proxy: string): Promise<LatencyToxic | undefined> {
    const r = await this.request<{ name: string; attributes: { latency: number; jitter: number } }[]>('GET', `/proxies/${encodeURIComponent(proxy)}/toxics`);
    const t = r.body.find((x) => x.name === 'latency_downstream');
    return t ? { latencyMs: t.attributes.latency, jitterMs: t.attributes.jitter } : undefined;
  }

  async deleteProxy(name: string): Promise<void> {
    await this.request('DELETE', `/proxies/${encodeURIComponent(name)}`);
  }
}

export interface ToxiproxyServerOptions {
  bin: string;
  /** Folder for its config and log (the lab folder: that is what the sweep recognises). */
  dir: string;
  /** The lab's cgroup prefix: the server runs in `/<cgroupPrefix>-route`. */
  cgroupPrefix: string;
  /** Seed of the toxics' jitter generator. */
  seed: number;
  /** Nice value to run it at (see LabSessionConfig.probeNice); 0 leaves it alone. */
  nice?: number;
}

/** One toxiproxy-server process with its API on 127.0.0.1. */
export class ToxiproxyServer {
  private proc: ChildProcess | undefined;
  client: ToxiproxyClient | undefined;
  readonly log: string;

  constructor(private readonly o: ToxiproxyServerOptions) {
    this.log = join(o.dir, 'logs', 'toxiproxy.log');
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<ToxiproxyClient> {
    const port = await freePort();
    const config = join(this.o.dir, 'toxiproxy.json');
    writeFileSync(config, '[]\n', { mode: 0o600 });
    const cgroup = `/${this.o.cgroupPrefix}-route`;
    createCgroup(cgroup);
    const args = ['-host', '127.0.0.1', '-port', String(port), '-config', config, '-seed', String(this.o.seed)];
    // `nice` execs the server in place: same pid, the server's own command line (what the sweep reads).
    this.proc = this.o.nice ? spawnDaemon('nice', ['-n', String(this.o.nice), this.o.bin, ...args], this.log) : spawnDaemon(this.o.bin, args, this.log);
    joinCgroup(cgroup, this.proc.pid!);
    const client = new ToxiproxyClient(port);
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await client.version();
        break;
      } catch (e) {
        if (this.proc.exitCode !== null) throw new Error(`toxiproxy-server exited (${this.proc.exitCode}): ${logTail(this.log, 800)}`);
        if (Date.now() > deadline) throw new Error(`toxiproxy-server API on 127.0.0.1:${port} not up after 10 s: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    this.client = client;
    return client;
  }

  async stop(): Promise<void> {
    if (this.proc?.pid) await terminate([this.proc.pid], 3000);
    this.proc = undefined;
    this.client = undefined;
    for (const h of cgroupHierarchies()) removeCgroupTree(join(h, `${this.o.cgroupPrefix}-route`));
  }
}
