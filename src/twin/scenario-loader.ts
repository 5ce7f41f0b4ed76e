/**
 * Scenario files (JSON or YAML, optionally `extends: <built-in>`) and resolution: validation, traces loaded,
 * geometry projected, held-out day chosen. The built-ins and their calibration live in `builtin-scenarios.ts`.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { escapeText, InvalidInputError, NotFoundError, RemoraError, renderValue } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { parseWith, zodIssuesToErrors } from '../core/validate.js';
import { makeRoad, projectToMetres, readGpsCsv, type GpsTrack, type GpsTrackFilter, type Road } from './mobility.js';
import { nodeLoad } from '../core/reward.js';
import { deepMerge, ScenarioSchema, type Scenario, type ScenarioInput, type TraceRef } from './scenario-schema.js';
import { syntheticTrace } from './synthetic-traces.js';
import { MAX_SCENARIO_BYTES, readTextFile } from './text-input.js';
import { readCsvTrace, readFollowMeTrace, readGoogle2011Job, readGoogle2019Cell, rowAt, seriesSeconds, type TraceSeries } from './traces.js';

import { BUILTIN_OVERLAYS, BUILTIN_SCENARIOS, DAY_S } from './builtin-scenarios.js';

/** The package's `data/` folder (works from `src/twin` under tsx and from `dist/twin` once built). */
export const BUILTIN_DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

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

/** The track filter of a GPS source (`columns.trackColumn` + `track`), if any. */
function gpsFilter(m: { columns: { trackColumn?: string }; track?: string | number }): GpsTrackFilter | undefined {
  return m.columns.trackColumn !== undefined && m.track !== undefined ? { column: m.columns.trackColumn, id: String(m.track) } : undefined;
}

function resolveDataPath(p: string, cwd: string): string {
  if (p.startsWith('builtin:')) return resolvePath(BUILTIN_DATA_DIR, p.slice('builtin:'.length));
  return isAbsolute(p) ? p : resolvePath(cwd, p);
}

function loadTrace(ref: TraceRef, name: string, cwd: string, cache?: Map<string, TraceSeries>): TraceSeries {
  const key = JSON.stringify({ ...ref, shiftSeconds: 0, cwd });
  const hit = cache?.get(key);
  if (hit) return hit;
  let s: TraceSeries;
  switch (ref.format) {
    case 'follow-me':
      s = readFollowMeTrace(resolveDataPath(ref.file, cwd), name, ref.sampleSeconds);
      break;
    case 'google2011-job':
      s = readGoogle2011Job(resolveDataPath(ref.dir, cwd), ref.job, name);
      break;
    case 'google2019-cell':
      s = readGoogle2019Cell(resolveDataPath(ref.file, cwd), name);
      break;
    case 'csv':
      s = readCsvTrace(resolveDataPath(ref.file, cwd), name, ref);
      break;
    case 'synthetic':
      s = syntheticTrace(ref, name);
      break;
  }
  cache?.set(key, s);
  return s;
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
  const days = Math.max(1, Math.floor(traceSpanSeconds / DAY_S));
  const dailyMeanLoad = dailyLoads(spec, traces, shiftSeconds, days);
  const w = spec.workload;
  let heldOutDay: number | null = null;
  if (w.heldOutDay === 'heaviest') heldOutDay = dailyMeanLoad.indexOf(Math.max(...dailyMeanLoad));
  else if (typeof w.heldOutDay === 'number') {
    if (w.heldOutDay >= days) throw new InvalidInputError({ source, field: 'workload.heldOutDay', expected: `a day index < ${days}`, actual: String(w.heldOutDay) });
    heldOutDay = w.heldOutDay;
  }
  if (w.start === 'held-out-day' && heldOutDay === null) {
    throw new InvalidInputError({ source, field: 'workload.heldOutDay', expected: "'heaviest' or a day index when workload.start is 'held-out-day'", actual: '"none"' });
  }
  const testDays = [...(heldOutDay === null ? [] : [heldOutDay]), ...w.testDays];
  const checkDays = (field: 'testDays' | 'validationDays', list: number[], others: number[]) => {
    for (const [i, d] of list.entries()) {
      if (d >= days) throw new InvalidInputError({ source, field: `workload.${field}.${i}`, expected: `a day index < ${days}`, actual: String(d) });
      if (others.includes(d)) throw new InvalidInputError({ source, field: `workload.${field}.${i}`, expected: 'a day that is not also a test day', actual: String(d) });
    }
  };
  checkDays('testDays', w.testDays, heldOutDay === null ? [] : [heldOutDay]);
  checkDays('validationDays', w.validationDays, testDays);
  if (w.start === 'validation' && w.validationDays.length === 0) {
    throw new InvalidInputError({ source, field: 'workload.validationDays', expected: "at least one day when workload.start is 'validation'", actual: '[]' });
  }
  if (w.start === 'test' && testDays.length === 0) {
    throw new InvalidInputError({ source, field: 'workload.testDays', expected: "a test day (heldOutDay or testDays) when workload.start is 'test'", actual: '[]' });
  }
  // Training starts avoid every segment that overlaps a test day or a validation day.
  const excluded = [...new Set([...testDays, ...w.validationDays])].sort((x, y) => x - y);
  const withinDay = (rng: Rng, list: number[], need: number) => list[rng.int(list.length)]! * DAY_S + rng.uniform() * Math.max(0, DAY_S - need);
  const pickTraceStart = (rng: Rng, steps: number): number => {
    const need = (steps + 1) * w.traceSecondsPerStep;
    if (w.start === 'held-out-day') return heldOutDay! * DAY_S + w.offsetSeconds;
    if (w.start === 'validation') return withinDay(rng, w.validationDays, need);
    if (w.start === 'test') return withinDay(rng, testDays, need);
    // Uniform over [0, span - need] minus the starts whose segment overlaps an excluded day.
    const hi = Math.max(0, traceSpanSeconds - need);
    if (excluded.length === 0) return rng.uniform() * hi;
    const allowed: [number, number][] = [];
    let from = 0;
    for (const d of excluded) {
      const a = Math.max(0, Math.min(hi, d * DAY_S - need));
      const b = Math.min(hi, (d + 1) * DAY_S);
      if (a > from) allowed.push([from, a]);
      from = Math.max(from, b);
    }
    if (hi > from) allowed.push([from, hi]);
    const total = allowed.reduce((acc, [a, b]) => acc + (b - a), 0);
    if (total <= 0) return rng.uniform() * hi; // trace too short to exclude the days; documented fallback
    let u = rng.uniform() * total;
    for (const [a, b] of allowed) {
      if (u < b - a) return a + u;
      u -= b - a;
    }
    return allowed[allowed.length - 1]![1];
  };
  return { spec, source, traces, shiftSeconds, nodeX, nodeY, gpsTrack, road, projectionOrigin, fleetTracks, traceSpanSeconds, heldOutDay, testDays, validationDays: [...w.validationDays], dailyMeanLoad, pickTraceStart };
}

type Geometry = Pick<ResolvedScenario, 'nodeX' | 'nodeY' | 'gpsTrack' | 'road' | 'projectionOrigin'>;

/**
 * Node positions and the user's path in one planar frame (metres). `gps` mobility: the frame of the track (origin:
 * `mobility.origin` or its first fix). `highway`: metres as written; lat/lon nodes and waypoints (and a
 * `route.fromGps` track) are projected onto the plane tangent at `mobility.origin`, by default the centroid of those
 * lat/lon positions (mean latitude and longitude: a choice that keeps every point within half the scenario's extent
 * of the origin, where the projection is most accurate; see `projectToMetres`). A frame that mixes metres and
 * degrees needs `origin`, since nothing else says where x = y = 0 lies.
 */
function resolveGeometry(spec: Scenario, source: string, cwd: string): Geometry {
  const n = spec.nodes.length;
  const nodeX = new Float64Array(n), nodeY = new Float64Array(n);
  const p = new Float64Array(2);
  const m = spec.mobility;
  let gpsTrack: GpsTrack | undefined, road: Road | undefined;
  let origin: { lat: number; lon: number } | undefined;
  if (m.kind === 'gps') {
    gpsTrack = readGpsCsv(resolveDataPath(m.file, cwd), m.columns, m.origin, gpsFilter(m));
    origin = { lat: gpsTrack.originLat, lon: gpsTrack.originLon };
  } else {
    const route = m.route;
    const track = route?.fromGps ? readGpsCsv(resolveDataPath(route.fromGps.file, cwd), route.fromGps.columns, undefined, gpsFilter(route.fromGps)) : undefined;
    const lats: number[] = [], lons: number[] = [];
    let metres: string | undefined;
    spec.nodes.forEach((node, j) => {
      if (!(node.xM !== undefined && node.yM !== undefined)) {
        lats.push(node.lat!);
        lons.push(node.lon!);
      } else metres ??= `nodes.${j}`;
    });
    route?.waypoints?.forEach((w, i) => {
      if (w.lat !== undefined && w.lon !== undefined) {
        lats.push(w.lat);
        lons.push(w.lon);
      } else metres ??= `mobility.route.waypoints.${i}`;
    });
    if (track) {
      lats.push(...track.lat);
      lons.push(...track.lon);
    }
    if (!route) metres ??= 'mobility.fromXM';
    if (lats.length) {
      if (!m.origin && metres) {
        throw new InvalidInputError({ source, field: 'mobility.origin', expected: `the lat/lon of x = y = 0, since ${metres} is in metres while other positions are in degrees`, actual: 'none' });
      }
      origin = m.origin ?? { lat: mean(lats), lon: mean(lons) };
    }
    const xs: number[] = [], ys: number[] = [];
    if (!route) {
      xs.push(m.fromXM!, m.toXM!);
      ys.push(m.yM ?? 0, m.yM ?? 0);
    } else if (route.waypoints) {
      for (const w of route.waypoints) {
        if (w.xM !== undefined && w.yM !== undefined) {
          xs.push(w.xM);
          ys.push(w.yM);
        } else {
          projectToMetres(w.lat!, w.lon!, origin!.lat, origin!.lon, p);
          xs.push(p[0]!);
          ys.push(p[1]!);
        }
      }
    } else {
      for (let i = 0; i < track!.lat.length; i++) {
        projectToMetres(track!.lat[i]!, track!.lon[i]!, origin!.lat, origin!.lon, p);
        xs.push(p[0]!);
        ys.push(p[1]!);
      }
    }
    road = makeRoad(xs, ys, source, route ? (route.waypoints ? 'mobility.route.waypoints' : `mobility.route.fromGps (${track!.source})`) : 'mobility.toXM');
  }
  spec.nodes.forEach((node, j) => {
    if (node.xM !== undefined && node.yM !== undefined) {
      nodeX[j] = node.xM;
      nodeY[j] = node.yM;
    } else {
      projectToMetres(node.lat!, node.lon!, origin!.lat, origin!.lon, p);
      nodeX[j] = p[0]!;
      nodeY[j] = p[1]!;
    }
  });
  return { nodeX, nodeY, gpsTrack, road, projectionOrigin: origin };
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function dailyLoads(spec: Scenario, traces: TraceSeries[], shift: Float64Array, days: number): number[] {
  const dt = spec.workload.traceSecondsPerStep;
  const out: number[] = [];
  for (let d = 0; d < days; d++) {
    let sum = 0, cnt = 0;
    for (let tau = d * DAY_S; tau < (d + 1) * DAY_S; tau += dt) {
      for (let j = 0; j < traces.length; j++) {
        const tr = traces[j]!;
        const r = rowAt(tr, tau + shift[j]!);
        sum += nodeLoad(tr.cpu[r]!, tr.mem[r]!);
        cnt++;
      }
    }
    out.push(sum / cnt);
  }
  return out;
}
