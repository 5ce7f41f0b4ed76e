/**
 * Fleet policies over the {@link FleetEnv} contract, and their registry (the one registry idiom of
 * `agents/registry.ts`: names with summaries, plus `model.json` paths, resolved to fresh instances).
 *
 * - `never`, `follow-me`, `sla-greedy`: uncoordinated, every user acts alone (its rule's first candidate; the
 *   twin then grants migrations first come, first served under the caps and admission).
 * - `follow-me+coord`, `sla-greedy+coord`: the same rules' candidates (k per user) through `coordinate()`:
 *   ranked by gain, caps respected, projected load of the decisions already taken (sla-greedy re-scores a candidate
 *   whose target gained load; follow-me does not look at load, so only the ceiling stops it).
 * - `follow-me+defer`, `sla-greedy+defer`: the same, with the slots granted by the deferral priority
 *   (`deferral-priority.ts`: urgency per slot-tick, Smith's rule) instead of the largest gain.
 * - `sla-greedy+social`: sla-greedy+coord with each candidate's gain plus {@link SOCIAL_WEIGHT} × its externality on the
 *   other users of its source and target (`move-features.ts`, `MoveExternality`): what a user-by-user rule leaves out;
 * - `<fleet-model.json>`: the learned fleet policy (`remora train --fleet`): a move model shared by every user,
 *   its predicted advantages through `coordinate()` (`learned-fleet.ts`);
 * - `<model.json>`: a trained node-seq (size-agnostic) Q-network scoring every user's nodes in one batched forward
 *   pass per `batchRows` users, `Q_j − Q_wait` as the gain, through `coordinate()`.
 */
import type { FleetEnv, FleetNodeState, FleetPolicy, FleetStep } from '../../core/fleet-env.js';
import { NotFoundError } from '../../core/errors.js';
import type { RewardParams } from '../../core/reward.js';
import { resolve } from 'node:path';
import { coordinate, CoordinationScratch, type CoordinationConfig, type Rescore } from '../coordination.js';
import { isModelPath, NamedFactories } from '../registry.js';
import { CandidateBuffer, firstCandidates, followMeCandidates, qCandidates, slaGreedyCandidates, slaGreedyRescore, type FleetRows } from './candidates.js';
import { DeferralPriority } from './deferral-priority.js';
import { NodeSeqFleetScorer } from './node-seq-scorer.js';
import { LearnedCandidates } from './learned-fleet.js';
import { isFleetModelFile, loadFleetModel, type MoveModel } from './move-model.js';
import { MoveExternality } from './move-features.js';

/** What a fleet policy is built for. */
export interface FleetPolicyContext {
  /** Reward parameters (Eq. 4-8): SLA bands and migration cost. */
  reward: RewardParams;
  /** The coordination step's settings (the scenario's caps plus the step's own knobs). */
  coordination: CoordinationConfig;
  /** Whether observations carry the edge model's in-flight block (model files are checked against it). */
  inFlight: boolean;
  /** Candidates per user handed to coordination (alternatives when the best target is refused). Default 3. */
  candidatesPerUser?: number;
  /** sla-greedy's bonus for leaving a breach (reward units; see `candidates.ts`). Default 10. */
  breachBonus?: number;
  /** The scenario's breach penalty per step out of SLA (the learned policy's externality charges it). Default 0. */
  violationPenalty?: number;
  /** Users per forward pass of a node-seq model. Default 2048. */
  batchRows?: number;
}

/** Fills {@link FleetRows} from a fleet step (reused). */
class RowsView implements FleetRows {
  rows = 0;
  D = 0;
  A = 0;
  nodes = 0;
  observations: Float64Array = new Float64Array(0);
  actionMasks: Uint8Array = new Uint8Array(0);
  skip = new Uint8Array(0);
  demand: ArrayLike<number> = [];
  of(step: FleetStep, env: FleetEnv): this {
    this.rows = step.rows;
    this.D = env.observationSpace.low.length;
    this.A = env.actionSpace.n;
    this.nodes = env.nodes;
    this.observations = step.observations;
    this.actionMasks = step.actionMasks;
    if (this.skip.length < step.rows) this.skip = new Uint8Array(Math.max(step.rows, 2 * this.skip.length));
    for (let r = 0; r < step.rows; r++) this.skip[r] = step.terminated[r] || step.truncated[r] ? 1 : 0;
    this.demand = env.nodeState.demand;
    return this;
  }
}

/** A re-scoring of the candidates just generated (coordination's lazy greedy), built per tick. */
type RescoreFor = (c: CandidateBuffer, ns: FleetNodeState, loadMin: number, loadMax: number) => Rescore;

type Generate = (rows: FleetRows, ctx: Required<Pick<FleetPolicyContext, 'candidatesPerUser' | 'breachBonus'>> & FleetPolicyContext, out: CandidateBuffer, step: FleetStep, env: FleetEnv) => void;

/** A rule's candidates, then either every user's first candidate or `coordinate()`. */
export class CandidateFleetPolicy implements FleetPolicy {
  private readonly view = new RowsView();
  private readonly cand = new CandidateBuffer();
  private readonly scratch = new CoordinationScratch();
  private readonly ctx: Required<Pick<FleetPolicyContext, 'candidatesPerUser' | 'breachBonus'>> & FleetPolicyContext;
  /** Deferral reasons of the last coordinated tick, per row (`DeferReason` codes), for metrics. */
  lastReasons: Uint8Array = new Uint8Array(0);

  /** The deferral priority's per-user memory, when the slots go by it rather than by gain. */
  private readonly deferral: DeferralPriority | undefined;

  /** The rule's candidates' externality, when `social` > 0 (see {@link SocialGains}). */
  private readonly social: SocialGains | undefined;

  /**
   * `social` > 0 adds that weight × each candidate's externality on the other users of its two nodes
   * (`MoveExternality`) to the rule's gains, and to their re-scores.
   */
  constructor(readonly name: string, private readonly generate: Generate, private readonly coordinated: boolean, ctx: FleetPolicyContext, private readonly rescore: 'sla-greedy' | 'none' | RescoreFor = 'none', priority: 'gain' | 'deferral' = 'gain', social = 0) {
    this.ctx = { ...ctx, candidatesPerUser: ctx.candidatesPerUser ?? 3, breachBonus: ctx.breachBonus ?? 10 };
    this.deferral = priority === 'deferral' ? new DeferralPriority(ctx.reward) : undefined;
    this.social = social > 0 ? new SocialGains(new MoveExternality(ctx.reward, ctx.violationPenalty ?? 0), social) : undefined;
  }

  reset(): void {
    this.deferral?.reset();
  }

  act(step: FleetStep, env: FleetEnv, out: Int32Array): void {
    const rows = this.view.of(step, env);
    const k = this.coordinated ? this.ctx.candidatesPerUser : 1;
    this.generate(rows, { ...this.ctx, candidatesPerUser: k }, this.cand, step, env);
    if (!this.coordinated) {
      firstCandidates(this.cand, step.rows, out);
      return;
    }
    const ns = env.nodeState;
    // The node loads every row observes (the same for all rows): the first row's load block.
    let loadMin = Infinity, loadMax = -Infinity;
    const n = env.nodes;
    if (step.rows > 0) {
      for (let j = 0; j < n; j++) {
        const L = step.observations[1 + n + j]!;
        if (L < loadMin) loadMin = L;
        if (L > loadMax) loadMax = L;
      }
    }
    const c = this.cand, p = this.ctx.reward, bonus = this.ctx.breachBonus;
    this.deferral?.observe(step, env);
    let rescore: Rescore | undefined = this.rescore === 'sla-greedy' ? (i, projectedUsed) => slaGreedyRescore(c, i, projectedUsed, ns, loadMin, loadMax, p, bonus) : this.rescore === 'none' ? undefined : this.rescore(c, ns, loadMin, loadMax);
    if (this.social) rescore = this.social.apply(rows, c, ns, rescore);
    const res = coordinate(step.rows, ns, c, this.ctx.coordination, {
      busy: ns.busy,
      scratch: this.scratch,
      priority: this.deferral?.fill(c),
      rescore,
    });
    out.fill(0, 0, step.rows);
    for (let r = 0; r < step.rows; r++) if (res.target[r]! >= 0) out[r] = res.target[r]! + 1;
    this.lastReasons = res.reason;
  }
}

/**
 * A rule's gains plus a weight × each candidate's externality (`MoveExternality`): the rule's own choice of
 * candidates, re-weighed by what the move does to the other users of its source and target.
 */
class SocialGains {
  private raw = new Float64Array(0);
  private leave = new Float64Array(0);
  constructor(private readonly ext: MoveExternality, private readonly weight: number) {}

  /** Adds the externality to `c`'s gains in place; returns the re-scoring that keeps adding it. */
  apply(rows: FleetRows, c: CandidateBuffer, ns: FleetNodeState, base: Rescore | undefined): Rescore {
    if (this.raw.length < c.count) { this.raw = new Float64Array(2 * c.count); this.leave = new Float64Array(2 * c.count); }
    this.ext.beginTick(rows.observations, rows.D, rows.rows, rows.skip, rows.nodes);
    const w = this.weight;
    for (let i = 0; i < c.count; i++) {
      const d = c.demand[i]!, j = c.to[i]!;
      this.raw[i] = c.gain[i]!;
      this.leave[i] = this.ext.leave(c.from[i]!, d, ns);
      c.gain[i] = c.gain[i]! + w * (this.leave[i]! + this.ext.arrive(j, d, ns.used[j]!, ns));
    }
    return (i, projectedUsed) => (base ? base(i, projectedUsed) : this.raw[i]!) + w * (this.leave[i]! + this.ext.arrive(c.to[i]!, c.demand[i]!, projectedUsed, ns));
  }
}

/** `never`: every user waits. */
export class NeverFleetPolicy implements FleetPolicy {
  readonly name = 'never';
  reset(): void {}
  act(step: FleetStep, _env: FleetEnv, out: Int32Array): void {
    out.fill(0, 0, step.rows);
  }
}

const followMe: Generate = (rows, ctx, out) => followMeCandidates(rows, ctx.reward, ctx.candidatesPerUser, out);
const slaGreedy: Generate = (rows, ctx, out) => slaGreedyCandidates(rows, ctx.reward, ctx.candidatesPerUser, ctx.breachBonus, out);

/** A trained node-seq model as a fleet policy (coordinated). */
export function nodeSeqFleetPolicy(path: string, ctx: FleetPolicyContext): FleetPolicy {
  const scorer = new NodeSeqFleetScorer(path, ctx.inFlight, ctx.batchRows ?? 2048);
  let q = new Float64Array(0);
  const gen: Generate = (rows, c, out, step, env) => {
    const A = env.actionSpace.n;
    if (q.length < step.rows * A) q = new Float64Array(Math.max(step.rows, 64) * 2 * A);
    scorer.score(step.observations, step.rows, env.nodes, q);
    qCandidates(rows, q, c.candidatesPerUser, out);
  };
  return new CandidateFleetPolicy(`node-seq+coord`, gen, true, ctx);
}

/**
 * A trained fleet move model (`move-model.ts`) as a fleet policy: its candidates and re-scoring
 * (`learned-fleet.ts`) through `coordinate()`, the slots granted by the model's own priority and margin.
 */
export function learnedFleetPolicy(model: MoveModel, ctx: FleetPolicyContext, name = 'fleet-agent'): FleetPolicy {
  const play = model.play;
  const learned = new LearnedCandidates(model, ctx.reward, ctx.coordination, ctx.violationPenalty ?? 0);
  const gen: Generate = (rows, c, out, _step, env) => learned.generate(rows, c.candidatesPerUser, play.margin, play.social, env.nodeState, out);
  const coordination = { ...ctx.coordination, minGain: Math.max(ctx.coordination.minGain, play.margin) };
  return new CandidateFleetPolicy(name, gen, true, { ...ctx, coordination, candidatesPerUser: play.candidatesPerUser }, (c, ns) => learned.rescore(c, ns, play.social), play.priority);
}

/** Named fleet policies (the registry idiom of `agents/registry.ts`, for {@link FleetPolicy}). */
export class FleetPolicyRegistry extends NamedFactories<(ctx: FleetPolicyContext) => FleetPolicy> {
  constructor() {
    super('fleet policy');
  }
  /** A fresh policy for a registered name or a node-seq `model.json` (resolved against `cwd`, checked now). */
  resolve(spec: string, ctx: FleetPolicyContext, cwd: string): FleetPolicy {
    const e = this.entries.get(spec);
    if (e) return e.factory(ctx);
    if (isModelPath(spec)) {
      const path = resolve(cwd, spec);
      return isFleetModelFile(path) ? learnedFleetPolicy(loadFleetModel(path), ctx) : nodeSeqFleetPolicy(path, ctx);
    }
    throw new NotFoundError('fleet policy', spec, [...this.names(), '<path/to/fleet-model.json>', '<path/to/node-seq/model.json>']);
  }
}

/**
 * The externality weight of `sla-greedy+social`: 4, chosen over {1, 4} (and the deferral priority) on the
 * validation fleets `metro-36-validation` and `sr111-traffic-validation` (seed 2000), where it had the lower
 * violation time on both and the better mean return; never on a test day or a held-out fleet.
 */
export const SOCIAL_WEIGHT = 4;

/** Every built-in fleet policy. */
export function fleetRegistry(): FleetPolicyRegistry {
  return new FleetPolicyRegistry()
    .register('never', 'every user waits', () => new NeverFleetPolicy())
    .register('follow-me', 'uncoordinated: every user moves to its lowest-RTT node', (c) => new CandidateFleetPolicy('follow-me', followMe, false, c))
    .register('sla-greedy', 'uncoordinated: every user takes its best one-step reward inside the SLA', (c) => new CandidateFleetPolicy('sla-greedy', slaGreedy, false, c))
    .register('follow-me+coord', "follow-me's candidates through the coordinated step (gain-ranked, caps, projected load)", (c) => new CandidateFleetPolicy('follow-me+coord', followMe, true, c))
    .register('sla-greedy+coord', "sla-greedy's candidates through the coordinated step, re-scored at the projected load", (c) => new CandidateFleetPolicy('sla-greedy+coord', slaGreedy, true, c, 'sla-greedy'))
    .register('follow-me+defer', "follow-me+coord with the slots granted by urgency per slot-tick (deferral priority) instead of gain", (c) => new CandidateFleetPolicy('follow-me+defer', followMe, true, c, 'none', 'deferral'))
    .register('sla-greedy+defer', "sla-greedy+coord with the slots granted by urgency per slot-tick (deferral priority) instead of gain", (c) => new CandidateFleetPolicy('sla-greedy+defer', slaGreedy, true, c, 'sla-greedy', 'deferral'))
    .register('sla-greedy+social', "sla-greedy+coord with 4 x each move's externality on the other users of its two nodes added to its gain (SOCIAL_WEIGHT)", (c) => new CandidateFleetPolicy('sla-greedy+social', slaGreedy, true, c, 'sla-greedy', 'gain', SOCIAL_WEIGHT));
}

/** The fleet policies every fleet comparison reports. */
export const FLEET_POLICIES = ['never', 'follow-me', 'sla-greedy', 'follow-me+coord', 'sla-greedy+coord', 'follow-me+defer', 'sla-greedy+defer', 'sla-greedy+social'] as const;
