/**
 * The safety gates between a policy and a migration, as one pure function: no I/O, no clock, no policy call.
 * Table-tested in gates.test.ts. The reconcile calls it twice: first without a policy choice (the in-flight lock
 * and the observation may already force Wait, and then the policy is not asked), then with the choice.
 *
 * Order matters and follows the README: in-flight lock, observation validity, mask/range of the action, Wait or
 * stay, per-workload cooldown, cluster-wide cap. The precheck (KubeVirt's LiveMigratable, pod readiness) and the
 * dry run need the API and come after, in reconcile.ts.
 */
import { ANNOTATIONS } from './kube/resources.js';
import type { Workload } from './migrate/types.js';
import type { DedupTopic } from './event-dedup.js';

/** `node-cap` and `capacity` come from the fleet path's coordinated step (bulk-decide.ts); `cap` is the cluster-wide cap in both paths. */
export type DecisionReason = 'policy' | 'invalid-observation' | 'in-flight' | 'cap' | 'node-cap' | 'capacity' | 'cooldown' | 'dry-run' | 'precheck' | 'illegal-action' | 'error' | 'stay';

/**
 * The gate a decision reason stands for, for people watching the controller (the live page): the one that
 * allowed a migration, or the one that made the controller wait.
 */
export function gateOf(reason: DecisionReason, action: number): string {
  if (action > 0) return 'all gates passed';
  switch (reason) {
    case 'in-flight':
      return 'in-flight lock';
    case 'invalid-observation':
      return 'observation validity';
    case 'illegal-action':
      return 'action mask';
    case 'policy':
      return 'policy chose Wait';
    case 'stay':
      return 'policy chose the current node';
    case 'cooldown':
      return 'cooldown';
    case 'cap':
      return 'concurrency cap';
    case 'node-cap':
      return 'outbound cap of the source node';
    case 'capacity':
      return "target's cpu ceiling";
    case 'precheck':
      return 'precheck';
    case 'dry-run':
      return 'dry run';
    case 'error':
      return 'error';
  }
}

/** What the policy did when asked: chose an action, or threw. */
export type PolicyChoice = { action: number } | { error: string };

export interface GateInput {
  workload: Pick<Workload, 'node' | 'object'>;
  /** Candidate nodes N_1..N_N, in observation order. */
  nodes: readonly string[];
  readyNodes: ReadonlySet<string>;
  /** Id of this workload's in-flight migration, if any. */
  inFlightId: string | undefined;
  /** In-flight migrations cluster-wide (this tick's count, including ones started earlier in the tick). */
  inFlightCount: number;
  /** From buildObservation: empty when the observation may be acted on. */
  problems: readonly string[];
  nowMs: number;
  cooldownMs: number;
  maxConcurrent: number;
  policyName: string;
  /** Undefined on the first call: the gates say whether the policy is to be asked at all. */
  choice?: PolicyChoice;
  /** The {@link actionMask}, when the caller has it already (the fleet path builds 10k at once); else built here. */
  mask?: Uint8Array;
}

/** An Event the reconcile records; `dedup` set means "only when the cause changed". */
export interface GateEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  dedup?: { topic: DedupTopic; cause: string };
}

export type GateVerdict =
  | { verdict: 'wait'; reason: DecisionReason; detail?: string; event?: GateEvent; clears: DedupTopic[] }
  | { verdict: 'ask-policy'; mask: Uint8Array; clears: DedupTopic[] }
  /** Every pure gate passed: migrate to node `action` (1-based) = `target`, subject to precheck and dry run. */
  | { verdict: 'migrate'; action: number; target: string; clears: DedupTopic[] };

/** Wait, the current node, and every Ready candidate node are legal. */
export function actionMask(nodes: readonly string[], readyNodes: ReadonlySet<string>, currentNode: string): Uint8Array {
  const current = nodes.indexOf(currentNode) + 1;
  const mask = new Uint8Array(nodes.length + 1);
  mask[0] = 1;
  for (let j = 1; j <= nodes.length; j++) mask[j] = readyNodes.has(nodes[j - 1]!) || j === current ? 1 : 0;
  return mask;
}

export function gates(i: GateInput): GateVerdict {
  if (i.inFlightId !== undefined) return { verdict: 'wait', reason: 'in-flight', detail: i.inFlightId, clears: [] };
  if (i.problems.length) {
    const why = i.problems.join('; ');
    return { verdict: 'wait', reason: 'invalid-observation', detail: why, event: { type: 'Warning', reason: 'ObservationInvalid', message: `forced Wait: ${why}`, dedup: { topic: 'observation-invalid', cause: why } }, clears: [] };
  }
  const clears: DedupTopic[] = ['observation-invalid'];
  const mask = i.mask ?? actionMask(i.nodes, i.readyNodes, i.workload.node);
  if (!i.choice) return { verdict: 'ask-policy', mask, clears };
  if ('error' in i.choice) {
    return { verdict: 'wait', reason: 'error', detail: i.choice.error, event: { type: 'Warning', reason: 'PolicyError', message: `forced Wait: policy ${i.policyName} threw: ${i.choice.error}` }, clears };
  }
  const { action } = i.choice;
  const n = i.nodes.length;
  if (!Number.isInteger(action) || action < 0 || action > n || mask[action] !== 1) {
    return { verdict: 'wait', reason: 'illegal-action', event: { type: 'Warning', reason: 'IllegalAction', message: `forced Wait: policy ${i.policyName} chose action ${action}, which the mask forbids (${Array.from(mask).join('')})` }, clears };
  }
  if (action === 0) return { verdict: 'wait', reason: 'policy', clears };
  if (action === i.nodes.indexOf(i.workload.node) + 1) return { verdict: 'wait', reason: 'stay', clears };
  const target = i.nodes[action - 1]!;
  const last = Date.parse(i.workload.object.metadata.annotations?.[ANNOTATIONS.lastMigration] ?? '');
  if (Number.isFinite(last) && i.nowMs - last < i.cooldownMs) return { verdict: 'wait', reason: 'cooldown', detail: `last migration ${Math.round((i.nowMs - last) / 1000)} s ago`, clears };
  if (i.inFlightCount >= i.maxConcurrent) {
    return {
      verdict: 'wait',
      reason: 'cap',
      event: { type: 'Normal', reason: 'MigrationDeferred', message: `policy chose ${target}; deferred: ${i.inFlightCount} migrations in flight (cap ${i.maxConcurrent})`, dedup: { topic: 'cap', cause: target } },
      clears,
    };
  }
  return { verdict: 'migrate', action, target, clears: [...clears, 'cap'] };
}
