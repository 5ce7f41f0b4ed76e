/** The watch-fed cache's reflector against a scripted client: list, watch from its version, resume, 410 → re-list. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesSelector, Reflector } from './cache.js';
import type { KubeClient, KubeObject, WatchEvent } from './kube/client.js';
import { silentLogger } from './log.js';
import type { Delay } from './observe/types.js';

const obj = (uid: string, rv: string, labels: Record<string, string> = {}): KubeObject => ({ metadata: { name: uid, namespace: 'ns', uid, resourceVersion: rv, labels } });

test('reflector: list, watch from the list version, resume from the newest seen (bookmarks too), re-list on 410 Gone', async () => {
  const lists: string[] = [];
  const seen: string[][] = [];
  let r: Reflector;
  const watches: (string | number | boolean | undefined)[] = [];
  let listNo = 0;
  const abort = new AbortController();
  const scripts: WatchEvent[][] = [
    [{ type: 'ADDED', object: obj('b', '11') }, { type: 'MODIFIED', object: obj('a', '12') }, { type: 'BOOKMARK', object: obj('', '15') }],
    [{ type: 'DELETED', object: obj('b', '16') }, { type: 'ERROR', object: { code: 410 } as unknown as KubeObject }],
    [],
  ];
  const client: KubeClient = {
    server: 'fake',
    async request<T>(_m: string, path: string): Promise<T> {
      lists.push(path);
      listNo++;
      return (listNo === 1 ? { metadata: { resourceVersion: '10' }, items: [obj('a', '9')] } : { metadata: { resourceVersion: '20' }, items: [obj('c', '19')] }) as T;
    },
    async watch<T>(_p: string, q: Record<string, string | number | boolean | undefined>, on: (e: WatchEvent<T>) => void): Promise<void> {
      watches.push(q.resourceVersion);
      seen.push([...r.objects.keys()]);
      for (const e of scripts[watches.length - 1] ?? []) on(e as WatchEvent<T>);
      if (watches.length >= 4) abort.abort();
    },
  };
  const delays: number[] = [];
  const delay: Delay = async (ms) => void delays.push(ms);
  r = new Reflector(client, '/api/v1/pods', { labelSelector: 'x=1' }, () => true);
  await r.run(delay, silentLogger, abort.signal);
  assert.deepEqual(watches, ['10', '15', '20', '20'], 'resume from the bookmark; after 410 from the new list');
  assert.equal(lists.length, 2, 'one initial list, one re-list after 410');
  assert.deepEqual(seen, [['a'], ['a', 'b'], ['c'], ['c']], 'what each watch started from');
  assert.deepEqual([...r.objects.keys()], ['c'], 'the re-list replaced the stream wholesale');
  assert.equal(r.relists, 2);
  assert.deepEqual(delays, [1000], 'one wait before the re-list, none between resumed watches');
});

test('reflector: a collection that does not exist (404) holds nothing and counts as synced', async () => {
  const { KubeApiError } = await import('./kube/client.js');
  const client: KubeClient = { server: 'fake', request: async () => { throw new KubeApiError(404, 'NotFound', 'no', 'GET', '/x'); }, watch: async () => undefined };
  const r = new Reflector(client, '/apis/kubevirt.io/v1/virtualmachineinstances', {}, () => true);
  await r.run(async () => undefined, silentLogger, new AbortController().signal);
  assert.equal(r.absent, true);
  await r.whenSynced();
  assert.equal(r.objects.size, 0);
});

test('equality label selectors (the opt-in annotation mode filters client-side)', () => {
  const o = obj('a', '1', { 'remora.io/managed': 'true', tier: 'edge' });
  assert.ok(matchesSelector(o, 'remora.io/managed=true'));
  assert.ok(matchesSelector(o, 'remora.io/managed==true,tier!=core'));
  assert.ok(!matchesSelector(o, 'tier=core'));
  assert.ok(matchesSelector(o, 'tier,!gone'));
  assert.ok(!matchesSelector(o, '!tier'));
});
