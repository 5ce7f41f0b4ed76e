/**
 * Resolve a `--policy` argument: a baseline name, or a trained model file (`model.json`).
 */
import type { Policy } from '../core/env.js';
import { NotFoundError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { FollowMePolicy, NeverPolicy, RandomPolicy } from '../agents/baselines/simple.js';

export interface PolicyContext {
  /** Seed for stochastic policies (random). */
  seed: number;
}

type Factory = (ctx: PolicyContext) => Policy;

/** Baselines by name. Extended by `registerBaseline` (greedy, threshold and oracle register themselves in their modules). */
const baselines = new Map<string, Factory>([
  ['never', () => new NeverPolicy()],
  ['follow-me', () => new FollowMePolicy()],
  ['random', (ctx) => new RandomPolicy(new Rng(ctx.seed ^ 0x5eed))],
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
    // TODO(issue 3 lands): import statically once src/agents/policy-file.ts exists.
    const specifier = '../agents/policy-file.js';
    const mod = (await import(specifier)) as { loadPolicy(path: string): Promise<Policy> };
    const { resolve } = await import('node:path');
    return mod.loadPolicy(resolve(cwd, spec));
  }
  throw new NotFoundError('policy', spec, [...baselineNames(), '<path/to/model.json>']);
}
