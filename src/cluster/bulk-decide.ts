/**
 * The decide phase of every controller tick, pure: no I/O, no clock, no Events sent. For every workload of a
 * tick at once:
 *
 * 1. the gates of gates.ts, exactly as the per-workload path runs them: the in-flight lock, then the observation
 *    (missing, NaN or stale forces Wait, with the same `ObservationInvalid` text, built by `buildObservation`);
 * 2. one observation row per remaining workload into one matrix, scored in one batched pass ({@link BulkScorer});
 * 3. per workload, its best legal action; when that is a move, the gates again with that choice (mask, Wait or
 *    stay, cooldown), and its best `candidatesPerWorkload` targets with their gains become candidates;
 * 4. `coordinate()` (src/agents/coordination.ts) picks the feasible set, highest gain first: projected cpu of the
 *    targets (each acceptance adds the workload's demand; `targetCeiling`), KubeVirt's per-node outbound cap
 *    (`fleet.maxOutboundPerNode`) and the cluster cap (`migration.maxConcurrent`), both counting what is in flight;
 * 5. every wish refused gets its reason (`cap`, `node-cap`, `capacity`) and a de-duplicated `MigrationDeferred`
 *    Event; nothing is dropped silently.
 *
 * The per-workload path (`fleet.enabled: false`) is the same phase with coordination off: instead of a batched
 * scorer, each workload's own policy instance is asked about its row ({@link RowPolicies}; recurrent policies keep
 * their history), and the moves that pass the gates are accepted in workload order while the cluster cap
 * (`migration.maxConcurrent`, counting what is in flight) has room, the gates' own `cap` verdict for the rest.
 *
 * The cpu projection (a choice where the issue is silent; README "At fleet scale"): a node's use is the cpu requests
 * of the managed workloads on it plus those of in-flight migrations heading to it (a migration holds both ends
 * until it finishes), against its allocatable cpu. Pods Remora does not manage are not counted; the measured load
 * L_j of every node enters through the observation.
 */
import { DeferReason, DEFER_REASON_NAMES, coordinate, type CoordinationConfig } from '../agents/coordination.js';
import { observationLength } from '../core/observation.js';
import type { ControllerConfig } from './config.js';
import { actionMask, gates, type DecisionReason, type GateInput, type PolicyChoice } from './gates.js';
import { demandOf } from './demand.js';
import { bestLegal, FleetScratch, topTargets } from './fleet-scratch.js';
import type { Workload } from './migrate/types.js';
import type { FleetDecision, FleetView } from './fleet-decision.js';
import { buildObservation } from './observe/observation.js';
export { demandMillicores } from './demand.js';
export { FleetScratch } from './fleet-scratch.js';
import type { RttTable } from './observe/rtt-table.js';
import type { Timed } from './observe/types.js';
import type { BulkScorer } from './bulk-score.js';

export type { FleetDecision, FleetMove, FleetView } from './fleet-decision.js';

const DEFER_TO_REASON: Partial<Record<number, DecisionReason>> = { [DeferReason.clusterCap]: 'cap', [DeferReason.nodeCap]: 'node-cap', [DeferReason.capacity]: 'capacity' };

function deferMessage(code: number, target: string, gain: number, c: CoordinationConfig, inFlight: number): string {
  const why =
    code === DeferReason.clusterCap ? `the cluster cap (${c.parallelMigrationsPerCluster} migrations in flight or starting; ${inFlight} were in flight)`
    : code === DeferReason.nodeCap ? `the source node's outbound cap (${c.parallelOutboundMigrationsPerNode})`
    : `${target} would pass ${Math.round(c.targetCeiling * 100)} % of its cpu with this workload`;
  return `policy chose ${target} (gain ${+gain.toFixed(3)}); deferred: ${why}; higher-gain moves went first`;
}

/**
 * Per-workload policies as the decider of an uncoordinated tick: workload `i`'s own policy is asked about its
 * observation row. It chooses an action (or throws); it does not rank the alternatives.
 */
export interface RowPolicies {
  readonly name: string;
  /** Rows carry the edge model's in-flight block (zeros: a workload with a migration in flight is not asked). */
  readonly inFlight: boolean;
  choose(i: number, row: Float64Array, mask: Uint8Array): PolicyChoice;
}

const isRowPolicies = (d: BulkScorer | RowPolicies): d is RowPolicies => 'choose' in d;

/** An unusable observation also says why the RTT source failed for its user, when it did (the cause of "missing"). */
function withRttError(problems: readonly string[], rttError: string | undefined): readonly string[] {
  return problems.length && rttError ? [...problems, `last RTT read failed (${rttError})`] : problems;
}

/** The exact texts for an unusable observation, from the one builder of observations. */
function invalidObservation(nodes: readonly string[], nodeIndex: ReadonlyMap<string, number>, node: string, rtt: RttTable, slot: number, loads: ReadonlyMap<string, Timed>, nowMs: number, maxAgeMs: number, loadMaxAgeMs: number): ReturnType<typeof buildObservation> {
  const pair = (n: string): Timed | undefined => {
    const j = nodeIndex.get(n)!;
    return slot >= 0 && Number.isFinite(rtt.newestAt(slot, j)) ? { value: rtt.average(slot, j), atMs: rtt.newestAt(slot, j) } : undefined;
  };
  return buildObservation(nodes, node, pair, (n) => loads.get(n), nowMs, maxAgeMs, false, loadMaxAgeMs);
}

export function decideFleet(workloads: readonly Workload[], rtt: RttTable, view: FleetView, config: ControllerConfig, scorer: BulkScorer | RowPolicies, scratch = new FleetScratch()): FleetDecision {
  const nodes = config.nodes;
  const N = nodes.length, A = N + 1;
  const W = workloads.length;
  const K = config.fleet.candidatesPerWorkload;
  const len = observationLength(N, scorer.inFlight);
  const maxAgeMs = config.observation.maxAgeMs;
  const loadMaxAgeMs = config.observation.loadMaxAgeMs ?? maxAgeMs;
  const { nowMs } = view;
  scratch.ensure(W, len, A, W * K, N);
  const out: FleetDecision = { reason: new Array(W), detail: new Array(W), policyAction: new Array(W), event: new Array(W), clears: new Array(W), ageMs: new Float64Array(W).fill(Number.NaN), moves: [], deferred: {}, scored: 0 };
  const nodeIndex = new Map(nodes.map((n, j) => [n, j]));

  // Loads are shared: one check for every node, the same rules as buildObservation.
  const loadValue = new Float64Array(N);
  let loadsOk = true;
  let loadAge = 0;
  for (let j = 0; j < N; j++) {
    const t = view.loads.get(nodes[j]!);
    const age = t ? nowMs - t.atMs : Number.NaN;
    if (!t || !(t.value >= 0) || t.value === Number.POSITIVE_INFINITY || !Number.isFinite(age) || age > loadMaxAgeMs) loadsOk = false;
    else if (age > loadAge) loadAge = age;
    loadValue[j] = t ? t.value : Number.NaN;
  }

  // One gate input, refilled per workload (gates.ts keeps nothing of it): 20k calls a tick allocate nothing.
  const NONE: readonly string[] = [];
  const gate: GateInput = {
    workload: workloads[0]!,
    nodes,
    readyNodes: view.readyNodes,
    inFlightId: undefined,
    inFlightCount: 0,
    problems: NONE,
    nowMs,
    cooldownMs: config.migration.cooldownMs,
    // The caps are the coordinated step's (below), counted per node and cluster-wide with what is in flight.
    maxConcurrent: Number.POSITIVE_INFINITY,
    policyName: scorer.name,
  };
  const base = (w: Workload, problems: readonly string[], mask?: Uint8Array, action?: number): GateInput => {
    gate.workload = w;
    gate.problems = problems;
    gate.mask = mask;
    gate.choice = action === undefined ? undefined : { action };
    return gate;
  };
  scratch.workloadOf = scratch.workloadOf.length >= W ? scratch.workloadOf : new Int32Array(W);
  // Workloads with a migration in flight (or just finished), by name: a lookup per workload without building its key.
  const busy = new Map<string, { kind: string; namespace: string; id: string; target?: string; seen?: boolean }[]>();
  const mark = (kind: string, namespace: string, name: string, id: string, target?: string): void => {
    const l = busy.get(name) ?? [];
    l.push({ kind, namespace, id, ...(target !== undefined ? { target } : {}) });
    busy.set(name, l);
  };
  for (const f of view.inFlight.values()) mark(f.kind, f.namespace, f.workload, f.id, f.targetNode);
  for (const k of view.settling ?? []) {
    const [kind, namespace, ...rest] = k.split('/');
    mark(kind!, namespace!, rest.join('/'), 'a migration finished this tick; deciding again once the cache holds its result');
  }
  const { used, outbound } = scratch;
  used.fill(0);
  outbound.fill(0);

  // 1-2. Gates before the policy, and the observation matrix. The mask is Ready nodes plus the current node
  // (gates.ts actionMask), built once for the tick and completed per row.
  const { obs, values, masks, rowOf, demand } = scratch;
  const readyMask = actionMask(nodes, view.readyNodes, '');
  let rows = 0;
  for (let i = 0; i < W; i++) {
    const w = workloads[i]!;
    demand[i] = demandOf(w, config.fleet.defaultDemandMillicores);
    rowOf[i] = -1;
    const cand = busy.get(w.name);
    const b = cand?.find((x) => x.kind === w.kind && x.namespace === w.namespace);
    if (b) {
      out.reason[i] = 'in-flight';
      out.detail[i] = b.id;
      out.clears[i] = [];
      // A migration holds its target until it finishes: the target's projected use includes it.
      const to = b.target === undefined ? undefined : nodeIndex.get(b.target);
      if (to !== undefined) used[to]! += demand[i]!;
      b.seen = true;
      continue;
    }
    const slot = rtt.find(w.user);
    const cur = nodeIndex.get(w.node);
    const o = rows * len;
    let age = Number.NaN;
    if (loadsOk && slot >= 0 && cur !== undefined) {
      age = rtt.readRow(slot, obs, o + 1, nowMs, maxAgeMs);
      obs[o] = cur + 1;
      obs.set(loadValue, o + 1 + N);
      if (scorer.inFlight) obs.fill(0, o + 1 + 2 * N, o + len);
      if (age < loadAge) age = loadAge;
    }
    const ok = !Number.isNaN(age);
    if (!ok) {
      const built = invalidObservation(nodes, nodeIndex, w.node, rtt, slot, view.loads, nowMs, maxAgeMs, loadMaxAgeMs);
      out.ageMs[i] = built.maxAgeMs;
      const v = gates(base(w, withRttError(built.problems.length ? built.problems : ['observation invalid'], view.rttError?.(w.user))));
      if (v.verdict !== 'wait') throw new Error('gates let an invalid observation through'); // unreachable
      out.reason[i] = v.reason;
      out.detail[i] = v.detail;
      out.event[i] = v.event;
      out.clears[i] = v.clears;
      continue;
    }
    out.ageMs[i] = age;
    masks.set(readyMask, rows * A);
    masks[rows * A + cur! + 1] = 1;
    const v = gates(base(w, NONE, masks.subarray(rows * A, rows * A + A)));
    if (v.verdict !== 'ask-policy') throw new Error('gates did not ask the policy about a valid observation'); // unreachable
    out.clears[i] = v.clears;
    scratch.workloadOf[rows] = i;
    rowOf[i] = rows++;
  }
  out.scored = rows;
  if (isRowPolicies(scorer)) return askEach(workloads, out, scratch, rows, len, A, gate, view.inFlight.size, config.migration.maxConcurrent, scorer);

  // The nodes' projected cpu and outbound migrations now: the coordinated step's load, and the fleet context a
  // fleet scorer reads (a learned fleet model weighs a move by what it does to its nodes).
  for (let i = 0; i < W; i++) {
    const j = nodeIndex.get(workloads[i]!.node);
    if (j !== undefined) used[j]! += demand[i]!;
  }
  for (const f of view.inFlight.values()) {
    const from = nodeIndex.get(f.sourceNode);
    if (from !== undefined) outbound[from]!++;
  }
  // An in-flight migration whose workload no object serves right now (the podmigration operator deleted the
  // source before its new pod appeared) still holds its target: at the default demand.
  for (const l of busy.values()) {
    for (const b of l) {
      const to = b.target === undefined || b.seen ? undefined : nodeIndex.get(b.target);
      if (to !== undefined) used[to]! += config.fleet.defaultDemandMillicores;
    }
  }
  const capacity = Float64Array.from({ length: N }, (_, j) => (Number.isFinite(view.capacityMillis[j]!) ? view.capacityMillis[j]! : 0));

  // 2. One batched pass over every row.
  if (rows > 0) {
    const rowDemand = scratch.rowDemand;
    for (let r = 0; r < rows; r++) rowDemand[r] = demand[scratch.workloadOf[r]!]!;
    scorer.score(obs, masks, rows, N, values, { demand: rowDemand, used, capacity, outboundInFlight: outbound, clusterInFlight: view.inFlight.size, caps: { parallelOutboundMigrationsPerNode: config.fleet.maxOutboundPerNode, parallelMigrationsPerCluster: config.migration.maxConcurrent } });
  }

  // 3. Best legal action per workload; candidates for those that would move and pass the gates.
  const { cUser, cFrom, cTo, cGain, cDemand } = scratch;
  let C = 0;
  const top = new Int32Array(K);
  const wished = new Uint8Array(W);
  for (let i = 0; i < W; i++) {
    const r = rowOf[i]!;
    if (r < 0) continue;
    const w = workloads[i]!;
    const o = r * A;
    const cur = obs[r * len]!;
    const best = bestLegal(values, masks, o, A);
    out.policyAction[i] = best;
    const v = gates(base(w, NONE, masks.subarray(o, o + A), best));
    if (v.verdict !== 'migrate') {
      out.reason[i] = v.verdict === 'wait' ? v.reason : 'error';
      out.detail[i] = v.verdict === 'wait' ? v.detail : undefined;
      out.event[i] = v.verdict === 'wait' ? v.event : undefined;
      out.clears[i] = v.clears;
      continue;
    }
    const stay = Math.max(values[o]!, values[o + cur]!);
    const t = topTargets(values, masks, o, A, cur, stay, K, top);
    for (let q = 0; q < t; q++) {
      cUser[C] = i;
      cFrom[C] = cur - 1;
      cTo[C] = top[q]! - 1;
      cGain[C] = values[o + top[q]!]! - stay;
      cDemand[C] = demand[i]!;
      C++;
    }
    out.reason[i] = 'policy';
    // The cap's Event clears only when the coordinated step lets the move through (actFleet), not when the gates do.
    out.clears[i] = v.clears.filter((c) => c !== 'cap');
    wished[i] = 1;
  }

  // 4. The coordinated step over the projected cpu of the nodes (computed before scoring: see step 2).
  const cc: CoordinationConfig = {
    parallelOutboundMigrationsPerNode: config.fleet.maxOutboundPerNode,
    parallelMigrationsPerCluster: config.migration.maxConcurrent,
    targetCeiling: config.fleet.targetCeiling,
    minGain: config.fleet.minGain,
  };
  const res = coordinate(W, { used, capacity, outboundInFlight: outbound, clusterInFlight: view.inFlight.size }, { count: C, user: cUser, from: cFrom, to: cTo, gain: cGain, demand: cDemand }, cc, { scratch: scratch.coordination });

  // 5. Accepted moves in acceptance order (highest gain first); every refused wish with its reason.
  for (const c of res.accepted) {
    const i = cUser[c]!;
    out.moves.push({ index: i, action: cTo[c]! + 1, target: nodes[cTo[c]!]!, gain: cGain[c]! });
  }
  for (let i = 0; i < W; i++) {
    if (!wished[i]) continue;
    const code = res.reason[i]!;
    if (code === DeferReason.accepted) continue;
    const reason = DEFER_TO_REASON[code];
    if (!reason) {
      // No candidate above minGain: staying is best (the scorer's own verdict).
      out.reason[i] = 'policy';
      out.detail[i] = 'no move worth its gain';
      continue;
    }
    const name = DEFER_REASON_NAMES[code]!;
    out.deferred[name] = (out.deferred[name] ?? 0) + 1;
    const target = nodes[(out.policyAction[i] ?? 1) - 1] ?? '';
    out.reason[i] = reason;
    out.detail[i] = name;
    const gain = res.gain[i]!;
    const inFlight = view.inFlight.size;
    // Worded only when recorded: most deferrals repeat their cause and are de-duplicated (7k a tick at 10k users).
    out.event[i] = {
      type: 'Normal',
      reason: 'MigrationDeferred',
      get message() {
        return deferMessage(code, target, gain, cc, inFlight);
      },
      dedup: { topic: 'cap', cause: name },
    };
  }
  return out;
}

/**
 * Steps 3-5 with coordination off (the per-workload path): each row's own policy chooses, the gates judge the
 * choice, and the cluster cap counts what is in flight plus the moves accepted before it in workload order.
 */
function askEach(workloads: readonly Workload[], out: FleetDecision, scratch: FleetScratch, rows: number, len: number, A: number, gate: GateInput, inFlight: number, maxConcurrent: number, policies: RowPolicies): FleetDecision {
  const { obs, masks, workloadOf } = scratch;
  const NONE: readonly string[] = [];
  gate.maxConcurrent = maxConcurrent;
  for (let r = 0; r < rows; r++) {
    const i = workloadOf[r]!;
    const w = workloads[i]!;
    const mask = masks.subarray(r * A, r * A + A);
    const choice = policies.choose(i, obs.subarray(r * len, r * len + len), mask);
    if ('action' in choice) out.policyAction[i] = choice.action;
    gate.workload = w;
    gate.problems = NONE;
    gate.mask = mask;
    gate.choice = choice;
    gate.inFlightCount = inFlight + out.moves.length;
    const v = gates(gate);
    out.clears[i] = v.clears;
    if (v.verdict === 'migrate') {
      out.reason[i] = 'policy';
      out.moves.push({ index: i, action: v.action, target: v.target, gain: Number.NaN });
      continue;
    }
    if (v.verdict === 'ask-policy') throw new Error('gates asked for the policy twice'); // unreachable: the choice is set
    out.reason[i] = v.reason;
    out.detail[i] = v.detail;
    out.event[i] = v.event;
  }
  return out;
}
