/** The identity of a workload across ticks: kind, namespace and workload name (not the serving object's name). */
import type { WorkloadKind } from './migrate/types.js';

declare const brand: unique symbol;
/** `kind/namespace/name`, built only by {@link workloadKey}, so a hand-assembled string cannot pose as one. */
export type WorkloadKey = string & { readonly [brand]: 'WorkloadKey' };

export const workloadKey = (kind: WorkloadKind, namespace: string, name: string): WorkloadKey => `${kind}/${namespace}/${name}` as WorkloadKey;

/** `namespace/name`: how logs, decisions and metric labels name a workload. */
export const workloadDisplayName = (k: WorkloadKey): string => k.slice(k.indexOf('/') + 1);
