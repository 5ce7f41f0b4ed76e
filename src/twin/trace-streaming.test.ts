// Issue 12, "stream what can be streamed": CSV traces are read line by line, so a large file costs memory for the
// rows kept, not for its text. Measured on the process's peak RSS (`maxRSS`, a high-water mark): a warm-up read of a
// smaller file first lifts it to the reader's steady state (V8's young generation fills with per-line strings whatever
// the file's size), so what a 4x larger file adds is what grows with the size. Then the whole-file read shows the
// measurement does see a file-sized cost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { forEachLine, parseCsvTrace, readCsvTrace, readGoogle2011Job, readFollowMeTrace, textLines, type CsvTraceMapping } from './traces.js';
import { BUILTIN_DATA_DIR } from './scenario-loader.js';

const MiB = 1024 * 1024;
const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

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

test('a large CSV trace streams in bounded memory, and equals the whole-file read (plain and .gz)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-stream-'));
  const f = join(dir, 'big.csv'), small = join(dir, 'small.csv');
  writeLargeCsv(small, 120_000);
  writeLargeCsv(f, 480_000);
  const fileMiB = statSync(f).size / MiB;
  assert.ok(fileMiB > 12, `file of ${fileMiB} MiB`);

  readCsvTrace(small, 'm7', MAP);
  const before = peakRssMiB();
  const streamed = readCsvTrace(f, 'm7', MAP);
  const streamedGrowth = peakRssMiB() - before;

  const text = readFileSync(f, 'utf8');
  const whole = parseCsvTrace(textLines(text), f, 'm7', MAP);
  const wholeGrowth = peakRssMiB() - before;

  // 12,000 rows of m7, one per 10 s, binned per minute: 6 rows per bin.
  assert.equal(streamed.cpu.length, Math.floor(((12_000 - 1) * 10) / 60) + 1);
  assert.deepEqual(streamed.cpu, whole.cpu);
  assert.deepEqual(streamed.mem, whole.mem);
  // Bounded: well under the file's size (a whole-file read holds the text, then every line as a string).
  assert.ok(streamedGrowth < fileMiB / 2, `after the warm-up, streaming grew the peak RSS by ${streamedGrowth.toFixed(1)} MiB for a ${fileMiB.toFixed(1)} MiB file`);
  assert.ok(wholeGrowth > fileMiB, `the whole-file read grew it by ${wholeGrowth.toFixed(1)} MiB (the measurement must see it)`);

  // The .gz path gives the same series.
  const gz = join(dir, 'big.csv.gz');
  writeFileSync(gz, gzipSync(text));
  const fromGz = readCsvTrace(gz, 'm7', MAP);
  assert.deepEqual(fromGz.cpu, streamed.cpu);
  assert.deepEqual(fromGz.mem, streamed.mem);
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
  writeFileSync(f, `ts,cpu,mem\n${'0,1,2\n'.repeat(200_000)}5,x,2\n`);
  assert.throws(() => readCsvTrace(f, 'b', { cpuColumn: 'cpu', memColumn: 'mem', cpuUnit: 'percent', memUnit: 'percent', sampleSeconds: 60 }), (e: Error) => /bad\.csv: line 200002, column cpu: expected a finite percent >= 0, got "x"$/.test(e.message));
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
