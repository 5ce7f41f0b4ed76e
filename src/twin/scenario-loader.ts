/**
 * Scenario files (JSON or YAML, optionally `extends: <built-in>`) and resolution: validation, traces loaded,
 * geometry projected, held-out day chosen. The built-ins and their calibration live in `builtin-scenarios.ts`; the
 * data folder and trace loading in `scenario-data.ts`, the planar frame in `scenario-geometry.ts`, and the train,
 * validation and test days in `scenario-days.ts`.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { escapeText, InvalidInputError, NotFoundError, RemoraError, renderValue } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { parseWith, zodIssuesToErrors } from '../core/validate.js';
import { readGpsCsv, type GpsTrack, type Road } from './mobility.js';
import { BUILTIN_OVERLAYS, BUILTIN_SCENARIOS } from './builtin-scenarios.js';
import { gpsFilter, loadTrace, resolveDataPath } from './scenario-data.js';
import { chooseDays } from './scenario-days.js';
import { resolveGeometry } from './scenario-geometry.js';
import { deepMerge, ScenarioSchema, type Scenario } from './scenario-schema.js';
import { MAX_SCENARIO_BYTES, readTextFile } from './text-input.js';
import { seriesSeconds, type TraceSeries } from './traces.js';

/** A scenario ready to run: validated spec plus loaded traces and geometry. */
export interface ResolvedScenario {
  /** The validated scenario. */
  spec: Scenario;
  /** Where it came from: `builtin:<name>` or a file path. */
  source: string;
  /** One series per node. */
  traces: TraceSeries[];
  /** Per-node time shift of its series, seconds. */
  shiftSeconds: Float64Array;
  /** Node positions, metres. */
  nodeX: Float64Array;
  nodeY: Float64Array;
  /** GPS track for `gps` mobility. */
  gpsTrack?: GpsTrack;
  /** The road of `highway` mobility (the straight segment, a route's polyline or a GPS track's points), metres. */
  road?: Road;
  /** Where x = y = 0 lies when any position was given in degrees (the frame's projection origin), else undefined. */
  projectionOrigin?: { lat: number; lon: number };
  /** Fleet scenarios with `users.arrivals.kind: gps-pool`: the pool's tracks, projected with `gpsTrack`'s origin. */
  fleetTracks?: GpsTrack[];
  /** Trace seconds covered by the scenario's longest series (the "month"). */
  traceSpanSeconds: number;
  /** 0-based main test day (Fig. 6; held out of training and validation), or null. */
  heldOutDay: number | null;
  /** All test days (the main one first), 0-based. */
  testDays: number[];
  /** Validation days, 0-based. */
  validationDays: number[];
  /** Mean Eq. 2 load per day (no noise), averaged over nodes; index = day. */
  dailyMeanLoad: number[];
  /** Pick the trace time of step 0 for an episode of `steps` steps. */
  pickTraceStart(rng: Rng, steps: number): number;
}

export interface LoadScenarioOptions {
  /** Directory a relative scenario-file path is resolved against (default: the process's cwd). Paths inside a file resolve against its folder. */
  cwd?: string;
  /** Memo of loaded traces, shared across scenarios (optional). */
  traceCache?: Map<string, TraceSeries>;
}

/** Names of the built-in scenarios. */
export function scenarioNames(): string[] {
  return Object.keys(BUILTIN_SCENARIOS);
}

/**
 * Apply `extends` (built-in scenarios and overlays, left to right, under the file's own keys). Every bad name is
 * collected in `errors` when given; otherwise the first one is thrown.
 */
function applyExtends(raw: unknown, source: string, errors?: RemoraError[]): unknown {
  if (!(raw && typeof raw === 'object' && !Array.isArray(raw) && 'extends' in raw)) return raw;
  const ext = (raw as { extends: unknown }).extends;
  const names = Array.isArray(ext) ? ext : [ext];
  let merged: unknown = undefined;
  names.forEach((name, i) => {
    const base = typeof name === 'string' ? BUILTIN_SCENARIOS[name] ?? BUILTIN_OVERLAYS[name] : undefined;
    if (!base || (i === 0 && !(name as string in BUILTIN_SCENARIOS))) {
      const what = i === 0 ? `a built-in scenario (${scenarioNames().join(', ')})` : `a built-in scenario or overlay (${[...scenarioNames(), ...Object.keys(BUILTIN_OVERLAYS)].join(', ')})`;
      const e = new InvalidInputError({ source, field: Array.isArray(ext) ? `extends.${i}` : 'extends', expected: what, actual: renderValue(name) });
      if (!errors) throw e;
      errors.push(e);
      return;
    }
    merged = deepMerge(merged, base);
  });
  return deepMerge(merged, raw);
}

/** Validate a raw scenario object (applying `extends`: built-in scenarios and overlays, left to right). */
export function parseScenario(raw: unknown, source: string): Scenario {
  return parseWith(ScenarioSchema, applyExtends(raw, source), source);
}

/** Read a scenario file (`.json`, `.yaml` or `.yml`, at most {@link MAX_SCENARIO_BYTES}) into a raw object. */
function readScenarioRaw(path: string): unknown {
  const text = readTextFile(path, 'scenario', MAX_SCENARIO_BYTES);
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new InvalidInputError({ source: path, field: '(syntax)', expected: path.endsWith('.json') ? 'valid JSON' : 'valid YAML', actual: escapeText((e as Error).message.split('\n')[0]!, 200) });
  }
}

/** Read and validate a scenario file (`.json`, `.yaml` or `.yml`). */
export function readScenarioFile(path: string): Scenario {
  return parseScenario(readScenarioRaw(path), path);
}

/** The absolute path of a scenario file named on the command line, or a one-line error. */
function locateScenarioFile(nameOrFile: string, cwd: string): string {
  const looksLikeFile = /[./\\]/.test(nameOrFile);
  const path = isAbsolute(nameOrFile) ? nameOrFile : resolvePath(cwd, nameOrFile);
  if (!looksLikeFile || !existsSync(path)) {
    if (!looksLikeFile) throw new NotFoundError('scenario', nameOrFile, scenarioNames());
    throw new InvalidInputError({ source: nameOrFile, field: 'scenario', expected: `a built-in scenario (${scenarioNames().join(', ')}) or a readable .json/.yaml file`, actual: 'no such file' });
  }
  return path;
}

/** Load a built-in scenario by name, or a scenario file by path, and resolve it. */
export function loadScenario(nameOrFile: string, options: LoadScenarioOptions = {}): ResolvedScenario {
  if (nameOrFile in BUILTIN_SCENARIOS) {
    return resolveScenario(parseScenario(BUILTIN_SCENARIOS[nameOrFile], `scenario ${nameOrFile}`), `builtin:${nameOrFile}`, { ...options, cwd: options.cwd ?? process.cwd() });
  }
  const path = locateScenarioFile(nameOrFile, options.cwd ?? process.cwd());
  // Paths inside a scenario file are relative to the file's own folder, wherever the command runs;
  // `options.cwd` only locates the file itself.
  return resolveScenario(readScenarioFile(path), path, { ...options, cwd: dirname(path) });
}

/** The outcome of {@link validateScenario}: the resolved scenario, or every error found. */
export type ScenarioValidation = { ok: true; scenario: ResolvedScenario } | { ok: false; errors: RemoraError[] };

/**
 * Validate a scenario (built-in name or file) and report every error at once rather than the first: every bad
 * `extends` name, every schema issue (one per field; one per unknown key), then every trace and GPS file that fails
 * to load, then the checks that need the data (days). Stages run in that order; a stage runs only when the ones
 * before it passed, since it needs their result. Within the schema stage, a rule that spans fields (a node's position,
 * the csv `header: false` column rule, `trackColumn` with `track`) is checked by zod only once the fields it reads are
 * valid, so such an error can first show on the next run. Errors other than bad input (bugs) are thrown.
 */
export function validateScenario(nameOrFile: string, options: LoadScenarioOptions = {}): ScenarioValidation {
  const errors: RemoraError[] = [];
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof RemoraError)) throw e;
      errors.push(e);
      return undefined;
    }
  };
  if (nameOrFile in BUILTIN_SCENARIOS) {
    const sc = attempt(() => loadScenario(nameOrFile, options));
    return sc ? { ok: true, scenario: sc } : { ok: false, errors };
  }
  const path = attempt(() => locateScenarioFile(nameOrFile, options.cwd ?? process.cwd()));
  const raw = path === undefined ? undefined : attempt(() => ({ value: readScenarioRaw(path) }));
  if (path === undefined || raw === undefined) return { ok: false, errors };
  const input = applyExtends(raw.value, path, errors);
  if (errors.length) return { ok: false, errors };
  const parsed = ScenarioSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodIssuesToErrors(parsed.error, path, input) };
  const spec = parsed.data;
  const cwd = dirname(path);
  const traceCache = options.traceCache ?? new Map<string, TraceSeries>();
  spec.nodes.forEach((node) => attempt(() => loadTrace(node.trace, node.name, cwd, traceCache)));
  if (spec.mobility.kind === 'gps') {
    const m = spec.mobility;
    attempt(() => readGpsCsv(resolveDataPath(m.file, cwd), m.columns, m.origin, gpsFilter(m)));
  }
  const fromGps = spec.mobility.kind === 'highway' ? spec.mobility.route?.fromGps : undefined;
  if (fromGps) attempt(() => readGpsCsv(resolveDataPath(fromGps.file, cwd), fromGps.columns, undefined, gpsFilter(fromGps)));
  if (errors.length) return { ok: false, errors };
  const sc = attempt(() => resolveScenario(spec, path, { ...options, traceCache, cwd }));
  return sc ? { ok: true, scenario: sc } : { ok: false, errors };
}

/** Load traces and geometry for a validated scenario. */
export function resolveScenario(spec: Scenario, source: string, options: LoadScenarioOptions & { cwd: string }): ResolvedScenario {
  const cwd = options.cwd;
  // Nodes sharing a trace file (shifted copies, e.g. metro-100's 100 nodes over 4 files) read it once.
  const traceCache = options.traceCache ?? new Map<string, TraceSeries>();
  const traces = spec.nodes.map((node) => loadTrace(node.trace, node.name, cwd, traceCache));
  const shiftSeconds = Float64Array.from(spec.nodes.map((node) => node.trace.shiftSeconds));
  const { nodeX, nodeY, gpsTrack, road, projectionOrigin } = resolveGeometry(spec, source, cwd);
  let fleetTracks: GpsTrack[] | undefined;
  const arrivals = spec.users?.arrivals;
  if (arrivals?.kind === 'gps-pool') {
    if (spec.mobility.kind !== 'gps' || !gpsTrack) throw new InvalidInputError({ source, field: 'users.arrivals.kind', expected: 'gps-pool only with mobility.kind gps (its columns and origin read the pool)', actual: `gps-pool with mobility.kind ${spec.mobility.kind}` });
    const m = spec.mobility;
    const origin = { lat: gpsTrack.originLat, lon: gpsTrack.originLon };
    fleetTracks = arrivals.tracks.map((t) => {
      const filter = m.columns.trackColumn !== undefined && t.track !== undefined ? { column: m.columns.trackColumn, id: String(t.track) } : undefined;
      return readGpsCsv(resolveDataPath(t.file, cwd), m.columns, origin, filter);
    });
  }
  const traceSpanSeconds = Math.max(...traces.map(seriesSeconds));
  const { heldOutDay, testDays, validationDays, dailyMeanLoad, pickTraceStart } = chooseDays(spec, source, traces, shiftSeconds, traceSpanSeconds);
  return { spec, source, traces, shiftSeconds, nodeX, nodeY, gpsTrack, road, projectionOrigin, fleetTracks, traceSpanSeconds, heldOutDay, testDays, validationDays, dailyMeanLoad, pickTraceStart };
}
