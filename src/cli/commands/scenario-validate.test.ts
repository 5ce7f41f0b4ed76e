// `remora scenario validate FILE` prints the resolved scenario, or every error at once (one line each, exit 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { main } from '../main.js';
import type { Io } from '../command.js';

function capture(cwd: string): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY: false, cwd, env: {} as Record<string, string | undefined>, out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

function userDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'remora-validate-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const track = 'time,lat,lon\n0,33.2000,-115.6000\n60,33.2050,-115.6050\n';
const cell = 'avg_cpu,avg_mem\n0.44,0.33\n0.43,0.32\n';

test('scenario validate: a good file prints the resolved scenario as YAML (defaults filled in), exit 0', async () => {
  const dir = userDir({
    'my.yaml': [
      'name: mine',
      'nodes:',
      '  - { name: a, lat: 33.2, lon: -115.6, trace: { format: google2019-cell, file: data/cell.csv } }',
      '  - { name: b, lat: 33.21, lon: -115.61, trace: { format: google2019-cell, file: data/cell.csv, shiftSeconds: 300 } }',
      'mobility: { kind: gps, file: track.csv }',
      'workload: { heldOutDay: none, traceSecondsPerStep: 300 }',
      '',
    ].join('\n'),
    'track.csv': track,
  });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'cell.csv'), cell);
  const io = capture(tmpdir());
  assert.equal(await main(['scenario', 'validate', join(dir, 'my.yaml')], io), 0, io.stderr);
  assert.equal(io.stderr, '');
  const doc = parse(io.stdout) as { name: string; stepSeconds: number; sla: { load: { max: number } }; nodes: { trace: { shiftSeconds: number } }[] };
  assert.equal(doc.name, 'mine');
  assert.equal(doc.stepSeconds, 5);
  assert.equal(doc.sla.load.max, 12);
  assert.equal(doc.nodes[0]!.trace.shiftSeconds, 0);
  // A built-in name validates too, and --format json.
  const b = capture(tmpdir());
  assert.equal(await main(['scenario', 'validate', 'sr111', '--format', 'json'], b), 0, b.stderr);
  assert.equal((JSON.parse(b.stdout) as { name: string }).name, 'sr111');
});

test('scenario validate: every schema error at once, one line each, exit 1', async () => {
  const dir = userDir({
    'bad.yaml': [
      'name: bad',
      'stepSeconds: -5',
      'colour: blue',
      'nodes:',
      '  - { name: a, xM: 0, yM: 0, trace: { format: follow-me, file: t.txt, sampleSecnds: 3 } }',
      '  - { name: b, xM: 1000, yM: 0, trace: { format: csv, file: t.csv, cpuColumn: 0, memColumn: 1, cpuUnit: pct, memUnit: percent, sampleSeconds: 5 } }',
      // zod checks a node's position and a trace's header/column rule only once its fields are valid: nodes c and d.
      '  - { name: c, xM: 2000, trace: { format: follow-me, file: t.txt } }',
      '  - { name: d, xM: 0, yM: 0, trace: { format: csv, file: t.csv, cpuColumn: cpu, memColumn: 1, cpuUnit: percent, memUnit: percent, sampleSeconds: 5, header: false } }',
      'mobility: { kind: highway, fromXM: 0, toXM: 100, speedKmh: { min: 50, max: 40 } }',
      'sla: { load: { min: 1, max: 12 }, extra: 1, other: 2 }',
      '',
    ].join('\n'),
  });
  const io = capture(dir);
  assert.equal(await main(['scenario', 'validate', 'bad.yaml'], io), 1);
  assert.equal(io.stdout, '');
  const lines = io.stderr.trim().split('\n');
  const want = [
    /bad\.yaml: stepSeconds: expected a number > 0, got -5$/,
    /bad\.yaml: colour: expected no such key .*got "blue"$/,
    /bad\.yaml: nodes\.0\.trace\.sampleSecnds: expected no such key/,
    /bad\.yaml: nodes\.1\.trace\.cpuUnit: expected one of "fraction"\|"percent", got "pct"$/,
    /bad\.yaml: nodes\.2: expected a position/,
    /bad\.yaml: nodes\.3\.trace\.cpuColumn: expected a 0-based column index/,
    /bad\.yaml: mobility\.speedKmh: expected min <= max/,
    /bad\.yaml: sla\.extra: expected no such key/,
    /bad\.yaml: sla\.other: expected no such key/,
  ];
  for (const re of want) assert.ok(lines.some((l) => re.test(l)), `missing ${re} in:\n${io.stderr}`);
  for (const l of lines) assert.match(l, /^remora: .*bad\.yaml: /);
  assert.equal(lines.length, want.length, io.stderr);
});

test('scenario validate: every trace and GPS file that fails to load, once the schema passes; extends names', async () => {
  const dir = userDir({
    's.yaml': [
      'name: s',
      'nodes:',
      '  - { name: a, lat: 33.2, lon: -115.6, trace: { format: google2019-cell, file: missing.csv } }',
      '  - { name: b, lat: 33.21, lon: -115.61, trace: { format: follow-me, file: bad.txt } }',
      'mobility: { kind: gps, file: track.csv, columns: { time: when } }',
      '',
    ].join('\n'),
    'bad.txt': '10 20\n10 x\n',
    'track.csv': track,
    'ext.yaml': 'extends: [sr11, edgy]\n',
  });
  const io = capture(dir);
  assert.equal(await main(['scenario', 'validate', 's.yaml'], io), 1);
  const lines = io.stderr.trim().split('\n');
  assert.equal(lines.length, 3, io.stderr);
  assert.match(lines[0]!, /missing\.csv: trace: expected a readable file, got no such file$/);
  assert.match(lines[1]!, /bad\.txt: line 2, column mem%: expected a finite percentage >= 0, got "x"$/);
  assert.match(lines[2]!, /track\.csv: header \(time\): expected a column named "when"/);
  const ext = capture(dir);
  assert.equal(await main(['scenario', 'validate', 'ext.yaml'], ext), 1);
  const el = ext.stderr.trim().split('\n');
  assert.equal(el.length, 2, ext.stderr);
  assert.match(el[0]!, /ext\.yaml: extends\.0: expected a built-in scenario .*got "sr11"$/);
  assert.match(el[1]!, /ext\.yaml: extends\.1: expected a built-in scenario or overlay .*got "edgy"$/);
  // A missing file and a syntax error are one line each.
  const none = capture(dir);
  assert.equal(await main(['scenario', 'validate', 'nope.yaml'], none), 1);
  assert.match(none.stderr, /^remora: nope\.yaml: scenario: expected a built-in scenario .*no such file\n$/);
  writeFileSync(join(dir, 'syntax.yaml'), 'name: [unclosed\n');
  const syn = capture(dir);
  assert.equal(await main(['scenario', 'validate', 'syntax.yaml'], syn), 1);
  assert.match(syn.stderr, /^remora: .*syntax\.yaml: \(syntax\): expected valid YAML, got .*\n$/);
});
