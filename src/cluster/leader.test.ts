import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiError, type KubeClient } from './kube/client.js';
import type { LeaseObject } from './kube/resources.js';
import { LeaderElector } from './leader.js';

/** One Lease in memory with the apiserver's optimistic concurrency: a write must carry the current resourceVersion. */
function leaseStore(): { client: KubeClient; lease: () => LeaseObject | undefined } {
  let lease: LeaseObject | undefined;
  let rv = 0;
  const client: KubeClient = {
    server: 'fake',
    async request<T>(method: string, path: string, opts: { body?: unknown } = {}): Promise<T> {
      const body = opts.body as LeaseObject | undefined;
      if (method === 'GET') {
        if (!lease) throw new KubeApiError(404, 'NotFound', 'no lease', method, path);
        return structuredClone(lease) as T;
      }
      if (method === 'POST') {
        if (lease) throw new KubeApiError(409, 'AlreadyExists', 'exists', method, path);
        lease = { ...body!, metadata: { ...body!.metadata, resourceVersion: String(++rv) } };
        return lease as T;
      }
      if (method === 'PUT') {
        if (body!.metadata.resourceVersion !== lease?.metadata.resourceVersion) throw new KubeApiError(409, 'Conflict', 'stale', method, path);
        lease = { ...body!, metadata: { ...body!.metadata, resourceVersion: String(++rv) } };
        return lease as T;
      }
      throw new Error(`unexpected ${method}`);
    },
    async watch() {},
  };
  return { client, lease: () => lease };
}

const opts = (identity: string) => ({ namespace: 'remora-system', name: 'remora-controller', identity, leaseDurationMs: 15_000 });

test('leader: acquire, renew; a standby waits out the lease duration on its own clock', async () => {
  const { client, lease } = leaseStore();
  let now = 1_000_000;
  const clock = { nowMs: () => now };
  const a = new LeaderElector(client, clock, opts('a'));
  const b = new LeaderElector(client, clock, opts('b'));
  assert.equal(await a.tryAcquireOrRenew(), true);
  assert.equal(await b.tryAcquireOrRenew(), false);
  now += 10_000;
  assert.equal(await a.tryAcquireOrRenew(), true, 'renewed');
  now += 14_000; // a stops renewing (killed)
  assert.equal(await b.tryAcquireOrRenew(), false, 'b saw the renewal 14 s ago on its clock, not 24 s');
  now += 15_000;
  assert.equal(await b.tryAcquireOrRenew(), true, 'expired: b takes over');
  assert.equal(a.isLeader(), false, 'a, not renewed for a lease duration, no longer claims to lead');
  assert.equal(lease()!.spec.holderIdentity, 'b');
  assert.equal(lease()!.spec.leaseTransitions, 1);
});

test('leader: release hands over at once; a lost write race (409) stays a follower', async () => {
  const clock = { nowMs: () => 5_000_000 };
  const { client } = leaseStore();
  const a = new LeaderElector(client, clock, opts('a'));
  const b = new LeaderElector(client, clock, opts('b'));
  await a.tryAcquireOrRenew();
  await a.release();
  assert.equal(a.isLeader(), false);
  assert.equal(await b.tryAcquireOrRenew(), true, 'empty holder: no need to wait');
  // Two candidates read the same released record; only the first write wins.
  const { client: c2 } = leaseStore();
  const x = new LeaderElector(c2, clock, opts('x'));
  const y = new LeaderElector(c2, clock, opts('y'));
  await x.tryAcquireOrRenew();
  await x.release();
  const [rx, ry] = await Promise.all([x.tryAcquireOrRenew(), y.tryAcquireOrRenew()]);
  assert.equal(Number(rx) + Number(ry), 1, 'exactly one wins the race');
});

test('leader, sharded roles: a foreign replica never creates a shard Lease, takes an expired one, and gives it back when its home replica returns', async () => {
  const { client, lease } = leaseStore();
  let now = 1_000_000;
  const clock = { nowMs: () => now };
  const home = (id: string) => new LeaderElector(client, clock, { ...opts(id), role: 'home' });
  const foreign = new LeaderElector(client, clock, { ...opts('survivor'), role: 'foreign' });
  assert.equal(await foreign.tryAcquireOrRenew(), false, 'no Lease yet: only its home replica creates it');
  assert.equal(lease(), undefined);
  const first = home('shard-1');
  assert.equal(await first.tryAcquireOrRenew(), true);
  // The home replica dies; the survivor takes the range once the Lease has gone unrenewed for its duration.
  assert.equal(await foreign.tryAcquireOrRenew(), false);
  now += 15_000;
  assert.equal(await foreign.tryAcquireOrRenew(), true);
  assert.equal(lease()!.spec.holderIdentity, 'survivor');
  // The restarted home replica asks for it back; the survivor releases on its next round; home takes it.
  const back = home('shard-1b');
  assert.equal(await back.tryAcquireOrRenew(), false, 'held by a live survivor');
  assert.equal(lease()!.metadata.annotations?.['remora.io/reclaim-by'], 'shard-1b');
  assert.equal(await foreign.tryAcquireOrRenew(), false, 'the survivor lets go');
  assert.equal(lease()!.spec.holderIdentity, null);
  assert.equal(await foreign.tryAcquireOrRenew(), false, 'and does not take it again while it is asked for');
  assert.equal(await back.tryAcquireOrRenew(), true);
  assert.equal(lease()!.spec.holderIdentity, 'shard-1b');
  assert.equal(lease()!.metadata.annotations?.['remora.io/reclaim-by'], undefined, 'the home replica drops the request');
});
