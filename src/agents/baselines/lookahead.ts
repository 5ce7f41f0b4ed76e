/**
 * `lookahead`: a model-predictive rule. Each step it forecasts the next H steps of every node's RTT and load from
 * the observations it has kept since `reset()`, plans over them exactly with the twin's own reward and migration
 * models (`lookahead-plan.ts`: Eq. 8, and in the edge model the pre-copy time, the switch-over spike and the
 * traffic cost), and plays the plan's first action. Replanning every step makes it a receding-horizon controller.
 *
 * Forecasts (the observation carries no position, so the trend is all there is):
 * - RTT `linear`: the least-squares line through the last `trendWindow` observations of each node, extrapolated;
 *   `range`: the twin's RTT is `base + slope · distance` and a car on a straight road at constant speed has a squared
 *   distance quadratic in time, so it fits a parabola to `(R − base)²` and extrapolates that (it bends at the
 *   closest approach, where a line overshoots); `hold`: the last value. Forecasts are clipped to
 *   [`rttBaseMs`, the largest observed RTT · 10], so Eq. 4's ratios stay finite.
 * - load `hold` (the last value: Borg-like traces change slowly against a horizon of a few steps) or `linear`
 *   (the least-squares trend, clipped to [1, 10⁴], Eq. 2's range).
 * With H = 1 and free, instant migrations the plan is one step of Eq. 8 under the current observation: `greedy`'s
 * choice when a breach does not end the episode, and `sla-greedy`'s when it does (the planner never ends an episode
 * on purpose while an action inside the SLA exists); same ties (Wait, then the lower index). Longer horizons see a
 * breach or a better node coming and move before it, or skip a move that would not pay for its traffic and
 * downtime in time.
 *
 * Defaults, chosen on the validation days only (`sr111-validation`, `sr111-validation-roundtrip` and their edge
 * twins, 20 episodes, eval seed 1000; docs/results.md has the grid): H = 16 steps (80 s: in the edge model a
 * 2-step pre-copy, a switch-over spike of about −13 reward and the traffic cost only pay for themselves over
 * 10+ steps, and H = 8 waited for breaches instead), 10 tail steps, an 8-observation linear RTT trend (4 was noisy
 * enough to see a node's RTT flat while it fell), loads held (`linear` was no better).
 */
import { z } from 'zod';
import type { Policy } from '../../core/env.js';
import { MAX_LOAD, type RewardParams } from '../../core/reward.js';
import { parseWith } from '../../core/validate.js';
import { INSTANT_MIGRATION, LookaheadPlanner, type Forecast, type MigrationModel } from './lookahead-plan.js';

export const LookaheadConfigSchema = z
  .object({
    /** H: steps planned ahead, the current one included (chosen on the validation days, docs/results.md). */
    horizonSteps: z.number().int().min(1).max(200).default(16),
    /** Observations per node the trend is fitted to (the policy keeps this many between calls). */
    trendWindow: z.number().int().min(2).max(64).default(8),
    /** Steps of the last forecast step's reward credited beyond the horizon to the node a plan ends on (0: none). */
    tailSteps: z.number().min(0).max(1000).default(10),
    rttForecast: z.enum(['linear', 'range', 'hold']).default('linear'),
    loadForecast: z.enum(['hold', 'linear']).default('hold'),
    /** Lowest RTT a forecast may reach, ms (the twin's `rtt.baseMs`: RTT at zero distance). */
    rttBaseMs: z.number().min(0).default(1),
  })
  .strict();
export type LookaheadConfig = z.infer<typeof LookaheadConfigSchema>;

export class LookaheadPolicy implements Policy {
  readonly name = 'lookahead';
  readonly config: LookaheadConfig;
  private readonly planner: LookaheadPlanner;
  /** Ring of the last `trendWindow` observations: `[slot·n + j]`. */
  private readonly pastRtt: Float64Array;
  private readonly pastLoad: Float64Array;
  private kept = 0;
  private head = 0;
  private readonly forecast: Forecast;

  /**
   * @param nodes N.
   * @param migration the scenario's migration model ({@link INSTANT_MIGRATION}, the paper's, when omitted).
   */
  constructor(config: Partial<LookaheadConfig>, private readonly params: RewardParams, private readonly nodes: number, migration: MigrationModel = INSTANT_MIGRATION, source = 'lookahead config') {
    this.config = parseWith(LookaheadConfigSchema, config, source);
    this.planner = new LookaheadPlanner(params, migration, this.config.tailSteps);
    const w = this.config.trendWindow, H = this.config.horizonSteps;
    this.pastRtt = new Float64Array(w * nodes);
    this.pastLoad = new Float64Array(w * nodes);
    this.forecast = { n: nodes, horizon: H, rttMs: new Float64Array(H * nodes), load: new Float64Array(H * nodes) };
  }

  reset(): void {
    this.kept = 0;
    this.head = 0;
  }

  act(observation: Float64Array, actionMask: Uint8Array): number {
    const n = this.nodes;
    this.remember(observation);
    const current = observation[0]!;
    let anyMove = false;
    for (let j = 1; j <= n; j++) if (j !== current && actionMask[j] === 1) anyMove = true;
    if (!anyMove) return 0; // a migration in flight (or every target capped): Wait is the only action
    this.predict();
    return this.planner.firstAction(this.forecast, current, actionMask);
  }

  private remember(obs: Float64Array): void {
    const n = this.nodes, w = this.config.trendWindow;
    for (let j = 0; j < n; j++) {
      this.pastRtt[this.head * n + j] = obs[1 + j]!;
      this.pastLoad[this.head * n + j] = obs[1 + n + j]!;
    }
    this.head = (this.head + 1) % w;
    if (this.kept < w) this.kept++;
  }

  /** Fill the forecast: row 0 is the observation, rows 1..H-1 the extrapolated trend. */
  private predict(): void {
    const n = this.nodes, H = this.config.horizonSteps, c = this.config;
    const f = this.forecast;
    for (let j = 0; j < n; j++) {
      let maxRtt = 0;
      for (let i = 0; i < this.kept; i++) maxRtt = Math.max(maxRtt, this.pastRtt[this.slot(i) * n + j]!);
      const rtt = this.extrapolator(this.pastRtt, j, c.rttForecast);
      const load = this.extrapolator(this.pastLoad, j, c.loadForecast);
      for (let h = 0; h < H; h++) {
        f.rttMs[h * n + j] = clamp(rtt(h), c.rttBaseMs, 10 * maxRtt);
        f.load[h * n + j] = clamp(load(h), 1, MAX_LOAD);
      }
    }
  }

  /** Ring slot of the i-th kept observation, oldest first (i = kept-1 is the current one). */
  private slot(i: number): number {
    const w = this.config.trendWindow;
    return (this.head - this.kept + i + w) % w;
  }

  /** The value at h steps after the current observation, under `kind`, for node j of a ring. */
  private extrapolator(ring: Float64Array, j: number, kind: 'linear' | 'range' | 'hold'): (h: number) => number {
    const n = this.nodes, m = this.kept;
    const last = ring[this.slot(m - 1) * n + j]!;
    if (kind === 'hold' || m < 2) return () => last;
    // x = step offset from the current observation (0, -1, ..., -(m-1)).
    const xs = (i: number) => i - (m - 1);
    if (kind === 'linear') {
      const { b } = fitLine(m, xs, (i) => ring[this.slot(i) * n + j]!);
      return (h) => last + b * h;
    }
    const base = this.config.rttBaseMs;
    const sq = (i: number) => (ring[this.slot(i) * n + j]! - base) ** 2;
    if (m < 3) {
      const { b } = fitLine(m, xs, sq);
      const y0 = (last - base) ** 2;
      return (h) => base + Math.sqrt(Math.max(0, y0 + b * h));
    }
    const { a, b, c } = fitParabola(m, xs, sq);
    // Anchor on the current observation, so the forecast starts where the user is and only its shape is fitted.
    const shift = (last - base) ** 2 - a;
    return (h) => base + Math.sqrt(Math.max(0, a + shift + b * h + c * h * h));
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Least squares `y ≈ a + b·x` over i = 0..m-1. */
function fitLine(m: number, x: (i: number) => number, y: (i: number) => number): { a: number; b: number } {
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < m; i++) {
    const xi = x(i), yi = y(i);
    sx += xi;
    sy += yi;
    sxx += xi * xi;
    sxy += xi * yi;
  }
  const den = m * sxx - sx * sx;
  const b = den === 0 ? 0 : (m * sxy - sx * sy) / den;
  return { a: (sy - b * sx) / m, b };
}

/** Least squares `y ≈ a + b·x + c·x²` over i = 0..m-1 (normal equations, Cramer's rule). */
function fitParabola(m: number, x: (i: number) => number, y: (i: number) => number): { a: number; b: number; c: number } {
  let s1 = 0, s2 = 0, s3 = 0, s4 = 0, t0 = 0, t1 = 0, t2 = 0;
  for (let i = 0; i < m; i++) {
    const xi = x(i), yi = y(i), x2 = xi * xi;
    s1 += xi;
    s2 += x2;
    s3 += x2 * xi;
    s4 += x2 * x2;
    t0 += yi;
    t1 += xi * yi;
    t2 += x2 * yi;
  }
  const det3 = (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, k: number) => a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g);
  const D = det3(m, s1, s2, s1, s2, s3, s2, s3, s4);
  if (Math.abs(D) < 1e-12) {
    const l = fitLine(m, x, y);
    return { ...l, c: 0 };
  }
  return {
    a: det3(t0, s1, s2, t1, s2, s3, t2, s3, s4) / D,
    b: det3(m, t0, s2, s1, t1, s3, s2, t2, s4) / D,
    c: det3(m, s1, t0, s1, s2, t1, s2, s3, t2) / D,
  };
}
