/**
 * The watch-fed workload cache of the fleet path: the opted-in VMIs and pods, kept by list + watch
 * instead of a list each tick, so a tick over 10k workloads costs no workload I/O at all.
 *
 * Per (namespace, kind) one stream, client-go reflector style: list (paged), then watch from the list's
 * resourceVersion with bookmarks; when the stream ends (the apiserver's watch timeout) it resumes from the newest
 * resourceVersion seen; a 410 Gone (the version was compacted away) or a failed request re-lists, which replaces
 * the stream's objects wholesale (deletions missed while disconnected vanish then). Each wait is the injected
 * {@link Delay}.
 *
 * A cached object can lag the cluster by the watch latency. That is safe by construction: a migration starts
 * only after a merge patch that carries the cached resourceVersion (reconcile.ts), so a stale object costs a 409
 * and a retry next tick, never a second migration.
 */
import type { ControllerConfig } from './config.js';
import { assembleWorkloads, NOT_A_TARGET, type Discovered } from './discovery.js';
import { isNotFound, listAll, type KubeClient, type KubeObject, type WatchEvent } from './kube/client.js';
import { paths, type PodObject, type VmiObject } from './kube/resources.js';
import type { Logger } from './log.js';
import type { Migrator, WorkloadKind } from './migrate/types.js';
import type { Delay } from './observe/types.js';

export const CACHE_RETRY_MS = 1000;

const isGone = (e: WatchEvent): boolean => e.type === 'ERROR' && (e.object as unknown as { code?: number }).code === 410;

/** One list + watch stream: its objects by uid, and whether its first list has landed. */
export class Reflector<T extends KubeObject = KubeObject> {
  readonly objects = new Map<string, T>();
  synced = false;
  relists = 0;
  events = 0;
  /** The resource type is not installed (404 on the collection): the stream holds nothing and stops. */
  absent = false;
  private resourceVersion: string | undefined;
  private readonly firstSync: Promise<void>;
  private markSynced!: () => void;

  constructor(
    private readonly client: KubeClient,
    readonly path: string,
    private readonly query: Record<string, string | undefined>,
    /** Client-side filter (the opt-in annotation); the label selector filters on the server. */
    private readonly keep: (o: T) => boolean,
  ) {
    this.firstSync = new Promise((r) => (this.markSynced = r));
  }

  /** Resolves once the first list is in (or the resource type turned out not to exist). */
  whenSynced(): Promise<void> {
    return this.firstSync;
  }

  private upsert(o: T): void {
    if (this.keep(o)) this.objects.set(o.metadata.uid!, o);
    else this.objects.delete(o.metadata.uid!);
  }

  /** Runs until `signal` aborts. */
  async run(delay: Delay, log: Logger, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (!this.resourceVersion) {
          const list = await listAll<T>(this.client, this.path, this.query, signal);
          this.objects.clear();
          for (const o of list.items) this.upsert(o);
          this.resourceVersion = list.metadata.resourceVersion;
          this.relists++;
          this.synced = true;
          this.markSynced();
        }
        await this.client.watch<T>(this.path, { ...this.query, resourceVersion: this.resourceVersion, allowWatchBookmarks: true }, (e) => {
          if (isGone(e as WatchEvent)) {
            this.resourceVersion = undefined;
            return;
          }
          if (e.type === 'ERROR') return;
          this.resourceVersion = e.object.metadata.resourceVersion ?? this.resourceVersion;
          if (e.type === 'BOOKMARK') return;
          this.events++;
          if (e.type === 'DELETED') this.objects.delete(e.object.metadata.uid!);
          else this.upsert(e.object);
        }, signal);
      } catch (e) {
        if (isNotFound(e)) {
          this.absent = true;
          this.synced = true;
          this.markSynced();
          return;
        }
        this.resourceVersion = undefined;
        if (!signal.aborted) log.log('warn', 'workload watch failed; re-listing', { path: this.path, error: e });
      }
      if (!signal.aborted && !this.resourceVersion) await delay(CACHE_RETRY_MS, signal);
    }
  }
}

export interface WorkloadCacheDeps {
  client: KubeClient;
  config: ControllerConfig;
  migrators: Partial<Record<WorkloadKind, Migrator>>;
  delay: Delay;
  log: Logger;
}

/** The opted-in VMIs and pods of the managed namespaces, as {@link Discovered} on demand. */
export class WorkloadCache {
  private readonly vmis: Reflector<VmiObject>[] = [];
  private readonly pods: Reflector<PodObject>[] = [];
  private abort: AbortController | undefined;
  private runs: Promise<void>[] = [];

  constructor(private readonly d: WorkloadCacheDeps) {
    const { config, migrators, client } = d;
    const { labelSelector, optInAnnotation, namespaces, kinds } = config.workloads;
    // With the opt-in annotation every object is watched and filtered here (what the listing path does per tick).
    const selector = (extra?: string): string | undefined => [optInAnnotation ? undefined : labelSelector, extra].filter(Boolean).join(',') || undefined;
    const optedIn = (o: KubeObject): boolean => !optInAnnotation || matchesSelector(o, labelSelector) || o.metadata.annotations?.[optInAnnotation] === 'true';
    for (const ns of namespaces.length ? namespaces : [undefined]) {
      if (kinds.includes('vm') && migrators.vm) this.vmis.push(new Reflector<VmiObject>(client, paths.vmis(ns), { labelSelector: selector() }, optedIn));
      if (kinds.includes('pod') && migrators.pod) this.pods.push(new Reflector<PodObject>(client, paths.pods(ns), { labelSelector: selector(NOT_A_TARGET) }, optedIn));
    }
  }

  get started(): boolean {
    return this.abort !== undefined;
  }

  /** Start every stream; resolves once each has its first list. */
  async start(): Promise<void> {
    if (this.abort) return this.synced();
    const abort = (this.abort = new AbortController());
    this.runs = [...this.vmis, ...this.pods].map((r) => r.run(this.d.delay, this.d.log, abort.signal));
    await this.synced();
  }

  private async synced(): Promise<void> {
    await Promise.all([...this.vmis, ...this.pods].map((r) => r.whenSynced()));
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await Promise.all(this.runs);
    this.abort = undefined;
    this.runs = [];
  }

  /** Objects held and re-lists done so far (logs, tests). */
  stats(): { objects: number; relists: number; events: number } {
    const all = [...this.vmis, ...this.pods];
    return { objects: all.reduce((a, r) => a + r.objects.size, 0), relists: all.reduce((a, r) => a + r.relists, 0), events: all.reduce((a, r) => a + r.events, 0) };
  }

  /** This moment's workloads, assembled exactly as the listing path does (discovery.ts). */
  snapshot(): Discovered {
    const out: Discovered = { workloads: [], ignored: [] };
    for (let i = 0; i < Math.max(this.vmis.length, this.pods.length); i++) {
      assembleWorkloads(this.vmis[i] ? [...this.vmis[i]!.objects.values()] : [], this.pods[i] ? [...this.pods[i]!.objects.values()] : [], out);
    }
    return out;
  }
}

/**
 * Equality-based label selector match (`k=v`, `k==v`, `k!=v`, `k`, `!k`, comma-separated): what the opt-in
 * annotation mode needs client-side. Set-based selectors (`in`, `notin`) are not supported there.
 */
export function matchesSelector(o: KubeObject, selector: string): boolean {
  const labels = o.metadata.labels ?? {};
  return selector.split(',').every((raw) => {
    const term = raw.trim();
    if (!term) return true;
    const ne = /^([^!=]+)!=(.*)$/.exec(term);
    if (ne) return labels[ne[1]!.trim()] !== ne[2]!.trim();
    const eq = /^([^!=]+)==?(.*)$/.exec(term);
    if (eq) return labels[eq[1]!.trim()] === eq[2]!.trim();
    if (term.startsWith('!')) return !(term.slice(1).trim() in labels);
    return term in labels;
  });
}
