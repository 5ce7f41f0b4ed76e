/**
 * The residual agent as a {@link Policy}: `Q(s, a) = prior_a(s) + f_a(s)`, greedy over the legal actions, where
 * `prior` is the `sla-greedy` rule's action values (rule-prior.ts) and `f` the node-sequence network's output over
 * the scale-free features (scale-free-features.ts). With `f = 0` it plays exactly the rule; the network learns where
 * deviating from it pays (dagger.ts). The same weights run for any node count the network is sized for.
 */
import type { Policy } from '../core/env.js';
import { nodeCountOf } from '../core/observation.js';
import type { RewardParams } from '../core/reward.js';
import type { NodeSequenceNetwork } from '../nn/node-sequence.js';
import { maskedArgmax } from './exploration.js';
import { INSTANT_MIGRATION, LookaheadPolicy, type MigrationModel } from './baselines/index.js';
import { choicePrior, rulePrior, type PriorShape } from './rule-prior.js';

/** What the `lookahead` prior plans with: the training scenario's migration model and RTT floor (policies.ts). */
export interface PlannerContext {
  rttBaseMs: number;
  migration: MigrationModel;
}

/** What a residual agent needs to know of where it runs (a registry's policy context has these fields). */
export interface Deployment {
  reward: RewardParams;
  /** The paper's instant model when absent. */
  migration?: MigrationModel;
  /** 1 when absent. */
  rttBaseMs?: number;
}

/** The planner context of a deployment, with the registry's defaults for what it leaves out (as `lookahead`'s). */
export function plannerFor(d: Deployment): PlannerContext {
  return { rttBaseMs: d.rttBaseMs ?? 1, migration: d.migration ?? INSTANT_MIGRATION };
}
import { ScaleFreeEncoder } from './scale-free-features.js';

/** Encodes one observation for the network and computes its prior; shared by the policy and the learner. */
export class ResidualInputs {
  readonly encoder: ScaleFreeEncoder;
  /** The rule's prior of the last encoded observation, `[N + 1]` (masked actions −∞); grows with N. */
  prior = new Float64Array(17);

  private planner: LookaheadPolicy | undefined;
  private plannerNodes = 0;

  constructor(readonly reward: RewardParams, readonly shape: PriorShape, readonly inFlight: boolean, readonly plan?: PlannerContext) {
    this.encoder = new ScaleFreeEncoder(reward, inFlight);
    if (shape.rule === 'lookahead' && !plan) throw new Error('a lookahead prior needs the planner context (migration model, RTT floor)');
  }

  reset(): void {
    this.encoder.reset();
    this.planner?.reset();
  }

  /** Prior into {@link prior}, features into `out` at `offset`; returns N. */
  write(obs: Float64Array, mask: Uint8Array, out: { [i: number]: number }, offset: number): number {
    const n = nodeCountOf(obs.length, this.inFlight);
    if (this.prior.length < n + 1) this.prior = new Float64Array(n + 1);
    if (this.shape.rule === 'lookahead') {
      // The planner keeps a trend per node, sized for N: a new node count starts a fresh one.
      if (!this.planner || this.plannerNodes !== n) {
        this.planner = new LookaheadPolicy({ rttBaseMs: this.plan!.rttBaseMs }, this.reward, n, this.plan!.migration);
        this.plannerNodes = n;
      }
      choicePrior(obs, mask, this.planner.act(obs, mask), this.shape.scale, this.prior, this.inFlight);
    } else rulePrior(obs, mask, this.reward, this.shape, this.prior, this.inFlight);
    return this.encoder.encode(obs, this.prior, out, offset);
  }
}

/**
 * Greedy action of `prior + residual` over the actions the prior allows (its −∞ are masked or the serving node).
 *
 * With a deviation `margin` m > 0 the agent defers to its rule unless it is sure: it plays the rule's own action
 * (the prior's argmax) unless the greedy action's value beats that action's by more than m reward units. m = 0 is
 * plain greedy; a margin beyond any residual is the rule itself. Beyond the paper: a residual fitted on a few
 * thousand labelled states is least reliable exactly where it disagrees with the rule by a little, and a margin
 * chosen on validation days trades the gains of small deviations against their risk on days it has not seen.
 */
export function residualArgmax(prior: Float64Array, residual: ArrayLike<number>, n: number, q: Float64Array, margin = 0): number {
  for (let a = 0; a <= n; a++) q[a] = prior[a]! + residual[a]!;
  const a = maskedArgmax(q, 0, n + 1, null);
  if (margin <= 0) return a;
  const rule = ruleAction(prior, n);
  return a !== rule && q[a]! - q[rule]! <= margin ? rule : a;
}

/** The rule's own action: the argmax of its prior (0 for its choice, below for the rest). */
export function ruleAction(prior: Float64Array, n: number): number {
  return maskedArgmax(prior, 0, n + 1, null);
}

/**
 * Per-feature bounds (`[F]` each, F = SCALE_FREE_FEATURES) of the states a residual was fitted on. Beyond the paper:
 * outside them the network's output is an extrapolation (its ReLU layers grow linearly there), and a trace family
 * training never saw (a slow ramp into overload, say) can drive a feature past anything in the data. A policy with
 * a range defers to its rule on any state with a feature outside it: it deviates only where it has seen data.
 */
export interface FeatureRange {
  lo: Float64Array;
  hi: Float64Array;
}

/** An empty range (lo = +∞, hi = −∞) that {@link widenRange} grows. */
export function emptyRange(features: number): FeatureRange {
  return { lo: new Float64Array(features).fill(Infinity), hi: new Float64Array(features).fill(-Infinity) };
}

/** Widens `r` to cover the `[n, F]` features in `x`. */
export function widenRange(r: FeatureRange, x: ArrayLike<number>, n: number): void {
  const F = r.lo.length;
  for (let j = 0; j < n; j++) {
    for (let f = 0; f < F; f++) {
      const v = x[j * F + f]!;
      if (v < r.lo[f]!) r.lo[f] = v;
      if (v > r.hi[f]!) r.hi[f] = v;
    }
  }
}

/** True when every one of the `[n, F]` features in `x` lies within `r`. */
export function withinRange(r: FeatureRange, x: ArrayLike<number>, n: number): boolean {
  const F = r.lo.length;
  for (let j = 0; j < n; j++) {
    for (let f = 0; f < F; f++) {
      const v = x[j * F + f]!;
      if (!(v >= r.lo[f]! && v <= r.hi[f]!)) return false;
    }
  }
  return true;
}

export class ResidualQPolicy implements Policy {
  readonly name: string;
  readonly needsInFlight: boolean;
  private readonly inputs: ResidualInputs;
  private readonly q: Float64Array;

  /**
   * `margin`: the deviation margin of {@link residualArgmax} (0: greedy over prior + residual). `range`: the
   * fitted states' feature bounds; outside them the policy plays its rule (none: the network everywhere).
   */
  constructor(private readonly network: NodeSequenceNetwork, reward: RewardParams, shape: PriorShape, inFlight: boolean, plan?: PlannerContext, name = 'dagger', readonly margin = 0, readonly range?: FeatureRange) {
    this.name = name;
    this.needsInFlight = inFlight;
    this.inputs = new ResidualInputs(reward, shape, inFlight, plan);
    this.q = new Float64Array(network.maxNodes + 1);
  }

  reset(): void {
    this.inputs.reset();
  }

  act(observation: Float64Array, actionMask: Uint8Array): number {
    const net = this.network;
    const n = nodeCountOf(observation.length, this.needsInFlight);
    if (n !== net.nodeCount) net.setNodes(n);
    this.inputs.write(observation, actionMask, net.input, 0);
    if (this.range && !withinRange(this.range, net.input, n)) {
      const rule = ruleAction(this.inputs.prior, n);
      return rule === 0 || actionMask[rule] === 1 ? rule : 0;
    }
    const out = net.forward(1);
    const a = residualArgmax(this.inputs.prior, out, n, this.q, this.margin);
    return a === 0 || actionMask[a] === 1 ? a : 0;
  }
}
