/**
 * The migration budget the shards share (shard.ts): KubeVirt's caps are per cluster (`migration.maxConcurrent`)
 * and per source node (`fleet.maxOutboundPerNode`), so N shards deciding apart could each start up to the cap.
 * The budget is one ConfigMap (`<leaseName>-budget` in the controller's namespace) holding reservations, written
 * with the resourceVersion it read: two shards reserving at once cannot both succeed on a stale count (one gets
 * 409 and counts again).
 *
 * What counts against a cap: every unfinished migration in the cluster (each shard reads all of them each tick)
 * together with every live reservation, joined by migration name, so a migration and its own reservation count
 * once. A reservation is written before the migration's first write (the sequence number), and it lives
 * `ttlMs` (three ticks). A shard reserves at most a third of that after its own read of the in-flight migrations
 * (else it waits a tick), so any migration its read missed was reserved after that read, and that reservation is
 * still live when it counts: no shard ever counts a started migration as nothing. A crashed shard's reservations
 * simply expire; the migrations it started are in the cluster and go on counting there. A finished migration
 * whose reservation is still live counts until it expires: the error is on the safe side.
 *
 * Expiry is judged on the writer's clock against a timestamp in the ConfigMap, so replicas' clocks must agree to
 * well under `ttlMs` (NTP on cluster nodes does; a skew only makes a reservation live longer or shorter).
 */
import { isConflict, isNotFound, type KubeClient, type KubeObject } from './kube/client.js';
import type { InFlight } from './migrate/types.js';
import type { Clock } from './observe/types.js';

export interface Reservation {
  /** The migration's name (`remora-<workload>-<seq>`). */
  id: string;
  /** Node the workload leaves (the per-node outbound cap). */
  node: string;
  /** Identity of the shard replica that reserved it. */
  by: string;
  expiresAtMs: number;
}

export interface BudgetCaps {
  maxConcurrent: number;
  maxOutboundPerNode: number;
}

export type Admission = { ok: true; reservations: Reservation[] } | { ok: false; reason: 'cap' | 'node-cap'; detail: string };

/** Pure: whether one more migration fits the caps, counting in-flight migrations and live reservations once each. */
export function admit(reservations: readonly Reservation[], inFlight: Iterable<Pick<InFlight, 'id' | 'sourceNode'>>, want: Omit<Reservation, 'expiresAtMs'>, caps: BudgetCaps, nowMs: number, ttlMs: number): Admission {
  const live = reservations.filter((r) => r.expiresAtMs > nowMs && r.id !== want.id);
  const byId = new Map<string, string>();
  for (const f of inFlight) byId.set(f.id, f.sourceNode);
  for (const r of live) if (!byId.has(r.id)) byId.set(r.id, r.node);
  byId.delete(want.id);
  if (byId.size >= caps.maxConcurrent) return { ok: false, reason: 'cap', detail: `the cluster cap (${caps.maxConcurrent} migrations in flight or reserved across shards)` };
  let fromNode = 0;
  for (const n of byId.values()) if (n === want.node) fromNode++;
  if (fromNode >= caps.maxOutboundPerNode) return { ok: false, reason: 'node-cap', detail: `the source node's outbound cap (${caps.maxOutboundPerNode}, across shards)` };
  return { ok: true, reservations: [...live, { ...want, expiresAtMs: nowMs + ttlMs }] };
}

interface ConfigMapObject extends KubeObject {
  data?: Record<string, string>;
}

const path = (ns: string, name?: string): string => `/api/v1/namespaces/${encodeURIComponent(ns)}/configmaps${name ? `/${encodeURIComponent(name)}` : ''}`;

export class MigrationBudget {
  constructor(
    private readonly client: KubeClient,
    private readonly clock: Clock,
    private readonly o: { namespace: string; name: string; identity: string; caps: BudgetCaps; ttlMs: number },
  ) {}

  /**
   * Reserve a slot for migration `id` leaving `node`; undefined when granted, else why not. `inFlight` is every
   * unfinished migration of the cluster as this tick read it (with this tick's own starts), `readAtMs` when.
   */
  async reserve(id: string, node: string, inFlight: Iterable<InFlight>, readAtMs: number): Promise<{ reason: 'cap' | 'node-cap' | 'error'; detail: string } | undefined> {
    // Reservations cover the time from one shard's read of the in-flight migrations to its reservation: a read
    // older than a third of their life could miss a migration whose reservation has already expired.
    if (this.clock.nowMs() - readAtMs > this.o.ttlMs / 3) return { reason: 'error', detail: 'the in-flight view of this tick is too old to count against the shared budget; next tick' };
    const list = [...inFlight];
    for (let attempt = 0; attempt < 8; attempt++) {
      let cm: ConfigMapObject | undefined;
      try {
        cm = await this.client.request<ConfigMapObject>('GET', path(this.o.namespace, this.o.name));
      } catch (e) {
        if (!isNotFound(e)) return { reason: 'error', detail: `budget unreadable: ${(e as Error).message}` };
      }
      let held: Reservation[] = [];
      try {
        held = JSON.parse(cm?.data?.reservations ?? '[]') as Reservation[];
      } catch {
        held = []; // a hand-edited, unreadable budget is replaced; the in-flight objects still count
      }
      const a = admit(held, list, { id, node, by: this.o.identity }, this.o.caps, this.clock.nowMs(), this.o.ttlMs);
      if (!a.ok) return { reason: a.reason, detail: a.detail };
      const data = { reservations: JSON.stringify(a.reservations) };
      try {
        if (cm) await this.client.request('PUT', path(this.o.namespace, this.o.name), { body: { ...cm, data } });
        else await this.client.request('POST', path(this.o.namespace), { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: this.o.name, namespace: this.o.namespace }, data } });
        return undefined;
      } catch (e) {
        // 409: another shard wrote first (PUT on a stale resourceVersion, or POST of an existing object): count again.
        if (isConflict(e)) continue;
        return { reason: 'error', detail: `budget not written: ${(e as Error).message}` };
      }
    }
    return { reason: 'error', detail: 'the shared budget kept changing (8 conflicts); next tick' };
  }
}
