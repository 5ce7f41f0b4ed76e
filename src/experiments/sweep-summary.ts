/**
 * `sweep.json`, the machine-readable result of `remora sweep` ({@link SweepSummary}, written by `sweep.ts`): its
 * schema and the one reader (the dashboard's sweep page uses it). The writer's type and this schema are kept in
 * step by the compile-time check at the bottom.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { readJsonWith } from '../core/validate.js';
import { jsonNumber } from './reproduce-summary.js';
import type { SweepSummary } from './sweep.js';

/** File name of the summary inside a sweep output folder. */
export const SWEEP_FILE = 'sweep.json';

const count = z.number().int().nonnegative();
const ci = z.tuple([jsonNumber, jsonNumber]);
const kind = z.enum(['agent', 'heuristic', 'oracle', 'model']);
const role = z.enum(['train', 'validation', 'test', 'unseen']);

const policyResultSchema = z.object({
  kind,
  perSeed: z.array(jsonNumber),
  perSeedReturn: z.array(jsonNumber),
  perSeedViolations: z.array(count),
  perSeedMigrations: z.array(count),
  iqm: jsonNumber,
  ci95: ci,
  iqmReturn: jsonNumber,
  violations: jsonNumber,
  migrations: jsonNumber,
  modelPaths: z.array(z.string()),
});

const comparisonSchema = z.object({
  agent: z.string(),
  bestHeuristic: z.string().nullable(),
  bestHeuristicIqm: jsonNumber,
  agentIqm: jsonNumber,
  agentCi95: ci,
  ciLowerAboveBest: z.boolean(),
});

// Not `.strict()`: an older dashboard should still read the sweep.json of a newer sweep that added a field.
export const sweepSummarySchema = z.object({
  version: z.string(),
  agent: z.enum(['dqn', 'sarsa', 'dagger']),
  trainScenario: z.string(),
  seeds: z.array(count).min(1),
  steps: count,
  episodes: count,
  evalSeed: z.number().int(),
  bootstrap: z.object({ method: z.literal('stratified bootstrap, percentile interval'), confidence: z.literal(0.95), reps: count, seed: z.number().int(), strata: z.string() }),
  roles: z.record(role),
  scenarios: z.record(z.record(policyResultSchema)),
  comparisons: z.record(comparisonSchema),
  overall: z.record(z.object({ iqm: jsonNumber, ci95: ci })),
  overallComparison: comparisonSchema,
  training: z.array(z.object({ seed: count, steps: count, episodes: count, meanReward: z.number().nullable(), modelPath: z.string() })),
  timing: z.object({ trainSeconds: z.number(), evalSeconds: z.number(), totalSeconds: z.number() }),
});

/** A sweep.json as read back (NaN scores, written as null, are NaN again). */
export type SweepSummaryFile = z.infer<typeof sweepSummarySchema>;

/** Reads and validates a sweep.json; a bad file throws one `InvalidInputError` naming file, field, expected, actual. */
export function readSweepSummary(path: string): SweepSummaryFile {
  return readJsonWith(sweepSummarySchema, path, (p) => readFileSync(p, 'utf8'));
}

// Compile-time: everything sweep.ts writes satisfies the schema, and what is read back is a SweepSummary.
type Holds<T extends true> = T;
export type SweepFileChecks = [
  Holds<SweepSummary extends z.input<typeof sweepSummarySchema> ? true : false>,
  Holds<SweepSummaryFile extends SweepSummary ? true : false>,
];
