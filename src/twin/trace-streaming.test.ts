// Stream what can be streamed: CSV traces are read line by line, plain or gzipped, so a large file costs
// memory for the rows kept, not for its text. Measured on the RSS sampled during the read: a warm-up read of a
// smaller file first lifts it to the reader's steady state (V8's young generation fills with per-line strings whatever
// the file's size), so what a 4x larger file adds is what grows with the size. Then the whole-file read shows the
// measurement does see a file-sized cost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { gunzipChunks } from './gunzip-stream.js';
import { forEachLine, GZ_STREAM_ABOVE_BYTES, MAX_TRACE_BYTES, textLines, type LineSource } from './text-input.js';
import { parseCsvTrace, readCsvTrace, readGoogle2011Job, readFollowMeTrace, type CsvTraceMapping } from './traces.js';
import { BUILTIN_DATA_DIR } from './scenario-data.js';

const MiB = 1024 * 1024;
/** RSS a new worker isolate may add, MiB (generous). */
const WORKER_ALLOWANCE_MIB = 32;

/** A multi-machine CSV of `rows` rows (40 machines, one row each per 10 s), written in chunks. */
function writeLargeCsv(path: string, rows: number): void {
  const fd = openSync(path, 'w');
  writeSync(fd, 'timestamp_us,machine_id,cpu_pct,mem_frac\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    const t = Math.floor(i / 40) * 10_000_000;
    buf += `${t},m${i % 40},${(i * 7) % 100}.${i % 10},0.${(i * 13) % 1000}\r\n`;
    if (buf.length > MiB) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
}

const MAP: CsvTraceMapping = {
  cpuColumn: 'cpu_pct', memColumn: 'mem_frac', cpuUnit: 'percent', memUnit: 'fraction',
  timestampColumn: 'timestamp_us', timestampUnit: 'us', machineIdColumn: 'machine_id', machineId: 'm7', sampleSeconds: 60,
};

/** RSS now, MiB. */
const rssMiB = () => process.memoryUsage().rss / MiB;
// A full GC before each baseline, so garbage of the previous read (or of other work in this process) does not
// move it: the RSS measurements were load-sensitive without it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Read `path` as readCsvTrace does (the same parser over the streamed lines), sampling the RSS as it goes. */
function readSampled(path: string): { series: ReturnType<typeof parseCsvTrace>; growthMiB: number } {
  gc();
  const before = rssMiB();
  let peak = before;
  const lines: LineSource = (visit) =>
    forEachLine(path, 'trace', MAX_TRACE_BYTES, (line, no) => {
      if (no % 20_000 === 0) peak = Math.max(peak, rssMiB());
      visit(line, no);
    });
  const series = parseCsvTrace(lines, path, 'm7', MAP);
  return { series, growthMiB: Math.max(peak, rssMiB()) - before };
}

test('a large CSV trace streams in bounded memory (plain and .gz), and equals the whole-file read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-stream-'));
  const f = join(dir, 'big.csv'), small = join(dir, 'small.csv');
  writeLargeCsv(small, 80_000);
  writeLargeCsv(f, 320_000);
  // gzip outside this process, so nothing here holds the file whole before the measurements.
  execFileSync('sh', ['-c', `gzip -1 -c '${f}' > '${f}.gz'`]);
  const fileMiB = statSync(f).size / MiB;
  assert.ok(fileMiB > 8, `file of ${fileMiB} MiB`);
  assert.ok(statSync(`${f}.gz`).size > GZ_STREAM_ABOVE_BYTES, 'the .gz takes the streaming inflate');

  // Warm-up: the first read grows V8's young generation to its working size, whatever the file's size.
  readSampled(small);
  const plain = readSampled(f);
  const gz = readSampled(`${f}.gz`);

  // The whole-file read, as the readers did before: the text, then an array of its lines, both alive while parsing.
  gc();
  const before = rssMiB();
  const text = readFileSync(f, 'utf8');
  const lines = text.split('\n');
  const whole = parseCsvTrace((visit) => lines.forEach((l, i) => visit(l.endsWith('\r') ? l.slice(0, -1) : l, i + 1)), f, 'm7', MAP);
  const wholeGrowth = rssMiB() - before;
  assert.equal(lines.length, 320_002);

  // 8,000 rows of m7, one per 10 s, binned per minute: 6 rows per bin.
  assert.equal(plain.series.cpu.length, Math.floor(((8_000 - 1) * 10) / 60) + 1);
  for (const s of [plain.series, gz.series]) {
    assert.deepEqual(s.cpu, whole.cpu);
    assert.deepEqual(s.mem, whole.mem);
  }
  // Bounded, generously: under 3/4 of the file's size, where the whole-file read, holding the text and then every
  // line as a string, takes more than 1.5 times it.
  assert.ok(plain.growthMiB < 0.75 * fileMiB, `streaming the plain file grew the RSS by ${plain.growthMiB.toFixed(1)} MiB for a ${fileMiB.toFixed(1)} MiB file`);
  // A streamed .gz also starts the inflating worker, a V8 isolate of its own whose size does not depend on the file's
  // (its heap is capped by resourceLimits; the caller holds one chunk at a time, as gunzipChunks' test checks).
  assert.ok(gz.growthMiB < WORKER_ALLOWANCE_MIB + 0.75 * fileMiB, `streaming the .gz file grew the RSS by ${gz.growthMiB.toFixed(1)} MiB`);
  assert.ok(wholeGrowth > 1.5 * fileMiB, `the whole-file read grew it by ${wholeGrowth.toFixed(1)} MiB (the measurement must see it)`);
});

test('gunzipChunks: the same bytes as gunzipSync; over the cap, corrupt data and a throwing visitor end it cleanly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-gunzip-'));
  const raw = Buffer.from(Array.from({ length: 100_000 }, (_, i) => `${i},${(i * 7919) % 1000}\n`).join(''));
  const f = join(dir, 'a.gz');
  writeFileSync(f, gzipSync(raw));
  const parts: Buffer[] = [];
  assert.equal(gunzipChunks(f, 65536, 64 * MiB, (b) => void parts.push(Buffer.from(b))), 'done');
  assert.ok(Buffer.concat(parts).equals(gunzipSync(readFileSync(f))));
  assert.ok(parts.every((p) => p.length <= 65536) && parts.length > 10);
  assert.equal(gunzipChunks(f, 65536, 256 * 1024, () => undefined), 'too-large');
  const bad = join(dir, 'bad.gz');
  const gz = gzipSync(raw);
  gz.fill(7, 2000, 4000);
  writeFileSync(bad, gz);
  assert.equal(gunzipChunks(bad, 65536, 64 * MiB, () => undefined), 'corrupt');
  let calls = 0;
  assert.throws(() => gunzipChunks(f, 65536, 64 * MiB, () => {
    if (++calls === 3) throw new Error('visitor stops');
  }), /visitor stops/);
  // Through forEachLine: a bad row in a streamed .gz is the usual one line.
  const csv = join(dir, 'rows.csv.gz');
  writeFileSync(csv, gzipSync(Buffer.concat([Buffer.from('t,cpu,mem\n'), Buffer.from(Array.from({ length: 250_000 }, (_, i) => `${i},${(i * 7919) % 97},${(i * 31) % 89}\n`).join('')), Buffer.from('5,x,2\n')])));
  assert.ok(statSync(csv).size > GZ_STREAM_ABOVE_BYTES);
  assert.throws(() => readCsvTrace(csv, 'r', { cpuColumn: 'cpu', memColumn: 'mem', cpuUnit: 'percent', memUnit: 'percent', sampleSeconds: 60 }), /rows\.csv\.gz: line 250002, column cpu: expected a finite percent >= 0, got "x"$/);
});

test('forEachLine numbers lines as text.split("\\n") does, across chunk edges, CRLF and multi-byte characters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-lines-'));
  // Lines longer than a chunk, a UTF-8 character straddling chunk edges, CRLF, blank lines, no final newline.
  const long = 'é'.repeat(700_000);
  const text = ['a,b', '', `x${long}`, 'c\r', '中文🙂', '', 'last'].join('\n');
  const f = join(dir, 'lines.txt');
  writeFileSync(f, text);
  const got: [string, number][] = [];
  forEachLine(f, 'trace', 64 * MiB, (l, n) => got.push([l, n]));
  const want: [string, number][] = [];
  textLines(text)((l, n) => want.push([l, n]));
  assert.deepEqual(got, want);
  assert.deepEqual(got.map(([, n]) => n), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(got[3]![0], 'c');
  // A final newline gives a final empty line, as split does.
  writeFileSync(f, 'a\nb\n');
  const ends: string[] = [];
  forEachLine(f, 'trace', 64 * MiB, (l) => ends.push(l));
  assert.deepEqual(ends, ['a', 'b', '']);
});

test('streamed readers keep the one-line errors: file, line, column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-stream-err-'));
  const f = join(dir, 'bad.csv');
  writeFileSync(f, `ts,cpu,mem\n${'0,1,2\n'.repeat(100_000)}5,x,2\n`);
  assert.throws(() => readCsvTrace(f, 'b', { cpuColumn: 'cpu', memColumn: 'mem', cpuUnit: 'percent', memUnit: 'percent', sampleSeconds: 60 }), (e: Error) => /bad\.csv: line 100002, column cpu: expected a finite percent >= 0, got "x"$/.test(e.message));
  const p = join(dir, 'bad.txt');
  writeFileSync(p, '1 2\n3 4 5\n');
  assert.throws(() => readFollowMeTrace(p, 'p'), /bad\.txt: line 2: expected two whitespace-separated numbers 'cpu% mem%', got "3 4 5"$/);
});

test('the built-in traces read the same through the streamed readers (row counts and a checksum)', () => {
  const m1 = readFollowMeTrace(join(BUILTIN_DATA_DIR, 'traces/follow-me-borg/cpu_mem_1.txt.gz'), 'm1');
  assert.equal(m1.cpu.length, 153504);
  const job = readGoogle2011Job(join(BUILTIN_DATA_DIR, 'traces/google2011-hipro-job-986962601'), '986962601', 'job');
  assert.equal(job.cpu.length, 2880);
  // The same numbers as parsing the whole text.
  const text = readFileSync(join(BUILTIN_DATA_DIR, 'traces/google2011-hipro-job-986962601/vm_986962601_1'), 'utf8');
  const first = text.split('\n')[0]!.trim().split(/\s+/).map((x) => Number(x) / 100);
  assert.deepEqual([job.cpu[0], job.mem[0]], first);
});
