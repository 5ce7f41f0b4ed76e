/**
 * The twin's view of the one policy registry (`src/agents/registry.ts`): it adds the exact `oracle` (which needs
 * the twin's world, so it cannot live in agents) and builds a {@link PolicyContext} from a scenario.
 */
import type { Policy } from '../core/env.js';
import { baselineRegistry, type PolicyContext } from '../agents/registry.js';
import type { MigrationModel } from '../agents/baselines/index.js';
import { edgeMigrationCosts, OraclePolicy, type ResolvedScenario, type Scenario } from '../twin/index.js';

export interface TwinPolicyContext {
  /** Seed for stochastic policies (random). */
  seed: number;
  /** The scenario the policy will run on (reward parameters, layout; the world for the oracle). */
  scenario: ResolvedScenario;
}

/** The registry's context on the twin: the common one plus the scenario. */
export type TwinContext = PolicyContext & { scenario: ResolvedScenario };

/** The registry of the twin: every baseline plus `oracle`. */
export const twinRegistry = baselineRegistry()
  .extend<TwinContext>()
  .register('oracle', 'the exact optimum of each episode (dynamic programming; twin only)', (ctx) => new OraclePolicy(ctx.scenario));

/** The registry's context for a scenario. */
export function contextFor(scenario: ResolvedScenario, seed: number): TwinContext {
  const s = scenario.spec;
  return {
    layout: { nodes: s.nodes.length, inFlight: s.observation.inFlight },
    reward: { rttSla: s.sla.rttMs, loadSla: s.sla.load, migrationCost: s.reward.migrationCost },
    seed,
    migration: migrationModelOf(s),
    rttBaseMs: s.rtt.baseMs,
    scenario,
  };
}

/**
 * The scenario's migration model as a planner sees it: the edge model's per-migration terms (`edgeMigrationCosts`,
 * the env's and the oracle's own), and the typical duration in steps, `ceil(typical seconds / step)` as the world
 * rounds a drawn duration (the median of a lognormal, the midpoint of a uniform); 0 in the instant model.
 */
export function migrationModelOf(s: Scenario): MigrationModel {
  const { spikeMs, trafficCost } = edgeMigrationCosts(s);
  const d = s.migration.durations[s.migration.serviceKind];
  const typicalS = d.kind === 'fixed' ? d.seconds : d.kind === 'uniform' ? (d.minSeconds + d.maxSeconds) / 2 : d.medianSeconds;
  const durationSteps = s.migration.model === 'instant' ? 0 : Math.min(s.maxSteps, Math.max(1, Math.ceil(typicalS / s.stepSeconds - 1e-9)));
  return { durationSteps, spikeMs, trafficCost, violationPenalty: s.reward.violationPenalty, terminateOnViolation: s.terminateOnViolation };
}

/** Names a `--policy` may take besides a model file. */
export function baselineNames(): string[] {
  return twinRegistry.names();
}

export { isModelPath } from '../agents/registry.js';

/** A policy by name or model path, for the twin (a model is checked against the scenario's layout at load). */
export async function resolvePolicy(spec: string, ctx: TwinPolicyContext, cwd: string): Promise<Policy> {
  return twinRegistry.resolve(spec, contextFor(ctx.scenario, ctx.seed), cwd);
}
