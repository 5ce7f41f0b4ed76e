/**
 * What a scenario's data looks like (`remora scenario show`): per node the Eq. 2 load's mean, p95 and share
 * of time above L_max over the trace range its episodes draw from; the trip length in steps; the noise-free RTT
 * range along the trip; the mean episode length under `never`, `follow-me` and the oracle; and warnings for
 * degenerate scenarios (a node always above L_max, episodes shorter than {@link MIN_MEAN_EPISODE_STEPS} steps).
 */
import { DAY_S, nodeLoad, pointAlong, rowAt, type ResolvedScenario } from '../twin/index.js';
import { evaluatePolicy, type OracleCache } from './evaluate/evaluate.js';
import { resolvePolicy } from './policies.js';

/** A mean episode length under this many steps is reported as degenerate. */
export const MIN_MEAN_EPISODE_STEPS = 5;
/** Policies whose mean episode length is reported. */
export const DESCRIBE_POLICIES = ['never', 'follow-me', 'oracle'] as const;

export interface NodeLoadStats {
  name: string;
  /** Mean and 95th percentile of the noise-free Eq. 2 load on the episodes' trace range. */
  meanLoad: number;
  p95Load: number;
  /** Share of that range with the load above L_max, percent. */
  pctAboveLMax: number;
}

export interface ScenarioDescription {
  /** The trace range the load statistics cover (which days the episodes start in). */
  traceRange: string;
  /** Trace times sampled (one per `traceSecondsPerStep`). */
  samples: number;
  nodes: NodeLoadStats[];
  /** Steps to drive one trip end to end (range over the drawn speeds for highway mobility), before `maxSteps`. */
  tripSteps: { min: number; max: number };
  /** Noise-free RTT along the trip, ms: to the nearest node, and over all nodes. */
  rttMs: { nearest: { min: number; max: number }; all: { min: number; max: number } };
  /** Mean steps per episode under each of {@link DESCRIBE_POLICIES}, over `episodes` episodes. */
  meanEpisodeSteps: Record<string, number>;
  episodes: number;
  warnings: string[];
}

/** Trace-time intervals `[a, b)` the scenario's episodes draw their load from. */
function traceIntervals(sc: ResolvedScenario): { label: string; intervals: [number, number][] } {
  const w = sc.spec.workload;
  const days = (list: number[]) => list.map((d): [number, number] => [d * DAY_S, (d + 1) * DAY_S]);
  if (w.start === 'held-out-day') {
    const a = sc.heldOutDay! * DAY_S + w.offsetSeconds;
    return { label: `held-out day ${sc.heldOutDay} from ${w.offsetSeconds} s`, intervals: [[a, a + (sc.spec.maxSteps + 1) * w.traceSecondsPerStep]] };
  }
  if (w.start === 'validation') return { label: `validation days ${sc.validationDays.join(', ')}`, intervals: days(sc.validationDays) };
  if (w.start === 'test') return { label: `test days ${sc.testDays.join(', ')}`, intervals: days(sc.testDays) };
  const excluded = new Set([...sc.testDays, ...sc.validationDays]);
  const nDays = Math.max(1, Math.ceil(sc.traceSpanSeconds / DAY_S));
  const out: [number, number][] = [];
  for (let d = 0; d < nDays; d++) if (!excluded.has(d)) out.push([d * DAY_S, Math.min(sc.traceSpanSeconds, (d + 1) * DAY_S)]);
  if (out.length === 0) return { label: 'the whole trace (too short to exclude the held-out days)', intervals: [[0, sc.traceSpanSeconds]] };
  return { label: excluded.size ? `the trace without test/validation days ${[...excluded].sort((x, y) => x - y).join(', ')}` : 'the whole trace', intervals: out };
}

function p95(xs: Float64Array): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(0.95 * s.length) - 1))] ?? Number.NaN;
}

const round = (x: number, d = 3) => Number(x.toFixed(d));

/** Describe a resolved scenario's data; runs `episodes` episodes of each of {@link DESCRIBE_POLICIES} (seed `seed`). */
export async function describeScenario(sc: ResolvedScenario, opts: { episodes?: number; seed?: number; cwd?: string } = {}): Promise<ScenarioDescription> {
  const spec = sc.spec;
  const episodes = opts.episodes ?? 20;
  const lMax = spec.sla.load.max;
  const { label, intervals } = traceIntervals(sc);
  const dt = spec.workload.traceSecondsPerStep;
  const times: number[] = [];
  for (const [a, b] of intervals) for (let t = a; t < b; t += dt) times.push(t);
  const warnings: string[] = [];
  const nodes = spec.nodes.map((node, j): NodeLoadStats => {
    const tr = sc.traces[j]!;
    const loads = new Float64Array(times.length);
    let above = 0, sum = 0;
    times.forEach((t, i) => {
      const r = rowAt(tr, t + sc.shiftSeconds[j]!);
      const l = nodeLoad(tr.cpu[r]!, tr.mem[r]!);
      loads[i] = l;
      sum += l;
      if (l > lMax) above++;
    });
    const pct = times.length ? (100 * above) / times.length : 0;
    if (times.length && above === times.length) warnings.push(`node ${node.name} is always above L_max = ${lMax} (load mean ${round(sum / times.length, 2)}): serving there always breaks the SLA`);
    return { name: node.name, meanLoad: round(sum / Math.max(1, times.length)), p95Load: round(p95(loads)), pctAboveLMax: round(pct, 2) };
  });
  // Trip: positions sampled along it, and its length in steps.
  const m = spec.mobility;
  const pts: [number, number][] = [];
  let tripSteps: { min: number; max: number };
  if (m.kind === 'highway') {
    const road = sc.road!;
    const len = road.lengthM;
    const round2 = m.roundTrip === true || (typeof m.roundTrip === 'number' && m.roundTrip > 0);
    const steps = (kmh: number, twice: boolean) => Math.ceil(((twice ? 2 : 1) * len) / (kmh / 3.6) / spec.stepSeconds);
    tripSteps = { min: steps(m.speedKmh.max, m.roundTrip === true), max: steps(m.speedKmh.min, round2) };
    const at = new Float64Array(2);
    for (let i = 0; i <= 200; i++) {
      pointAlong(road.forward, (len * i) / 200, at);
      pts.push([at[0]!, at[1]!]);
    }
    // A route's corners too, which even sampling can step over.
    for (let i = 1; i < road.forward.xM.length - 1; i++) pts.push([road.forward.xM[i]!, road.forward.yM[i]!]);
  } else {
    const g = sc.gpsTrack!;
    const s = Math.ceil(g.tS[g.tS.length - 1]! / spec.stepSeconds);
    tripSteps = { min: s, max: s };
    for (let i = 0; i < g.tS.length; i++) pts.push([g.xM[i]!, g.yM[i]!]);
  }
  const rtt = spec.rtt;
  let nMin = Infinity, nMax = -Infinity, aMin = Infinity, aMax = -Infinity;
  for (const [x, y] of pts) {
    let best = Infinity;
    for (let j = 0; j < sc.nodeX.length; j++) {
      const v = rtt.baseMs + rtt.slopeMsPerM * Math.hypot(x - sc.nodeX[j]!, y - sc.nodeY[j]!);
      best = Math.min(best, v);
      aMin = Math.min(aMin, v);
      aMax = Math.max(aMax, v);
    }
    nMin = Math.min(nMin, best);
    nMax = Math.max(nMax, best);
  }
  const meanEpisodeSteps: Record<string, number> = {};
  const cache: OracleCache = new Map();
  for (const p of episodes > 0 ? DESCRIBE_POLICIES : []) {
    const policy = await resolvePolicy(p, { seed: opts.seed ?? 1, scenario: sc }, opts.cwd ?? process.cwd());
    const steps = evaluatePolicy(policy, sc, { episodes, seed: opts.seed ?? 1 }, cache).metrics.steps;
    meanEpisodeSteps[p] = round(steps, 2);
    if (steps < MIN_MEAN_EPISODE_STEPS) warnings.push(`episodes under ${p} last ${round(steps, 2)} steps on average (< ${MIN_MEAN_EPISODE_STEPS}): check the load noise, L_max and the trip`);
  }
  return {
    traceRange: label,
    samples: times.length,
    nodes,
    tripSteps,
    rttMs: { nearest: { min: round(nMin), max: round(nMax) }, all: { min: round(aMin), max: round(aMax) } },
    meanEpisodeSteps,
    episodes,
    warnings,
  };
}
