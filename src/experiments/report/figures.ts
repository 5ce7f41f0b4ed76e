/**
 * The paper's figures from Remora's data: Fig. 5a (average reward per episode, DQN vs SARSA), Fig. 5b (average
 * episode duration) and Fig. 6 (RTT and load per node over one evaluation round trip, with the service's node and
 * a marker at each migration).
 */
import { downsample, movingAverage, renderChart, type Series } from './plots.js';
import type { TraceStep } from '../evaluate/evaluate.js';
import type { EpisodeMetrics } from '../../agents/trainer.js';

/** One agent's training run: its episodes as read from metrics.jsonl (`readMetricsJsonl`). */
export interface TrainingCurve {
  name: string;
  points: EpisodeMetrics[];
}

/** First episode where ε falls below 0.5: from then on the agent exploits more often than it explores. */
export function exploitationEpisode(points: EpisodeMetrics[]): number | undefined {
  return points.find((p) => p.epsilon < 0.5)?.episode;
}

/** Smoothing window: 1 % of the episodes, at least 50 (tens of thousands of short episodes are pure noise otherwise). */
function windowFor(curves: TrainingCurve[], requested?: number): number {
  return requested ?? Math.max(50, Math.round(Math.max(...curves.map((c) => c.points.length)) / 100));
}

function curveChart(curves: TrainingCurve[], pick: (p: EpisodeMetrics) => number, title: string, yLabel: string, window: number): string {
  const series: Series[] = curves.map((c) => {
    const d = downsample(c.points.map((p) => p.episode), movingAverage(c.points.map(pick), window), 1500);
    return { name: `${c.name} (${window}-episode mean)`, x: d.x, y: d.y };
  });
  const vLines = curves
    .map((c, i) => ({ c, i, e: exploitationEpisode(c.points) }))
    .filter((v) => v.e !== undefined)
    .map((v) => ({ x: v.e!, label: `${v.c.name}: ε < 0.5 (exploration → exploitation)`, color: ['#1f77b4', '#d62728'][v.i % 2] }));
  return renderChart({ title, xLabel: 'Training episode', panels: [{ yLabel, series, height: 320 }], vLines });
}

/** Fig. 5a: average reward per episode during training. */
export function fig5a(curves: TrainingCurve[], window?: number): string {
  return curveChart(curves, (p) => p.reward, 'Fig. 5a — Average reward per episode during training', 'Episode return (Eq. 8 summed)', windowFor(curves, window));
}

/** Fig. 5b: average episode duration during training. */
export function fig5b(curves: TrainingCurve[], window?: number): string {
  return curveChart(curves, (p) => p.length, 'Fig. 5b — Average episode duration during training', 'Episode length [steps]', windowFor(curves, window));
}

export interface Fig6Options {
  policy: string;
  stepSeconds: number;
  rttMaxMs: number;
  loadMax: number;
  nodes: number;
}

/** Fig. 6: one evaluation episode as a timeline. */
export function fig6(trace: TraceStep[], o: Fig6Options): string {
  const t = trace.map((s) => s.t * o.stepSeconds);
  const node = (j: number) => `Node ${j + 1}`;
  const rtt: Series[] = Array.from({ length: o.nodes }, (_, j) => ({ name: node(j), x: t, y: trace.map((s) => s.rttMs[j]!) }));
  const load: Series[] = Array.from({ length: o.nodes }, (_, j) => ({ name: node(j), x: t, y: trace.map((s) => s.load[j]!) }));
  const serving: Series[] = [{ name: 'service node', x: t, y: trace.map((s) => s.servingAfter), step: true, color: '#333', width: 2.5 }];
  const migrations = trace.filter((s, i) => s.servingAfter !== (i === 0 ? s.node : trace[i - 1]!.servingAfter));
  const vLines = migrations.map((s, k) => ({ x: s.t * o.stepSeconds, label: `${k + 1}: → node ${s.servingAfter}`, color: '#444', dash: '4 3' }));
  const violations = trace.filter((s) => s.violation).length;
  return renderChart({
    title: `Fig. 6 — ${o.policy}: one round trip, ${migrations.length} migration(s), ${violations} step(s) out of SLA`,
    xLabel: 'Time [s]',
    vLines,
    panels: [
      { title: 'RTT per node', yLabel: 'RTT [ms]', series: rtt, hLines: [{ y: o.rttMaxMs, label: `R_max = ${o.rttMaxMs} ms`, color: '#d62728' }], height: 230 },
      { title: 'Load per node (log scale)', yLabel: 'Load L = 1/(1-cpu)·1/(1-mem)', series: load, yScale: 'log', hLines: [{ y: o.loadMax, label: `L_max = ${o.loadMax}`, color: '#d62728' }], height: 200 },
      {
        title: 'Node running the service',
        yLabel: 'Service node',
        series: serving,
        yMin: 0.5,
        yMax: o.nodes + 0.5,
        yTickLabels: Array.from({ length: o.nodes }, (_, j) => ({ value: j + 1, label: node(j) })),
        height: 120,
      },
    ],
  });
}
