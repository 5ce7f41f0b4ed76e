/**
 * `sweep-fleet.json`, the artefact of `remora sweep --fleet`: its schema and its one reader (the dashboard reads
 * it through here). Numbers a run could not produce are written as `null` and read back as NaN.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { readJsonWith } from '../../core/validate.js';
import { jsonNumber } from '../reproduce-summary.js';

export const FLEET_SWEEP_FILE = 'sweep-fleet.json';

const metrics = z.object({
  policy: z.string(),
  returnPerUserHour: jsonNumber,
  violationSecondsPerUserHour: jsonNumber,
  migrationsPerUserHour: jsonNumber,
  overloadSeconds: jsonNumber,
  storms: jsonNumber,
  pctOfBound: jsonNumber,
}).passthrough();
const interval = z.object({ iqm: jsonNumber, ci: z.tuple([jsonNumber, jsonNumber]) });
const FleetSweepFileSchema = z.object({
  seeds: z.array(z.number().int()),
  evalSeed: z.number().int(),
  train: z.array(z.string()),
  validation: z.array(z.string()),
  training: z.array(z.object({ seed: z.number().int(), seconds: z.number(), samples: z.number().int(), chosen: z.object({ iteration: z.number().int(), margin: z.number(), priority: z.string(), social: z.number(), relative: jsonNumber }).passthrough() })),
  scenarios: z.array(z.object({
    scenario: z.string(),
    role: z.enum(['trained-beside', 'held-out']),
    episodes: z.number().int(),
    bound: jsonNumber,
    heuristics: z.array(metrics),
    agent: z.array(metrics),
    agentReturn: interval,
    agentViolation: interval,
    bestHeuristic: z.string(),
    bestHeuristicReturn: jsonNumber,
    ciLowerAboveBest: z.boolean(),
  })),
});
export type FleetSweepFile = z.infer<typeof FleetSweepFileSchema>;

/** Read and validate a `sweep-fleet.json`; one-line InvalidInputError on any problem. */
export function readFleetSweepSummary(path: string): FleetSweepFile {
  return readJsonWith(FleetSweepFileSchema, path, (p) => readFileSync(p, 'utf8'));
}
