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
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InvalidInputError, renderValue } from '../core/errors.js';

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

const MiB = 1024 * 1024;
/** Largest trace file read (and, for `.gz`, largest decompressed size), bytes: 64 MiB (the paper's month is ~3 MiB). */
export const MAX_TRACE_BYTES = 64 * MiB;
/** Largest GPS track file read, bytes: 64 MiB (a multi-track public dataset of several hundred thousand fixes). */
export const MAX_GPS_BYTES = 64 * MiB;
/** Largest scenario file read, bytes: 1 MiB (a scenario is a few KiB; its data lives in trace files). */
export const MAX_SCENARIO_BYTES = 1 * MiB;
/** Bytes inspected for a NUL byte, the sign of a binary file. */
const BINARY_SNIFF_BYTES = 8192;

function sizeText(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`;
}

/**
 * Read a file as text, transparently gunzipping `.gz`. Missing files, files larger than `maxBytes` (checked with a
 * stat before reading, and on the decompressed size for `.gz`) and binary files (a NUL byte) raise a one-line error.
 */
export function readTextFile(path: string, what = 'file', maxBytes = MAX_TRACE_BYTES): string {
  const unreadable = (e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    return new InvalidInputError({ source: path, field: what, expected: 'a readable file', actual: code === 'ENOENT' ? 'no such file' : String(code ?? e) });
  };
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new InvalidInputError({ source: path, field: what, expected: 'a regular file', actual: st.isDirectory() ? 'a directory' : 'not a regular file' });
    size = st.size;
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    throw unreadable(e);
  }
  const tooLarge = (bytes: string) => new InvalidInputError({ source: path, field: what, expected: `a file of at most ${sizeText(maxBytes)}`, actual: bytes });
  if (size > maxBytes) throw tooLarge(sizeText(size));
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw unreadable(e);
  }
  if (path.endsWith('.gz')) {
    try {
      buf = gunzipSync(buf, { maxOutputLength: maxBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(`more than ${sizeText(maxBytes)} once decompressed`);
      throw new InvalidInputError({ source: path, field: what, expected: 'a gzip file', actual: 'corrupt gzip data' });
    }
  }
  const nul = buf.subarray(0, BINARY_SNIFF_BYTES).indexOf(0);
  if (nul >= 0) throw new InvalidInputError({ source: path, field: what, expected: 'a text file (CSV, YAML or JSON)', actual: `binary data (a NUL byte at offset ${nul})` });
  return buf.toString('utf8');
}

function parsePercentPairs(text: string, source: string, lineOffset = 0): { cpu: number[]; mem: number[] } {
  const cpu: number[] = [];
  const mem: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    const where = `line ${i + 1 + lineOffset}`;
    if (parts.length !== 2) {
      throw new InvalidInputError({ source, field: where, expected: "two whitespace-separated numbers 'cpu% mem%'", actual: renderValue(line) });
    }
    cpu.push(percentField(parts[0]!, source, `${where}, column cpu%`));
    mem.push(percentField(parts[1]!, source, `${where}, column mem%`));
  }
  return { cpu, mem };
}

function percentField(raw: string, source: string, field: string): number {
  const v = Number(raw);
  // Values above 100 % occur in the 2011 per-job data (a job can exceed one machine); Eq. 2 clips them.
  if (raw === '' || !Number.isFinite(v) || v < 0) throw new InvalidInputError({ source, field, expected: 'a finite percentage >= 0', actual: renderValue(raw) });
  return v / 100;
}

/** The paper authors' `cpu% mem%` files (optionally `.gz`). `sampleSeconds` defaults to 17.45 (31 days / 153,504 rows). */
export function readFollowMeTrace(path: string, name: string, sampleSeconds = 17.45): TraceSeries {
  const { cpu, mem } = parsePercentPairs(readTextFile(path, 'trace'), path);
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
  const cpu: number[] = [];
  const mem: number[] = [];
  for (const { f } of days) {
    const p = join(dir, f);
    const part = parsePercentPairs(readTextFile(p, 'trace'), p);
    if (part.cpu.length !== 288) throw new InvalidInputError({ source: p, field: 'rows', expected: '288 five-minute rows (24 h)', actual: String(part.cpu.length) });
    cpu.push(...part.cpu);
    mem.push(...part.mem);
  }
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
 * with `header: false` every row is data and columns are given by index only.
 */
export function readCsvTrace(path: string, name: string, map: CsvTraceMapping): TraceSeries {
  const text = readTextFile(path, 'trace');
  const lines = text.split('\n');
  const delim = map.delimiter ?? ',';
  const hasHeader = map.header ?? true;
  const firstCells = splitCsvLine((lines[0] ?? '').replace(/\r$/, ''), delim).map((h) => h.trim());
  // Without a header the columns are named by their index in messages.
  const header = hasHeader ? firstCells : firstCells.map((_, i) => String(i));
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
  const ci = col(map.cpuColumn, 'cpu');
  const mi = col(map.memColumn, 'mem');
  const ti = col(map.timestampColumn, 'timestamp');
  const ii = col(map.machineIdColumn, 'machine id');
  if ((ii >= 0) !== (map.machineId !== undefined)) {
    throw new InvalidInputError({ source: path, field: 'machineId', expected: 'machineIdColumn and machineId given together', actual: 'only one of them' });
  }
  const cpuScale = map.cpuUnit === 'percent' ? 0.01 : 1;
  const memScale = map.memUnit === 'percent' ? 0.01 : 1;
  const tScale = map.timestampUnit === 'us' ? 1e-6 : map.timestampUnit === 'ms' ? 1e-3 : 1;
  const rows: { t: number; c: number; m: number }[] = [];
  for (let i = hasHeader ? 1 : 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const f = splitCsvLine(line, delim);
    if (ii >= 0 && (f[ii] ?? '').trim() !== map.machineId) continue;
    const num = (idx: number, field: string, expect: string): number => {
      const raw = (f[idx] ?? '').trim();
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v) || v < 0) throw new InvalidInputError({ source: path, field: `line ${i + 1}, column ${field}`, expected: expect, actual: renderValue(raw) });
      return v;
    };
    rows.push({
      t: ti >= 0 ? num(ti, header[ti]!, 'a finite timestamp >= 0') * tScale : rows.length * map.sampleSeconds,
      c: num(ci, header[ci]!, `a finite ${map.cpuUnit} >= 0`) * cpuScale,
      m: num(mi, header[mi]!, `a finite ${map.memUnit} >= 0`) * memScale,
    });
  }
  if (rows.length === 0) throw new InvalidInputError({ source: path, field: 'rows', expected: 'at least one data row', actual: map.machineId ? `none for machine ${map.machineId}` : 'none' });
  if (ti < 0) return finish(name, path, map.sampleSeconds, rows.map((r) => r.c), rows.map((r) => r.m));
  rows.sort((a, b) => a.t - b.t);
  const t0 = rows[0]!.t;
  const bins = Math.floor((rows[rows.length - 1]!.t - t0) / map.sampleSeconds) + 1;
  const cs = new Float64Array(bins), ms = new Float64Array(bins), ns = new Float64Array(bins);
  for (const r of rows) {
    const b = Math.floor((r.t - t0) / map.sampleSeconds);
    cs[b]! += r.c;
    ms[b]! += r.m;
    ns[b]!++;
  }
  const cpu: number[] = [], mem: number[] = [];
  for (let b = 0; b < bins; b++) {
    if (ns[b]! > 0) {
      cpu.push(cs[b]! / ns[b]!);
      mem.push(ms[b]! / ns[b]!);
    } else {
      cpu.push(cpu[b - 1]!);
      mem.push(mem[b - 1]!);
    }
  }
  return finish(name, path, map.sampleSeconds, cpu, mem);
}

function finish(name: string, source: string, sampleSeconds: number, cpu: number[], mem: number[]): TraceSeries {
  if (cpu.length === 0) throw new InvalidInputError({ source, field: 'rows', expected: 'at least one row', actual: 'none' });
  return { name, source, sampleSeconds, cpu: Float64Array.from(cpu), mem: Float64Array.from(mem) };
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
