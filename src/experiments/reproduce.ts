/**
 * `remora reproduce`: the project's main job. On the embedded default data it
 * 1. trains, in parallel worker threads with a progress bar:
 *    - the paper's agents with the paper's settings: DQN (LSTM Q-network) and Deep SARSA on `sr111`, 200k steps each
 *      (Table II). Table II's "exploration rate ε 1.0, decay d 0.1" is read here as ε annealed linearly from 1.0 to
 *      0.1 over the first d = 10 % of the steps ({@link REPRODUCE_TRAIN_CONFIG}): the paper says the average reward
 *      "by the end converged" (Fig. 5a), which cannot happen while ε is still falling at the last step;
 *    - the product agents ({@link PRODUCT_PRESETS}): `dqn-product` in the paper's model and `dqn-edge` in the edge
 *      model, each with its checkpoint chosen on the validation days;
 * 2. evaluates every agent, every heuristic and the exact oracle on identical episodes of the test days only:
 *    the paper's model on `sr111-roundtrip` (Fig. 6) and `sr111-test`, the edge model on `sr111-edge-roundtrip` and
 *    `sr111-edge-test`. With `seeds` > 1 every agent is trained once per seed, and the report adds the IQM and the
 *    95 % stratified-bootstrap CI of `pctOfOracle` over seeds (the rliable method, report/stats.ts);
 * 3. writes fig5a.svg, fig5b.svg, fig6.svg (paper DQN), fig6-product.svg, fig6-edge.svg, compare.md, summary.json
 *    and a self-contained index.html.
 *
 * `preset` (`--preset paper|edge`) keeps one decision model: `paper` trains and evaluates the paper's DQN and SARSA
 * and `dqn-product` on the paper model's test days, `edge` only `dqn-edge` on the edge model's. The model is the unit
 * because each of the README's reproduce tables is about one model; a preset run writes that model's figures and
 * leaves the other model's fields out of summary.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Policy } from '../core/env.js';
import { Rng } from '../core/rng.js';
import { VERSION } from '../core/version.js';
import type { TrainConfigFile } from '../agents/config.js';
import type { BackendKind } from '../nn/backend.js';
import { loadPolicy } from '../agents/policy-file.js';
import { loadScenario, type ResolvedScenario } from '../twin/index.js';
import { evaluatePolicy, metricsRow, roundMetrics, METRIC_COLUMNS, type OracleCache, type PolicyMetrics, type TraceStep } from './evaluate/evaluate.js';
import { fig5a, fig5b, fig6, type TrainingCurve } from './report/figures.js';
import { escapeHtml } from './report/html.js';
import { HEURISTICS } from '../agents/registry.js';
import { PRODUCT_PRESETS, type ProductModel } from './product.js';
import { iqmWithCi } from './report/stats.js';
import { resolvePolicy } from './policies.js';
import { readMetricsJsonl } from './train/metrics-jsonl.js';
import { runParallel, type ParallelRun } from './train/train-parallel.js';
import { VALIDATION_SEED } from './train/train.js';
import { ProgressReporter, type ProgressSink } from './train/train-progress.js';

export interface ReproduceOptions {
  /** Output folder (created). */
  out: string;
  /** Short training and one evaluation episode: for tests and smoke runs (well under a minute). */
  quick: boolean;
  /** Training seed (every agent uses the same); with `seeds` > 1 the seeds are seed, seed+1, …. */
  seed: number;
  /** Training seeds per agent (default 1). */
  seeds?: number;
  /** Seed of the evaluation episodes. */
  evalSeed: number;
  /** Training steps per agent (default: 200,000, Table II; 4,000 with quick). */
  steps?: number;
  /** Evaluation episodes per scenario (default 10; 1 with quick). */
  episodes?: number;
  /** One decision model only (`paper` or `edge`); default both. */
  preset?: ProductModel;
  /** Worker threads (default 2: both cores). */
  workers?: number;
  /** Training kernels (default: src/nn's default; see TrainRunOptions.kernels). */
  kernels?: BackendKind;
  cwd: string;
  /** Progress output (stderr). */
  progress: ProgressSink;
  /** Clock in ms. */
  now: () => number;
}

export interface ScenarioComparison {
  scenario: string;
  episodes: number;
  seed: number;
  policies: PolicyMetrics[];
}

/** Where a comparison sits: which decision model, and that it is a test day (nothing is chosen on it). */
export interface ReproduceComparison extends ScenarioComparison {
  model: 'paper' | 'edge';
  title: string;
}

/** One agent over seeds on one scenario (`seeds` > 1). */
export interface MultiSeedRow {
  agent: string;
  scenario: string;
  perSeed: number[];
  iqm: number;
  ci95: [number, number];
  /** Best heuristic on this scenario (by pctOfOracle) and its score. */
  bestHeuristic: string;
  bestHeuristicPct: number;
}

export interface ReproduceSummary {
  version: string;
  commit: string;
  seconds: number;
  trainingSeconds: number;
  quick: boolean;
  steps: number;
  seed: number;
  /** Training seeds per agent. */
  seeds: number;
  evalSeed: number;
  /** The training hyperparameters of the paper's agents that differ from the defaults. */
  trainConfig: typeof REPRODUCE_TRAIN_CONFIG;
  /** The decision models this run trained and evaluated (both unless `--preset` kept one). */
  models: ProductModel[];
  // The paper model's fields: absent when the run kept only the edge model.
  /** The paper's agents on the round trip (seed `seed`). */
  dqn?: PolicyMetrics & { trainEpisodes: number };
  sarsa?: PolicyMetrics & { trainEpisodes: number };
  /** Every heuristic and the oracle on the round trip. */
  baselines?: Record<string, PolicyMetrics>;
  /** The paper's model on the other test days (`sr111-test`). */
  sr111?: ScenarioComparison;
  roundtrip?: ScenarioComparison;
  /** Did DQN beat SARSA on the round trip (the paper's claim)? */
  dqnBeatsSarsa?: boolean;
  /** Every comparison, paper and edge model (seed `seed`). */
  comparisons: ReproduceComparison[];
  /** The product agents: where they trained, and the checkpoint kept on the validation days. */
  product: Partial<Record<ProductModel, { agent: string; scenario: string; validation: string; selectedStep: number | null }>>;
  /** IQM and CI over seeds (empty with one seed). */
  multiSeed: MultiSeedRow[];
}

const BASELINES = [...HEURISTICS, 'oracle'] as const;

/** The name each model's product agent carries in the tables. */
export const PRODUCT_AGENT = { paper: 'dqn-product', edge: 'dqn-edge' } as const satisfies Record<ProductModel, string>;

/** Hyperparameters for both agents: the paper's defaults, with ε annealed over the first 10 % (see the header). */
export const REPRODUCE_TRAIN_CONFIG = { exploration: { epsilonMax: 1, epsilonMin: 0.1, annealFraction: 0.1 } } as const;

function gitCommit(cwd: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function compareOn(scenario: ResolvedScenario, policies: Policy[], episodes: number, seed: number, record?: string): { cmp: ScenarioComparison; trace?: TraceStep[] } {
  const cache: OracleCache = new Map();
  let trace: TraceStep[] | undefined;
  const rows = policies.map((p) => {
    const ev = evaluatePolicy(p, scenario, { episodes, seed, recordFirstEpisode: p.name === record }, cache);
    if (p.name === record) trace = ev.trace;
    return roundMetrics(ev.metrics);
  });
  return { cmp: { scenario: scenario.spec.name, episodes, seed, policies: rows }, trace };
}

/** Tag a loaded agent policy with its agent name (the model's own name is its kind). */
function named(p: Policy, name: string): Policy {
  return { name, reset: () => p.reset(), act: (o, m) => p.act(o, m), onReset: p.onReset?.bind(p) };
}

export async function reproduce(o: ReproduceOptions): Promise<ReproduceSummary> {
  const t0 = o.now();
  const out = resolve(o.cwd, o.out);
  mkdirSync(out, { recursive: true });
  const steps = o.steps ?? (o.quick ? 4000 : 200_000);
  const episodes = o.episodes ?? (o.quick ? 1 : 10);
  const nSeeds = Math.max(1, o.seeds ?? 1);
  const seeds = Array.from({ length: nSeeds }, (_, k) => o.seed + k);
  // 1. Train every agent for every seed in parallel workers. Per seed: the paper's DQN and SARSA, the two product agents.
  const reporter = new ProgressReporter(o.progress, o.now, 5000);
  const kernels = o.kernels ? { kernels: o.kernels } : {};
  const paperBase = { scenario: 'sr111', steps, config: structuredClone(REPRODUCE_TRAIN_CONFIG) as TrainConfigFile, cwd: out, progressEvery: 1000, ...kernels };
  const productRun = (which: 'paper' | 'edge', seed: number, dir: string): ParallelRun => {
    const p = PRODUCT_PRESETS[which];
    const pSteps = o.steps ?? (o.quick ? 4000 : p.steps);
    return {
      agent: 'dqn', scenario: p.scenario, steps: pSteps, seed, config: structuredClone(p.config), cwd: out, progressEvery: 1000, out: join(out, dir), ...kernels,
      validation: { scenario: p.validation, every: o.quick ? 2000 : p.validateEvery, episodes: o.quick ? 2 : p.validateEpisodes, seed: VALIDATION_SEED },
    };
  };
  const models: ProductModel[] = o.preset ? [o.preset] : ['paper', 'edge'];
  const hasPaper = models.includes('paper');
  // The agents each model trains per seed, in this order: the paper model's two paper agents and its product agent,
  // the edge model's product agent.
  const agentNames = { paper: ['dqn', 'sarsa', PRODUCT_AGENT.paper], edge: [PRODUCT_AGENT.edge] } as const satisfies Record<ProductModel, readonly string[]>;
  const runs: ParallelRun[] = [];
  for (const seed of seeds) {
    const sfx = nSeeds > 1 ? `-seed-${seed}` : '';
    if (hasPaper) {
      runs.push({ ...paperBase, seed, agent: 'dqn', out: join(out, `dqn${sfx}`) });
      runs.push({ ...paperBase, seed, agent: 'sarsa', out: join(out, `sarsa${sfx}`) });
      runs.push(productRun('paper', seed, `dqn-product${sfx}`));
    }
    if (models.includes('edge')) runs.push(productRun('edge', seed, `dqn-edge${sfx}`));
  }
  const trained = await runParallel(runs, o.workers ?? 2, (id, p) => reporter.update(id, p));
  reporter.finish();
  const trainingSeconds = (o.now() - t0) / 1000;
  const names: string[] = models.flatMap((m) => agentNames[m]);
  o.progress.write(`reproduce: trained ${runs.length} run(s) (${nSeeds} seed(s) × ${names.join(', ')}) in ${trainingSeconds.toFixed(1)} s; evaluating\n`);
  const bySeed = seeds.map((_, k) => new Map(names.map((n, j) => [n, trained[names.length * k + j]!])));
  const first = bySeed[0]!;
  const run = (k: number, name: string) => bySeed[k]!.get(name)!;
  if (hasPaper) {
    const curves: TrainingCurve[] = [
      { name: 'DQN', points: readMetricsJsonl(join(run(0, 'dqn').out, 'metrics.jsonl')) },
      { name: 'Deep SARSA', points: readMetricsJsonl(join(run(0, 'sarsa').out, 'metrics.jsonl')) },
    ];
    writeFileSync(join(out, 'fig5a.svg'), fig5a(curves));
    writeFileSync(join(out, 'fig5b.svg'), fig5b(curves));
  }

  // 2. Evaluate on identical episodes of the test days. Models are loaded once; they reset per episode.
  const cache = new Map();
  const scenarios = new Map<string, ResolvedScenario>();
  const load = (name: string): ResolvedScenario => {
    if (!scenarios.has(name)) scenarios.set(name, loadScenario(name, { cwd: o.cwd, traceCache: cache }));
    return scenarios.get(name)!;
  };
  const loaded = new Map<string, Policy[]>();
  const agentsOf = async (k: number, model: ProductModel): Promise<Policy[]> => {
    const key = `${k}|${model}`;
    if (!loaded.has(key)) loaded.set(key, await Promise.all(agentNames[model].map(async (name: string) => named(await loadPolicy(run(k, name).modelPath), name))));
    return loaded.get(key)!;
  };
  const heuristicsFor = (sc: ResolvedScenario): Promise<Policy[]> => Promise.all(BASELINES.map((b) => resolvePolicy(b, { seed: o.evalSeed, scenario: sc }, o.cwd)));
  const plan: { name: string; model: ProductModel; title: string; episodes: number; record?: string[] }[] = [
    { name: 'sr111-roundtrip', model: 'paper' as const, title: 'sr111-roundtrip (Fig. 6: the paper model, held-out heavy test day)', episodes, record: ['dqn', 'dqn-product'] },
    { name: 'sr111-test', model: 'paper' as const, title: 'sr111-test (the paper model, test days 25, 7, 14, 21)', episodes: o.quick ? 5 : 100 },
    { name: 'sr111-edge-roundtrip', model: 'edge' as const, title: 'sr111-edge-roundtrip (the edge model, Fig. 6 trip on the heavy test day)', episodes, record: ['dqn-edge'] },
    { name: 'sr111-edge-test', model: 'edge' as const, title: 'sr111-edge-test (the edge model, test days 25, 7, 14, 21)', episodes: o.quick ? 5 : 100 },
  ].filter((e) => models.includes(e.model));
  const comparisons: ReproduceComparison[] = [];
  const traces = new Map<string, TraceStep[]>();
  const multiSeed: MultiSeedRow[] = [];
  for (const e of plan) {
    const sc = load(e.name);
    const oracleCache: OracleCache = new Map();
    const heur = (await heuristicsFor(sc)).map((p) => ({ p, ev: evaluatePolicy(p, sc, { episodes: e.episodes, seed: o.evalSeed }, oracleCache) }));
    const perSeed = new Map<string, number[]>();
    let firstRows: PolicyMetrics[] = [];
    for (let k = 0; k < nSeeds; k++) {
      const rows: PolicyMetrics[] = [];
      for (const p of await agentsOf(k, e.model)) {
        const rec = k === 0 && (e.record ?? []).includes(p.name);
        const ev = evaluatePolicy(p, sc, { episodes: e.episodes, seed: o.evalSeed, recordFirstEpisode: rec }, oracleCache);
        if (rec) traces.set(`${e.name}|${p.name}`, ev.trace!);
        rows.push(roundMetrics(ev.metrics));
        perSeed.set(p.name, [...(perSeed.get(p.name) ?? []), ev.metrics.pctOfOracle]);
      }
      if (k === 0) firstRows = rows;
    }
    const heurRows = heur.map((h) => roundMetrics(h.ev.metrics));
    comparisons.push({ scenario: e.name, model: e.model, title: e.title, episodes: e.episodes, seed: o.evalSeed, policies: [...firstRows, ...heurRows] });
    if (nSeeds > 1) {
      const best = heurRows.filter((r) => r.policy !== 'oracle').reduce((a, b) => (b.pctOfOracle > a.pctOfOracle ? b : a));
      for (const [agent, xs] of perSeed) {
        const est = iqmWithCi([xs], { reps: 10_000, rng: new Rng(0) });
        multiSeed.push({ agent, scenario: e.name, perSeed: xs.map((x) => Number(x.toFixed(2))), iqm: Number(est.iqm.toFixed(2)), ci95: [Number(est.ci[0].toFixed(2)), Number(est.ci[1].toFixed(2))], bestHeuristic: best.policy, bestHeuristicPct: best.pctOfOracle });
      }
    }
  }
  const fig6For = (scenario: string, agent: string, label: string, file: string) => {
    const sc = load(scenario);
    writeFileSync(join(out, file), fig6(traces.get(`${scenario}|${agent}`)!, { policy: label, stepSeconds: sc.spec.stepSeconds, rttMaxMs: sc.spec.sla.rttMs.max, loadMax: sc.spec.sla.load.max, nodes: sc.nodeX.length }));
  };
  if (hasPaper) {
    fig6For('sr111-roundtrip', 'dqn', 'DQN', 'fig6.svg');
    fig6For('sr111-roundtrip', 'dqn-product', 'dqn-product (paper model)', 'fig6-product.svg');
  }
  if (models.includes('edge')) fig6For('sr111-edge-roundtrip', 'dqn-edge', 'dqn-edge (edge model)', 'fig6-edge.svg');

  const byName = (c: ScenarioComparison, n: string) => c.policies.find((p) => p.policy === n)!;
  const plain = (c: ReproduceComparison): ScenarioComparison => ({ scenario: c.scenario, episodes: c.episodes, seed: c.seed, policies: c.policies });
  const paperFields = (): Partial<ReproduceSummary> => {
    const rt = comparisons.find((c) => c.scenario === 'sr111-roundtrip')!, tr = comparisons.find((c) => c.scenario === 'sr111-test')!;
    return {
      dqn: { ...byName(rt, 'dqn'), trainEpisodes: first.get('dqn')!.episodes },
      sarsa: { ...byName(rt, 'sarsa'), trainEpisodes: first.get('sarsa')!.episodes },
      baselines: Object.fromEntries(BASELINES.map((b) => [b, byName(rt, b)])),
      sr111: plain(tr),
      roundtrip: plain(rt),
      dqnBeatsSarsa: byName(rt, 'dqn').return > byName(rt, 'sarsa').return,
    };
  };
  const productOf = (m: ProductModel) => ({ agent: PRODUCT_AGENT[m], scenario: PRODUCT_PRESETS[m].scenario, validation: PRODUCT_PRESETS[m].validation, selectedStep: first.get(PRODUCT_AGENT[m])!.selectedStep });
  const summary: ReproduceSummary = {
    version: VERSION,
    commit: gitCommit(o.cwd),
    seconds: 0,
    trainingSeconds: Number(trainingSeconds.toFixed(1)),
    quick: o.quick,
    steps,
    seed: o.seed,
    seeds: nSeeds,
    evalSeed: o.evalSeed,
    trainConfig: REPRODUCE_TRAIN_CONFIG,
    models,
    ...(hasPaper ? paperFields() : {}),
    comparisons,
    product: Object.fromEntries(models.map((m) => [m, productOf(m)])),
    multiSeed,
  };
  const md = [...comparisons.map((c) => compareMarkdown(c.title, c)), ...(multiSeed.length ? [multiSeedMarkdown(multiSeed, seeds)] : [])].join('\n');
  writeFileSync(join(out, 'compare.md'), md);
  summary.seconds = Number(((o.now() - t0) / 1000).toFixed(1));
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(out, 'index.html'), indexHtml(summary, out));
  return summary;
}

/** The IQM/CI table over seeds. */
export function multiSeedMarkdown(rows: MultiSeedRow[], seeds: number[]): string {
  const lines = [`**Over seeds ${seeds.join(', ')}**: IQM and 95 % stratified-bootstrap CI of pctOfOracle`, '', '| scenario | agent | IQM | 95 % CI | per seed | best heuristic |', '|---|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.scenario} | ${r.agent} | ${r.iqm} | [${r.ci95[0]}, ${r.ci95[1]}] | ${r.perSeed.join(', ')} | ${r.bestHeuristic} ${r.bestHeuristicPct} |`);
  return lines.join('\n') + '\n';
}

export function compareMarkdown(title: string, c: ScenarioComparison): string {
  const head = `| ${METRIC_COLUMNS.join(' | ')} |`;
  const sep = `|${METRIC_COLUMNS.map(() => '---').join('|')}|`;
  return [`**${title}**: ${c.episodes} episode(s), seed ${c.seed}`, '', head, sep, ...c.policies.map((p) => `| ${metricsRow(p).join(' | ')} |`), ''].join('\n');
}

function tableHtml(c: ScenarioComparison): string {
  const head = METRIC_COLUMNS.map((h) => `<th>${h}</th>`).join('');
  const rows = c.policies.map((p) => `<tr>${metricsRow(p).map((v, i) => `<td${i ? ' class="n"' : ''}>${escapeHtml(v)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function byAgent(s: ReproduceSummary, scenario: string, agent: string): string {
  const c = s.comparisons.find((x) => x.scenario === scenario);
  return String(c?.policies.find((p) => p.policy === agent)?.pctOfOracle ?? 'n/a');
}

function multiSeedHtml(rows: MultiSeedRow[]): string {
  const head = ['scenario', 'agent', 'IQM', '95 % CI', 'per seed', 'best heuristic'].map((h) => `<th>${h}</th>`).join('');
  const body = rows.map((r) => `<tr>${[r.scenario, r.agent, String(r.iqm), `[${r.ci95.join(', ')}]`, r.perSeed.join(', '), `${r.bestHeuristic} ${r.bestHeuristicPct}`].map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The Fig. 6 timelines each model writes (a reused output folder may hold the other model's from an earlier run). */
const FIG6_FILES: Record<ProductModel, string[]> = { paper: ['fig6.svg', 'fig6-product.svg'], edge: ['fig6-edge.svg'] };

/** The report's opening paragraphs: what was trained and where each agent stands, for the models the run kept. */
function introHtml(s: ReproduceSummary): string {
  const parts = [`<p>Commit <code>${escapeHtml(s.commit)}</code>, remora ${escapeHtml(s.version)}, models: ${s.models.join(', ')}.${s.quick ? ' <b>--quick</b>: a smoke run, not the paper\'s settings.' : ''} Whole run ${s.seconds} s, training ${s.trainingSeconds} s.</p>`];
  if (s.dqn && s.sarsa) {
    parts.push(`<p>DQN (LSTM Q-network) and Deep SARSA trained ${s.steps.toLocaleString('en-US')} steps each on <code>sr111</code>
(seed ${s.seed}; Table II settings, ε annealed 1.0 → 0.1 over the first 10 % of the steps).
DQN reaches <b>${s.dqn.pctOfOracle}%</b> of the oracle on the Fig. 6 round trip, SARSA ${s.sarsa.pctOfOracle}%.
DQN ${s.dqnBeatsSarsa ? 'beats' : 'does not beat'} SARSA there (the paper's claim).</p>`);
  }
  const roundTrip: Record<ProductModel, string> = { paper: 'sr111-roundtrip', edge: 'sr111-edge-roundtrip' };
  const product = s.models.map((m) => {
    const p = s.product[m]!;
    return `<code>${escapeHtml(p.agent)}</code> in the ${m} model (trained on <code>${escapeHtml(p.scenario)}</code>) reaches <b>${byAgent(s, roundTrip[m], p.agent)}%</b> on that model's round trip`;
  });
  parts.push(`<p>The product agents, checkpoints chosen on the validation days: ${product.join('; ')}. Every table below is on test days only.</p>`);
  return parts.join('\n');
}

/** A self-contained report: inline SVG figures and tables, no external fetches. */
function indexHtml(s: ReproduceSummary, out: string): string {
  const svg = (f: string) => readFileSync(join(out, f), 'utf8');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Remora reproduce ${escapeHtml(s.commit)}</title>
<style>
body{font-family:sans-serif;max-width:1000px;margin:24px auto;color:#222;padding:0 12px}
table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}th,td{border:1px solid #ccc;padding:4px 8px}th{background:#f3f3f3}
td.n{text-align:right;font-variant-numeric:tabular-nums}figure{margin:16px 0}svg{max-width:100%;height:auto}code{background:#f3f3f3;padding:1px 4px}
</style></head><body>
<h1>Remora: the paper's experiment, reproduced</h1>
${introHtml(s)}
<h2>Fig. 6 — the round trip on the held-out heavy day</h2>
${s.models.flatMap((m) => FIG6_FILES[m]).map((f) => `<figure>${svg(f)}</figure>`).join('\n')}
<h2>Comparison on identical episodes</h2>
${s.comparisons.map((c) => `<h3>${escapeHtml(c.title)} (${c.episodes} episode(s), seed ${c.seed})</h3>\n${tableHtml(c)}`).join('\n')}
${s.multiSeed.length ? `<h2>Over ${s.seeds} seeds</h2>\n${multiSeedHtml(s.multiSeed)}` : ''}
<p><code>pctOfOracle</code>: return as a percentage of the exact oracle's on the same episodes. <code>slaViolations</code>: steps with
the serving node's RTT &gt; R_max or load &gt; L_max. RTT in ms.</p>
${s.dqn ? `<h2>Fig. 5 — training</h2>\n<figure>${svg('fig5a.svg')}</figure>\n<figure>${svg('fig5b.svg')}</figure>` : ''}
</body></html>
`;
}
