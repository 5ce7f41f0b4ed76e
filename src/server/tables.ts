/**
 * The dashboard's tables. Each fits a 1,280-pixel window: headers are short words that wrap (the column's full
 * name is its tooltip), numbers are tabular, and the column that matters, `pctOfOracle`, comes right after the
 * row's name, drawn as a bar in its cell so a table can be read at a glance. The page's stylesheet (page.ts)
 * gives every table a `.fit` wrapper that would scroll rather than push the page wider; the browser test checks
 * that none has to.
 */
import { METRIC_COLUMNS, metricsRow, type PolicyMetrics } from '../experiments/evaluate/evaluate.js';
import { escapeHtml } from '../experiments/report/html.js';

export interface Column {
  /** Short header (wraps at spaces). */
  label: string;
  /** Full name, shown as the header's tooltip. */
  title?: string;
  numeric?: boolean;
}

/** A cell: text, or a % of the oracle drawn as a bar behind its value. */
export type Cell = string | { pct: number; text?: string };

const e = escapeHtml;

function cellHtml(c: Cell, numeric: boolean): string {
  if (typeof c === 'string') return `<td${numeric ? ' class="n"' : ''}>${e(c)}</td>`;
  const text = c.text ?? (Number.isFinite(c.pct) ? String(c.pct) : 'n/a');
  const w = Number.isFinite(c.pct) ? Math.max(0, Math.min(100, c.pct)) : 0;
  const cls = !Number.isFinite(c.pct) || c.pct < 0 ? 'key neg' : 'key';
  return `<td class="n ${cls}" data-pct="${Number.isFinite(c.pct) ? c.pct : ''}" style="--w:${w.toFixed(1)}%">${e(text)}</td>`;
}

/** A table inside its `.fit` wrapper. */
export function table(columns: Column[], rows: Cell[][], opts: { caption?: string; id?: string } = {}): string {
  const head = columns.map((c) => `<th${c.title ? ` title="${e(c.title)}"` : ''}>${e(c.label)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => cellHtml(c, columns[i]?.numeric ?? false)).join('')}</tr>`).join('\n');
  const empty = rows.length ? '' : `<tr><td colspan="${columns.length}">none</td></tr>`;
  return `<div class="fit"${opts.id ? ` id="${e(opts.id)}"` : ''}><table>${opts.caption ? `<caption>${e(opts.caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>${body}${empty}</tbody></table></div>`;
}

/** Short headers for the evaluation metrics (`METRIC_COLUMNS`), in the order the dashboard shows them. */
const METRIC_LABELS: Record<(typeof METRIC_COLUMNS)[number], string> = {
  policy: 'policy',
  pctOfOracle: '% of oracle',
  return: 'return',
  oracleReturn: 'oracle return',
  regret: 'regret',
  steps: 'steps',
  slaViolations: 'SLA violation steps',
  violationSeconds: 'violation s',
  migrations: 'migrations',
  downtimeSeconds: 'downtime s',
  meanRttMs: 'mean RTT ms',
  p95RttMs: 'p95 RTT ms',
  meanLoad: 'mean load',
  pctOfOracleUnstable: '% unstable',
};
const ORDER = ['policy', 'pctOfOracle', ...METRIC_COLUMNS.filter((c) => c !== 'policy' && c !== 'pctOfOracle')] as const;

/** One row per policy: the evaluation metrics with `pctOfOracle` first. */
export function metricsTable(rows: PolicyMetrics[], caption?: string): string {
  const columns: Column[] = ORDER.map((c) => ({ label: METRIC_LABELS[c], title: c, numeric: c !== 'policy' }));
  const cells = rows.map((m) => {
    const v = metricsRow(m);
    return ORDER.map((c): Cell => {
      const text = v[METRIC_COLUMNS.indexOf(c)]!;
      return c === 'pctOfOracle' ? { pct: m.pctOfOracle, text } : text;
    });
  });
  return table(columns, cells, caption ? { caption } : {});
}
