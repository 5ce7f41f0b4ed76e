/**
 * Fleet evaluation: every fleet policy on identical fleet episodes (the arrival stream, motion and
 * background load do not depend on the actions), its metrics per user-hour, and each as a percentage of the
 * relaxed bound (`bound.ts`).
 *
 * Metrics, per user-hour (user-hours = user-steps × step seconds / 3600):
 * - SLA-violation seconds (steps whose serving node's RTT > R_max or load > L_max, × step seconds);
 * - migrations started; switch-over downtime seconds;
 * - node-overload seconds (node-ticks whose load, Eq. 2 on the total, exceeds L_max, × step seconds);
 * - migration storms: ticks where, on some node hosting at least `stormMinServices` services, more than
 *   `stormFraction` (default 20 %) of them start to move (the floor keeps 1 of 3 services from counting as one);
 * - admissions refused: arrivals and migrations refused because the node was full; migrations refused by the
 *   caps are reported apart (`capDeferrals`).
 * Raw totals of storms and overload seconds are kept too, for the closing note's counts.
 */
import { z } from 'zod';
import { CoordinationConfigSchema } from '../../agents/coordination.js';
import { fleetRegistry, FLEET_POLICIES, type FleetPolicyContext } from '../../agents/fleet/fleet-policies.js';
import type { FleetPolicy } from '../../core/fleet-env.js';
import { FleetTwin, type ResolvedScenario } from '../../twin/index.js';
import { PALETTE, renderChart } from '../report/plots.js';
import { BoundRecorder, fleetBound } from './bound.js';

/** Metric settings (zod with defaults). */
export const FleetMetricsConfigSchema = z
  .object({
    /** A storm tick: more than this fraction of one node's services start to move. */
    stormFraction: z.number().min(0).max(1).default(0.2),
    /** Nodes with fewer services than this never storm (see the file comment). */
    stormMinServices: z.number().int().min(1).default(5),
  })
  .strict();
export type FleetMetricsConfig = z.infer<typeof FleetMetricsConfigSchema>;

export interface FleetMetrics {
  policy: string;
  episodes: number;
  userHours: number;
  /** Sum of all users' rewards per user-hour, and as % of the relaxed bound (100 · (1 − (B − R) / |B|)). */
  returnPerUserHour: number;
  pctOfBound: number;
  violationSecondsPerUserHour: number;
  migrationsPerUserHour: number;
  downtimeSecondsPerUserHour: number;
  overloadSecondsPerUserHour: number;
  stormsPerUserHour: number;
  admissionsRefusedPerUserHour: number;
  capDeferralsPerUserHour: number;
  /** Totals over all episodes. */
  storms: number;
  overloadSeconds: number;
  admissionsRefused: number;
  migrations: number;
  /** Total return and the bound's, over all episodes. */
  return: number;
  bound: number;
}

export interface FleetEvalOptions {
  episodes: number;
  seed: number;
  metrics?: FleetMetricsConfig;
  /** Replace a fixed population (bench and tests). */
  population?: number;
  /** Called after every tick (progress). */
  onTick?: (episode: number, tick: number) => void;
}

/** The context fleet policies are built with on a scenario. */
export function fleetContext(scenario: ResolvedScenario): FleetPolicyContext {
  const s = scenario.spec;
  return {
    reward: { rttSla: s.sla.rttMs, loadSla: s.sla.load, migrationCost: s.reward.migrationCost },
    coordination: CoordinationConfigSchema.parse({ ...(s.users?.migrationCaps ?? {}) }),
    inFlight: s.observation.inFlight,
    violationPenalty: s.reward.violationPenalty,
  };
}

/** Names fleet `--policies` may take besides a node-seq model file. */
export function fleetPolicyNames(): string[] {
  return fleetRegistry().names();
}

/** A fleet policy by name or node-seq model path. */
export function resolveFleetPolicy(spec: string, scenario: ResolvedScenario, cwd: string): FleetPolicy {
  return fleetRegistry().resolve(spec, fleetContext(scenario), cwd);
}

/** Per tick of the first episode: overloaded nodes, migrations started, users in SLA violation. */
export interface FleetTimeline {
  overloadedNodes: number[];
  migrations: number[];
  violations: number[];
}

export interface FleetRun {
  metrics: Omit<FleetMetrics, 'pctOfBound' | 'bound'>;
  timeline: FleetTimeline;
  /** The relaxed bound per episode, when recorded. */
  bounds?: number[];
}

/** Run `policy` for `episodes` fleet episodes; with `recordBound`, also solve the relaxed bound of each. */
export function runFleet(policy: FleetPolicy, scenario: ResolvedScenario, opts: FleetEvalOptions, recordBound = false): FleetRun {
  const cfg = opts.metrics ?? FleetMetricsConfigSchema.parse({});
  const fleet = new FleetTwin(scenario, 0, { population: opts.population });
  const stepS = scenario.spec.stepSeconds;
  let actions = new Int32Array(1024);
  let userSteps = 0, ret = 0, violations = 0, migrations = 0, downtime = 0, overloadTicks = 0, storms = 0, refused = 0, capDeferrals = 0;
  const bounds: number[] = [];
  const timeline: FleetTimeline = { overloadedNodes: [], migrations: [], violations: [] };
  for (let ep = 0; ep < opts.episodes; ep++) {
    let r = ep === 0 ? fleet.reset({ seed: opts.seed }) : fleet.reset();
    refused += fleet.stats.arrivalsRefused;
    policy.reset();
    const rec = recordBound ? new BoundRecorder() : undefined;
    while (!fleet.done) {
      rec?.record(fleet);
      if (actions.length < r.rows) actions = new Int32Array(2 * r.rows);
      policy.act(r, fleet, actions);
      r = fleet.step(actions);
      const s = fleet.stats;
      userSteps += s.userSteps;
      ret += s.rewardSum;
      violations += s.violations;
      migrations += s.migrationsStarted;
      downtime += s.downtimeSeconds;
      overloadTicks += s.overloadedNodes;
      refused += s.arrivalsRefused + s.refusedFull;
      capDeferrals += s.refusedByCaps;
      if (ep === 0) {
        timeline.overloadedNodes.push(s.overloadedNodes);
        timeline.migrations.push(s.migrationsStarted);
        timeline.violations.push(s.violations);
      }
      for (let j = 0; j < fleet.nodes; j++) {
        const h = s.hostedAtStart[j]!;
        if (h >= cfg.stormMinServices && s.startedFrom[j]! > cfg.stormFraction * h) {
          storms++;
          break;
        }
      }
      opts.onTick?.(ep, r.t);
    }
    if (rec) bounds.push(fleetBound(fleet, rec));
  }
  const userHours = (userSteps * stepS) / 3600;
  const per = (x: number) => (userHours > 0 ? x / userHours : 0);
  return {
    metrics: {
      policy: policy.name,
      episodes: opts.episodes,
      userHours,
      returnPerUserHour: per(ret),
      violationSecondsPerUserHour: per(violations * stepS),
      migrationsPerUserHour: per(migrations),
      downtimeSecondsPerUserHour: per(downtime),
      overloadSecondsPerUserHour: per(overloadTicks * stepS),
      stormsPerUserHour: per(storms),
      admissionsRefusedPerUserHour: per(refused),
      capDeferralsPerUserHour: per(capDeferrals),
      storms,
      overloadSeconds: overloadTicks * stepS,
      admissionsRefused: refused,
      migrations,
      return: ret,
    },
    timeline,
    bounds: recordBound ? bounds : undefined,
  };
}

/** `100 · (1 − (B − R) / |B|)`: 100 at the bound (the same form as `pctOfOracle`). */
export function pctOf(ret: number, bound: number): number {
  return bound === 0 ? (ret === 0 ? 100 : Number.NaN) : 100 * (1 - (bound - ret) / Math.abs(bound));
}

export interface CompareFleetOptions extends FleetEvalOptions {
  /** The policy whose realised loads the bound relaxes around. Default `sla-greedy+coord`. */
  boundReference?: string;
  cwd: string;
  /** Called when a policy is done (progress). */
  onPolicy?: (spec: string, seconds: number) => void;
}

/** Every policy in `specs` on identical episodes, each against the relaxed bound. */
export function compareFleet(scenario: ResolvedScenario, specs: readonly string[], opts: CompareFleetOptions): { bound: number; rows: FleetMetrics[]; timelines: { policy: string; timeline: FleetTimeline }[] } {
  const refSpec = opts.boundReference ?? 'sla-greedy+coord';
  const runs = new Map<string, FleetRun>();
  const timed = (spec: string, recordBound: boolean): FleetRun => {
    const t0 = performance.now();
    const run = runFleet(resolveFleetPolicy(spec, scenario, opts.cwd), scenario, opts, recordBound);
    opts.onPolicy?.(spec, (performance.now() - t0) / 1000);
    return run;
  };
  const ref = timed(refSpec, true);
  runs.set(refSpec, ref);
  const bound = ref.bounds!.reduce((a, b) => a + b, 0);
  const rows: FleetMetrics[] = [];
  const timelines: { policy: string; timeline: FleetTimeline }[] = [];
  for (const spec of specs) {
    const run = runs.get(spec) ?? timed(spec, false);
    runs.set(spec, run);
    rows.push({ ...run.metrics, policy: spec, bound, pctOfBound: pctOf(run.metrics.return, bound) });
    timelines.push({ policy: spec, timeline: run.timeline });
  }
  return { bound, rows, timelines };
}

/** The first episode's timeline of every policy as an SVG: overloaded nodes, migrations started and users in violation per tick. */
export function fleetTimelineSvg(scenario: ResolvedScenario, timelines: readonly { policy: string; timeline: FleetTimeline }[]): string {
  const minutes = (n: number) => Array.from({ length: n }, (_, t) => ((t + 1) * scenario.spec.stepSeconds) / 60);
  const series = (pick: (tl: FleetTimeline) => number[]) => timelines.map(({ policy, timeline }, i) => {
    const y = pick(timeline);
    return { name: policy, x: minutes(y.length), y, color: PALETTE[i % PALETTE.length], step: true };
  });
  return renderChart({
    title: `${scenario.spec.name}: the first episode, per tick`,
    xLabel: 'time [min]',
    panels: [
      { title: 'Overloaded nodes (load > L_max)', yLabel: 'nodes', series: series((tl) => tl.overloadedNodes) },
      { title: 'Migrations started', yLabel: 'migrations', series: series((tl) => tl.migrations) },
      { title: 'Users in SLA violation', yLabel: 'users', series: series((tl) => tl.violations) },
    ],
  });
}

/** The default policy list of a fleet comparison. */
export const DEFAULT_FLEET_POLICIES: readonly string[] = FLEET_POLICIES;

/** Table columns, in print order. */
export const FLEET_COLUMNS = ['policy', 'pctOfBound', 'returnPerUserHour', 'violationSecondsPerUserHour', 'migrationsPerUserHour', 'downtimeSecondsPerUserHour', 'overloadSecondsPerUserHour', 'stormsPerUserHour', 'admissionsRefusedPerUserHour', 'capDeferralsPerUserHour', 'storms', 'overloadSeconds'] as const;

/** A metrics row rounded for printing and JSON. */
export function roundFleetMetrics(m: FleetMetrics): FleetMetrics {
  const r = (x: number, d: number) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);
  return {
    ...m, userHours: r(m.userHours, 2), returnPerUserHour: r(m.returnPerUserHour, 2), pctOfBound: r(m.pctOfBound, 2), violationSecondsPerUserHour: r(m.violationSecondsPerUserHour, 1),
    migrationsPerUserHour: r(m.migrationsPerUserHour, 2), downtimeSecondsPerUserHour: r(m.downtimeSecondsPerUserHour, 2), overloadSecondsPerUserHour: r(m.overloadSecondsPerUserHour, 2),
    stormsPerUserHour: r(m.stormsPerUserHour, 3), admissionsRefusedPerUserHour: r(m.admissionsRefusedPerUserHour, 3), capDeferralsPerUserHour: r(m.capDeferralsPerUserHour, 2), return: r(m.return, 2), bound: r(m.bound, 2),
  };
}

export function fleetRow(m: FleetMetrics): string[] {
  const r = roundFleetMetrics(m);
  return FLEET_COLUMNS.map((c) => String(r[c]));
}
