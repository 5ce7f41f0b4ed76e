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
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InvalidInputError, renderValue } from '../core/errors.js';
import { gunzipChunks } from './gunzip-stream.js';

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
 * Bytes read per chunk when a file is streamed line by line. Small on purpose: a chunk's string then stays in V8's
 * young generation and dies there; 1 MiB chunks land in the large-object space, which only a full GC frees, and the
 * peak RSS grew with the file's size again (measured in trace-streaming.test.ts).
 */
const CHUNK_BYTES = 64 * 1024;

/** The size of a regular file, or a one-line error (missing, unreadable, a directory, larger than `maxBytes`). */
function statInput(path: string, what: string, maxBytes: number): number {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new InvalidInputError({ source: path, field: what, expected: 'a regular file', actual: st.isDirectory() ? 'a directory' : 'not a regular file' });
    size = st.size;
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    throw unreadable(path, what, e);
  }
  if (size > maxBytes) throw tooLarge(path, what, maxBytes, sizeText(size));
  return size;
}

function unreadable(path: string, what: string, e: unknown): InvalidInputError {
  const code = (e as NodeJS.ErrnoException).code;
  return new InvalidInputError({ source: path, field: what, expected: 'a readable file', actual: code === 'ENOENT' ? 'no such file' : String(code ?? e) });
}

function tooLarge(path: string, what: string, maxBytes: number, bytes: string): InvalidInputError {
  return new InvalidInputError({ source: path, field: what, expected: `a file of at most ${sizeText(maxBytes)}`, actual: bytes });
}

/**
 * Compressed size above which a `.gz` is inflated by a streaming worker ({@link gunzipChunks}) rather than into one
 * buffer: 1 MiB. Below it the whole inflate is faster than starting a worker (the shipped traces are under it), and
 * its output is still capped at the reader's limit.
 */
export const GZ_STREAM_ABOVE_BYTES = 1 * MiB;

/** Refuse binary content: a NUL byte in the first {@link BINARY_SNIFF_BYTES} bytes (`offset`: where `head` starts). */
function sniffBinary(head: Uint8Array, path: string, what: string, offset = 0): void {
  if (offset >= BINARY_SNIFF_BYTES) return;
  const found = head.subarray(0, BINARY_SNIFF_BYTES - offset).indexOf(0);
  const nul = found < 0 ? -1 : offset + found;
  if (nul >= 0) throw new InvalidInputError({ source: path, field: what, expected: 'a text file (CSV, YAML or JSON)', actual: `binary data (a NUL byte at offset ${nul})` });
}

/** A whole `.gz` file inflated, at most `maxBytes` once decompressed. */
function inflateFile(path: string, what: string, maxBytes: number): Buffer {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw unreadable(path, what, e);
  }
  try {
    return gunzipSync(buf, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(path, what, maxBytes, `more than ${sizeText(maxBytes)} once decompressed`);
    throw new InvalidInputError({ source: path, field: what, expected: 'a gzip file', actual: 'corrupt gzip data' });
  }
}

/**
 * Read a file as text, transparently gunzipping `.gz`. Missing files, files larger than `maxBytes` (checked with a
 * stat before reading, and on the decompressed size for `.gz`) and binary files (a NUL byte) raise a one-line error.
 * For files parsed whole (YAML, JSON); line-oriented files go through {@link forEachLine}.
 */
export function readTextFile(path: string, what = 'file', maxBytes = MAX_TRACE_BYTES): string {
  statInput(path, what, maxBytes);
  let buf: Buffer;
  if (path.endsWith('.gz')) buf = inflateFile(path, what, maxBytes);
  else {
    try {
      buf = readFileSync(path);
    } catch (e) {
      throw unreadable(path, what, e);
    }
  }
  sniffBinary(buf, path, what);
  return buf.toString('utf8');
}

/** Visits the lines of a text: `visit(line, lineNo)` with 1-based line numbers. */
export type LineSource = (visit: (line: string, lineNo: number) => void) => void;

/**
 * The lines of a file, streamed: `visit(line, lineNo)` for every line, without its `\n` or a trailing `\r`, 1-based,
 * exactly as `text.split('\n')` would give them (a file ending in a newline ends with an empty line). The same caps
 * and one-line errors as {@link readTextFile}. A plain file is read in {@link CHUNK_BYTES} chunks, so memory does
 * not grow with its size; so is a `.gz` above {@link GZ_STREAM_ABOVE_BYTES}, inflated by a worker as it is read.
 * A smaller `.gz` is inflated into one buffer (at most `maxBytes`), whose lines are then decoded chunk by chunk the
 * same way. None builds a string of the whole file or an array of its lines.
 */
export function forEachLine(path: string, what: string, maxBytes: number, visit: (line: string, lineNo: number) => void): void {
  const size = statInput(path, what, maxBytes);
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let lineNo = 0;
  const emit = (line: string) => visit(line.endsWith('\r') ? line.slice(0, -1) : line, ++lineNo);
  const feed = (bytes: Uint8Array, last: boolean) => {
    // Newlines are searched in the new piece only, and a line longer than a chunk grows `carry` as a rope, so one
    // huge line costs O(its length), not O(length x chunks).
    const piece = decoder.decode(bytes, { stream: !last });
    let from = 0;
    for (let nl = piece.indexOf('\n'); nl >= 0; nl = piece.indexOf('\n', from)) {
      const head = piece.slice(from, nl);
      if (from === 0 && carry !== '') {
        emit(carry + head);
        carry = '';
      } else emit(head);
      from = nl + 1;
    }
    carry += from === 0 ? piece : piece.slice(from);
    if (last) emit(carry);
  };
  if (path.endsWith('.gz') && size > GZ_STREAM_ABOVE_BYTES) {
    let seen = 0;
    const outcome = gunzipChunks(path, CHUNK_BYTES, maxBytes, (bytes) => {
      sniffBinary(bytes, path, what, seen);
      seen += bytes.length;
      feed(bytes, false);
    });
    if (outcome === 'too-large') throw tooLarge(path, what, maxBytes, `more than ${sizeText(maxBytes)} once decompressed`);
    if (outcome === 'corrupt') throw new InvalidInputError({ source: path, field: what, expected: 'a gzip file', actual: 'corrupt gzip data' });
    if (outcome === 'unreadable') throw new InvalidInputError({ source: path, field: what, expected: 'a readable file', actual: 'a read error while inflating' });
    feed(new Uint8Array(0), true);
    return;
  }
  if (path.endsWith('.gz')) {
    const buf = inflateFile(path, what, maxBytes);
    sniffBinary(buf, path, what);
    for (let at = 0; at < buf.length; at += CHUNK_BYTES) feed(buf.subarray(at, Math.min(buf.length, at + CHUNK_BYTES)), false);
    feed(new Uint8Array(0), true);
    return;
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw unreadable(path, what, e);
  }
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let total = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      } catch (e) {
        throw unreadable(path, what, e);
      }
      if (total === 0) sniffBinary(chunk.subarray(0, n), path, what);
      total += n;
      // The file grew past the cap after the stat.
      if (total > maxBytes) throw tooLarge(path, what, maxBytes, `more than ${sizeText(maxBytes)}`);
      if (n === 0) break;
      feed(chunk.subarray(0, n), false);
    }
    feed(new Uint8Array(0), true);
  } finally {
    closeSync(fd);
  }
}

/** The lines of a text already in memory, as a {@link LineSource} (the same line numbering as {@link forEachLine}). */
export function textLines(text: string): LineSource {
  return (visit) => text.split('\n').forEach((l, i) => visit(l.endsWith('\r') ? l.slice(0, -1) : l, i + 1));
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
