// Scenario authoring: files laid out as a user lays them out (a folder with the scenario next to its data),
// loaded through loadScenario from another working directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from './scenario-loader.js';

function userDir(prefix: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const track = 'time,lat,lon\n0,33.2000,-115.6000\n60,33.2050,-115.6050\n120,33.2100,-115.6100\n180,33.2150,-115.6150\n';

function gpsScenario(nodeB: string, mobility = 'mobility: { kind: gps, file: track.csv }'): string {
  return [
    'name: user-test',
    'stepSeconds: 10',
    'nodes:',
    '  - { name: a, lat: 33.2000, lon: -115.6000, trace: { format: google2019-cell, file: cell.csv } }',
    `  - { name: b, lat: 33.2150, lon: -115.6150, trace: ${nodeB} }`,
    mobility,
    'workload: { traceSecondsPerStep: 300, heldOutDay: none }',
    '',
  ].join('\n');
}

const cell = 'avg_cpu,avg_mem\n0.44,0.33\n0.43,0.32\n0.41,0.30\n';

test('csv trace without a header row: columns by 0-based index, every line is data', () => {
  // machine, timestamp (us), cpu %, mem fraction; no header.
  const raw = '0,m1,10,0.1\n0,m2,20,0.2\n300000000,m2,40,0.4\n600000000,m2,30,0.3\n';
  const dir = userDir('remora-noheader-', {
    'scenario.yaml': gpsScenario('{ format: csv, file: raw.csv, header: false, timestampColumn: 0, timestampUnit: us, machineIdColumn: 1, machineId: m2, cpuColumn: 2, memColumn: 3, cpuUnit: percent, memUnit: fraction, sampleSeconds: 300 }'),
    'cell.csv': cell,
    'track.csv': track,
    'raw.csv': raw,
  });
  const r = loadScenario(join(dir, 'scenario.yaml'), { cwd: tmpdir() });
  const b = r.traces[1]!;
  assert.deepEqual(Array.from(b.cpu), [0.2, 0.4, 0.3]);
  assert.deepEqual(Array.from(b.mem), [0.2, 0.4, 0.3]);
  // Without a timestamp, the first line is a data row too.
  const dir2 = userDir('remora-noheader2-', {
    'scenario.yaml': gpsScenario('{ format: csv, file: raw.csv, header: false, cpuColumn: 2, memColumn: 3, cpuUnit: percent, memUnit: fraction, sampleSeconds: 300 }'),
    'cell.csv': cell,
    'track.csv': track,
    'raw.csv': raw,
  });
  assert.equal(loadScenario(join(dir2, 'scenario.yaml')).traces[1]!.cpu.length, 4);
});

test('csv trace: header names are refused with header: false; an index past the last column names the count', () => {
  const files = { 'cell.csv': cell, 'track.csv': track, 'raw.csv': '1,2\n3,4\n' };
  const named = userDir('remora-noheader-bad-', { ...files, 'scenario.yaml': gpsScenario('{ format: csv, file: raw.csv, header: false, cpuColumn: cpu, memColumn: 1, cpuUnit: percent, memUnit: percent, sampleSeconds: 300 }') });
  assert.throws(() => loadScenario(join(named, 'scenario.yaml')), /nodes\.1\.trace\.cpuColumn: expected a 0-based column index \(a number\) when header is false, got "cpu"$/);
  const far = userDir('remora-noheader-far-', { ...files, 'scenario.yaml': gpsScenario('{ format: csv, file: raw.csv, header: false, cpuColumn: 0, memColumn: 5, cpuUnit: percent, memUnit: percent, sampleSeconds: 300 }') });
  assert.throws(() => loadScenario(join(far, 'scenario.yaml')), /raw\.csv: line 1 \(mem column\): expected a column index < 2 .*got 5$/);
  // With a header, an index works too.
  const mixed = userDir('remora-header-idx-', { ...files, 'raw.csv': 'c,m\n1,2\n3,4\n', 'scenario.yaml': gpsScenario('{ format: csv, file: raw.csv, cpuColumn: 0, memColumn: m, cpuUnit: percent, memUnit: percent, sampleSeconds: 300 }') });
  assert.deepEqual(Array.from(loadScenario(join(mixed, 'scenario.yaml')).traces[1]!.cpu), [0.01, 0.03]);
});

const multi = [
  'track_id,time,lat,lon',
  'car-1,2019-05-01T08:00:00Z,10.0,10.0',
  'car-2,2019-05-01T08:00:00Z,33.2000,-115.6000',
  'car-1,2019-05-01T08:01:00Z,10.1,10.1',
  'car-2,2019-05-01T08:01:00Z,33.2050,-115.6050',
  'car-2,2019-05-01T08:03:00Z,33.2150,-115.6150',
  '',
].join('\n');

test('gps: trackColumn + track select one track of a multi-track file; timeUnit iso', () => {
  const dir = userDir('remora-gps-multi-', {
    'scenario.yaml': gpsScenario('{ format: google2019-cell, file: cell.csv }', 'mobility: { kind: gps, file: tracks.csv, columns: { timeUnit: iso, trackColumn: track_id }, track: car-2 }'),
    'cell.csv': cell,
    'tracks.csv': multi,
  });
  const r = loadScenario(join(dir, 'scenario.yaml'));
  assert.deepEqual(Array.from(r.gpsTrack!.tS), [0, 60, 180]);
  assert.equal(r.gpsTrack!.originLat, 33.2);
  // Node a sits on the first fix of car-2.
  assert.ok(Math.abs(r.nodeX[0]!) < 1e-9 && Math.abs(r.nodeY[0]!) < 1e-9);
});

test('gps: an unknown track names the tracks seen; trackColumn without track is refused', () => {
  const base = { 'cell.csv': cell, 'tracks.csv': multi };
  const unknown = userDir('remora-gps-unknown-', { ...base, 'scenario.yaml': gpsScenario('{ format: google2019-cell, file: cell.csv }', 'mobility: { kind: gps, file: tracks.csv, columns: { timeUnit: iso, trackColumn: track_id }, track: car-9 }') });
  assert.throws(() => loadScenario(join(unknown, 'scenario.yaml')), /tracks\.csv: rows \(track_id = "car-9"\): expected at least two GPS fixes, got 0; tracks seen: "car-1, car-2"$/);
  const missing = userDir('remora-gps-notrack-', { ...base, 'scenario.yaml': gpsScenario('{ format: google2019-cell, file: cell.csv }', 'mobility: { kind: gps, file: tracks.csv, columns: { timeUnit: iso, trackColumn: track_id } }') });
  assert.throws(() => loadScenario(join(missing, 'scenario.yaml')), /mobility\.track: expected the track to keep when columns\.trackColumn is given/);
  const badCol = userDir('remora-gps-badcol-', { ...base, 'scenario.yaml': gpsScenario('{ format: google2019-cell, file: cell.csv }', 'mobility: { kind: gps, file: tracks.csv, columns: { timeUnit: iso, trackColumn: vehicle }, track: car-2 }') });
  assert.throws(() => loadScenario(join(badCol, 'scenario.yaml')), /tracks\.csv: header \(track\): expected a column named "vehicle"/);
});
