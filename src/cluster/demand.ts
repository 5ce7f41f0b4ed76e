/**
 * A workload's cpu demand, what the coordinated step's projection counts (README "At fleet scale"): pod requests
 * summed over containers, VMI requests, else its cores, else the configured default.
 */
import type { PodObject, VmiObject } from './kube/resources.js';
import type { Workload } from './migrate/types.js';
import { parseQuantity } from './observe/quantity.js';

/** Demands by object metadata (shared by the cache's snapshots of one object version), so a tick parses only what changed. */
const demandCache = new WeakMap<object, number>();

/** {@link demandMillicores}, remembered per object version. */
export function demandOf(w: Workload, fallback: number): number {
  const m = w.object.metadata;
  let d = demandCache.get(m);
  if (d === undefined) demandCache.set(m, (d = demandMillicores(w, fallback)));
  return d;
}

/** A workload's cpu demand in millicores: its requests (pods: summed over containers; VMIs: requests, else cores), else `fallback`. */
export function demandMillicores(w: Pick<Workload, 'kind' | 'object'>, fallback: number): number {
  if (w.kind === 'pod') {
    let sum = 0;
    let any = false;
    for (const c of (w.object as PodObject).spec?.containers ?? []) {
      const q = parseQuantity((c.resources as { requests?: { cpu?: string } } | undefined)?.requests?.cpu);
      if (Number.isFinite(q)) {
        sum += q * 1000;
        any = true;
      }
    }
    return any ? sum : fallback;
  }
  const domain = (w.object as VmiObject).spec?.domain as { resources?: { requests?: { cpu?: string } }; cpu?: { cores?: number; sockets?: number; threads?: number } } | undefined;
  const req = parseQuantity(domain?.resources?.requests?.cpu);
  if (Number.isFinite(req)) return req * 1000;
  const cpu = domain?.cpu;
  if (cpu?.cores) return 1000 * cpu.cores * (cpu.sockets ?? 1) * (cpu.threads ?? 1);
  return fallback;
}

