/**
 * Leader election on a `coordination.k8s.io/v1` Lease, with client-go's semantics: the holder renews
 * `renewTime` every `renewPeriodMs`; another candidate takes over only after `leaseDurationSeconds` without a
 * renewal. Every write carries the `resourceVersion` it read, so two candidates racing for an expired lease
 * cannot both win (one gets 409 Conflict). On graceful shutdown the holder releases the lease (empty holder,
 * like client-go's ReleaseOnCancel) so a standby takes over at once.
 *
 * Sharded (shard.ts), a replica holds its home shard's Lease and, while another shard's replica is gone, that
 * shard's Lease too. Two roles make a restart re-balance:
 * - `foreign`: never creates the Lease (only its home replica does, so a fresh start cannot hand a range to the
 *   wrong replica), takes it only when it is free or expired, and gives it back (releases it) as soon as the home
 *   replica has asked for it with the {@link RECLAIM_ANNOTATION};
 * - `home`: finding its Lease held by a live foreign holder, writes that annotation (with the resourceVersion
 *   it read) and takes the Lease once released; its own writes drop the annotation.
 */
import { isAlreadyExists, isConflict, isNotFound, type KubeClient } from './kube/client.js';
import { paths, type LeaseObject } from './kube/resources.js';
import type { Clock } from './observe/types.js';

export interface LeaderElectorOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  /** Sharded: this replica's own shard (`home`) or another's, held only while its replica is gone (`foreign`). */
  role?: 'home' | 'foreign';
}

/** On a shard's Lease: the identity of its home replica, back and asking for it. */
export const RECLAIM_ANNOTATION = 'remora.io/reclaim-by';

const micro = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class LeaderElector {
  private leader = false;
  /** When this replica last renewed successfully (controller clock). */
  private renewedAtMs = Number.NEGATIVE_INFINITY;
  /** Another holder's lease as we last observed it, and when we observed a change (client-go: observedTime). */
  private observed: { holder: string; renewTime: string; atMs: number } | undefined;

  constructor(private readonly client: KubeClient, private readonly clock: Clock, private readonly o: LeaderElectorOptions) {}

  /** True while the last renewal is younger than the lease duration. */
  isLeader(): boolean {
    return this.leader && this.clock.nowMs() - this.renewedAtMs < this.o.leaseDurationMs;
  }

  /** One acquire-or-renew attempt. Returns whether this replica leads afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.nowMs();
    const spec = (transitions: number, acquire: string): LeaseObject['spec'] => ({
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
      acquireTime: acquire,
      renewTime: micro(now),
      leaseTransitions: transitions,
    });
    let lease: LeaseObject;
    try {
      lease = await this.client.request<LeaseObject>('GET', paths.leases(this.o.namespace, this.o.name));
    } catch (e) {
      if (!isNotFound(e)) return this.lost(false);
      if (this.o.role === 'foreign') return this.lost(true);
      try {
        await this.client.request('POST', paths.leases(this.o.namespace), {
          body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.o.name, namespace: this.o.namespace }, spec: spec(0, micro(now)) },
        });
        return this.won(now);
      } catch (e2) {
        return this.lost(isAlreadyExists(e2));
      }
    }
    const holder = lease.spec.holderIdentity ?? '';
    const renewTime = lease.spec.renewTime ?? '';
    const reclaim = lease.metadata.annotations?.[RECLAIM_ANNOTATION];
    if (this.o.role === 'foreign' && holder === this.o.identity && reclaim) {
      await this.release();
      return false;
    }
    if (holder !== this.o.identity && holder !== '') {
      // Expiry is judged on our own clock from when we last saw the record change, as client-go does, so clock
      // skew between replicas cannot make a live leader look expired.
      if (!this.observed || this.observed.holder !== holder || this.observed.renewTime !== renewTime) this.observed = { holder, renewTime, atMs: now };
      const durMs = (lease.spec.leaseDurationSeconds ?? Math.ceil(this.o.leaseDurationMs / 1000)) * 1000;
      if (now - this.observed.atMs < durMs) {
        if (this.o.role === 'home' && reclaim !== this.o.identity) {
          const annotations = { ...lease.metadata.annotations, [RECLAIM_ANNOTATION]: this.o.identity };
          await this.client.request('PUT', paths.leases(this.o.namespace, this.o.name), { body: { ...lease, metadata: { ...lease.metadata, annotations } } }).catch(() => undefined);
        }
        return this.lost(true);
      }
    }
    // A foreign replica does not take a Lease its home replica has asked for.
    if (this.o.role === 'foreign' && reclaim && holder !== this.o.identity) return this.lost(true);
    const transitions = (lease.spec.leaseTransitions ?? 0) + (holder === this.o.identity ? 0 : 1);
    const acquire = holder === this.o.identity && lease.spec.acquireTime ? lease.spec.acquireTime : micro(now);
    const { [RECLAIM_ANNOTATION]: _asked, ...annotations } = lease.metadata.annotations ?? {};
    const metadata = this.o.role === 'home' ? { ...lease.metadata, annotations } : lease.metadata;
    try {
      await this.client.request('PUT', paths.leases(this.o.namespace, this.o.name), { body: { ...lease, metadata, spec: spec(transitions, acquire) } });
      return this.won(now);
    } catch (e) {
      return this.lost(isConflict(e));
    }
  }

  private won(now: number): boolean {
    this.leader = true;
    this.renewedAtMs = now;
    return true;
  }

  /** `hard`: someone else holds or just took the lease. Otherwise (apiserver unreachable) leadership lasts until expiry. */
  private lost(hard: boolean): boolean {
    if (hard) this.leader = false;
    if (this.leader && this.clock.nowMs() - this.renewedAtMs >= this.o.leaseDurationMs) this.leader = false;
    return this.isLeader();
  }

  /** Give the lease up (graceful shutdown). */
  async release(): Promise<void> {
    if (!this.leader) return;
    this.leader = false;
    try {
      const lease = await this.client.request<LeaseObject>('GET', paths.leases(this.o.namespace, this.o.name));
      if (lease.spec.holderIdentity !== this.o.identity) return;
      await this.client.request('PUT', paths.leases(this.o.namespace, this.o.name), {
        body: { ...lease, spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: micro(this.clock.nowMs()) } },
      });
    } catch {
      /* the lease expires on its own */
    }
  }
}
