/** In-memory stand-ins for the unit tests of the controller's parts (no apiserver). */
import type { KubeClient } from '../kube/client.js';
import type { Migrator } from '../migrate/types.js';

/** A client that records `METHOD path` for every request and answers `undefined`, or throws what `fail` returns. */
export function recordingClient(fail: (method: string, path: string) => Error | undefined = () => undefined): { client: KubeClient; calls: string[] } {
  const calls: string[] = [];
  const client: KubeClient = {
    server: 'fake',
    async request<T>(method: string, path: string): Promise<T> {
      const e = fail(method, path);
      if (e) throw e;
      calls.push(`${method} ${path}`);
      return undefined as T;
    },
    async watch() {},
  };
  return { client, calls };
}

/** A VM migrator that starts what it is asked to, finds nothing in flight and never finishes; override what a test needs. */
export function fakeMigrator(over: Partial<Migrator> = {}): Migrator {
  return {
    kind: 'vm',
    backend: 'kv',
    precheck: async () => undefined,
    start: async (w, target, id, at) => ({ id, kind: 'vm', backend: 'kv', namespace: w.namespace, workload: w.name, sourceNode: w.node, targetNode: target, startedAtMs: at, object: { metadata: { name: id } } }),
    listInFlight: async () => [],
    progress: async () => ({ state: 'running', phase: 'Pending' }),
    cancel: async () => undefined,
    finalize: async () => undefined,
    ...over,
  };
}
