/**
 * Builds the paper's observation `(N_i, R_1..R_N, L_1..L_N)` (Eq.3, layout in src/core/observation.ts) from
 * live measurements, and decides whether it is fit to act on. Stale (older than `maxAgeMs`), missing,
 * non-finite or negative values make the observation invalid: the controller then forces Wait and says why in an Event.
 */
import { observationLength } from '../../core/observation.js';
import type { Timed } from './types.js';

export interface BuiltObservation {
  observation: Float64Array;
  /** Empty when the observation may be acted on. Otherwise one human-readable reason per problem. */
  problems: string[];
  /** Age of the oldest component, ms (NaN when something is missing). */
  maxAgeMs: number;
}

export function buildObservation(
  nodes: readonly string[],
  currentNode: string,
  rtt: (node: string) => Timed | undefined,
  load: (node: string) => Timed | undefined,
  nowMs: number,
  maxAgeMs: number,
  inFlight = false,
  /** Staleness budget of the load components (default `maxAgeMs`). */
  loadMaxAgeMs = maxAgeMs,
): BuiltObservation {
  const n = nodes.length;
  // With the edge model's layout the in-flight block is all zeros: the controller asks the policy only about
  // workloads with no migration in flight (the twin's mask allows nothing but Wait then, so nothing is lost).
  const obs = new Float64Array(observationLength(n, inFlight));
  const problems: string[] = [];
  let oldest = 0;
  const idx = nodes.indexOf(currentNode);
  if (idx < 0) problems.push(`workload runs on ${currentNode || '(no node)'}, not one of the configured nodes`);
  obs[0] = idx + 1;
  const check = (what: string, node: string, t: Timed | undefined, budgetMs: number): number => {
    if (!t) {
      problems.push(`${what} of ${node} missing`);
      oldest = Number.NaN;
      return Number.NaN;
    }
    if (!Number.isFinite(t.value)) problems.push(`${what} of ${node} is ${t.value}`);
    else if (t.value < 0) problems.push(`${what} of ${node} is negative (${t.value})`);
    const age = nowMs - t.atMs;
    if (!Number.isFinite(age)) {
      problems.push(`${what} of ${node} has no valid timestamp`);
      oldest = Number.NaN;
    } else {
      if (age > budgetMs) problems.push(`${what} of ${node} is stale (${Math.round(age)} ms > ${budgetMs} ms)`);
      if (!Number.isNaN(oldest)) oldest = Math.max(oldest, age);
    }
    return t.value;
  };
  for (let j = 0; j < n; j++) obs[1 + j] = check('RTT', nodes[j]!, rtt(nodes[j]!), maxAgeMs);
  for (let j = 0; j < n; j++) obs[1 + n + j] = check('load', nodes[j]!, load(nodes[j]!), loadMaxAgeMs);
  return { observation: obs, problems, maxAgeMs: oldest };
}
