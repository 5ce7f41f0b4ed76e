/**
 * Workload trace readers. Every reader returns a {@link TraceSeries}: cpu and memory utilisation as fractions of
 * capacity on a uniform time grid. Bad rows raise {@link InvalidInputError} naming file, line, column, expected
 * and actual value.
 *
 * Formats:
 * - `follow-me`: the paper authors' files, `cpu% mem%` per line, no timestamp (row period is a parameter).
 * - `google2011-job`: the HiPro per-job files `vm_<job>_<day>`, 288 five-minute rows of `cpu% mem%` per day.
 * - `google2019-cell`: the cell-aggregate CSV with header `avg_cpu,avg_mem,...` (fractions, 300 s rows).
 * - `csv`: any CSV with a column mapping (machine id, timestamp, cpu, mem and their units); with or without a header
 *   row (`header: false`: columns by 0-based index).
 *
 * The files are read through text-input.ts, which holds the size caps and the one-line errors for unreadable,
 * oversized and binary input.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, renderValue } from '../core/errors.js';
import { forEachLine, MAX_TRACE_BYTES, type LineSource } from './text-input.js';

export interface TraceSeries {
  /** Short name for plots and errors. */
  name: string;
  /** File or directory it came from. */
  source: string;
  /** Seconds between consecutive rows. */
  sampleSeconds: number;
  /** CPU utilisation per row, fraction of capacity (may exceed 1 in raw data; Eq. 2 clips). */
  cpu: Float64Array;
  /** Memory utilisation per row, fraction of capacity. */
  mem: Float64Array;
}

/** The lines of a trace file, streamed ({@link forEachLine}) under {@link MAX_TRACE_BYTES}. */
function traceLines(path: string): LineSource {
  return (visit) => forEachLine(path, 'trace', MAX_TRACE_BYTES, visit);
}

/** A Float64Array that grows by doubling (the rows of a streamed file, without a JS array of boxed numbers). */
class Column {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  values(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

function parsePercentPairs(lines: LineSource, source: string): { cpu: Float64Array; mem: Float64Array } {
  const cpu = new Column(), mem = new Column();
  lines((raw, no) => {
    const line = raw.trim();
    if (line === '') return;
    const parts = line.split(/\s+/);
    const where = `line ${no}`;
    if (parts.length !== 2) {
      throw new InvalidInputError({ source, field: where, expected: "two whitespace-separated numbers 'cpu% mem%'", actual: renderValue(line) });
    }
    cpu.push(percentField(parts[0]!, source, `${where}, column cpu%`));
    mem.push(percentField(parts[1]!, source, `${where}, column mem%`));
  });
  return { cpu: cpu.values(), mem: mem.values() };
}

function percentField(raw: string, source: string, field: string): number {
  const v = Number(raw);
  // Values above 100 % occur in the 2011 per-job data (a job can exceed one machine); Eq. 2 clips them.
  if (raw === '' || !Number.isFinite(v) || v < 0) throw new InvalidInputError({ source, field, expected: 'a finite percentage >= 0', actual: renderValue(raw) });
  return v / 100;
}

/** The paper authors' `cpu% mem%` files (optionally `.gz`). `sampleSeconds` defaults to 17.45 (31 days / 153,504 rows). */
export function readFollowMeTrace(path: string, name: string, sampleSeconds = 17.45): TraceSeries {
  const { cpu, mem } = parsePercentPairs(traceLines(path), path);
  return finish(name, path, sampleSeconds, cpu, mem);
}

/** Google 2011 per-job files `vm_<job>_<day>` in `dir`, concatenated in day order (1, 2, ..., 10). */
export function readGoogle2011Job(dir: string, job: string, name: string): TraceSeries {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    throw new InvalidInputError({ source: dir, field: 'dir', expected: 'a directory of vm_<job>_<day> files', actual: 'not readable' });
  }
  const re = new RegExp(`^vm_${job.replace(/[^0-9A-Za-z_]/g, '')}_(\\d+)$`);
  const days = entries
    .map((f) => ({ f, m: re.exec(f) }))
    .filter((x) => x.m)
    .map((x) => ({ f: x.f, day: Number(x.m![1]) }))
    .sort((a, b) => a.day - b.day);
  if (days.length === 0) throw new InvalidInputError({ source: dir, field: 'job', expected: `files named vm_${job}_<day>`, actual: 'none found' });
  const cpu = new Float64Array(288 * days.length), mem = new Float64Array(288 * days.length);
  days.forEach(({ f }, d) => {
    const p = join(dir, f);
    const part = parsePercentPairs(traceLines(p), p);
    if (part.cpu.length !== 288) throw new InvalidInputError({ source: p, field: 'rows', expected: '288 five-minute rows (24 h)', actual: String(part.cpu.length) });
    cpu.set(part.cpu, 288 * d);
    mem.set(part.mem, 288 * d);
  });
  return finish(name, dir, 300, cpu, mem);
}

/** Minimal RFC-4180-ish CSV split (quotes supported, no embedded newlines). */
export function splitCsvLine(line: string, delimiter = ','): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === delimiter) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Google 2019 cell-aggregate CSV (`avg_cpu,avg_mem,...`, fractions, one row per 300 s). */
export function readGoogle2019Cell(path: string, name: string): TraceSeries {
  return readCsvTrace(path, name, { cpuColumn: 'avg_cpu', memColumn: 'avg_mem', cpuUnit: 'fraction', memUnit: 'fraction', sampleSeconds: 300 });
}

/** A CSV column: a header name, or a 0-based index (the only form when the file has no header row). */
export type CsvColumn = string | number;

/** Column mapping for a generic CSV trace. */
export interface CsvTraceMapping {
  /** Whether the first line is a header row (default true). Without one, every column is given by 0-based index. */
  header?: boolean;
  /** Column holding CPU utilisation. */
  cpuColumn: CsvColumn;
  /** Column holding memory utilisation. */
  memColumn: CsvColumn;
  /** `fraction` (0-1) or `percent` (0-100). */
  cpuUnit: 'fraction' | 'percent';
  memUnit: 'fraction' | 'percent';
  /** Optional timestamp column; rows are then binned onto a `sampleSeconds` grid (mean per bin, hold when empty). */
  timestampColumn?: CsvColumn;
  /** Unit of the timestamp column: seconds, milliseconds or microseconds (Google traces use microseconds). */
  timestampUnit?: 's' | 'ms' | 'us';
  /** Optional machine-id column and the id to keep. */
  machineIdColumn?: CsvColumn;
  machineId?: string;
  /** Row period (no timestamp) or grid period (with timestamp), seconds. */
  sampleSeconds: number;
  delimiter?: string;
}

/**
 * A generic CSV and a column mapping. With a header row (the default) columns are named or given by 0-based index;
 * with `header: false` every row is data and columns are given by index only. The file is streamed line by line
 * ({@link forEachLine}); rows are kept as typed arrays.
 */
export function readCsvTrace(path: string, name: string, map: CsvTraceMapping): TraceSeries {
  return parseCsvTrace(traceLines(path), path, name, map);
}

/** {@link readCsvTrace} over any {@link LineSource} (`source` names it in errors). */
export function parseCsvTrace(lines: LineSource, source: string, name: string, map: CsvTraceMapping): TraceSeries {
  const path = source;
  const delim = map.delimiter ?? ',';
  const hasHeader = map.header ?? true;
  const cpuScale = map.cpuUnit === 'percent' ? 0.01 : 1;
  const memScale = map.memUnit === 'percent' ? 0.01 : 1;
  const tScale = map.timestampUnit === 'us' ? 1e-6 : map.timestampUnit === 'ms' ? 1e-3 : 1;
  let header: string[] = [];
  let ci = -1, mi = -1, ti = -1, ii = -1;
  const ts = new Column(), cs = new Column(), ms = new Column();
  let sorted = true;
  const row = (line: string, no: number) => {
    if (line.trim() === '') return;
    const f = splitCsvLine(line, delim);
    if (ii >= 0 && (f[ii] ?? '').trim() !== map.machineId) return;
    const num = (idx: number, field: string, expect: string): number => {
      const raw = (f[idx] ?? '').trim();
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v) || v < 0) throw new InvalidInputError({ source: path, field: `line ${no}, column ${field}`, expected: expect, actual: renderValue(raw) });
      return v;
    };
    if (ti >= 0) {
      const t = num(ti, header[ti]!, 'a finite timestamp >= 0') * tScale;
      if (ts.length && t < ts.data[ts.length - 1]!) sorted = false;
      ts.push(t);
    }
    cs.push(num(ci, header[ci]!, `a finite ${map.cpuUnit} >= 0`) * cpuScale);
    ms.push(num(mi, header[mi]!, `a finite ${map.memUnit} >= 0`) * memScale);
  };
  lines((line, no) => {
    if (no > 1) return row(line, no);
    const firstCells = splitCsvLine(line, delim).map((h) => h.trim());
    // Without a header the columns are named by their index in messages.
    header = hasHeader ? firstCells : firstCells.map((_, i) => String(i));
    const col = (c: CsvColumn | undefined, what: string): number => {
      if (c === undefined) return -1;
      if (typeof c === 'number') {
        if (c >= firstCells.length) throw new InvalidInputError({ source: path, field: `line 1 (${what} column)`, expected: `a column index < ${firstCells.length} (0-based; the first line has ${firstCells.length} columns)`, actual: String(c) });
        return c;
      }
      if (!hasHeader) throw new InvalidInputError({ source: path, field: `${what} column`, expected: 'a 0-based column index (the mapping says header: false)', actual: renderValue(c) });
      const i = header.indexOf(c);
      if (i < 0) throw new InvalidInputError({ source: path, field: `header (${what})`, expected: `a column named ${JSON.stringify(c)}`, actual: `columns ${renderValue(header.join(','))}` });
      return i;
    };
    ci = col(map.cpuColumn, 'cpu');
    mi = col(map.memColumn, 'mem');
    ti = col(map.timestampColumn, 'timestamp');
    ii = col(map.machineIdColumn, 'machine id');
    if ((ii >= 0) !== (map.machineId !== undefined)) {
      throw new InvalidInputError({ source: path, field: 'machineId', expected: 'machineIdColumn and machineId given together', actual: 'only one of them' });
    }
    if (!hasHeader) row(line, no);
  });
  const n = cs.length;
  if (n === 0) throw new InvalidInputError({ source: path, field: 'rows', expected: 'at least one data row', actual: map.machineId ? `none for machine ${map.machineId}` : 'none' });
  if (ti < 0) return finish(name, path, map.sampleSeconds, cs.values(), ms.values());
  // Rows are binned in time order (a stable order: equal times keep the file's order).
  let order: Uint32Array | undefined;
  if (!sorted) order = new Uint32Array(n).map((_, i) => i).sort((a, b) => ts.data[a]! - ts.data[b]! || a - b);
  const at = (k: number) => (order ? order[k]! : k);
  const t0 = ts.data[at(0)]!;
  const bins = Math.floor((ts.data[at(n - 1)]! - t0) / map.sampleSeconds) + 1;
  const cb = new Float64Array(bins), mb = new Float64Array(bins), nb = new Float64Array(bins);
  for (let k = 0; k < n; k++) {
    const r = at(k);
    const b = Math.floor((ts.data[r]! - t0) / map.sampleSeconds);
    cb[b]! += cs.data[r]!;
    mb[b]! += ms.data[r]!;
    nb[b]!++;
  }
  for (let b = 0; b < bins; b++) {
    if (nb[b]! > 0) {
      cb[b] = cb[b]! / nb[b]!;
      mb[b] = mb[b]! / nb[b]!;
    } else {
      cb[b] = cb[b - 1]!;
      mb[b] = mb[b - 1]!;
    }
  }
  return finish(name, path, map.sampleSeconds, cb, mb);
}

function finish(name: string, source: string, sampleSeconds: number, cpu: Float64Array, mem: Float64Array): TraceSeries {
  if (cpu.length === 0) throw new InvalidInputError({ source, field: 'rows', expected: 'at least one row', actual: 'none' });
  return { name, source, sampleSeconds, cpu, mem };
}

/** Duration covered by a series, seconds. */
export function seriesSeconds(s: TraceSeries): number {
  return s.cpu.length * s.sampleSeconds;
}

/** Row of `s` at trace time `tSeconds` (sample-and-hold, wrapping around the series end). */
export function rowAt(s: TraceSeries, tSeconds: number): number {
  const n = s.cpu.length;
  const r = Math.floor(tSeconds / s.sampleSeconds) % n;
  return r < 0 ? r + n : r;
}
