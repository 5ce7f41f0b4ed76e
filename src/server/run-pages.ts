/**
 * The runs page and one page per kind of run: a training run (Fig. 5a/5b, live while it trains), a `reproduce`
 * output (its comparison tables and figures, its training runs), and a sweep (per-seed points, IQM and CI per
 * scenario: `sweepSvg`, the same figure `remora sweep` writes; then the tables). Figures come from their one home
 * (`experiments/report/figures.ts`, `sweep.ts`); nothing here draws a chart of its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpisodeMetrics } from '../agents/trainer.js';
import { fig5a, fig5b, type TrainingCurve } from '../experiments/report/figures.js';
import { escapeHtml } from '../experiments/report/html.js';
import type { ReproduceSummaryFile } from '../experiments/reproduce-summary.js';
import { sweepSvg } from '../experiments/sweep.js';
import { fleetSweepSvg } from '../experiments/fleet/sweep-fleet.js';
import type { FleetSweepFile } from '../experiments/fleet/sweep-fleet-summary.js';
import type { SweepSummaryFile } from '../experiments/sweep-summary.js';
import { runHref, type RunInfo, type RunStore } from './runs.js';
import { metricsTable, table, type Cell } from './tables.js';

const e = (v: unknown): string => escapeHtml(String(v));
const errorRow = (message: string): string => `<p class="err">${e(message)}</p>`;
const num = (x: number): string => (Number.isFinite(x) ? String(x) : 'n/a');
const ago = (ms: number, now: number): string => {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : s < 172_800 ? `${Math.round(s / 3600)} h ago` : new Date(ms).toISOString().slice(0, 10);
};

/** The runs page: every run and group, nested ones indented under their parent. */
export function indexBody(runsDir: string, runs: RunInfo[], now: number): string {
  if (!runs.length) {
    return `<p>No runs in <code>${e(runsDir)}</code> yet. Train one with <code>remora train --out ${e(runsDir)}/dqn</code>, sweep seeds with <code>remora sweep --out ${e(runsDir)}/sweep</code> or run <code>remora reproduce --out ${e(runsDir)}/reproduce</code>.</p>`;
  }
  const rows = runs.map((r) => {
    const leaf = r.name.split('/').at(-1)!;
    const tags = `<span class="tag">${r.kind}</span>${r.training ? ' <span class="tag live">training</span>' : ''}`;
    const name = r.kind === 'group' ? `<b>${e(leaf)}/</b>` : `<a href="${runHref(r.name)}">${e(leaf)}</a>`;
    const what = r.error ? e(r.error) : r.kind === 'train' ? `${r.episodes ?? 0} episodes${r.hasModel ? '' : ', no model yet'}` : e(r.note ?? '');
    const replay = r.hasModel ? `<a href="/episode?policy=${encodeURIComponent(r.name)}">replay</a>` : '';
    return `<tr class="${r.depth ? 'nested' : ''}${r.kind === 'group' ? ' group' : ''}" data-run="${e(r.name)}" data-kind="${r.kind}" style="--depth:${r.depth}"><td>${name}</td><td>${tags}</td><td${r.error ? ' class="err"' : ''}>${what}</td><td class="n">${ago(r.modifiedMs, now)}</td><td>${replay}</td></tr>`;
  });
  const counts = ['train', 'reproduce', 'sweep'].map((k) => `${runs.filter((r) => r.kind === k).length} ${k}`).join(', ');
  return `<p>Runs in <code>${e(runsDir)}</code>: ${counts}.</p><div class="fit"><table id="runs"><thead><tr><th>run</th><th>kind</th><th>what</th><th>modified</th><th></th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div>
<p><a href="/episode">Explore an episode</a> of any policy on any scenario, with its map.</p>`;
}

function childList(store: RunStore, name: string): string {
  const kids = store.list().filter((r) => r.parent === name);
  if (!kids.length) return '';
  return `<h2>Runs inside</h2><p>${kids.map((k) => `<a href="${runHref(k.name)}">${e(k.name.split('/').at(-1))}</a>${k.kind === 'train' ? ` <span class="muted">(${k.episodes ?? 0} ep.)</span>` : ''}`).join(' · ')}</p>`;
}

/** The sections of a training run's page, by element id: the page and its live stream both render them here. */
export function trainSections(name: string, points: readonly EpisodeMetrics[], error: string | undefined, totalSteps: number | undefined): Record<string, string> {
  const last = points.at(-1);
  const pct = last && totalSteps ? Math.min(100, (100 * last.steps) / totalSteps) : undefined;
  const progress = last
    ? `<p><b>${points.length}</b> episodes, <b>${last.steps}</b>${totalSteps ? ` of ${totalSteps}` : ''} steps${pct !== undefined ? ` (${pct.toFixed(1)} %)` : ''}; ε ${last.epsilon.toFixed(3)}, mean reward ${last.meanReward.toFixed(2)}.</p>${pct !== undefined ? `<progress max="100" value="${pct.toFixed(1)}" style="width:100%"></progress>` : ''}`
    : '<p>No episode finished yet.</p>';
  const curve: TrainingCurve = { name, points: [...points] };
  return {
    'run-progress': (error ? errorRow(error) : '') + progress,
    'run-curves': points.length ? `<div class="grid2"><div>${fig5a([curve])}</div><div>${fig5b([curve])}</div></div>` : '',
  };
}

/** The steps a training run was asked for (its config.json), when it says. */
export function totalStepsOf(dir: string): number | undefined {
  try {
    const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { steps?: unknown };
    return typeof c.steps === 'number' ? c.steps : undefined;
  } catch {
    return undefined;
  }
}

export function trainBody(store: RunStore, name: string, dir: string, info: RunInfo): string {
  const read = store.curve(dir);
  const points = read && !('error' in read) ? read : [];
  const sections = trainSections(name.split('/').at(-1)!, points, read && 'error' in read ? read.error : undefined, totalStepsOf(dir));
  const body = Object.entries(sections).map(([id, html]) => `<section id="${id}">${html}</section>`).join('\n');
  const replay = info.hasModel ? `<p><a href="/episode?policy=${encodeURIComponent(name)}">Replay the trained policy</a> in the episode explorer.</p>` : '';
  // While the run trains, the page follows its metrics.jsonl over SSE (curve-stream.ts); no polling in the browser.
  const live = info.training
    ? `<p class="muted" id="run-stream">Training: the curves follow metrics.jsonl as it grows.</p><script>
const es = new EventSource('/api/curves/stream?run=' + encodeURIComponent(${JSON.stringify(name)}));
es.onmessage = (ev) => { const m = JSON.parse(ev.data); for (const [id, html] of Object.entries(m.sections)) { const el = document.getElementById(id); if (el) el.innerHTML = html; } document.body.dataset.episodes = String(m.episodes); };
es.addEventListener('done', () => { es.close(); document.body.dataset.stream = 'done'; document.getElementById('run-stream').textContent = 'Training finished.'; });
es.onopen = () => { document.body.dataset.stream = 'open'; };
es.onerror = () => { if (document.body.dataset.stream !== 'done') document.body.dataset.stream = 'reconnecting'; };
</script>`
    : '';
  return `${live}${body}${replay}${childList(store, name)}`;
}

export function reproduceBody(store: RunStore, name: string, dir: string, s: ReproduceSummaryFile | { error: string }): string {
  const parts: string[] = [];
  if ('error' in s) parts.push(errorRow(s.error));
  else {
    parts.push(`<p>Commit <code>${e(s.commit)}</code>, ${e(s.seeds)} seed(s), ${e(s.steps)} training steps per agent, ${e(s.seconds)} s.</p>`);
    // Summaries since the edge model list every comparison (paper and edge model, test days); older ones have two.
    if (s.comparisons.length) for (const c of s.comparisons) parts.push(`<h2>${e(c.title)}</h2>${metricsTable(c.policies)}`);
    else if (s.roundtrip && s.sr111) parts.push(`<h2>sr111-roundtrip (Fig. 6 evaluation)</h2>${metricsTable(s.roundtrip.policies)}<h2>sr111, held-out episodes</h2>${metricsTable(s.sr111.policies)}`);
    if (s.multiSeed.length) {
      const rows: Cell[][] = s.multiSeed.map((m) => [m.agent, { pct: m.iqm }, `[${num(m.ci95[0])}, ${num(m.ci95[1])}]`, m.scenario, m.perSeed.map(num).join(', '), `${m.bestHeuristic} ${num(m.bestHeuristicPct)}`]);
      parts.push(`<h2>Over ${s.seeds} seeds</h2>${table([{ label: 'agent' }, { label: 'IQM % of oracle', numeric: true }, { label: '95 % CI', numeric: true }, { label: 'scenario' }, { label: 'per seed' }, { label: 'best heuristic' }], rows)}`);
    }
  }
  for (const [f, title] of [['fig6.svg', 'Fig. 6'], ['fig6-product.svg', 'Fig. 6, dqn-product'], ['fig6-edge.svg', 'Fig. 6, edge model']] as const) {
    if (existsSync(join(dir, f))) parts.push(`<h2>${title}</h2>${readFileSync(join(dir, f), 'utf8')}`);
  }
  const curves: TrainingCurve[] = [];
  for (const [sub, label] of [['dqn', 'DQN'], ['sarsa', 'Deep SARSA']] as const) {
    const c = store.curve(join(dir, sub));
    if (c && 'error' in c) parts.push(errorRow(c.error));
    else if (c) curves.push({ name: label, points: c });
  }
  if (curves.length) parts.push(`<h2>Training</h2><div class="grid2"><div>${fig5a(curves)}</div><div>${fig5b(curves)}</div></div>`);
  return parts.join('\n') + childList(store, name);
}

export function sweepBody(store: RunStore, name: string, s: SweepSummaryFile | { error: string }): string {
  if ('error' in s) return errorRow(s.error) + childList(store, name);
  const scen = Object.keys(s.scenarios);
  const policies = Object.keys(s.overall);
  const ciText = (ci: readonly [number, number]) => `[${num(ci[0])}, ${num(ci[1])}]`;
  // One row per policy: the IQM over every scenario first (the key column), then each scenario's IQM and CI.
  const matrix = table(
    [{ label: 'policy' }, { label: 'all scenarios IQM', title: 'IQM over every (scenario, seed), CI stratified by scenario', numeric: true }, { label: '95 % CI', numeric: true }, ...scen.map((n) => ({ label: `${n} (${s.roles[n]})`, title: n, numeric: true }))],
    policies.map((p) => [p, { pct: s.overall[p]!.iqm }, ciText(s.overall[p]!.ci95), ...scen.map((n): Cell => {
      const r = s.scenarios[n]![p]!;
      return { pct: r.iqm, text: r.kind === 'agent' ? `${num(r.iqm)} ${ciText(r.ci95)}` : num(r.iqm) };
    })]),
    { id: 'sweep-matrix' },
  );
  const perScenario = scen.map((n) => {
    const c = s.comparisons[n]!;
    const rows: Cell[][] = Object.entries(s.scenarios[n]!).map(([p, r]) => [p, { pct: r.iqm }, ciText(r.ci95), r.perSeed.map(num).join(', '), num(r.violations), num(r.migrations), r.kind]);
    const verdict = c.bestHeuristic === null ? '' : `<p>Best heuristic <b>${e(c.bestHeuristic)}</b> (${num(c.bestHeuristicIqm)}); ${e(c.agent)}'s CI lower bound ${num(c.agentCi95[0])} is <b>${c.ciLowerAboveBest ? 'above' : 'not above'}</b> it.</p>`;
    return `<h3>${e(n)} <span class="tag">${e(s.roles[n])}</span></h3>${verdict}${table([{ label: 'policy' }, { label: 'IQM % of oracle', numeric: true }, { label: '95 % CI', numeric: true }, { label: 'per seed', numeric: true }, { label: 'SLA violation steps', numeric: true }, { label: 'migrations', numeric: true }, { label: 'kind' }], rows)}`;
  });
  const seeds = s.training.map((t) => {
    const rel = `${name}/seed-${t.seed}`;
    return [`seed ${t.seed}`, String(t.episodes), String(t.steps), t.meanReward === null ? 'n/a' : String(t.meanReward), existsSync(join(store.runsDir, ...rel.split('/'))) ? rel : ''];
  });
  const seedRows = seeds.map((r) => `<tr><td>${e(r[0])}</td><td class="n">${e(r[1])}</td><td class="n">${e(r[2])}</td><td class="n">${e(r[3])}</td><td>${r[4] ? `<a href="${runHref(r[4])}">curves</a> · <a href="/episode?policy=${encodeURIComponent(r[4])}">replay</a>` : ''}</td></tr>`).join('');
  return `<p>${e(s.agent)} trained on <b>${e(s.trainScenario)}</b>: seeds ${e(s.seeds.join(', '))}, ${e(s.steps)} steps each; ${e(s.episodes)} evaluation episode(s) per scenario (eval seed ${e(s.evalSeed)}); ${e(s.bootstrap.reps)} bootstrap replicates. ${e(s.timing.totalSeconds)} s.</p>
<p>${e(s.overallComparison.agent)} over every scenario: IQM ${num(s.overallComparison.agentIqm)} ${ciText(s.overallComparison.agentCi95)}; best heuristic ${e(s.overallComparison.bestHeuristic ?? 'none')} ${num(s.overallComparison.bestHeuristicIqm)}.</p>
<section id="sweep-figure">${sweepSvg(s)}</section>
<h2>% of the oracle per scenario</h2>${matrix}
<h2>Per scenario</h2>${perScenario.join('\n')}
<h2>Seeds</h2><div class="fit"><table><thead><tr><th>seed</th><th>episodes</th><th>steps</th><th>mean reward (last 100)</th><th></th></tr></thead><tbody>${seedRows}</tbody></table></div>`;
}

/** A fleet sweep (`remora sweep --fleet`): the figure, then per fleet the agent's IQM and CI beside every heuristic. */
export function fleetSweepBody(store: RunStore, name: string, s: FleetSweepFile | { error: string }): string {
  if ('error' in s) return errorRow(s.error) + childList(store, name);
  const r1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  const ci = (x: { iqm: number; ci: readonly [number, number] }) => `${r1(x.iqm)} [${r1(x.ci[0])}, ${r1(x.ci[1])}]`;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const cols = [{ label: 'policy' }, { label: 'return / user-h', numeric: true }, { label: 'violation s / user-h', numeric: true }, { label: 'overload s', numeric: true }, { label: 'storms', numeric: true }, { label: 'migrations / user-h', numeric: true }];
  const fleets = s.scenarios.map((sc) => {
    const rows: Cell[][] = [
      ['fleet agent (IQM [95 % CI]; means)', ci(sc.agentReturn), ci(sc.agentViolation), r1(mean(sc.agent.map((m) => m.overloadSeconds))), r1(mean(sc.agent.map((m) => m.storms))), r1(mean(sc.agent.map((m) => m.migrationsPerUserHour)))],
      ...sc.heuristics.map((h): Cell[] => [h.policy, r1(h.returnPerUserHour), r1(h.violationSecondsPerUserHour), r1(h.overloadSeconds), r1(h.storms), r1(h.migrationsPerUserHour)]),
    ];
    const verdict = `<p>Best heuristic by return <b>${e(sc.bestHeuristic)}</b> (${r1(sc.bestHeuristicReturn)}); the agent's CI lower bound ${r1(sc.agentReturn.ci[0])} is <b>${sc.ciLowerAboveBest ? 'above' : 'not above'}</b> it.</p>`;
    return `<h3>${e(sc.scenario)} <span class="tag">${e(sc.role)}</span></h3>${verdict}${table(cols, rows)}`;
  });
  const seeds = s.training.map((t) => `<tr><td>seed ${e(t.seed)}</td><td class="n">${e(Math.round(t.seconds))}</td><td class="n">${e(t.samples)}</td><td>${e(`iteration ${t.chosen.iteration + 1}, margin ${t.chosen.margin}, ${t.chosen.priority}, social ${t.chosen.social}`)}</td><td class="n">${r1(t.chosen.relative)}</td></tr>`).join('');
  return `<p>Fleet agent trained on <b>${e(s.train.join(', '))}</b>, chosen on ${e(s.validation.join(', '))}: seeds ${e(s.seeds.join(', '))}; evaluation seed ${e(s.evalSeed)}.</p>
<section id="fleet-sweep-figure">${fleetSweepSvg(s)}</section>
<h2>Per fleet</h2>${fleets.join('\n')}
<h2>Seeds</h2><div class="fit"><table><thead><tr><th>seed</th><th>seconds</th><th>labelled moves</th><th>chosen on validation</th><th>relative return vs the rule</th></tr></thead><tbody>${seeds}</tbody></table></div>`;
}
