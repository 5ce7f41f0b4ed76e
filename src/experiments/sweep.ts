/**
 * `remora sweep`: train one run per seed, evaluate every run and every heuristic
 * on each evaluation scenario on identical episodes, and summarise each policy by the interquartile mean of its
 * per-seed `pctOfOracle` with a 95 % stratified-bootstrap confidence interval (rliable's method; the definitions are
 * in `report/stats.ts`).
 *
 * 1. Training: one {@link runParallel} run per seed (worker threads; 2 workers = both cores), each in
 *    `out/seed-<k>/` (metrics.jsonl, model.json/.bin, config.json), exactly what `remora train` writes.
 * 2. Evaluation: per evaluation scenario, every trained model and every heuristic runs the same `episodes`
 *    episodes (same `evalSeed`), and one oracle cache per scenario is shared by all of them, so the oracle is
 *    solved once per episode and every `pctOfOracle` has the same denominator.
 * 3. Output: `out/sweep.json` ({@link SweepSummary}), `out/sweep.svg` (per-seed points, IQM and CI per policy, one
 *    panel per scenario), `out/sweep.md` (one table per scenario).
 *
 * Heuristics (and the oracle) are deterministic given `evalSeed`, so they have one score per scenario and a
 * degenerate interval [x, x]. The agent is compared with the **best** heuristic by IQM (the oracle is the
 * normaliser, not a heuristic): the claim "beats every heuristic" holds on a scenario when the agent's CI lower
 * bound is above the best heuristic's IQM.
 *
 * Roles: each evaluation scenario is tagged `train`, `validation`, `test` or `unseen`. Unless given, a scenario with
 * the training scenario's name is `train` (fresh episodes of the training distribution), an unseen family
 * (`*-unseen-*`) is `unseen`, and any other is `test`. The unseen families get one table of their own
 * (`sweep-unseen.ts`), apart from the test days'.
 * Nothing in a sweep is selected on any of them; `validation` is only a label a caller may assign.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Policy } from '../core/env.js';
import { InvalidInputError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { VERSION } from '../core/version.js';
import type { TrainConfigFile } from '../agents/config.js';
import { loadModel } from '../agents/policy-file.js';
import { loadScenario, type ResolvedScenario } from '../twin/index.js';
import { evaluatePolicy, type OracleCache, type PolicyMetrics } from './evaluate/evaluate.js';
// The one policy registry (heuristics + oracle): when it moves to src/agents only this import changes.
import { baselineNames, contextFor, isModelPath, resolvePolicy } from './policies.js';
import { unseenMarkdown } from './sweep-unseen.js';
import { renderIntervalChart, type IntervalPanel } from './report/interval-plot.js';
import { PALETTE } from './report/plots.js';
import { iqm, iqmWithCi, type Strata } from './report/stats.js';
import type { TrainProgress } from '../agents/trainer.js';
import { runParallel, type ParallelRun } from './train/train-parallel.js';
import type { TrainRunResult } from './train/train.js';
import { ProgressReporter, fmtDuration, type ProgressSink } from './train/train-progress.js';

export type EvalRole = 'train' | 'validation' | 'test' | 'unseen';
export const EVAL_ROLES: readonly EvalRole[] = ['train', 'validation', 'test', 'unseen'];

export interface EvalScenario {
  /** Built-in scenario name or scenario file. */
  scenario: string;
  /** Default: `train` when it is the training scenario, else `test` (see the module header). */
  role?: EvalRole;
}

export interface SweepOptions {
  agent: 'dqn' | 'sarsa' | 'dagger';
  /** Built-in scenario name or scenario file the agents train on. */
  trainScenario: string;
  /** Training seeds, one run each (distinct non-negative integers). */
  seeds: readonly number[];
  /** Training steps per run. */
  steps: number;
  /** Hyperparameters (validated config file contents; `{}` for the defaults). */
  config: TrainConfigFile;
  evalScenarios: readonly (string | EvalScenario)[];
  /** Evaluation episodes per scenario (identical for every policy). */
  episodes: number;
  /** Seed of the evaluation episodes. */
  evalSeed: number;
  /** Checkpoint selection on validation days (see `TrainRunOptions.validation`); default: keep the last weights. */
  validation?: { scenario: string; every: number; episodes: number; seed: number };
  /** Heuristics (and the oracle) to evaluate beside the agent; default {@link defaultSweepPolicies}. */
  policies?: readonly string[];
  /** Output folder (created). */
  out: string;
  /** Worker threads for training (default 2: both cores of the reference machine). */
  workers?: number;
  /** Bootstrap replicates per interval (default 10,000). */
  bootstrapReps?: number;
  /** Seed of the bootstrap draws (default 0); every interval restarts from it, so intervals are order-independent. */
  bootstrapSeed?: number;
  /** Directory relative paths resolve against. */
  cwd: string;
  /** Progress output (stderr): the training bar on a TTY, quiet log lines otherwise. */
  progress: ProgressSink;
  /** Clock in ms. */
  now: () => number;
  /**
   * Where the runs train (default: {@link runParallel} over `workers` local worker threads). `sweep --on kubernetes`
   * passes one that runs them as the indices of an Indexed Job (src/kube-sweep); the evaluation stays here.
   */
  train?: SweepTrainer;
}

/** Trains every run (in order) and returns their results in the same order; `onProgress` feeds the bar. */
export type SweepTrainer = (runs: ParallelRun[], onProgress: (id: string, p: TrainProgress) => void) => Promise<TrainRunResult[]>;

/**
 * One policy on one evaluation scenario. Agents have one entry per seed in every `perSeed*` array. Statistics are
 * computed before rounding (2 decimals for %, 4 for returns); an undefined score (NaN) is written as `null`.
 */
export interface SweepPolicyResult {
  kind: 'agent' | 'heuristic' | 'oracle' | 'model';
  /** `pctOfOracle` per seed (see `PolicyMetrics.pctOfOracle`), over the scenario's episodes. */
  perSeed: number[];
  /** Mean episode return per seed. */
  perSeedReturn: number[];
  /** SLA-violation steps per seed (summed over the episodes). */
  perSeedViolations: number[];
  /** Migrations started per seed (summed over the episodes). */
  perSeedMigrations: number[];
  /** IQM of `perSeed`. */
  iqm: number;
  /** 95 % stratified-bootstrap percentile interval of the IQM (a single stratum: this scenario). */
  ci95: [number, number];
  /** IQM of `perSeedReturn`. */
  iqmReturn: number;
  /** Mean over seeds of `perSeedViolations` / `perSeedMigrations`. */
  violations: number;
  migrations: number;
  /** The evaluated model of each seed (empty for heuristics and the oracle). */
  modelPaths: string[];
}

/** The agent against the best heuristic on one scenario (or overall). */
export interface SweepComparison {
  agent: string;
  /** The heuristic with the highest IQM (`null` when no heuristic was evaluated). */
  bestHeuristic: string | null;
  bestHeuristicIqm: number;
  agentIqm: number;
  agentCi95: [number, number];
  /** The agent's CI lower bound is strictly above the best heuristic's IQM. */
  ciLowerAboveBest: boolean;
}

export interface SweepTrainingRun {
  seed: number;
  steps: number;
  episodes: number;
  /** Mean reward of the last 100 training episodes (null when undefined). */
  meanReward: number | null;
  modelPath: string;
}

export interface SweepSummary {
  version: string;
  agent: 'dqn' | 'sarsa' | 'dagger';
  trainScenario: string;
  seeds: number[];
  steps: number;
  episodes: number;
  evalSeed: number;
  /** How the intervals were computed. */
  bootstrap: { method: 'stratified bootstrap, percentile interval'; confidence: 0.95; reps: number; seed: number; strata: string };
  /** Role of each evaluation scenario. */
  roles: Record<string, EvalRole>;
  /** scenario → policy → result. */
  scenarios: Record<string, Record<string, SweepPolicyResult>>;
  /** scenario → the agent against the best heuristic. */
  comparisons: Record<string, SweepComparison>;
  /** IQM over every (scenario, seed) score, the CI stratified by scenario: rliable's aggregate across tasks. */
  overall: Record<string, { iqm: number; ci95: [number, number] }>;
  overallComparison: SweepComparison;
  training: SweepTrainingRun[];
  timing: { trainSeconds: number; evalSeconds: number; totalSeconds: number };
}

/** Every heuristic of the policy registry, plus the oracle. */
export function defaultSweepPolicies(): string[] {
  return baselineNames();
}

/**
 * The role of an evaluation scenario: as given, else `train` for the training scenario, `unseen` for an unseen
 * family (`*-unseen-*`, `twin/family-scenarios.ts`) and `test` otherwise.
 */
export function evalRole(e: string | EvalScenario, trainScenario: string): EvalRole {
  const spec = typeof e === 'string' ? { scenario: e } : e;
  return spec.role ?? (spec.scenario === trainScenario ? 'train' : /-unseen-/.test(spec.scenario) ? 'unseen' : 'test');
}

function check(ok: boolean, field: string, expected: string, actual: unknown): void {
  if (!ok) throw new InvalidInputError({ source: 'sweep', field, expected, actual: typeof actual === 'string' ? JSON.stringify(actual) : String(actual) });
}

function validate(o: SweepOptions, policies: readonly string[]): void {
  check(o.seeds.length > 0, 'seeds', 'at least one seed', '[]');
  for (const s of o.seeds) check(Number.isInteger(s) && s >= 0, 'seeds', 'non-negative integers', s);
  check(new Set(o.seeds).size === o.seeds.length, 'seeds', 'distinct seeds', o.seeds.join(','));
  check(Number.isInteger(o.steps) && o.steps >= 1, 'steps', 'an integer >= 1', o.steps);
  check(Number.isInteger(o.episodes) && o.episodes >= 1, 'episodes', 'an integer >= 1', o.episodes);
  check(o.evalScenarios.length > 0, 'evalScenarios', 'at least one evaluation scenario', '[]');
  const names = o.evalScenarios.map((e) => (typeof e === 'string' ? e : e.scenario));
  check(new Set(names).size === names.length, 'evalScenarios', 'distinct scenarios', names.join(','));
  check(new Set(policies).size === policies.length, 'policies', 'distinct policies', policies.join(','));
  check(!policies.includes(o.agent), 'policies', `no policy named like the agent ('${o.agent}')`, policies.join(','));
  const workers = o.workers ?? 2;
  check(Number.isInteger(workers) && workers >= 1 && workers <= 64, 'workers', 'an integer in 1..64', workers);
}

const round = (x: number, d = 2) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function policyResult(kind: SweepPolicyResult['kind'], rows: PolicyMetrics[], modelPaths: string[], bootstrap: { reps: number; seed: number }): SweepPolicyResult {
  const perSeed = rows.map((m) => m.pctOfOracle);
  const { iqm: m, ci } = iqmWithCi([perSeed], { rng: new Rng(bootstrap.seed), reps: bootstrap.reps });
  const perSeedReturn = rows.map((r) => r.return);
  const perSeedViolations = rows.map((r) => r.slaViolations);
  const perSeedMigrations = rows.map((r) => r.migrations);
  return {
    kind,
    perSeed: perSeed.map((x) => round(x)),
    perSeedReturn: perSeedReturn.map((x) => round(x, 4)),
    perSeedViolations,
    perSeedMigrations,
    iqm: round(m),
    ci95: [round(ci[0]), round(ci[1])],
    iqmReturn: round(iqm(perSeedReturn), 4),
    violations: round(mean(perSeedViolations)),
    migrations: round(mean(perSeedMigrations)),
    modelPaths,
  };
}

/** The agent against the best heuristic (by IQM) among `results`. */
export function compareWithBest(agent: string, results: Record<string, { kind: SweepPolicyResult['kind']; iqm: number; ci95: [number, number] }>): SweepComparison {
  let best: string | null = null;
  for (const [name, r] of Object.entries(results)) {
    if (r.kind !== 'heuristic' || !Number.isFinite(r.iqm)) continue;
    if (best === null || r.iqm > results[best]!.iqm) best = name;
  }
  const a = results[agent]!;
  const bestIqm = best === null ? Number.NaN : results[best]!.iqm;
  return { agent, bestHeuristic: best, bestHeuristicIqm: bestIqm, agentIqm: a.iqm, agentCi95: a.ci95, ciLowerAboveBest: best !== null && a.ci95[0] > bestIqm };
}

function kindOf(spec: string): SweepPolicyResult['kind'] {
  if (spec === 'oracle') return 'oracle';
  return isModelPath(spec) ? 'model' : 'heuristic';
}

export async function sweep(o: SweepOptions): Promise<SweepSummary> {
  const t0 = o.now();
  const policies = [...(o.policies ?? defaultSweepPolicies())];
  validate(o, policies);
  const out = resolve(o.cwd, o.out);
  mkdirSync(out, { recursive: true });
  const bootstrap = { reps: o.bootstrapReps ?? 10_000, seed: o.bootstrapSeed ?? 0 };
  const seeds = [...o.seeds];
  const evals = o.evalScenarios.map((e) => ({ scenario: typeof e === 'string' ? e : e.scenario, role: evalRole(e, o.trainScenario) }));
  // Load the evaluation scenarios before training, so a misspelled name fails in a second, not after the runs.
  const traceCache = new Map();
  const resolved = new Map<string, ResolvedScenario>(evals.map((e) => [e.scenario, loadScenario(e.scenario, { cwd: o.cwd, traceCache })]));
  // Likewise the heuristics: built now (construction is cheap), run after training.
  const heuristics = new Map<string, Policy[]>();
  for (const [name, sc] of resolved) heuristics.set(name, await Promise.all(policies.map((spec) => resolvePolicy(spec, { seed: o.evalSeed, scenario: sc }, o.cwd))));

  // 1. Train one run per seed.
  const reporter = new ProgressReporter(o.progress, o.now);
  const runs: ParallelRun[] = seeds.map((seed) => ({
    agent: o.agent, scenario: o.trainScenario, steps: o.steps, seed, config: o.config, cwd: o.cwd, out: join(out, `seed-${seed}`), progressEvery: 500, ...(o.validation ? { validation: o.validation } : {}),
  }));
  const train: SweepTrainer = o.train ?? ((rs, onProgress) => runParallel(rs, o.workers ?? 2, onProgress));
  const trained = await train(runs, (id, p) => reporter.update(id, p));
  reporter.finish();
  const t1 = o.now();
  o.progress.write(`sweep: trained ${seeds.length} ${o.agent} run(s) × ${o.steps} steps in ${fmtDuration((t1 - t0) / 1000)}; evaluating on ${evals.map((e) => e.scenario).join(', ')}\n`);

  // 2. Evaluate on identical episodes. Models are loaded once; they reset per episode, so scenarios can share them.
  // Each scenario's policies are told its SLA and migration model, as the heuristics are (a residual agent's rule
  // reads them; a plain network ignores them).
  const models = trained.map((r) => loadModel(r.modelPath));
  const scenarios: SweepSummary['scenarios'] = {};
  // Unrounded per-seed scores (scenario → policy → scores) for the across-scenario aggregate.
  const raw = new Map<string, Map<string, number[]>>();
  const comparisons: SweepSummary['comparisons'] = {};
  for (const [i, e] of evals.entries()) {
    const sc = resolved.get(e.scenario)!;
    const evalOpts = { episodes: o.episodes, seed: o.evalSeed };
    const cache: OracleCache = new Map();
    const results: Record<string, SweepPolicyResult> = {};
    const scores = new Map<string, number[]>();
    raw.set(e.scenario, scores);
    const agentRows = models.map((m) => evaluatePolicy(m.policy(contextFor(sc, 1)), sc, evalOpts, cache).metrics);
    results[o.agent] = policyResult('agent', agentRows, trained.map((r) => r.modelPath), bootstrap);
    scores.set(o.agent, agentRows.map((m) => m.pctOfOracle));
    heuristics.get(e.scenario)!.forEach((policy, k) => {
      const m = evaluatePolicy(policy, sc, evalOpts, cache).metrics;
      results[policies[k]!] = policyResult(kindOf(policies[k]!), [m], [], bootstrap);
      scores.set(policies[k]!, [m.pctOfOracle]);
    });
    scenarios[e.scenario] = results;
    comparisons[e.scenario] = compareWithBest(o.agent, results);
    o.progress.write(`sweep: evaluated ${e.scenario} (${i + 1}/${evals.length}): ${o.agent} IQM ${results[o.agent]!.iqm}% of oracle\n`);
  }

  // Across scenarios: every (scenario, seed) score, resampled within each scenario (rliable's stratification).
  const overall: SweepSummary['overall'] = {};
  const overallKinds: Record<string, { kind: SweepPolicyResult['kind']; iqm: number; ci95: [number, number] }> = {};
  for (const name of [o.agent, ...policies]) {
    const strata: Strata = evals.map((e) => raw.get(e.scenario)!.get(name)!);
    const est = iqmWithCi(strata, { rng: new Rng(bootstrap.seed), reps: bootstrap.reps });
    overall[name] = { iqm: round(est.iqm), ci95: [round(est.ci[0]), round(est.ci[1])] };
    overallKinds[name] = { kind: name === o.agent ? 'agent' : kindOf(name), ...overall[name]! };
  }
  const t2 = o.now();
  const summary: SweepSummary = {
    version: VERSION,
    agent: o.agent,
    trainScenario: o.trainScenario,
    seeds,
    steps: o.steps,
    episodes: o.episodes,
    evalSeed: o.evalSeed,
    bootstrap: { method: 'stratified bootstrap, percentile interval', confidence: 0.95, reps: bootstrap.reps, seed: bootstrap.seed, strata: 'evaluation scenarios (runs = training seeds resampled within each)' },
    roles: Object.fromEntries(evals.map((e) => [e.scenario, e.role])),
    scenarios,
    comparisons,
    overall,
    overallComparison: compareWithBest(o.agent, overallKinds),
    training: trained.map((r) => ({ seed: r.seed, steps: r.steps, episodes: r.episodes, meanReward: Number.isFinite(r.meanReward) ? round(r.meanReward, 4) : null, modelPath: r.modelPath })),
    timing: { trainSeconds: round((t1 - t0) / 1000, 1), evalSeconds: round((t2 - t1) / 1000, 1), totalSeconds: round((t2 - t0) / 1000, 1) },
  };
  writeFileSync(join(out, 'sweep.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(out, 'sweep.svg'), sweepSvg(summary));
  writeFileSync(join(out, 'sweep.md'), sweepMarkdown(summary));
  return summary;
}

const fmtNum = (x: number) => (Number.isFinite(x) ? String(x) : 'n/a');
const fmtCi = (ci: readonly [number, number]) => `[${fmtNum(ci[0])}, ${fmtNum(ci[1])}]`;

function verdict(c: SweepComparison): string {
  if (c.bestHeuristic === null) return 'No heuristic evaluated.';
  return `Best heuristic: **${c.bestHeuristic}** (IQM ${fmtNum(c.bestHeuristicIqm)}). ${c.agent}'s CI lower bound ${fmtNum(c.agentCi95[0])} is ${c.ciLowerAboveBest ? '**above**' : '**not above**'} it.`;
}

/** One markdown table per evaluation scenario (policy, IQM, CI, per seed, violations, migrations), then the aggregate. */
export function sweepMarkdown(s: SweepSummary): string {
  const lines = [
    `# remora sweep: ${s.agent} trained on ${s.trainScenario}`,
    '',
    `Seeds ${s.seeds.join(', ')}; ${s.steps} training steps each; ${s.episodes} evaluation episode(s) per scenario, eval seed ${s.evalSeed}.`,
    `Scores are % of the oracle on the same episodes. IQM = 25 % trimmed mean over seeds; CI = 95 % stratified-bootstrap percentile interval (${s.bootstrap.reps} replicates). Violations (SLA-violation steps) and migrations are summed over the episodes and, for the agent, averaged over seeds.`,
    '',
  ];
  for (const [name, results] of Object.entries(s.scenarios)) {
    if (s.roles[name] === 'unseen') continue;
    lines.push(`## ${name} (${s.roles[name]})`, '', '| policy | IQM | 95 % CI | per seed | violations | migrations |', '|---|---:|---:|---|---:|---:|');
    for (const [p, r] of Object.entries(results)) lines.push(`| ${p} | ${fmtNum(r.iqm)} | ${fmtCi(r.ci95)} | ${r.perSeed.map(fmtNum).join(', ')} | ${fmtNum(r.violations)} | ${fmtNum(r.migrations)} |`);
    lines.push('', verdict(s.comparisons[name]!), '');
  }
  if (Object.keys(s.scenarios).length > 1) {
    lines.push('## All evaluation scenarios (CI stratified by scenario)', '', '| policy | IQM | 95 % CI |', '|---|---:|---:|');
    for (const [p, r] of Object.entries(s.overall)) lines.push(`| ${p} | ${fmtNum(r.iqm)} | ${fmtCi(r.ci95)} |`);
    lines.push('', verdict(s.overallComparison), '');
  }
  lines.push(unseenMarkdown(s));
  return lines.join('\n');
}

/** Per-seed points, IQM and CI per policy; one panel per evaluation scenario; a shared x axis (% of oracle). */
export function sweepSvg(s: SweepSummary): string {
  const panels: IntervalPanel[] = Object.entries(s.scenarios).map(([name, results]) => {
    const c = s.comparisons[name]!;
    let hi = 0;
    const rows = Object.entries(results).map(([p, r]) => ({
      label: p,
      points: r.perSeed,
      estimate: r.iqm,
      ci: r.ci95,
      color: r.kind === 'agent' ? PALETTE[0] : r.kind === 'oracle' ? '#7f7f7f' : PALETTE[1 + (hi++ % (PALETTE.length - 1))],
      note: r.kind === 'agent' ? `IQM ${fmtNum(r.iqm)} ${fmtCi(r.ci95)}` : `${fmtNum(r.iqm)}`,
    }));
    const refLines = [{ x: 100, label: 'oracle = 100 %', color: '#7f7f7f', dash: '2 3' }];
    if (c.bestHeuristic !== null) refLines.push({ x: c.bestHeuristicIqm, label: 'best heuristic', color: '#d62728', dash: '6 3' });
    const best = c.bestHeuristic === null ? '' : `; best heuristic ${c.bestHeuristic} ${fmtNum(c.bestHeuristicIqm)}; ${s.agent} CI low ${c.ciLowerAboveBest ? 'above' : 'not above'} it`;
    return { title: `${name} (${s.roles[name]})${best}`, rows, refLines };
  });
  // The axis starts at 0 or at the agent's lowest seed/CI bound, whichever is lower: heuristics far below (random
  // at −600 %) become edge triangles instead of squeezing the agent's seeds together.
  const agentValues = Object.values(s.scenarios).flatMap((r) => [...r[s.agent]!.perSeed, r[s.agent]!.ci95[0]]).filter(Number.isFinite);
  return renderIntervalChart({
    xMin: Math.min(0, ...agentValues),
    title: `${s.agent} trained on ${s.trainScenario}: ${s.seeds.length} seeds × ${s.steps} steps, ${s.episodes} episode(s) per scenario`,
    xLabel: '% of oracle (same episodes)',
    panels,
  });
}
