/**
 * Events that would otherwise repeat every tick (a workload stuck in the same forced Wait) are recorded once
 * per cause: again only when the cause changes, or after the condition cleared. Keyed by (workload, topic),
 * typed, and pruned with the workload.
 */
import type { WorkloadKey } from './workload-key.js';

/** One kind of repeatable Event. Each topic remembers its own last cause per workload. */
export type DedupTopic = 'observation-invalid' | 'cap' | 'precheck' | 'missing-user' | 'kind-mismatch' | 'checkpoint-unavailable';

export class EventDeduplicator {
  private readonly last = new Map<WorkloadKey, Map<DedupTopic, string>>();

  /** True when `cause` differs from the last one remembered for (workload, topic); remembers it. */
  shouldEmit(workload: WorkloadKey, topic: DedupTopic, cause: string): boolean {
    let topics = this.last.get(workload);
    if (topics?.get(topic) === cause) return false;
    if (!topics) this.last.set(workload, (topics = new Map()));
    topics.set(topic, cause);
    return true;
  }

  /** The condition behind `topic` cleared: the next occurrence is recorded again. */
  clear(workload: WorkloadKey, topic: DedupTopic): void {
    const topics = this.last.get(workload);
    if (!topics) return;
    topics.delete(topic);
    if (topics.size === 0) this.last.delete(workload);
  }

  forget(workload: WorkloadKey): void {
    this.last.delete(workload);
  }

  keys(): IterableIterator<WorkloadKey> {
    return this.last.keys();
  }
}
