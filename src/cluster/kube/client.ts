/**
 * A thin REST client for the Kubernetes API: raw paths, JSON bodies, typed errors, and streaming watches.
 *
 * client-node 1.x could do most of this: `KubernetesObjectApi` reaches any group (CRDs and aggregated APIs
 * included) with a chosen patch strategy, and `ListWatch` re-lists and re-watches. This client stays because
 * (1) the controller's callers and every test double speak one small interface, {@link KubeClient}: raw paths,
 * the Status reason on errors (409 Conflict vs AlreadyExists), and paths that are not objects, such as the node
 * proxy's checkpoint endpoint, which `KubernetesObjectApi` (objects only) does not reach; (2) it keeps one keep-alive agent, where client-node
 * builds a fresh agent (a TLS handshake) per call; (3) it honours Retry-After on 429/503 through an injected
 * {@link Delay}, so tests control the wait. Why the watch loop is not `ListWatch`: see src/cluster/watch.ts.
 * client-node's {@link KubeConfig} still does all the auth work (kubeconfig files, in-cluster service-account
 * token, re-read every 60 s for rotation). Stay on client-node 1.x: 2.x crashes on Node 20.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { systemDelay, type Delay } from '../observe/types.js';

/** A non-2xx answer from the apiserver, with the Status object's reason when there is one. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
    /** Seconds, from a Retry-After header. */
    readonly retryAfterS?: number,
  ) {
    super(`${method} ${path}: ${status} ${reason}: ${message}`);
    this.name = 'KubeApiError';
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof KubeApiError && e.status === 404;
export const isConflict = (e: unknown): boolean => e instanceof KubeApiError && e.status === 409;
export const isAlreadyExists = (e: unknown): boolean => e instanceof KubeApiError && e.status === 409 && e.reason === 'AlreadyExists';
export const isForbidden = (e: unknown): boolean => e instanceof KubeApiError && e.status === 403;

export type PatchType = 'merge' | 'json' | 'strategic';
const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  patchType?: PatchType;
  /** Abort the request (and a watch stream). */
  signal?: AbortSignal;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
}

export interface WatchEvent<T = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** The subset of a Kubernetes object every resource has. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generateName?: string;
  ownerReferences?: unknown[];
  [key: string]: unknown;
}

export interface KubeList<T> {
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** What the controller needs from the API. Tests hand in the same implementation against a real apiserver. */
export interface KubeClient {
  request<T = unknown>(method: string, path: string, opts?: RequestOptions): Promise<T>;
  /**
   * Stream a watch (`query` as sent: pass `allowWatchBookmarks: true` to get bookmarks): resolves when the server closes the stream (timeout, apiserver restart) or the signal
   * aborts. Rejects on connection errors. Callers re-list and re-watch (level-based).
   */
  watch<T = KubeObject>(path: string, query: Record<string, string | number | boolean | undefined>, onEvent: (e: WatchEvent<T>) => void, signal?: AbortSignal): Promise<void>;
  /** API server base URL (for logs). */
  readonly server: string;
}

function buildQuery(q: RequestOptions['query']): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) if (v !== undefined) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** {@link KubeClient} over node:https, authenticated by a client-node {@link KubeConfig}. */
export class HttpKubeClient implements KubeClient {
  readonly server: string;
  private readonly url: URL;
  private agent: http.Agent | undefined;

  private readonly maxRetries: number;
  private readonly delay: Delay;

  constructor(private readonly kc: KubeConfig, opts: { maxRetries?: number; delay?: Delay } = {}) {
    this.maxRetries = opts.maxRetries ?? 5;
    this.delay = opts.delay ?? systemDelay;
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = cluster.server;
    this.url = new URL(cluster.server);
  }

  private async options(method: string, path: string, headers: Record<string, string>, timeoutMs?: number): Promise<https.RequestOptions> {
    // applyToHTTPSOptions applies the current token; client-node re-reads a token file every 60 s (rotation).
    const opts: https.RequestOptions = { method, headers: { ...headers } };
    await this.kc.applyToHTTPSOptions(opts);
    // client-node hands out a fresh Agent per call (a TLS handshake per request); keep one keep-alive agent
    // with the same TLS material instead.
    this.agent ??=
      this.url.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ca: opts.ca, cert: opts.cert, key: opts.key, pfx: opts.pfx, passphrase: opts.passphrase, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername })
        : new http.Agent({ keepAlive: true });
    const base = this.url.pathname.replace(/\/$/, '');
    return {
      ...opts,
      agent: this.agent,
      protocol: this.url.protocol,
      hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
      port: this.url.port || (this.url.protocol === 'https:' ? 443 : 80),
      path: base + path,
      timeout: timeoutMs,
    };
  }

  private transport(): typeof https | typeof http {
    return this.url.protocol === 'https:' ? https : http;
  }

  /**
   * 429 (and 503 with Retry-After) mean "try again": the apiserver says so while a resource's storage
   * initialises after a restart, and under API priority and fairness. Honour Retry-After (capped) a few times.
   */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.requestOnce<T>(method, path, opts);
      } catch (e) {
        if (!(e instanceof KubeApiError) || !(e.status === 429 || (e.status === 503 && e.retryAfterS !== undefined)) || attempt >= this.maxRetries || opts.signal?.aborted) throw e;
        await this.delay(Math.min(2000, 1000 * (e.retryAfterS ?? 1)), opts.signal);
      }
    }
  }

  private async requestOnce<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
    const full = path + buildQuery(opts.query);
    const headers: Record<string, string> = { Accept: 'application/json' };
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.body));
      headers['Content-Type'] = method === 'PATCH' ? PATCH_CONTENT_TYPE[opts.patchType ?? 'merge'] : 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const ro = await this.options(method, full, headers, opts.timeoutMs ?? 30_000);
    return new Promise<T>((resolve, reject) => {
      const req = this.transport().request({ ...ro, signal: opts.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            if (!text) return resolve(undefined as T);
            try {
              resolve(JSON.parse(text) as T);
            } catch {
              resolve(text as unknown as T);
            }
            return;
          }
          let reason = res.statusMessage ?? 'Error';
          let message = text.slice(0, 300);
          try {
            const s = JSON.parse(text) as { reason?: string; message?: string };
            if (s.reason) reason = s.reason;
            if (s.message) message = s.message;
          } catch {
            /* not a Status object */
          }
          const ra = Number(res.headers['retry-after']);
          reject(new KubeApiError(status, reason, message, method, path, Number.isFinite(ra) ? ra : undefined));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  async watch<T = KubeObject>(path: string, query: Record<string, string | number | boolean | undefined>, onEvent: (e: WatchEvent<T>) => void, signal?: AbortSignal): Promise<void> {
    const full = path + buildQuery({ ...query, watch: true });
    const ro = await this.options('GET', full, { Accept: 'application/json' });
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return resolve();
      const req = this.transport().request(ro, (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => reject(new KubeApiError(res.statusCode ?? 0, res.statusMessage ?? 'Error', Buffer.concat(chunks).toString('utf8').slice(0, 300), 'WATCH', path)));
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            try {
              onEvent(JSON.parse(line) as WatchEvent<T>);
            } catch (e) {
              req.destroy(e as Error);
            }
          }
        });
        res.on('end', () => resolve());
        res.on('aborted', () => resolve());
        res.on('error', (e) => (signal?.aborted ? resolve() : reject(e)));
      });
      const onAbort = (): void => {
        req.destroy();
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (e) => (signal?.aborted ? resolve() : reject(e)));
      req.on('close', () => signal?.removeEventListener('abort', onAbort));
      req.end();
    });
  }
}

/** List all items (follows `continue`). */
export async function listAll<T>(client: KubeClient, path: string, query: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<KubeList<T>> {
  const items: T[] = [];
  let cont: string | undefined;
  let rv: string | undefined;
  do {
    const page = await client.request<KubeList<T>>('GET', path, { query: { ...query, limit: 500, continue: cont }, signal });
    items.push(...page.items);
    cont = page.metadata.continue || undefined;
    rv = page.metadata.resourceVersion;
  } while (cont);
  return { metadata: { resourceVersion: rv }, items };
}
