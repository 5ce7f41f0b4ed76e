/**
 * The VMIM watch: this controller's VMIMs (label `app.kubernetes.io/managed-by=remora`), so phase changes are
 * logged as they happen and a finished migration is reconciled at once instead of at the next tick. Decisions
 * stay on the tick; a missed event only delays a reconcile until then.
 *
 * List, then watch from the list's resourceVersion. When the stream ends (the apiserver's watch timeout), the
 * watch resumes from the newest resourceVersion seen, which bookmarks keep fresh even when none of our objects
 * change; only a 410 Gone (the version was compacted away) or a failed request leads to a full re-list.
 *
 * Why not client-node 1.x's `ListWatch`/informer (`makeInformer`): it does the same list/watch/bookmark dance,
 * but (1) it runs its own `Watch` over node-fetch from a `KubeConfig`, bypassing the injected {@link KubeClient}
 * (the unit tests' fake, the keep-alive agent, the 429 Retry-After handling); (2) in 1.3 any error other than
 * 410 stops it for good (it calls the error handlers and does not restart), so an apiserver restart would need
 * a restart loop of our own anyway, with its own timer; (3) it keeps a full object cache the controller never
 * reads (the tick re-reads in-flight migrations from the cluster by design). So this loop stays, about 40 lines,
 * with its one wait on the injected {@link Delay}.
 */
import { isNotFound, listAll, type KubeClient, type WatchEvent } from './kube/client.js';
import { LABELS, paths, type VmimObject } from './kube/resources.js';
import type { Logger } from './log.js';
import type { Delay } from './observe/types.js';

export const WATCH_RETRY_MS = 1000;

export interface WatchMigrationsOptions {
  client: KubeClient;
  namespace: string | undefined;
  delay: Delay;
  log: Logger;
  signal: AbortSignal;
  /** A VMIM reached Succeeded or Failed. */
  onFinished(vmim: VmimObject): void;
}

const isGone = (e: WatchEvent<VmimObject>): boolean => e.type === 'ERROR' && (e.object as unknown as { code?: number }).code === 410;

export async function watchMigrations(o: WatchMigrationsOptions): Promise<void> {
  const phases = new Map<string, string>();
  const labelSelector = `${LABELS.managedBy}=${LABELS.managedByValue}`;
  const path = paths.vmims(o.namespace);
  let resourceVersion: string | undefined;
  while (!o.signal.aborted) {
    try {
      if (!resourceVersion) {
        const list = await listAll<VmimObject>(o.client, path, { labelSelector }, o.signal);
        phases.clear();
        for (const v of list.items) phases.set(v.metadata.uid!, v.status?.phase ?? '');
        resourceVersion = list.metadata.resourceVersion;
      }
      await o.client.watch<VmimObject>(path, { labelSelector, resourceVersion, allowWatchBookmarks: true }, (e) => {
        if (isGone(e)) {
          resourceVersion = undefined;
          return;
        }
        if (e.type === 'ERROR') return;
        // Every other event, bookmarks included, carries the version to resume from.
        resourceVersion = e.object.metadata.resourceVersion ?? resourceVersion;
        if (e.type === 'BOOKMARK') return;
        const uid = e.object.metadata.uid!;
        if (e.type === 'DELETED') {
          phases.delete(uid);
          return;
        }
        const phase = e.object.status?.phase ?? '';
        if (phases.get(uid) === phase) return;
        phases.set(uid, phase);
        o.log.log('info', 'migration phase', { migration: e.object.metadata.name, namespace: e.object.metadata.namespace, phase });
        if (phase === 'Succeeded' || phase === 'Failed') o.onFinished(e.object);
      }, o.signal);
    } catch (e) {
      if (isNotFound(e)) return; // KubeVirt not installed
      resourceVersion = undefined;
      if (!o.signal.aborted) o.log.log('warn', 'VMIM watch failed; re-listing', { error: e });
    }
    if (!o.signal.aborted) await o.delay(WATCH_RETRY_MS, o.signal);
  }
}
