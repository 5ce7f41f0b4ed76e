/**
 * Dependency-free SVG charts for training curves and timelines (Fig. 5a/5b/6). Output is a standalone SVG string:
 * axes with "nice" ticks, gridlines, axis labels with units, a legend, optional log y-scale, horizontal threshold
 * lines and vertical event markers. Fonts are generic (`sans-serif`) so files render the same offline.
 */
import { escapeHtml } from './html.js';

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: string;
  /** Dash pattern, e.g. `6 3`. */
  dash?: string;
  /** Draw as a step function (value holds until the next x). */
  step?: boolean;
  width?: number;
}

export interface Panel {
  title?: string;
  yLabel: string;
  series: Series[];
  yScale?: 'linear' | 'log';
  /** Fixed y range (otherwise from data). */
  yMin?: number;
  yMax?: number;
  /** Horizontal reference lines (e.g. R_max). */
  hLines?: { y: number; label: string; color?: string }[];
  /** Integer y ticks with labels (e.g. node numbers). */
  yTickLabels?: { value: number; label: string }[];
  height?: number;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  panels: Panel[];
  /** Vertical markers across all panels (e.g. migrations, the exploration → exploitation switch). */
  vLines?: { x: number; label?: string; color?: string; dash?: string }[];
  width?: number;
  xMin?: number;
  xMax?: number;
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

const fmt = (v: number) => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0);
  return Number(v.toPrecision(4)).toString();
};

/** "Nice" linear ticks covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * 0.75) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function extent(series: Series[], key: 'x' | 'y', positiveOnly = false): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const s of series) {
    const a = s[key];
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (!Number.isFinite(v) || (positiveOnly && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  return [lo, hi];
}

export function renderChart(spec: ChartSpec): string {
  const W = spec.width ?? 960;
  // The legend sits right of the plot; make room for its longest label (~6.6 px per character at 12 px).
  const labels = spec.panels.flatMap((p) => [...p.series.map((s) => s.name), ...(p.hLines ?? []).map((l) => l.label)]);
  const right = Math.max(150, 56 + Math.ceil(6.6 * Math.max(0, ...labels.map((l) => l.length))));
  const left = 78, top = 62, gap = 34, bottom = 52;
  const allSeries = spec.panels.flatMap((p) => p.series);
  let [x0, x1] = extent(allSeries, 'x');
  if (spec.xMin !== undefined) x0 = spec.xMin;
  if (spec.xMax !== undefined) x1 = spec.xMax;
  const plotW = W - left - right;
  const heights = spec.panels.map((p) => p.height ?? 220);
  const H = top + heights.reduce((a, b) => a + b, 0) + gap * (spec.panels.length - 1) + bottom;
  const sx = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${left}" y="24" font-size="16" font-weight="bold" fill="#222">${escapeHtml(spec.title)}</text>`);
  const xTicks = niceTicks(x0, x1, 10);
  let y = top;
  spec.panels.forEach((p, pi) => {
    const h = heights[pi]!;
    const log = p.yScale === 'log';
    let [ylo, yhi] = extent(p.series, 'y', log);
    for (const l of p.hLines ?? []) {
      ylo = Math.min(ylo, l.y);
      yhi = Math.max(yhi, l.y);
    }
    if (p.yMin !== undefined) ylo = p.yMin;
    if (p.yMax !== undefined) yhi = p.yMax;
    if (!log) {
      const pad = (yhi - ylo) * 0.05;
      if (p.yMin === undefined) ylo -= pad;
      if (p.yMax === undefined) yhi += pad;
    }
    const ty = log ? (v: number) => Math.log10(Math.max(v, 1e-12)) : (v: number) => v;
    const a = ty(ylo), b = ty(yhi);
    const sy = (v: number) => y + h - ((ty(v) - a) / (b - a || 1)) * h;
    // Frame and grid.
    out.push(`<rect x="${left}" y="${y}" width="${plotW}" height="${h}" fill="#fafafa" stroke="#999"/>`);
    const yTicks = p.yTickLabels
      ? p.yTickLabels
      : log
        ? logTicks(ylo, yhi).map((v) => ({ value: v, label: fmt(v) }))
        : niceTicks(ylo, yhi, Math.max(3, Math.round(h / 45))).map((v) => ({ value: v, label: fmt(v) }));
    for (const t of yTicks) {
      if (t.value < Math.min(ylo, yhi) - 1e-12 || t.value > Math.max(ylo, yhi) + 1e-12) continue;
      const yy = sy(t.value).toFixed(1);
      out.push(`<line x1="${left}" x2="${left + plotW}" y1="${yy}" y2="${yy}" stroke="#e3e3e3"/>`);
      out.push(`<text x="${left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle" fill="#333">${escapeHtml(t.label)}</text>`);
    }
    for (const t of xTicks) {
      const xx = sx(t).toFixed(1);
      out.push(`<line x1="${xx}" x2="${xx}" y1="${y}" y2="${y + h}" stroke="#eeeeee"/>`);
      if (pi === spec.panels.length - 1) out.push(`<text x="${xx}" y="${y + h + 16}" text-anchor="middle" fill="#333">${fmt(t)}</text>`);
    }
    // Y label (rotated).
    const cy = y + h / 2;
    out.push(`<text x="18" y="${cy}" transform="rotate(-90 18 ${cy})" text-anchor="middle" fill="#222">${escapeHtml(p.yLabel)}</text>`);
    if (p.title) out.push(`<text x="${left + 6}" y="${y + 15}" fill="#444" font-weight="bold">${escapeHtml(p.title)}</text>`);
    out.push(`<clipPath id="clip${pi}"><rect x="${left}" y="${y}" width="${plotW}" height="${h}"/></clipPath>`);
    out.push(`<g clip-path="url(#clip${pi})">`);
    for (const l of p.hLines ?? []) {
      const yy = sy(l.y).toFixed(1);
      out.push(`<line x1="${left}" x2="${left + plotW}" y1="${yy}" y2="${yy}" stroke="${l.color ?? '#555'}" stroke-dasharray="8 4" stroke-width="1.5"/>`);
    }
    for (const v of spec.vLines ?? []) {
      const xx = sx(v.x).toFixed(1);
      out.push(`<line x1="${xx}" x2="${xx}" y1="${y}" y2="${y + h}" stroke="${v.color ?? '#777'}" stroke-dasharray="${v.dash ?? '3 3'}"/>`);
    }
    p.series.forEach((s, si) => {
      const color = s.color ?? PALETTE[si % PALETTE.length]!;
      const pts: string[] = [];
      let prevY: number | undefined;
      for (let i = 0; i < s.x.length; i++) {
        const xv = s.x[i]!, yv = s.y[i]!;
        if (!Number.isFinite(yv) || (log && yv <= 0)) continue;
        const X = sx(xv).toFixed(1), Y = sy(yv).toFixed(1);
        if (s.step && prevY !== undefined) pts.push(`${X},${prevY.toFixed(1)}`);
        pts.push(`${X},${Y}`);
        prevY = sy(yv);
      }
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="${s.width ?? 1.8}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${pts.join(' ')}"/>`);
    });
    out.push('</g>');
    // Labels for threshold lines and legend, right of the plot.
    let ly = y + 14;
    p.series.forEach((s, si) => {
      const color = s.color ?? PALETTE[si % PALETTE.length]!;
      out.push(`<line x1="${left + plotW + 12}" x2="${left + plotW + 36}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      out.push(`<text x="${left + plotW + 42}" y="${ly}" dominant-baseline="middle" fill="#222">${escapeHtml(s.name)}</text>`);
      ly += 18;
    });
    for (const l of p.hLines ?? []) {
      out.push(`<line x1="${left + plotW + 12}" x2="${left + plotW + 36}" y1="${ly}" y2="${ly}" stroke="${l.color ?? '#555'}" stroke-dasharray="8 4" stroke-width="1.5"/>`);
      out.push(`<text x="${left + plotW + 42}" y="${ly}" dominant-baseline="middle" fill="#222">${escapeHtml(l.label)}</text>`);
      ly += 18;
    }
    y += h + gap;
  });
  // Vertical marker labels (top of the first panel), and the x label.
  // Marker labels above the first panel, on two rows; a label that would overlap its row's previous one is left
  // out (the dashed line stays), so bursts of migrations remain readable.
  const rowEnd = [-Infinity, -Infinity];
  for (const v of spec.vLines ?? []) {
    if (!v.label) continue;
    const x = sx(v.x) + 3;
    const width = 6.2 * v.label.length;
    const row = rowEnd.findIndex((end) => x > end + 6);
    if (row < 0) continue;
    rowEnd[row] = x + width;
    out.push(`<text x="${x.toFixed(1)}" y="${top - 6 - row * 12}" fill="${v.color ?? '#555'}" font-size="11">${escapeHtml(v.label)}</text>`);
  }
  out.push(`<text x="${left + plotW / 2}" y="${H - 12}" text-anchor="middle" fill="#222">${escapeHtml(spec.xLabel)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out.length ? out : [lo, hi];
}

/** Keep at most `max` evenly spaced points of a series (always keeps the last). */
export function downsample(x: ArrayLike<number>, y: ArrayLike<number>, max: number): { x: number[]; y: number[] } {
  const n = x.length;
  const stride = Math.max(1, Math.ceil(n / max));
  const ox: number[] = [], oy: number[] = [];
  for (let i = 0; i < n; i += stride) {
    ox.push(x[i]!);
    oy.push(y[i]!);
  }
  if (n > 0 && (n - 1) % stride !== 0) {
    ox.push(x[n - 1]!);
    oy.push(y[n - 1]!);
  }
  return { x: ox, y: oy };
}

/** Trailing moving average (window `w`), for noisy per-episode curves. */
export function movingAverage(y: ArrayLike<number>, w: number): number[] {
  const out: number[] = [];
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    s += y[i]!;
    if (i >= w) s -= y[i - w]!;
    out.push(s / Math.min(i + 1, w));
  }
  return out;
}

/** Shared with the other chart kinds (report/interval-plot.ts). */
export { fmt as formatTick };
