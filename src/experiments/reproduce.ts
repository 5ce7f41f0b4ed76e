/**
 * `remora reproduce`: the project's main job. On the embedded default data it
 * 1. trains DQN (LSTM Q-network) and Deep SARSA with the paper's settings (Table II: 200k steps each), in parallel
 *    worker threads, with a progress bar. Table II's "exploration rate ε 1.0, decay d 0.1" is read here as ε annealed
 *    linearly from 1.0 to 0.1 over the first d = 10 % of the steps ({@link REPRODUCE_TRAIN_CONFIG}), not over all
 *    of them (`remora train`'s default reading): the paper says the average reward "by the end converged" (Fig. 5a),
 *    which cannot happen while ε is still falling at the last step. Both readings are measured in the README;
 * 2. evaluates both, and the baselines, against the exact oracle on identical episodes of `sr111-roundtrip`
 *    (Fig. 6: one round trip at top speed on the held-out heavy day, R_max = 20 ms, L_max = 12) and of held-out
 *    `sr111` episodes;
 * 3. writes fig5a.svg, fig5b.svg, fig6.svg, compare.md, summary.json and a self-contained index.html.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Policy } from '../core/env.js';
import { VERSION } from '../core/version.js';
import type { TrainConfigFile } from '../agents/config.js';
import { loadPolicy } from '../agents/policy-file.js';
import { loadScenario, type ResolvedScenario } from '../twin/index.js';
import { evaluatePolicy, metricsRow, roundMetrics, METRIC_COLUMNS, type OracleCache, type PolicyMetrics, type TraceStep } from './evaluate/evaluate.js';
import { fig5a, fig5b, fig6, type TrainingCurve } from './report/figures.js';
import { escapeHtml } from './report/html.js';
import { resolvePolicy } from './policies.js';
import { readMetricsJsonl } from './train/metrics-jsonl.js';
import { runParallel } from './train/train-parallel.js';
import { ProgressReporter, type ProgressSink } from './train/train-progress.js';

export interface ReproduceOptions {
  /** Output folder (created). */
  out: string;
  /** Short training and one evaluation episode: for tests and smoke runs (well under a minute). */
  quick: boolean;
  /** Training seed (DQN and SARSA use the same). */
  seed: number;
  /** Seed of the evaluation episodes. */
  evalSeed: number;
  /** Training steps per agent (default: 200,000, Table II; 4,000 with quick). */
  steps?: number;
  /** Evaluation episodes per scenario (default 10; 1 with quick). */
  episodes?: number;
  /** Worker threads (default 2: one per agent). */
  workers?: number;
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

export interface ReproduceSummary {
  version: string;
  commit: string;
  seconds: number;
  trainingSeconds: number;
  quick: boolean;
  steps: number;
  seed: number;
  evalSeed: number;
  /** The training hyperparameters that differ from the defaults. */
  trainConfig: typeof REPRODUCE_TRAIN_CONFIG;
  dqn: PolicyMetrics & { trainEpisodes: number };
  sarsa: PolicyMetrics & { trainEpisodes: number };
  baselines: Record<string, PolicyMetrics>;
  /** The same comparison on held-out episodes of the training scenario. */
  sr111: ScenarioComparison;
  roundtrip: ScenarioComparison;
  /** Did DQN beat SARSA on the round trip (the paper's claim)? */
  dqnBeatsSarsa: boolean;
}

const BASELINES = ['never', 'follow-me', 'threshold', 'greedy', 'oracle'] as const;

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
  // 1. Train both agents in parallel workers.
  const reporter = new ProgressReporter(o.progress, o.now, 5000);
  const base = { scenario: 'sr111', steps, seed: o.seed, config: structuredClone(REPRODUCE_TRAIN_CONFIG) as TrainConfigFile, cwd: out, progressEvery: 1000 };
  const [dqnRun, sarsaRun] = await runParallel(
    [
      { ...base, agent: 'dqn', out: join(out, 'dqn') },
      { ...base, agent: 'sarsa', out: join(out, 'sarsa') },
    ],
    o.workers ?? 2,
    (id, p) => reporter.update(id, p),
  );
  reporter.finish();
  const trainingSeconds = (o.now() - t0) / 1000;
  o.progress.write(`reproduce: trained DQN and SARSA (${steps} steps each) in ${trainingSeconds.toFixed(1)} s; evaluating\n`);
  const curves: TrainingCurve[] = [
    { name: 'DQN', points: readMetricsJsonl(join(dqnRun!.out, 'metrics.jsonl')) },
    { name: 'Deep SARSA', points: readMetricsJsonl(join(sarsaRun!.out, 'metrics.jsonl')) },
  ];
  writeFileSync(join(out, 'fig5a.svg'), fig5a(curves));
  writeFileSync(join(out, 'fig5b.svg'), fig5b(curves));

  // 2. Evaluate everything on identical episodes.
  const cache = new Map();
  const roundtrip = loadScenario('sr111-roundtrip', { cwd: o.cwd, traceCache: cache });
  const sr111 = loadScenario('sr111', { cwd: o.cwd, traceCache: cache });
  // The trained agents are loaded once; they reset per episode, so both scenarios can share them.
  const agents = [named(await loadPolicy(dqnRun!.modelPath), 'dqn'), named(await loadPolicy(sarsaRun!.modelPath), 'sarsa')];
  const policiesFor = async (sc: ResolvedScenario): Promise<Policy[]> => [
    ...agents,
    ...(await Promise.all(BASELINES.map((b) => resolvePolicy(b, { seed: o.evalSeed, scenario: sc }, o.cwd)))),
  ];
  const rt = compareOn(roundtrip, await policiesFor(roundtrip), episodes, o.evalSeed, 'dqn');
  const tr = compareOn(sr111, await policiesFor(sr111), o.quick ? 5 : 100, o.evalSeed);
  writeFileSync(join(out, 'fig6.svg'), fig6(rt.trace!, { policy: 'DQN', stepSeconds: roundtrip.spec.stepSeconds, rttMaxMs: roundtrip.spec.sla.rttMs.max, loadMax: roundtrip.spec.sla.load.max, nodes: roundtrip.nodeX.length }));

  const byName = (c: ScenarioComparison, n: string) => c.policies.find((p) => p.policy === n)!;
  const summary: ReproduceSummary = {
    version: VERSION,
    commit: gitCommit(o.cwd),
    seconds: 0,
    trainingSeconds: Number(trainingSeconds.toFixed(1)),
    quick: o.quick,
    steps,
    seed: o.seed,
    evalSeed: o.evalSeed,
    trainConfig: REPRODUCE_TRAIN_CONFIG,
    dqn: { ...byName(rt.cmp, 'dqn'), trainEpisodes: dqnRun!.episodes },
    sarsa: { ...byName(rt.cmp, 'sarsa'), trainEpisodes: sarsaRun!.episodes },
    baselines: Object.fromEntries(BASELINES.map((b) => [b, byName(rt.cmp, b)])),
    sr111: tr.cmp,
    roundtrip: rt.cmp,
    dqnBeatsSarsa: byName(rt.cmp, 'dqn').return > byName(rt.cmp, 'sarsa').return,
  };
  const md = [compareMarkdown('sr111-roundtrip (Fig. 6, held-out heavy day)', rt.cmp), compareMarkdown('sr111 (held-out episodes of the training scenario)', tr.cmp)].join('\n');
  writeFileSync(join(out, 'compare.md'), md);
  summary.seconds = Number(((o.now() - t0) / 1000).toFixed(1));
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(out, 'index.html'), indexHtml(summary, out));
  return summary;
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
<p>Commit <code>${escapeHtml(s.commit)}</code>, remora ${escapeHtml(s.version)}. DQN (LSTM Q-network) and Deep SARSA trained ${s.steps.toLocaleString('en-US')} steps each on <code>sr111</code>
(seed ${s.seed}; Table II settings, ε annealed 1.0 → 0.1 over the first 10 % of the steps) in ${s.trainingSeconds} s; whole run ${s.seconds} s${s.quick ? ' (<b>--quick</b>: a smoke run, not the paper\'s settings)' : ''}.
DQN reaches <b>${s.dqn.pctOfOracle}%</b> of the oracle on the Fig. 6 round trip, SARSA ${s.sarsa.pctOfOracle}%.
DQN ${s.dqnBeatsSarsa ? 'beats' : 'does not beat'} SARSA there (the paper's claim).</p>
<h2>Fig. 6 — the round trip on the held-out heavy day</h2>
<figure>${svg('fig6.svg')}</figure>
<h2>Comparison on identical episodes</h2>
<h3>sr111-roundtrip (${s.roundtrip.episodes} episode(s), seed ${s.roundtrip.seed})</h3>
${tableHtml(s.roundtrip)}
<h3>sr111, held-out episodes (${s.sr111.episodes}, seed ${s.sr111.seed})</h3>
${tableHtml(s.sr111)}
<p><code>pctOfOracle</code>: return as a percentage of the exact oracle's on the same episodes. <code>slaViolations</code>: steps with
the serving node's RTT &gt; R_max or load &gt; L_max. RTT in ms.</p>
<h2>Fig. 5 — training</h2>
<figure>${svg('fig5a.svg')}</figure>
<figure>${svg('fig5b.svg')}</figure>
</body></html>
`;
}
