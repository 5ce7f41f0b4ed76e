/**
 * Evaluation: run policies on identical held-out episodes and measure them against the exact oracle.
 * Every number here is reproducible: the same scenario, seed and episode count give the same episodes.
 */
import type { Policy } from '../../core/env.js';
import { makeEnv, oracleReturn, type ResolvedScenario, type TwinInfo } from '../../twin/index.js';
import { rollout } from './rollout.js';

export interface PolicyMetrics {
  policy: string;
  episodes: number;
  /** Mean undiscounted episode return. */
  return: number;
  /** Mean oracle return on the same episodes. */
  oracleReturn: number;
  /**
   * 100 · (1 − (Σoracle − Σreturn) / |Σoracle|): 100 means optimal; equals Σreturn/Σoracle·100 when Σoracle > 0.
   * Divides by the oracle's return, so it explodes when that is near 0 (a GPS scenario gave −276,396 %); see
   * {@link PolicyMetrics.pctOfOracleUnstable} and use `regret` there.
   */
  pctOfOracle: number;
  /** Mean steps per episode. */
  steps: number;
  /** Steps (over all episodes) where the serving node's RTT > R_max or load > L_max. */
  slaViolations: number;
  /** The same, in seconds (steps × the scenario's step length), per episode on average. */
  violationSeconds: number;
  /** Switch-over blackout (edge model), seconds, per episode on average (0 in the paper's model). */
  downtimeSeconds: number;
  /** Mean regret per episode, `oracle − return`, in reward units (0 = optimal; stable when the oracle's return is near 0). */
  regret: number;
  /** Migrations started (over all episodes). */
  migrations: number;
  /** Episodes that ended by termination. */
  terminatedEpisodes: number;
  /** Mean and 95th percentile of the serving node's RTT over all steps, ms. */
  meanRttMs: number;
  p95RttMs: number;
  /** Mean load of the serving node over all steps. */
  meanLoad: number;
  /**
   * True when `pctOfOracle` is not meaningful: the oracle's mean return per episode is below
   * {@link PCT_OF_ORACLE_MIN_RETURN} (1 reward unit) in magnitude, so the percentage divides by almost nothing.
   * Compare policies by `regret` (reward units, stable at any oracle return) then.
   */
  pctOfOracleUnstable: boolean;
}

/**
 * `pctOfOracle` is flagged unstable when |Σoracle| < this × episodes, i.e. the oracle's mean return per episode is
 * under 1 reward unit in magnitude (a deliberate choice). That is of the order of a single step's Eq. 8 reward, so the
 * percentage then divides by less than one step's worth of reward and a small regret becomes a huge percentage.
 */
export const PCT_OF_ORACLE_MIN_RETURN = 1;

/** Whether `pctOfOracle` is unstable for an oracle return summed over `episodes` episodes. */
export function isPctOfOracleUnstable(sumOracleReturn: number, episodes: number): boolean {
  return !(Math.abs(sumOracleReturn) >= PCT_OF_ORACLE_MIN_RETURN * episodes);
}

/** The note printed under a table where some row's `pctOfOracle` is unstable, or null. */
export function unstableNote(rows: readonly PolicyMetrics[]): string | null {
  const flagged = rows.filter((r) => r.pctOfOracleUnstable);
  if (flagged.length === 0) return null;
  return `note: pctOfOracle is unstable (the oracle's return is under ${PCT_OF_ORACLE_MIN_RETURN} reward unit per episode in magnitude) for ${flagged.map((r) => r.policy).join(', ')}; compare by regret\n`;
}

/** One step of a recorded episode (for timelines such as Fig. 6). */
export interface TraceStep {
  t: number;
  /** Node serving when the action was taken (1-based). */
  node: number;
  action: number;
  /** Node serving after the action. */
  servingAfter: number;
  reward: number;
  rttMs: number[];
  load: number[];
  violation: boolean;
  /** UE position after the step, metres (the twin's planar frame; the dashboard's map). */
  xM?: number;
  yM?: number;
}

export interface EvaluateOptions {
  episodes: number;
  seed: number;
  /** Record the first episode step by step. */
  recordFirstEpisode?: boolean;
}

export interface Evaluation {
  metrics: PolicyMetrics;
  /** Per-episode returns. */
  returns: number[];
  oracleReturns: number[];
  trace?: TraceStep[];
}

function percentile(xs: Float64Array, q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i]!;
}

/** Memo of oracle returns keyed by (scenario source, world seed, initial node), shared across policies. */
export type OracleCache = Map<string, number>;

export function evaluatePolicy(policy: Policy, scenario: ResolvedScenario, opts: EvaluateOptions, oracleCache: OracleCache = new Map()): Evaluation {
  const env = makeEnv(scenario);
  const n = env.nodes;
  const rtts: number[] = [];
  let loadSum = 0, violations = 0, migrations = 0, downtime = 0;
  const initialNodes: number[] = [];
  const trace: TraceStep[] = [];
  const episodes = rollout(env, policy, {
    episodes: opts.episodes,
    seed: opts.seed,
    onStep: (s) => {
      const info = s.info as TwinInfo;
      if (s.t === 0) initialNodes.push(s.observation[0]!);
      rtts.push(info.servingRttMs);
      loadSum += info.servingLoad;
      const v = info.rttViolation || info.loadViolation;
      if (v) violations++;
      if (info.migrated) migrations++;
      downtime += info.downtimeSeconds;
      if (opts.recordFirstEpisode && s.episode === 0) {
        trace.push({
          t: s.t, node: s.observation[0]!, action: s.action, servingAfter: info.servingNode, reward: s.reward,
          rttMs: Array.from(s.observation.subarray(1, 1 + n)), load: Array.from(s.observation.subarray(1 + n, 1 + 2 * n)), violation: v,
          xM: info.positionXM, yM: info.positionYM,
        });
      }
    },
  });
  const returns = episodes.map((e) => e.return);
  const oracleReturns = episodes.map((e, i) => {
    const key = `${scenario.source}|${e.worldSeed}|${initialNodes[i]}`;
    let v = oracleCache.get(key);
    if (v === undefined) {
      v = oracleReturn(scenario, e.worldSeed!, initialNodes[i]!);
      oracleCache.set(key, v);
    }
    return v;
  });
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const R = sum(returns), O = sum(oracleReturns);
  const steps = sum(episodes.map((e) => e.steps));
  const rttArr = Float64Array.from(rtts);
  const metrics: PolicyMetrics = {
    policy: policy.name,
    episodes: episodes.length,
    return: R / episodes.length,
    oracleReturn: O / episodes.length,
    pctOfOracle: O === 0 ? (R === 0 ? 100 : Number.NaN) : 100 * (1 - (O - R) / Math.abs(O)),
    steps: steps / episodes.length,
    slaViolations: violations,
    violationSeconds: (violations * scenario.spec.stepSeconds) / episodes.length,
    downtimeSeconds: downtime / episodes.length,
    regret: (O - R) / episodes.length,
    migrations,
    terminatedEpisodes: episodes.filter((e) => e.terminated).length,
    meanRttMs: sum(rtts) / Math.max(1, rtts.length),
    p95RttMs: percentile(rttArr, 0.95),
    meanLoad: loadSum / Math.max(1, rtts.length),
    pctOfOracleUnstable: isPctOfOracleUnstable(O, episodes.length),
  };
  return { metrics, returns, oracleReturns, trace: opts.recordFirstEpisode ? trace : undefined };
}

/**
 * How training scores a checkpoint on the validation days: one scenario by its mean return (the quantity the oracle
 * bounds); several by their mean % of the oracle, since returns of different scenarios are on different scales.
 * `caches` holds one oracle cache per scenario, kept across checkpoints (they all meet the same episodes). `policy`
 * is one policy for every scenario, or builds one per scenario (a residual agent told each scenario's SLA).
 */
export function checkpointScore(policy: Policy | ((scenario: ResolvedScenario) => Policy), scenarios: readonly ResolvedScenario[], opts: EvaluateOptions, caches: readonly OracleCache[]): { key: number; pct: number; ret: number } {
  const ms = scenarios.map((sc, i) => evaluatePolicy(typeof policy === 'function' ? policy(sc) : policy, sc, opts, caches[i]).metrics);
  const mean = (f: (m: PolicyMetrics) => number): number => ms.reduce((a, m) => a + f(m), 0) / ms.length;
  const pct = mean((m) => m.pctOfOracle), ret = mean((m) => m.return);
  return { key: ms.length === 1 ? ret : pct, pct, ret };
}

/** Round every number of a metrics row for printing/JSON (stable output). */
export function roundMetrics(m: PolicyMetrics): PolicyMetrics {
  const r = (x: number, d: number) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);
  return { ...m, return: r(m.return, 4), oracleReturn: r(m.oracleReturn, 4), pctOfOracle: r(m.pctOfOracle, 2), regret: r(m.regret, 4), violationSeconds: r(m.violationSeconds, 1), downtimeSeconds: r(m.downtimeSeconds, 2), steps: r(m.steps, 2), meanRttMs: r(m.meanRttMs, 3), p95RttMs: r(m.p95RttMs, 3), meanLoad: r(m.meanLoad, 3) };
}

/** Table columns, in print order; new columns are appended so scripts reading columns by position keep working. */
export const METRIC_COLUMNS = ['policy', 'return', 'oracleReturn', 'pctOfOracle', 'regret', 'steps', 'slaViolations', 'violationSeconds', 'migrations', 'downtimeSeconds', 'meanRttMs', 'p95RttMs', 'meanLoad', 'pctOfOracleUnstable'] as const;

/** One table row; the `pctOfOracleUnstable` flag prints as `yes` (use `regret`) or `no`. */
export function metricsRow(m: PolicyMetrics): string[] {
  const r = roundMetrics(m);
  return METRIC_COLUMNS.map((c) => (c === 'pctOfOracleUnstable' ? (r[c] ? 'yes' : 'no') : String(r[c])));
}
