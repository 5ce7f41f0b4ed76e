/**
 * The controller's only per-workload memory: one policy instance per workload (recurrent policies keep their
 * own history), the Event de-duplicator, and the users whose RTT history the RTT store (`observe/rtt-table.ts`) keeps.
 * Everything else lives in the cluster. {@link WorkloadState.prune} drops a workload the tick no longer sees, so
 * memory follows the cluster and a workload recreated under the same name starts from a fresh policy.
 */
import type { Policy } from '../core/env.js';
import { EventDeduplicator } from './event-dedup.js';
import type { RttTable } from './observe/rtt-table.js';
import type { WorkloadKey } from './workload-key.js';

interface Entry {
  policy: Policy;
  /** The serving object's identity when the policy was made (a VMI's uid); a change means "recreated". */
  incarnation: string;
  user: string;
}

export class WorkloadState {
  readonly dedup = new EventDeduplicator();
  private readonly entries = new Map<WorkloadKey, Entry>();

  constructor(private readonly newPolicy: () => Policy | Promise<Policy>, private readonly rtt: Pick<RttTable, 'forgetUser'>) {}

  /**
   * The workload's policy, made and `reset()` on first sight. `incarnation` is the VMI's uid for VMs (a deleted
   * and recreated VMI is a new workload even between two ticks) and '' for pods, whose serving pod changes with
   * every migration while the workload stays the same.
   */
  async policyFor(key: WorkloadKey, incarnation: string, user: string): Promise<Policy> {
    const e = this.entries.get(key);
    if (e && e.incarnation === incarnation) {
      e.user = user;
      return e.policy;
    }
    if (e) this.forget(key);
    const policy = await this.newPolicy();
    policy.reset();
    this.entries.set(key, { policy, incarnation, user });
    return policy;
  }

  /** Forget every workload not in `keep`; returns the keys dropped. */
  prune(keep: ReadonlySet<WorkloadKey>, usersInUse: ReadonlySet<string>): WorkloadKey[] {
    const dropped: WorkloadKey[] = [];
    for (const k of new Set([...this.entries.keys(), ...this.dedup.keys()])) {
      if (keep.has(k)) continue;
      this.forget(k);
      dropped.push(k);
    }
    for (const u of this.users) if (!usersInUse.has(u)) this.forgetUser(u);
    return dropped;
  }

  /** Users whose RTT history is kept (pushed since they were last forgotten). */
  private readonly users = new Set<string>();

  noteUser(user: string): void {
    this.users.add(user);
    this.rttErrors.delete(user);
  }

  /** Why the RTT source failed for `user` on the last read (cleared by the next good read, see {@link noteUser}). */
  private readonly rttErrors = new Map<string, string>();

  noteRttError(user: string, error: string): void {
    this.users.add(user);
    this.rttErrors.set(user, error);
  }

  rttError(user: string): string | undefined {
    return this.rttErrors.get(user);
  }

  get size(): number {
    return this.entries.size;
  }

  private forget(key: WorkloadKey): void {
    this.entries.delete(key);
    this.dedup.forget(key);
  }

  private forgetUser(user: string): void {
    this.users.delete(user);
    this.rttErrors.delete(user);
    this.rtt.forgetUser(user);
  }
}
