/**
 * `metrics.jsonl`, one JSON object per finished training episode ({@link EpisodeMetrics}): the line format
 * {@link runTraining} writes and the one reader everything else (reproduce, the dashboard) uses.
 */
import { readFileSync } from 'node:fs';
import { InvalidInputError, renderValue } from '../../core/errors.js';
import { zodIssueToError } from '../../core/validate.js';
import { episodeMetricsSchema, type EpisodeMetrics } from '../../agents/trainer.js';

/** File name of the per-episode metrics inside a run folder. */
export const METRICS_FILE = 'metrics.jsonl';

/** One line of metrics.jsonl (with its newline); floats are rounded to 6 decimals so runs diff cleanly. */
export function metricsLine(m: EpisodeMetrics): string {
  return JSON.stringify({ ...m, reward: round6(m.reward), meanReward: round6(m.meanReward), epsilon: round6(m.epsilon) }) + '\n';
}

/**
 * Every episode of a metrics.jsonl file, validated. Blank lines are skipped; a bad line throws one
 * {@link InvalidInputError} naming the file, the 1-based line number, the field, what was expected and what arrived.
 */
export function readMetricsJsonl(path: string): EpisodeMetrics[] {
  const out: EpisodeMetrics[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
    const m = parseMetricsLine(text, path, i + 1);
    if (m) out.push(m);
  });
  return out;
}

/**
 * One line of a metrics.jsonl (without its newline), validated; undefined for a blank line. The reader above and
 * the dashboard's live tail of a running training share it. A bad line throws one {@link InvalidInputError}
 * naming `path`, the 1-based `line`, the field, what was expected and what arrived.
 */
export function parseMetricsLine(text: string, path: string, line: number): EpisodeMetrics | undefined {
  if (text.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError({ source: path, field: `line ${line}`, expected: 'one JSON object', actual: renderValue(text) }, { cause: e });
  }
  const r = episodeMetricsSchema.safeParse(json);
  if (!r.success) {
    const { details } = zodIssueToError(r.error, path, json);
    throw new InvalidInputError({ ...details, field: `line ${line}, ${details.field}` }, { cause: r.error });
  }
  return r.data;
}

function round6(x: number): number {
  return Number(x.toFixed(6));
}
