/**
 * `summary.json`, the machine-readable result of `remora reproduce` ({@link ReproduceSummary}, written by
 * `reproduce.ts`): its schema and the one reader (the dashboard uses it). The writer's type and this schema are
 * kept in step by the compile-time check at the bottom.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { readJsonWith } from '../core/validate.js';
import type { PolicyMetrics } from './evaluate/evaluate.js';
import type { ReproduceSummary } from './reproduce.js';

/** File name of the summary inside a reproduce output folder. */
export const SUMMARY_FILE = 'summary.json';

// Trap: JSON.stringify writes NaN (e.g. pctOfOracle when the oracle's return is 0) as null; read it back as NaN.
// Shared with the other result files' readers (sweep-summary.ts).
export const jsonNumber = z.number().nullable().transform((v) => v ?? Number.NaN);
const count = z.number().int().nonnegative();

/** One row of a comparison table ({@link PolicyMetrics}). */
export const policyMetricsSchema = z.object({
  policy: z.string(),
  episodes: count,
  return: jsonNumber,
  oracleReturn: jsonNumber,
  pctOfOracle: jsonNumber,
  steps: jsonNumber,
  slaViolations: count,
  // Added with the edge model; summaries written before it lack them and read back as NaN.
  violationSeconds: jsonNumber.default(null),
  downtimeSeconds: jsonNumber.default(null),
  regret: jsonNumber.default(null),
  migrations: count,
  terminatedEpisodes: count,
  meanRttMs: jsonNumber,
  p95RttMs: jsonNumber,
  meanLoad: jsonNumber,
  // Added with the unstable-row flag; summaries written before it lack it and read back as false (not flagged).
  pctOfOracleUnstable: z.boolean().default(false),
});

const comparisonSchema = z.object({
  scenario: z.string(),
  episodes: count,
  seed: z.number().int(),
  policies: z.array(policyMetricsSchema),
});

const agentRowSchema = policyMetricsSchema.extend({ trainEpisodes: count });

// Not `.strict()`: an older dashboard should still read the summary of a newer reproduce that added a field.
export const reproduceSummarySchema = z.object({
  version: z.string(),
  commit: z.string(),
  seconds: z.number().nonnegative(),
  trainingSeconds: z.number().nonnegative(),
  quick: z.boolean(),
  steps: count,
  seed: z.number().int(),
  evalSeed: z.number().int(),
  trainConfig: z.object({ exploration: z.object({ epsilonMax: z.number(), epsilonMin: z.number(), annealFraction: z.number() }) }),
  // The paper model's fields: absent from a run that kept only the edge model (`--preset edge`).
  dqn: agentRowSchema.optional(),
  sarsa: agentRowSchema.optional(),
  baselines: z.record(policyMetricsSchema).optional(),
  sr111: comparisonSchema.optional(),
  roundtrip: comparisonSchema.optional(),
  dqnBeatsSarsa: z.boolean().optional(),
  // Added with `--preset`; summaries written before it hold both models.
  models: z.array(z.enum(['paper', 'edge'])).min(1).default(['paper', 'edge']),
  // Added with the product agents and the edge model; older summaries read back with empty defaults.
  seeds: count.default(1),
  comparisons: z.array(comparisonSchema.extend({ model: z.enum(['paper', 'edge']), title: z.string() })).default([]),
  product: z.record(z.object({ agent: z.string(), scenario: z.string(), validation: z.string(), selectedStep: z.number().int().nullable() })).default({}),
  multiSeed: z
    .array(z.object({ agent: z.string(), scenario: z.string(), perSeed: z.array(jsonNumber), iqm: jsonNumber, ci95: z.tuple([jsonNumber, jsonNumber]), bestHeuristic: z.string(), bestHeuristicPct: jsonNumber }))
    .default([]),
});

/** A summary as read back: the writer's {@link ReproduceSummary}, with `trainConfig` widened to numbers. */
export type ReproduceSummaryFile = z.infer<typeof reproduceSummarySchema>;

/** Reads and validates a summary.json; a bad file throws one {@link InvalidInputError} naming file, field, expected, actual. */
export function readReproduceSummary(path: string): ReproduceSummaryFile {
  return readJsonWith(reproduceSummarySchema, path, (p) => readFileSync(p, 'utf8'));
}

// Compile-time: everything reproduce.ts writes must satisfy the schema, and every row read back is a PolicyMetrics.
type Holds<T extends true> = T;
export type SummaryFileChecks = [
  Holds<ReproduceSummary extends z.input<typeof reproduceSummarySchema> ? true : false>,
  Holds<z.infer<typeof policyMetricsSchema> extends PolicyMetrics ? true : false>,
  Holds<PolicyMetrics extends z.input<typeof policyMetricsSchema> ? true : false>,
];
