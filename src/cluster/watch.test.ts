import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiError, type KubeClient, type WatchEvent } from './kube/client.js';
import type { VmimObject } from './kube/resources.js';
import { silentLogger } from './log.js';
import { watchMigrations } from './watch.js';

const vmim = (name: string, rv: string, phase?: string): VmimObject => ({ metadata: { name, uid: `uid-${name}`, namespace: 'ns', resourceVersion: rv }, spec: { vmiName: name }, ...(phase ? { status: { phase } } : {}) }) as VmimObject;

/** A scripted API: each watch call plays the next batch of events, then the stream ends. */
function scripted(batches: (WatchEvent<VmimObject>[] | Error)[], abort: AbortController) {
  const calls: string[] = [];
  let w = 0;
  const client: KubeClient = {
    server: 'fake',
    async request<T>(method: string, _path: string): Promise<T> {
      calls.push(`${method} list`);
      return { metadata: { resourceVersion: '10' }, items: [vmim('a', '9', 'Running')] } as T;
    },
    async watch<T>(_path: string, query: Record<string, unknown>, onEvent: (e: WatchEvent<T>) => void): Promise<void> {
      calls.push(`watch rv=${String(query.resourceVersion)} bookmarks=${String(query.allowWatchBookmarks)}`);
      const b = batches[w++];
      if (!b) {
        abort.abort();
        return;
      }
      if (b instanceof Error) throw b;
      for (const e of b) onEvent(e as unknown as WatchEvent<T>);
    },
  };
  return { client, calls };
}

test('watch: resumes from the newest resourceVersion (bookmarks included) without re-listing; 410 re-lists', async () => {
  const abort = new AbortController();
  const { client, calls } = scripted(
    [
      [{ type: 'MODIFIED', object: vmim('a', '11', 'Running') }, { type: 'BOOKMARK', object: vmim('', '20') }],
      [{ type: 'MODIFIED', object: vmim('a', '21', 'Succeeded') }],
      [{ type: 'ERROR', object: { code: 410, metadata: {} } as unknown as VmimObject }],
      new Error('connection refused'),
    ],
    abort,
  );
  const finished: string[] = [];
  let waits = 0;
  await watchMigrations({ client, namespace: 'ns', log: silentLogger, signal: abort.signal, delay: async () => void waits++, onFinished: (v) => finished.push(v.metadata.name) });
  assert.deepEqual(calls, [
    'GET list',
    'watch rv=10 bookmarks=true',
    'watch rv=20 bookmarks=true', // the bookmark's version, no re-list
    'watch rv=21 bookmarks=true',
    'GET list', // 410 Gone: the version is compacted away
    'watch rv=10 bookmarks=true',
    'GET list', // a failed request re-lists too
    'watch rv=10 bookmarks=true',
  ]);
  assert.deepEqual(finished, ['a'], 'Running -> Running is not a change; Succeeded is reported once');
  assert.equal(waits, 4, 'every retry waits on the injected delay');
});

test('watch: a 404 (KubeVirt not installed) ends it', async () => {
  const abort = new AbortController();
  const { client } = scripted([new KubeApiError(404, 'NotFound', 'no', 'WATCH', '/x')], abort);
  await watchMigrations({ client, namespace: undefined, log: silentLogger, signal: abort.signal, delay: async () => undefined, onFinished: () => undefined });
  assert.equal(abort.signal.aborted, false);
});
