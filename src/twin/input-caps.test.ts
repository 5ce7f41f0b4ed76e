// Errors at the edges: input files larger than a cap are refused with one line before they are read whole
// (stat first), binary files are refused, and non-printable content never reaches an error line raw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { escapeText, renderValue } from '../core/errors.js';
import { loadScenario } from './scenario-loader.js';
import { MAX_SCENARIO_BYTES, MAX_TRACE_BYTES, readTextFile } from './text-input.js';
import { readFollowMeTrace } from './traces.js';

/** One printable line: no control characters, no U+FFFD, bounded length. */
function assertCleanLine(msg: string, maxLen = 600): void {
  assert.doesNotMatch(msg, /[\p{Cc}\uFFFD]/u, `raw non-printable content in: ${JSON.stringify(msg.slice(0, 200))}`);
  assert.ok(msg.length <= maxLen, `message of ${msg.length} chars`);
}

const trackCsv = 'time,lat,lon\n0,33.2000,-115.6000\n60,33.2050,-115.6050\n';
const scenario = (traceFile: string) =>
  [
    'name: caps',
    'nodes:',
    `  - { name: a, lat: 33.2, lon: -115.6, trace: { format: follow-me, file: ${traceFile} } }`,
    `  - { name: b, lat: 33.21, lon: -115.61, trace: { format: follow-me, file: ${traceFile} } }`,
    'mobility: { kind: gps, file: track.csv }',
    'workload: { heldOutDay: none }',
    '',
  ].join('\n');

test('a 2 MB random-bytes file given as a scenario is refused by size, before being read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-caps-scen-'));
  const f = join(dir, 'garbage.yaml');
  writeFileSync(f, randomBytes(2 * 1024 * 1024));
  assert.throws(() => loadScenario(f), (e: Error) => {
    assertCleanLine(e.message);
    return /garbage\.yaml: scenario: expected a file of at most 1\.0 MiB, got 2\.0 MiB$/.test(e.message);
  });
  // Just under the cap, still binary: refused as binary, one clean line.
  const g = join(dir, 'garbage2.yaml');
  writeFileSync(g, randomBytes(MAX_SCENARIO_BYTES - 1));
  assert.throws(() => loadScenario(g), (e: Error) => (assertCleanLine(e.message), /scenario: expected a text file .*got binary data/.test(e.message)));
});

test('a 2 MB random-bytes file given as a trace (next to the scenario): one clean line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-caps-trace-'));
  writeFileSync(join(dir, 'track.csv'), trackCsv);
  writeFileSync(join(dir, 'trace.txt'), randomBytes(2 * 1024 * 1024));
  writeFileSync(join(dir, 'scenario.yaml'), scenario('trace.txt'));
  assert.throws(() => loadScenario(join(dir, 'scenario.yaml')), (e: Error) => (assertCleanLine(e.message), /trace\.txt: trace: expected a text file .*got binary data/.test(e.message)));
  // Random bytes without a NUL get past the binary sniff: the offending line is escaped (and cut short when long).
  const bytes = randomBytes(2 * 1024 * 1024).map((b) => (b === 0 ? 1 : b));
  writeFileSync(join(dir, 'trace.txt'), bytes);
  assert.throws(() => loadScenario(join(dir, 'scenario.yaml')), (e: Error) => (assertCleanLine(e.message), /trace\.txt: line \d+(, column (cpu|mem)%)?: expected .*, got ".*"( \([\d,]+ chars\))?$/.test(e.message)));
});

test('a trace larger than the 64 MiB cap is refused by its size (a sparse file: never read)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-caps-big-'));
  const f = join(dir, 'huge.txt');
  closeSync(openSync(f, 'w'));
  truncateSync(f, 200 * 1024 * 1024);
  const t0 = performance.now();
  assert.throws(() => readFollowMeTrace(f, 'x'), /huge\.txt: trace: expected a file of at most 64\.0 MiB, got 200\.0 MiB$/);
  assert.ok(performance.now() - t0 < 500, 'refused without reading 200 MB');
  // A gzip whose decompressed size passes the cap is refused too, without inflating it all.
  const gz = join(dir, 'bomb.txt.gz');
  writeFileSync(gz, gzipSync(Buffer.alloc(MAX_TRACE_BYTES + 1, 0x31)));
  assert.throws(() => readTextFile(gz, 'trace'), /bomb\.txt\.gz: trace: expected a file of at most 64\.0 MiB, got more than 64\.0 MiB once decompressed$/);
  // A directory given as a file.
  assert.throws(() => readTextFile(dir, 'trace'), /trace: expected a regular file, got a directory$/);
});

test('renderValue and escapeText escape non-printable content and cut it short', () => {
  assert.equal(renderValue('abc'), '"abc"');
  assert.equal(renderValue('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(renderValue('a\u0000b\u001b[31m\n\uFFFD\u200b'), '"a\\x00b\\x1b[31m\\n\\u{fffd}\\u{200b}"');
  const long = renderValue('x'.repeat(5000));
  assert.equal(long, `"${'x'.repeat(80)}..." (5,000 chars)`);
  assert.equal(escapeText('é ü 中文 🙂'), 'é ü 中文 🙂');
  assert.match(renderValue({ a: 'x'.repeat(200) }), /^\{"a":"x+\.\.\. \(\d+ chars\)$/);
});
