/**
 * Resolve a `--policy` argument: a baseline name, the oracle, or a trained model file (`model.json`).
 */
import type { Policy } from '../core/env.js';
import { NotFoundError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { FollowMePolicy, GreedyPolicy, NeverPolicy, RandomPolicy, ThresholdPolicy } from '../agents/baselines/index.js';
import { loadPolicy } from '../agents/policy-file.js';
import { OraclePolicy, type ResolvedScenario } from '../twin/index.js';
import { resolve } from 'node:path';

export interface PolicyContext {
  /** Seed for stochastic policies (random). */
  seed: number;
  /** The scenario the policy will run on (reward parameters for greedy; the world for the oracle). */
  scenario: ResolvedScenario;
}

type Factory = (ctx: PolicyContext) => Policy;

const rewardParams = (sc: ResolvedScenario) => ({ rttSla: sc.spec.sla.rttMs, loadSla: sc.spec.sla.load, migrationCost: sc.spec.reward.migrationCost });

const baselines = new Map<string, Factory>([
  ['never', () => new NeverPolicy()],
  ['follow-me', () => new FollowMePolicy()],
  ['random', (ctx) => new RandomPolicy(new Rng(ctx.seed ^ 0x5eed))],
  ['greedy', (ctx) => new GreedyPolicy(rewardParams(ctx.scenario))],
  ['threshold', () => new ThresholdPolicy()],
  ['oracle', (ctx) => new OraclePolicy(ctx.scenario)],
]);

export function baselineNames(): string[] {
  return [...baselines.keys()];
}

export function isModelPath(spec: string): boolean {
  return spec.endsWith('.json');
}

/** A policy by name or model path. Model files are loaded (and validated) by the agents package. */
export async function resolvePolicy(spec: string, ctx: PolicyContext, cwd: string): Promise<Policy> {
  const f = baselines.get(spec);
  if (f) return f(ctx);
  if (isModelPath(spec)) {
    return loadPolicy(resolve(cwd, spec));
  }
  throw new NotFoundError('policy', spec, [...baselineNames(), '<path/to/model.json>']);
}
