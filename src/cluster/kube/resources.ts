/**
 * Minimal typed views of the Kubernetes and KubeVirt objects the controller reads and writes, and their REST
 * paths. Only the fields Remora uses are typed; everything else passes through untouched.
 */
import type { KubeObject } from './client.js';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface NodeObject extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: { key: string; effect: string }[] };
  status?: {
    allocatable?: Record<string, string>;
    capacity?: Record<string, string>;
    conditions?: Condition[];
    addresses?: { type: string; address: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
}

export interface ContainerSpec {
  name: string;
  image: string;
  [key: string]: unknown;
}

export interface PodObject extends KubeObject {
  spec: { nodeName?: string; nodeSelector?: Record<string, string>; containers: ContainerSpec[]; [key: string]: unknown };
  status?: { phase?: string; conditions?: Condition[]; podIP?: string; [key: string]: unknown };
}

export interface VmiObject extends KubeObject {
  spec: { nodeSelector?: Record<string, string>; [key: string]: unknown };
  status?: {
    nodeName?: string;
    phase?: string;
    conditions?: Condition[];
    migrationState?: MigrationState;
    [key: string]: unknown;
  };
}

/** KubeVirt `VirtualMachineInstanceMigrationState` (the fields Remora reads). */
export interface MigrationState {
  startTimestamp?: string;
  endTimestamp?: string;
  sourceNode?: string;
  targetNode?: string;
  completed?: boolean;
  failed?: boolean;
  failureReason?: string;
  migrationUid?: string;
  abortRequested?: boolean;
}

export type VmimPhase = '' | 'Pending' | 'Scheduling' | 'Scheduled' | 'PreparingTarget' | 'TargetReady' | 'Running' | 'Succeeded' | 'Failed';
/** KubeVirt's VMIM phases in order (pkg/apis core/v1 VirtualMachineInstanceMigrationPhase). */
export const VMIM_PHASES: readonly VmimPhase[] = ['Pending', 'Scheduling', 'Scheduled', 'PreparingTarget', 'TargetReady', 'Running', 'Succeeded'];

export interface VmimObject extends KubeObject {
  spec: { vmiName: string; addedNodeSelector?: Record<string, string> };
  status?: {
    phase?: VmimPhase;
    phaseTransitionTimestamps?: { phase: string; phaseTransitionTimestamp: string }[];
    migrationState?: MigrationState;
    [key: string]: unknown;
  };
}

export interface PodmigrationObject extends KubeObject {
  spec: { action: string; sourcePod?: string; destHost?: string; replicas?: number; selector: { matchLabels?: Record<string, string> }; [key: string]: unknown };
  status?: { state?: string; activePod?: string; currentRevision?: string };
}

export interface LeaseObject extends KubeObject {
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

/** metrics.k8s.io/v1beta1 NodeMetrics. */
export interface NodeMetricsObject extends KubeObject {
  timestamp: string;
  window: string;
  usage: { cpu: string; memory: string };
}

const ns = (namespace: string): string => `/namespaces/${encodeURIComponent(namespace)}`;
const name = (n?: string): string => (n === undefined ? '' : `/${encodeURIComponent(n)}`);

export const paths = {
  nodes: (n?: string) => `/api/v1/nodes${name(n)}`,
  nodeProxy: (node: string, rest: string) => `/api/v1/nodes/${encodeURIComponent(node)}/proxy/${rest}`,
  pods: (namespace?: string, n?: string) => (namespace === undefined ? '/api/v1/pods' : `/api/v1${ns(namespace)}/pods${name(n)}`),
  podStatus: (namespace: string, n: string) => `/api/v1${ns(namespace)}/pods/${encodeURIComponent(n)}/status`,
  events: (namespace: string) => `/api/v1${ns(namespace)}/events`,
  leases: (namespace: string, n?: string) => `/apis/coordination.k8s.io/v1${ns(namespace)}/leases${name(n)}`,
  vmis: (namespace?: string, n?: string) => (namespace === undefined ? '/apis/kubevirt.io/v1/virtualmachineinstances' : `/apis/kubevirt.io/v1${ns(namespace)}/virtualmachineinstances${name(n)}`),
  vmims: (namespace?: string, n?: string) => (namespace === undefined ? '/apis/kubevirt.io/v1/virtualmachineinstancemigrations' : `/apis/kubevirt.io/v1${ns(namespace)}/virtualmachineinstancemigrations${name(n)}`),
  vmimStatus: (namespace: string, n: string) => `/apis/kubevirt.io/v1${ns(namespace)}/virtualmachineinstancemigrations/${encodeURIComponent(n)}/status`,
  podmigrations: (namespace?: string, n?: string) => (namespace === undefined ? '/apis/podmig.dcn.ssu.ac.kr/v1/podmigrations' : `/apis/podmig.dcn.ssu.ac.kr/v1${ns(namespace)}/podmigrations${name(n)}`),
  nodeMetrics: (n?: string) => `/apis/metrics.k8s.io/v1beta1/nodes${name(n)}`,
};

export function conditionStatus(conds: Condition[] | undefined, type: string): string | undefined {
  return conds?.find((c) => c.type === type)?.status;
}

export function isNodeReady(node: NodeObject): boolean {
  return conditionStatus(node.status?.conditions, 'Ready') === 'True' && !node.spec?.unschedulable;
}

export function isPodReady(pod: PodObject): boolean {
  return !pod.metadata.deletionTimestamp && pod.status?.phase === 'Running' && conditionStatus(pod.status?.conditions, 'Ready') === 'True';
}

/** Labels Remora puts on every object it creates, so a restarted controller can adopt them. */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  managedByValue: 'remora',
  /** Workload name (VMI name, or the pod workload's name). */
  workload: 'remora.io/workload',
  /** Target node of a migration object / pod. */
  target: 'remora.io/target-node',
  /** Marks a pod created as a migration target (recreate/checkpoint backends). */
  role: 'remora.io/role',
} as const;

/** Annotations Remora reads (opt-in) and writes (bookkeeping that must survive restarts). */
export const ANNOTATIONS = {
  /** User whose RTT drives this workload. Required on opted-in workloads. */
  user: 'remora.io/user',
  /** Optional `vm` or `pod`; must match the resource type (a mismatch is ignored with a KindMismatch Event). */
  kind: 'remora.io/kind',
  /** RFC3339 time the last migration of this workload finished (cooldown survives restarts). */
  lastMigration: 'remora.io/last-migration-at',
  /** Count of migrations started; part of deterministic migration object names. */
  migrationSeq: 'remora.io/migration-seq',
  /** Migration id on created objects. */
  migrationId: 'remora.io/migration-id',
  /** Source node of a migration (on created objects). */
  sourceNode: 'remora.io/source-node',
  /** Label-move fallback: nodes the label was moved between. */
  labelMove: 'remora.io/label-move',
} as const;
