/**
 * The twin's view of the one policy registry (`src/agents/registry.ts`): it adds the exact `oracle` (which needs
 * the twin's world, so it cannot live in agents) and builds a {@link PolicyContext} from a scenario.
 */
import type { Policy } from '../core/env.js';
import { baselineRegistry, type PolicyContext } from '../agents/registry.js';
import { OraclePolicy, type ResolvedScenario } from '../twin/index.js';

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
    scenario,
  };
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
