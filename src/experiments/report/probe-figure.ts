/**
 * The probe's figure, in the style of the paper's Fig. 4c/4d (end-to-end jitter and throughput while a service
 * migrates, the migration's start as a dotted vertical line): RTT, RFC 3550 jitter and throughput over time,
 * with each event (migration start, switch-over) as a dashed line across the panels. The series come from
 * `lab/probe.ts`'s `summarizeProbe`; this file only draws (the layering keeps `lab` from importing `experiments`,
 * so the input is a plain structure).
 */
import { renderChart, type Series } from './plots.js';

export interface ProbeFigureInput {
  title: string;
  /** Per reply: seconds since the probe started, and the round trip (ms). */
  rtt: { tS: number; rttMs: number }[];
  /** Per reply: RFC 3550 jitter after it, ms. */
  jitter: { tS: number; jitterMs: number }[];
  /** Per window: its start (s), replies per second, and mean RTT (ms) or null when nothing answered. */
  windows: { tS: number; repliesPerS: number }[];
  /** Vertical markers, seconds since the probe started; `kind` picks the colour (`migration-start`, `switchover`). */
  markers: { tS: number; label: string; kind?: string }[];
  /** Length of a throughput window, s (for the axis label). */
  windowS: number;
}

/** Most points drawn per series; longer series keep each bin's maximum, so a spike is never averaged away. */
export const MAX_FIGURE_POINTS = 4000;

function binMax(x: number[], y: number[], max: number): { x: number[]; y: number[] } {
  if (x.length <= max) return { x, y };
  const per = Math.ceil(x.length / max);
  const ox: number[] = [];
  const oy: number[] = [];
  for (let i = 0; i < x.length; i += per) {
    let k = i;
    for (let j = i; j < Math.min(x.length, i + per); j++) if (y[j]! > y[k]!) k = j;
    ox.push(x[k]!);
    oy.push(y[k]!);
  }
  return { x: ox, y: oy };
}

const MARKER_COLORS: Readonly<Record<string, string>> = { 'migration-start': '#d62728', switchover: '#2ca02c' };

export function probeFigure(f: ProbeFigureInput): string {
  const rtt = binMax(
    f.rtt.map((s) => s.tS),
    f.rtt.map((s) => s.rttMs),
    MAX_FIGURE_POINTS,
  );
  const jit = binMax(
    f.jitter.map((s) => s.tS),
    f.jitter.map((s) => s.jitterMs),
    MAX_FIGURE_POINTS,
  );
  const rttSeries: Series[] = [{ name: 'RTT', x: rtt.x, y: rtt.y, width: 1.2 }];
  const jitterSeries: Series[] = [{ name: 'jitter (RFC 3550)', x: jit.x, y: jit.y, color: '#9467bd' }];
  const thr: Series[] = [{ name: 'replies/s', x: f.windows.map((w) => w.tS), y: f.windows.map((w) => w.repliesPerS), step: true, color: '#2ca02c', width: 2 }];
  const xMax = Math.max(f.rtt.at(-1)?.tS ?? 0, f.windows.at(-1)?.tS ?? 0, ...f.markers.map((m) => m.tS)) || 1;
  return renderChart({
    title: f.title,
    xLabel: 'Time since the probe started [s]',
    xMin: 0,
    xMax,
    vLines: f.markers.map((m) => ({ x: m.tS, label: m.label, color: MARKER_COLORS[m.kind ?? ''] ?? '#444', dash: '4 3' })),
    panels: [
      { title: 'Round-trip time', yLabel: 'RTT [ms]', series: rttSeries, yMin: 0, height: 220 },
      { title: 'Jitter (Fig. 4c)', yLabel: 'Jitter [ms]', series: jitterSeries, yMin: 0, height: 160 },
      { title: `Throughput (Fig. 4d), ${f.windowS} s windows`, yLabel: 'Replies per second', series: thr, yMin: 0, height: 160 },
    ],
  });
}
