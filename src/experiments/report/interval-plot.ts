/**
 * Interval plots (rliable's "aggregate metrics with 95 % CIs" figure, with the runs drawn too): one row per method,
 * its per-run scores as hollow points, its point estimate as a diamond and its confidence interval as a bar with
 * caps; one panel per task. A shared x axis across panels, so scores compare across tasks. Standalone SVG, same
 * conventions as `plots.ts` (generic fonts, white background, escaped labels).
 *
 * Labels cannot overlap: method names sit in a left column sized for the longest, the numbers in a right column
 * sized for the longest, one row each; reference lines are named in the legend under the title, not in the plot.
 * With `xMin`/`xMax` the axis stops there and values beyond are drawn as triangles on the edge pointing outwards
 * (the right column still gives their value), so one far-off method does not squeeze the others into a corner.
 */
import { escapeHtml as esc } from './html.js';
import { PALETTE, formatTick as fmt, niceTicks } from './plots.js';

export interface IntervalRow {
  label: string;
  /** Per-run scores (e.g. one per training seed); non-finite ones are skipped. */
  points: readonly number[];
  /** Point estimate (e.g. the IQM). */
  estimate: number;
  ci: readonly [number, number];
  color?: string;
  /** Text in the right column (default: the estimate and the interval). */
  note?: string;
}

export interface IntervalPanel {
  title: string;
  rows: IntervalRow[];
  /** Vertical reference lines drawn in this panel (named in the legend by `label`; same label, same style). */
  refLines?: { x: number; label: string; color?: string; dash?: string }[];
}

export interface IntervalChartSpec {
  title: string;
  xLabel: string;
  panels: IntervalPanel[];
  width?: number;
  /** Clip the x axis (default: the data's range); values outside are drawn as edge triangles. */
  xMin?: number;
  xMax?: number;
}

/** Average glyph width of the 12 px sans-serif labels, px (the same estimate `renderChart` uses for its legend). */
const CHAR_PX = 6.6;
const ROW_H = 26;

export function renderIntervalChart(spec: IntervalChartSpec): string {
  const W = spec.width ?? 960;
  const rows = spec.panels.flatMap((p) => p.rows);
  const noteOf = (r: IntervalRow) => r.note ?? `${fmt(r.estimate)} [${fmt(r.ci[0])}, ${fmt(r.ci[1])}]`;
  const left = Math.max(110, 24 + Math.ceil(CHAR_PX * Math.max(0, ...rows.map((r) => r.label.length))));
  const right = Math.max(60, 24 + Math.ceil(CHAR_PX * Math.max(0, ...rows.map((r) => noteOf(r).length))));
  const plotW = Math.max(200, W - left - right);
  const width = left + plotW + right;
  const top = 70, panelTitle = 22, axis = 34, gap = 16, bottom = 34;

  // Shared x range over every finite value drawn.
  const xs: number[] = [];
  for (const p of spec.panels) {
    for (const r of p.rows) xs.push(...r.points, r.estimate, r.ci[0], r.ci[1]);
    for (const l of p.refLines ?? []) xs.push(l.x);
  }
  const finite = xs.filter((v) => Number.isFinite(v) && !(v < (spec.xMin ?? -Infinity)) && !(v > (spec.xMax ?? Infinity)));
  if (spec.xMin !== undefined) finite.push(spec.xMin);
  if (spec.xMax !== undefined) finite.push(spec.xMax);
  let lo = finite.length ? Math.min(...finite) : 0, hi = finite.length ? Math.max(...finite) : 1;
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const pad = 0.04 * (hi - lo);
  const ticks = niceTicks(lo - pad, hi + pad, Math.max(4, Math.round(plotW / 90)));
  const x0 = Math.min(lo - pad, ticks[0]!), x1 = Math.max(hi + pad, ticks[ticks.length - 1]!);
  const sx = (v: number) => left + ((Math.min(x1, Math.max(x0, v)) - x0) / (x1 - x0)) * plotW;
  /** A marker at `v`, or an outward triangle on the edge when `v` is off the axis. */
  const marker = (v: number, cy: number, color: string, inside: (x: number) => string): string => {
    if (v >= x0 && v <= x1) return inside(sx(v));
    const e = v < x0 ? left + 7 : left + plotW - 7, d = v < x0 ? -6 : 6;
    return `<path d="M${(e + d).toFixed(1)},${cy.toFixed(1)} L${(e - d).toFixed(1)},${(cy - 5).toFixed(1)} L${(e - d).toFixed(1)},${(cy + 5).toFixed(1)} Z" fill="${color}" stroke="#222" stroke-width="0.8"/>`;
  };

  const heights = spec.panels.map((p) => panelTitle + Math.max(1, p.rows.length) * ROW_H + axis);
  const H = top + heights.reduce((a, b) => a + b, 0) + gap * Math.max(0, spec.panels.length - 1) + bottom;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H}" viewBox="0 0 ${width} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="16" y="24" font-size="16" font-weight="bold" fill="#222">${esc(spec.title)}</text>`);

  // Legend: the glyphs, then each distinct reference line.
  let lx = 16;
  const ly = 48;
  const legendText = (t: string) => {
    out.push(`<text x="${lx}" y="${ly}" dominant-baseline="middle" fill="#333">${esc(t)}</text>`);
    lx += CHAR_PX * t.length + 22;
  };
  out.push(`<circle cx="${lx + 5}" cy="${ly}" r="3.5" fill="none" stroke="#555" stroke-width="1.5"/>`);
  lx += 16;
  legendText('per seed');
  out.push(diamond(lx + 5, ly, '#555'));
  lx += 16;
  legendText('IQM');
  out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="#555" stroke-width="3"/>`);
  lx += 30;
  legendText('95 % CI (stratified bootstrap)');
  const seen = new Set<string>();
  for (const l of spec.panels.flatMap((p) => p.refLines ?? [])) {
    if (seen.has(l.label)) continue;
    seen.add(l.label);
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${l.color ?? '#777'}" stroke-width="1.5" stroke-dasharray="${l.dash ?? '6 3'}"/>`);
    lx += 30;
    legendText(l.label);
  }

  if (xs.some((v) => v < x0 || v > x1)) {
    out.push(`<path d="M${lx},${ly} L${lx + 12},${ly - 5} L${lx + 12},${ly + 5} Z" fill="#555"/>`);
    lx += 18;
    legendText('off the axis (value on the right)');
  }

  let y = top;
  spec.panels.forEach((p, pi) => {
    out.push(`<text x="${left}" y="${y + 14}" font-weight="bold" fill="#333">${esc(p.title)}</text>`);
    const py = y + panelTitle;
    const ph = Math.max(1, p.rows.length) * ROW_H;
    out.push(`<rect x="${left}" y="${py}" width="${plotW}" height="${ph}" fill="#fafafa" stroke="#999"/>`);
    p.rows.forEach((_, ri) => {
      if (ri % 2 === 1) out.push(`<rect x="${left + 0.5}" y="${py + ri * ROW_H}" width="${plotW - 1}" height="${ROW_H}" fill="#f0f0f0"/>`);
    });
    for (const t of ticks) {
      if (t < x0 || t > x1) continue;
      const xx = sx(t).toFixed(1);
      out.push(`<line x1="${xx}" x2="${xx}" y1="${py}" y2="${py + ph}" stroke="#e0e0e0"/>`);
      out.push(`<text x="${xx}" y="${py + ph + 15}" text-anchor="middle" fill="#333">${fmt(t)}</text>`);
    }
    for (const l of p.refLines ?? []) {
      const xx = sx(l.x).toFixed(1);
      out.push(`<line x1="${xx}" x2="${xx}" y1="${py}" y2="${py + ph}" stroke="${l.color ?? '#777'}" stroke-width="1.5" stroke-dasharray="${l.dash ?? '6 3'}"/>`);
    }
    p.rows.forEach((r, ri) => {
      const color = r.color ?? PALETTE[ri % PALETTE.length]!;
      const cy = py + ri * ROW_H + ROW_H / 2;
      out.push(`<text x="${left - 8}" y="${cy}" text-anchor="end" dominant-baseline="middle" fill="#222">${esc(r.label)}</text>`);
      if (Number.isFinite(r.ci[0]) && Number.isFinite(r.ci[1])) {
        const a = sx(r.ci[0]).toFixed(1), b = sx(r.ci[1]).toFixed(1);
        out.push(`<line x1="${a}" x2="${b}" y1="${cy}" y2="${cy}" stroke="${color}" stroke-width="3" stroke-opacity="0.55"/>`);
        for (const [c, v] of [[a, r.ci[0]], [b, r.ci[1]]] as const) if (v >= x0 && v <= x1) out.push(`<line x1="${c}" x2="${c}" y1="${cy - 6}" y2="${cy + 6}" stroke="${color}" stroke-width="1.5"/>`);
      }
      // Points spread vertically by run index so equal scores stay countable.
      const pts = r.points.filter(Number.isFinite);
      pts.forEach((v, i) => {
        const dy = pts.length > 1 ? (i / (pts.length - 1) - 0.5) * 12 : 0;
        out.push(marker(v, cy + dy, 'none', (x) => `<circle cx="${x.toFixed(1)}" cy="${(cy + dy).toFixed(1)}" r="3.5" fill="none" stroke="${color}" stroke-width="1.5"/>`));
      });
      if (Number.isFinite(r.estimate)) out.push(marker(r.estimate, cy, color, (x) => diamond(x, cy, color)));
      out.push(`<text x="${left + plotW + 8}" y="${cy}" dominant-baseline="middle" fill="#222">${esc(noteOf(r))}</text>`);
    });
    y += heights[pi]! + gap;
  });
  out.push(`<text x="${left + plotW / 2}" y="${H - 12}" text-anchor="middle" fill="#222">${esc(spec.xLabel)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function diamond(cx: number, cy: number, color: string): string {
  const r = 6;
  return `<path d="M${cx.toFixed(1)},${(cy - r).toFixed(1)} L${(cx + r).toFixed(1)},${cy.toFixed(1)} L${cx.toFixed(1)},${(cy + r).toFixed(1)} L${(cx - r).toFixed(1)},${cy.toFixed(1)} Z" fill="${color}" stroke="#222" stroke-width="0.8"/>`;
}
