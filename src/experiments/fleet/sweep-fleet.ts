/**
 * `remora sweep --fleet`: the fleet agent over many training seeds against every fleet heuristic, on fleets it
 * trained beside and on held-out fleets it never saw (another arrival rate, another city layout, another service
 * mix, the test days). One fleet agent is trained per seed (`fleet-train.ts`); every heuristic is deterministic on
 * identical episodes, so it runs once per scenario. Per scenario: the metrics per user-hour of each policy, the
 * agent's IQM and 95 % stratified-bootstrap CI over seeds (`report/stats.ts`), and the relaxed bound.
 *
 * Which metric decides: the return per user-hour (the sum of every user's Eq. 8 reward and edge-model terms, so it
 * charges violation, overload and migration cost together). "Best heuristic" is the heuristic with the highest
 * return on that scenario; the agent wins a scenario when its CI lower bound is above it.
 */
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Rng } from '../../core/rng.js';
import { loadScenario, type ResolvedScenario } from '../../twin/index.js';
import { iqmWithCi, type IntervalEstimate } from '../report/stats.js';
import { renderIntervalChart, type IntervalPanel } from '../report/interval-plot.js';
import { PALETTE } from '../report/plots.js';
import { compareFleet, pctOf, resolveFleetPolicy, roundFleetMetrics, runFleet, type FleetMetrics } from './evaluate.js';
import { trainFleet, type FleetTrainConfig, type FleetTrainResult } from './fleet-train.js';
import { FLEET_SWEEP_FILE, type FleetSweepFile } from './sweep-fleet-summary.js';

/** A scenario a fleet sweep evaluates on, how many episodes, and what it is to the agent. */
export interface FleetEval {
  scenario: string;
  episodes: number;
  role: 'trained-beside' | 'held-out';
}

/**
 * The default evaluation: the README's two fleets (metro-100 at a size the agent never trained on; sr111-traffic,
 * whose training days it trained on), and the held-out fleets, all on identical episodes (seed 1000).
 */
export const DEFAULT_FLEET_EVAL: readonly FleetEval[] = [
  { scenario: 'metro-100', episodes: 1, role: 'trained-beside' },
  { scenario: 'sr111-traffic', episodes: 3, role: 'trained-beside' },
  { scenario: 'metro-100-test', episodes: 1, role: 'held-out' },
  { scenario: 'metro-100-churn', episodes: 1, role: 'held-out' },
  { scenario: 'city-48', episodes: 1, role: 'held-out' },
  { scenario: 'metro-100-vms', episodes: 1, role: 'held-out' },
  { scenario: 'sr111-traffic-rush', episodes: 3, role: 'held-out' },
];

export interface FleetSweepOptions {
  seeds: readonly number[];
  eval: readonly FleetEval[];
  config: FleetTrainConfig;
  /** The heuristics compared (default: every registered fleet policy). */
  heuristics: readonly string[];
  evalSeed: number;
  cwd: string;
  /** Run folder: `seed-<s>/fleet-model.json` per seed, then sweep-fleet.json / .md / .svg. */
  out: string;
  onProgress?: (what: string, done: number, total: number) => void;
  resolve?: (name: string) => ResolvedScenario;
}

export interface FleetSweepScenario {
  scenario: string;
  role: FleetEval['role'];
  episodes: number;
  bound: number;
  heuristics: FleetMetrics[];
  /** The agent's metrics per seed, in seed order. */
  agent: FleetMetrics[];
  /** IQM and CI over seeds of the agent's return per user-hour and violation s per user-hour. */
  agentReturn: IntervalEstimate;
  agentViolation: IntervalEstimate;
  bestHeuristic: string;
  bestHeuristicReturn: number;
  /** The agent's return CI lower bound is above the best heuristic's return. */
  ciLowerAboveBest: boolean;
}

export interface FleetSweepSummary {
  seeds: number[];
  evalSeed: number;
  train: string[];
  validation: string[];
  training: { seed: number; seconds: number; samples: number; chosen: FleetTrainResult['chosen'] }[];
  scenarios: FleetSweepScenario[];
}

/** Train one fleet agent per seed, evaluate each and every heuristic on each scenario, write the artefacts. */
export function sweepFleet(o: FleetSweepOptions): FleetSweepSummary {
  const load = o.resolve ?? ((n: string) => loadScenario(n, { cwd: o.cwd }));
  const total = o.seeds.length * (1 + o.eval.length) + o.eval.length;
  let done = 0;
  const step = (what: string) => o.onProgress?.(what, ++done, total);
  const models: string[] = [];
  const training: FleetSweepSummary['training'] = [];
  for (const seed of o.seeds) {
    const r = trainFleet({ config: o.config, seed, cwd: o.cwd, out: join(o.out, `seed-${seed}`, 'fleet-model.json'), ...(o.resolve ? { resolve: o.resolve } : {}) });
    models.push(r.modelPath!);
    training.push({ seed, seconds: r.seconds, samples: r.samples, chosen: r.chosen });
    step(`trained seed ${seed}`);
  }
  const scenarios: FleetSweepScenario[] = [];
  for (const e of o.eval) {
    const sc = load(e.scenario);
    const opts = { episodes: e.episodes, seed: o.evalSeed, cwd: o.cwd };
    const cmp = compareFleet(sc, o.heuristics, opts);
    step(`heuristics on ${e.scenario}`);
    const agent = models.map((path, i) => {
      const m = runFleet(resolveFleetPolicy(path, sc, o.cwd), sc, opts).metrics;
      step(`seed ${o.seeds[i]} on ${e.scenario}`);
      return { ...m, policy: `fleet-agent (seed ${o.seeds[i]})`, bound: cmp.bound, pctOfBound: pctOf(m.return, cmp.bound) };
    });
    const ci = (xs: number[]) => iqmWithCi([xs], { rng: new Rng(o.evalSeed) });
    const agentReturn = ci(agent.map((m) => m.returnPerUserHour)), agentViolation = ci(agent.map((m) => m.violationSecondsPerUserHour));
    const best = cmp.rows.reduce((a, b) => (b.returnPerUserHour > a.returnPerUserHour ? b : a));
    scenarios.push({ scenario: e.scenario, role: e.role, episodes: e.episodes, bound: cmp.bound, heuristics: cmp.rows, agent, agentReturn, agentViolation, bestHeuristic: best.policy, bestHeuristicReturn: best.returnPerUserHour, ciLowerAboveBest: agentReturn.ci[0] > best.returnPerUserHour });
  }
  const summary: FleetSweepSummary = { seeds: [...o.seeds], evalSeed: o.evalSeed, train: [...o.config.train], validation: [...o.config.validation], training, scenarios };
  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, FLEET_SWEEP_FILE), JSON.stringify({ ...summary, scenarios: summary.scenarios.map((s) => ({ ...s, heuristics: s.heuristics.map(roundFleetMetrics), agent: s.agent.map(roundFleetMetrics) })) }, null, 2) + '\n');
  writeFileSync(join(o.out, 'sweep-fleet.md'), fleetSweepMarkdown(summary));
  writeFileSync(join(o.out, 'sweep-fleet.svg'), fleetSweepSvg(summary));
  return summary;
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const ci1 = (e: IntervalEstimate) => `${f1(e.iqm)} [${f1(e.ci[0])}, ${f1(e.ci[1])}]`;

/** One table per scenario: the agent's IQM and CI, then every heuristic, per user-hour. */
export function fleetSweepMarkdown(s: FleetSweepSummary | FleetSweepFile): string {
  const lines = [`# Fleet sweep: ${s.seeds.length} seeds (${s.seeds.join(', ')}), evaluation seed ${s.evalSeed}`, '', `Trained on ${s.train.join(', ')}; checkpoints and play settings chosen on ${s.validation.join(', ')}.`, ''];
  for (const sc of s.scenarios) {
    lines.push(`## ${sc.scenario} (${sc.role}, ${sc.episodes} episode${sc.episodes > 1 ? 's' : ''})`, '');
    lines.push(`Best heuristic by return: **${sc.bestHeuristic}** (${f1(sc.bestHeuristicReturn)} per user-hour). The agent's return CI lower bound is ${sc.ciLowerAboveBest ? '**above**' : '**not above**'} it.`, '');
    lines.push('| policy | return / user-h | violation s / user-h | overload s | storms | migrations / user-h |', '|---|---|---|---|---|---|');
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    lines.push(`| **fleet agent** (IQM [95 % CI]) | ${ci1(sc.agentReturn)} | ${ci1(sc.agentViolation)} | ${f1(mean(sc.agent.map((m) => m.overloadSeconds)))} (mean) | ${f1(mean(sc.agent.map((m) => m.storms)))} (mean) | ${f1(mean(sc.agent.map((m) => m.migrationsPerUserHour)))} (mean) |`);
    for (const h of sc.heuristics) lines.push(`| ${h.policy} | ${f1(h.returnPerUserHour)} | ${f1(h.violationSecondsPerUserHour)} | ${f1(h.overloadSeconds)} | ${h.storms} | ${f1(h.migrationsPerUserHour)} |`);
    lines.push('');
  }
  lines.push('## Training', '', '| seed | seconds | samples | chosen iteration, margin, priority, social weight | validation (relative return vs the rule) |', '|---|---|---|---|---|');
  for (const t of s.training) lines.push(`| ${t.seed} | ${t.seconds.toFixed(0)} | ${t.samples} | ${t.chosen.iteration}, ${t.chosen.margin}, ${t.chosen.priority}, ${t.chosen.social} | ${t.chosen.relative.toFixed(3)} |`);
  return lines.join('\n') + '\n';
}

/** Per scenario: the agent's seeds, IQM and CI, and each heuristic, as % of the relaxed bound (one shared unit). */
export function fleetSweepSvg(s: FleetSweepSummary | FleetSweepFile): string {
  const panels: IntervalPanel[] = s.scenarios.map((sc) => {
    const pcts = sc.agent.map((m) => m.pctOfBound);
    const e = iqmWithCi([pcts], { rng: new Rng(s.evalSeed) });
    const rows = [
      { label: 'fleet agent', points: pcts, estimate: e.iqm, ci: e.ci, color: PALETTE[0], note: `IQM ${f1(e.iqm)} [${f1(e.ci[0])}, ${f1(e.ci[1])}]` },
      ...sc.heuristics.map((h, i) => ({ label: h.policy, points: [h.pctOfBound], estimate: h.pctOfBound, ci: [h.pctOfBound, h.pctOfBound] as const, color: PALETTE[1 + (i % (PALETTE.length - 1))], note: f1(h.pctOfBound) })),
    ];
    const best = sc.heuristics.find((h) => h.policy === sc.bestHeuristic)!;
    return { title: `${sc.scenario} (${sc.role}); best heuristic ${sc.bestHeuristic}; agent CI low ${sc.ciLowerAboveBest ? 'above' : 'not above'} it`, rows, refLines: [{ x: best.pctOfBound, label: 'best heuristic (by return)', color: '#d62728', dash: '6 3' }] };
  });
  // Far-off policies (`never` at −800 % of the bound) become edge triangles instead of squeezing the rest.
  const agentLow = Math.min(...s.scenarios.flatMap((sc) => sc.agent.map((m) => m.pctOfBound)).filter(Number.isFinite));
  return renderIntervalChart({ title: `Fleet agent, ${s.seeds.length} seeds, against every fleet heuristic (evaluation seed ${s.evalSeed})`, xLabel: '% of the relaxed bound (same episodes)', panels, xMin: Math.min(-100, agentLow - 20) });
}
