/** Kubernetes Events (core/v1) on the workload for every decision that acts or is forced to Wait. */
import type { KubeClient, KubeObject } from './kube/client.js';
import { paths } from './kube/resources.js';
import type { Clock } from './observe/types.js';

export interface EventRecorder {
  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

export class KubeEventRecorder implements EventRecorder {
  private seq = 0;
  constructor(private readonly client: KubeClient, private readonly clock: Clock, private readonly component = 'remora-controller', private readonly instance = 'remora') {}

  async record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const ns = obj.metadata.namespace ?? 'default';
    const now = new Date(this.clock.nowMs()).toISOString();
    const t = this.clock.nowMs().toString(16);
    await this.client.request('POST', paths.events(ns), {
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${obj.metadata.name}.${t}${(this.seq++).toString(16)}`.slice(0, 253), namespace: ns },
        involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: ns, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
        reason,
        message: message.slice(0, 1024),
        type,
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: this.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}
