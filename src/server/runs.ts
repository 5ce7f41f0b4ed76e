/**
 * The runs under the dashboard's runs directory, nested ones included: a `reproduce` output holds its training
 * runs (`dqn`, `sarsa`, `dqn-product`, `dqn-edge`, `…-seed-<k>`), a sweep its seeds (`seed-<k>`), and a plain
 * folder may group either. A run is named by its `/`-separated path under the runs directory
 * (`reproduce/dqn-edge`, `sweeps/edge/seed-3`); {@link resolveRun} is the one place that turns a name from a URL
 * into a folder, and it refuses anything that could leave the runs directory.
 *
 * Each artefact is read by its one reader: metrics.jsonl by `readMetricsJsonl`, summary.json by
 * `readReproduceSummary`, sweep.json by `readSweepSummary`. A malformed one becomes the run's `error` (one line
 * naming file, field, expected and actual), so one bad run cannot break the listing.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { InvalidInputError, RemoraError } from '../core/errors.js';
import type { EpisodeMetrics } from '../agents/trainer.js';
import { readReproduceSummary, SUMMARY_FILE, type ReproduceSummaryFile } from '../experiments/reproduce-summary.js';
import { readSweepSummary, SWEEP_FILE, type SweepSummaryFile } from '../experiments/sweep-summary.js';
import { FLEET_SWEEP_FILE, readFleetSweepSummary, type FleetSweepFile } from '../experiments/fleet/sweep-fleet-summary.js';
import { METRICS_FILE, readMetricsJsonl } from '../experiments/train/metrics-jsonl.js';

export type RunKind = 'train' | 'reproduce' | 'sweep' | 'fleet-sweep' | 'group';

export interface RunInfo {
  /** Path under the runs directory, `/`-separated. */
  name: string;
  /** The enclosing run or group, when nested. */
  parent?: string;
  /** 0 for a folder directly under the runs directory. */
  depth: number;
  /** `train` (metrics.jsonl), `reproduce` (summary.json), `sweep` (sweep.json), or `group` (a folder of runs). */
  kind: RunKind;
  episodes?: number;
  hasModel: boolean;
  /** A training run still being written: metrics.jsonl and no model.json yet (`remora train` saves it last). */
  training: boolean;
  modifiedMs: number;
  /** A few words on what the run holds (a sweep's agent and seeds, a reproduce's commit). */
  note?: string;
  /** Why the run's artefact could not be read (one line naming file, field, expected, actual). */
  error?: string;
}

/** A bad run name from a URL: one line, and the HTTP status that goes with it. */
export class RunNotFound extends RemoraError {
  readonly status = 404;
  constructor(runsDir: string, name: string) {
    super('E_NOT_FOUND', `run: expected the path of a run folder under ${runsDir} (the runs page lists them), got ${JSON.stringify(name)}`);
  }
}

const SEGMENT_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
/** How deep runs are looked for: a group of sweeps of seeds is three levels. */
export const MAX_DEPTH = 4;

/** URL path of a run page (each segment encoded). */
export const runHref = (name: string): string => `/run/${name.split('/').map(encodeURIComponent).join('/')}`;

/**
 * The folder of run `name`, or {@link RunNotFound}. Refused: empty segments, `.`/`..` and any segment outside
 * `[A-Za-z0-9._-]` (or starting with `.`), more than {@link MAX_DEPTH} levels, and a symlink whose target lies
 * outside the runs directory.
 */
export function resolveRun(runsDir: string, name: string): string {
  const parts = name.split('/');
  if (!name || parts.length > MAX_DEPTH || !parts.every((p) => SEGMENT_RE.test(p))) throw new RunNotFound(runsDir, name);
  const dir = join(runsDir, ...parts);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RunNotFound(runsDir, name);
  const root = realpathSync(runsDir);
  const real = realpathSync(dir);
  if (real !== root && !real.startsWith(root + sep)) throw new RunNotFound(runsDir, name);
  return dir;
}

export type Read<T> = T | { error: string };

/** Runs `read`; a malformed artefact (InvalidInputError) becomes `{ error }`. */
export function readable<T>(read: () => T): Read<T> {
  try {
    return read();
  } catch (e) {
    if (e instanceof InvalidInputError) return { error: e.message };
    throw e;
  }
}

const isRunDir = (dir: string): boolean => [METRICS_FILE, SUMMARY_FILE, SWEEP_FILE, FLEET_SWEEP_FILE, 'model.json'].some((f) => existsSync(join(dir, f)));
/** seed-2 before seed-10. */
const natural = new Intl.Collator('en', { numeric: true }).compare;

/**
 * Reads the runs directory's artefacts, memoised by file size and modification time: the runs page of a
 * reproduce with five seeds reads twenty metrics files, and a page reload should not parse them again.
 */
export class RunStore {
  private readonly memo = new Map<string, { key: string; value: unknown }>();

  constructor(readonly runsDir: string) {}

  private cached<T>(file: string, read: (f: string) => T): Read<T> | undefined {
    if (!existsSync(file)) return undefined;
    const st = statSync(file);
    const key = `${st.size}:${st.mtimeMs}`;
    const hit = this.memo.get(file);
    if (hit && hit.key === key) return hit.value as Read<T>;
    const value = readable(() => read(file));
    this.memo.set(file, { key, value });
    return value;
  }

  curve(dir: string): Read<EpisodeMetrics[]> | undefined {
    return this.cached(join(dir, METRICS_FILE), readMetricsJsonl);
  }

  reproduce(dir: string): Read<ReproduceSummaryFile> | undefined {
    return this.cached(join(dir, SUMMARY_FILE), readReproduceSummary);
  }

  sweep(dir: string): Read<SweepSummaryFile> | undefined {
    return this.cached(join(dir, SWEEP_FILE), readSweepSummary);
  }

  fleetSweep(dir: string): Read<FleetSweepFile> | undefined {
    return this.cached(join(dir, FLEET_SWEEP_FILE), readFleetSweepSummary);
  }

  /** Every run and group, depth first: top-level folders newest first, nested ones in natural name order. */
  list(): RunInfo[] {
    const out: RunInfo[] = [];
    // Every nested row's parent is its enclosing folder, itself listed: a run, or a group holding runs.
    const walk = (rel: string[], dir: string): void => {
      if (rel.length >= MAX_DEPTH || !existsSync(dir)) return;
      const entries = readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && SEGMENT_RE.test(d.name))
        .map((d) => ({ name: d.name, dir: join(dir, d.name), t: statSync(join(dir, d.name)).mtimeMs }));
      entries.sort(rel.length === 0 ? (a, b) => b.t - a.t : (a, b) => natural(a.name, b.name));
      const parent = rel.length ? rel.join('/') : undefined;
      for (const e of entries) {
        const path = [...rel, e.name];
        const mark = out.length;
        const run = isRunDir(e.dir);
        if (run) out.push(this.info(path.join('/'), e.dir, parent, rel.length));
        walk(path, e.dir);
        // A plain folder is listed (as a group) only when it holds runs.
        if (!run && out.length > mark) out.splice(mark, 0, { name: path.join('/'), ...(parent ? { parent } : {}), depth: rel.length, kind: 'group', hasModel: false, training: false, modifiedMs: e.t });
      }
    };
    walk([], this.runsDir);
    return out;
  }

  info(name: string, dir: string, parent: string | undefined, depth: number): RunInfo {
    const kind: RunKind = existsSync(join(dir, SWEEP_FILE)) ? 'sweep' : existsSync(join(dir, FLEET_SWEEP_FILE)) ? 'fleet-sweep' : existsSync(join(dir, SUMMARY_FILE)) ? 'reproduce' : existsSync(join(dir, METRICS_FILE)) ? 'train' : 'group';
    const hasModel = existsSync(join(dir, 'model.json'));
    const info: RunInfo = { name, ...(parent ? { parent } : {}), depth, kind, hasModel, training: kind === 'train' && !hasModel, modifiedMs: statSync(dir).mtimeMs };
    if (kind === 'train') {
      const c = this.curve(dir)!;
      if ('error' in c) info.error = c.error;
      else info.episodes = c.length;
    } else if (kind === 'reproduce') {
      const s = this.reproduce(dir)!;
      if ('error' in s) info.error = s.error;
      else info.note = `commit ${s.commit.slice(0, 7)}, ${s.seeds} seed(s), ${s.steps} steps per agent`;
    } else if (kind === 'sweep') {
      const s = this.sweep(dir)!;
      if ('error' in s) info.error = s.error;
      else info.note = `${s.agent} on ${s.trainScenario}: ${s.seeds.length} seeds × ${s.steps} steps, ${Object.keys(s.scenarios).length} evaluation scenario(s)`;
    } else if (kind === 'fleet-sweep') {
      const s = this.fleetSweep(dir)!;
      if ('error' in s) info.error = s.error;
      else info.note = `fleet agent on ${s.train.join(', ')}: ${s.seeds.length} seeds, ${s.scenarios.length} fleet(s)`;
    }
    return info;
  }
}
