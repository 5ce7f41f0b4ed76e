/**
 * The one policy registry: every `--policy` of every command, the dashboard, `reproduce`, `sweep` and the
 * Kubernetes controller resolve names here. A spec is a registered name (the baselines below, plus whatever an
 * upper layer registers, e.g. the twin's oracle) or a path to a trained `model.json`, loaded and checked against the
 * observation layout it will see, so a mismatched model is refused at load time, not at its first step.
 */
import { resolve } from 'node:path';
import type { Policy } from '../core/env.js';
import { InvalidInputError, NotFoundError } from '../core/errors.js';
import type { ObservationLayout } from '../core/observation.js';
import type { RewardParams } from '../core/reward.js';
import { Rng } from '../core/rng.js';
import { FollowMePolicy, GreedyPolicy, HysteresisPolicy, LookaheadPolicy, NeverPolicy, RandomPolicy, SlaGreedyPolicy, ThresholdPolicy, type MigrationModel } from './baselines/index.js';
import { loadModel } from './policy-file.js';

/** What a policy is built for. */
export interface PolicyContext {
  /** The observations it will see. */
  layout: ObservationLayout;
  /** Reward parameters (Eq. 4-8) of the scenario or cluster: SLA bands and migration cost. */
  reward: RewardParams;
  /** Seed of stochastic policies (`random`). */
  seed: number;
  /**
   * How a migration behaves and what it costs (the edge model's pre-copy steps, switch-over spike, traffic cost,
   * breach penalty), for the planning rule `lookahead`; the paper's instant model when absent (the controller).
   */
  migration?: MigrationModel;
  /** RTT at zero distance, ms (the twin's `rtt.baseMs`): the floor of `lookahead`'s RTT forecast; 1 when absent. */
  rttBaseMs?: number;
  /**
   * The consumer builds either observation layout and follows the policy's `needsInFlight` (the controller), so a
   * model's in-flight choice is not checked against `layout.inFlight`; its node count still is.
   */
  eitherInFlight?: boolean;
}

/** Builds a fresh policy (policies keep per-episode state, so each user of one gets its own). */
export type PolicyFactory<C extends PolicyContext = PolicyContext> = (ctx: C) => Policy;

/**
 * Names, each with a factory and a one-line summary: the idiom both policy registries share (this one, and the
 * fleet's in `fleet/fleet-policies.ts`). `kind` names the registry in its errors.
 */
export class NamedFactories<F> {
  protected readonly entries = new Map<string, { factory: F; summary: string }>();
  constructor(private readonly kind: string) {}

  /** Add a named factory; a name may be registered once. */
  register(name: string, summary: string, factory: F): this {
    if (this.entries.has(name)) throw new Error(`${this.kind} registry: ${name} is registered twice`);
    this.entries.set(name, { factory, summary });
    return this;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  summary(name: string): string | undefined {
    return this.entries.get(name)?.summary;
  }
}

/** Named policies over a context `C` (an upper layer may widen it, as the twin does with its scenario). */
export class PolicyRegistry<C extends PolicyContext = PolicyContext> extends NamedFactories<PolicyFactory<C>> {
  constructor() {
    super('policy');
  }

  /** A copy over a wider context, to which more entries can be added (the twin's oracle); this one is unchanged. */
  extend<D extends C>(): PolicyRegistry<D> {
    const r = new PolicyRegistry<D>();
    for (const [k, v] of this.entries) r.entries.set(k, v as { factory: PolicyFactory<D>; summary: string });
    return r;
  }

  /**
   * A factory for `spec`: a registered name, or a `model.json` path (resolved against `cwd`, loaded and checked
   * against `ctx.layout` now). Throws a one-line {@link RemoraError} for an unknown name or a bad or mismatched
   * model file.
   */
  factoryFor(spec: string, ctx: C, cwd: string): () => Policy {
    const e = this.entries.get(spec);
    if (e) return () => e.factory(ctx);
    if (isModelPath(spec)) {
      const path = resolve(cwd, spec);
      const model = loadModel(path);
      checkModelLayout(path, model.header.observation, model.header.architecture.kind === 'node-seq', ctx.layout, ctx.eitherInFlight === true);
      return () => model.policy(ctx);
    }
    throw new NotFoundError('policy', spec, [...this.names(), '<path/to/model.json>']);
  }

  /** One policy for `spec` (see {@link factoryFor}). */
  resolve(spec: string, ctx: C, cwd: string): Policy {
    return this.factoryFor(spec, ctx, cwd)();
  }
}

/** True when a `--policy` spec names a model file rather than a registered policy. */
export function isModelPath(spec: string): boolean {
  return spec.endsWith('.json');
}

/**
 * Refuse a model that cannot read the observations it would get: a different node count (unless its network is
 * the size-agnostic node-seq) or a different layout (the edge model's in-flight block).
 */
export function checkModelLayout(path: string, trained: { nodes: number; inFlight: boolean }, sizeAgnostic: boolean, layout: ObservationLayout, eitherInFlight = false): void {
  if (!eitherInFlight && trained.inFlight !== layout.inFlight) {
    const say = (f: boolean) => (f ? "the edge model's layout with the in-flight block (observation.inFlight: true)" : "the paper's layout without the in-flight block");
    throw new InvalidInputError({ source: path, field: 'observation.inFlight', expected: `${say(layout.inFlight)}, as the scenario gives`, actual: `a model trained on ${say(trained.inFlight)}` });
  }
  if (!sizeAgnostic && trained.nodes !== layout.nodes) {
    throw new InvalidInputError({
      source: path,
      field: 'observation.nodes',
      expected: `${layout.nodes} nodes (this scenario/cluster); only a size-agnostic network (--network node-seq) runs on another node count`,
      actual: `a model trained for ${trained.nodes} nodes`,
    });
  }
}

/** The registry with every baseline. Upper layers `extend()` it (the twin adds `oracle`). */
export function baselineRegistry(): PolicyRegistry {
  return new PolicyRegistry()
    .register('never', 'never migrate', () => new NeverPolicy())
    .register('follow-me', 'always move to the lowest-RTT legal node', (c) => new FollowMePolicy(c.layout.nodes))
    .register('random', 'a uniformly random legal action', (c) => new RandomPolicy(new Rng(c.seed ^ 0x5eed)))
    .register('greedy', 'the best one-step reward (Eq. 8)', (c) => new GreedyPolicy(c.reward, c.layout.nodes))
    .register('sla-greedy', 'the best one-step reward among nodes inside the SLA, else overall', (c) => new SlaGreedyPolicy(c.reward, c.layout.nodes))
    .register('lookahead', 'plans H steps ahead on the RTT and load trends with the migration model (Eq. 8, DP)', (c) => new LookaheadPolicy({ rttBaseMs: c.rttBaseMs ?? 1 }, c.reward, c.layout.nodes, c.migration))
    .register('threshold', "the authors' released rule-based controller (RTT/load bands, cooldown)", (c) => new ThresholdPolicy({}, c.layout.nodes))
    .register('hysteresis', 'follow-me with an RTT margin, a minimum dwell and overloaded targets skipped', (c) => new HysteresisPolicy({ loadMax: c.reward.loadSla.max }, c.layout.nodes));
}

/** The heuristics every comparison reports (all baselines except `random`, which is noise, not a rule). */
export const HEURISTICS = ['never', 'follow-me', 'threshold', 'hysteresis', 'greedy', 'sla-greedy', 'lookahead'] as const;
