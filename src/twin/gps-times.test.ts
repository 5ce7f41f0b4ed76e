// Errors at the edges: a GPS file with negative times is refused with one line naming the file, the line
// and the value (the CLI path: src/cli/commands/edge-errors.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGpsCsv } from './mobility.js';

const cols = { lat: 'lat', lon: 'lon', time: 'time', timeUnit: 's' } as const;

test('readGpsCsv refuses negative times (s and ms) in one line; ISO dates before 1970 are dates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-gps-neg-'));
  const f = join(dir, 'neg.csv');
  writeFileSync(f, 'time,lat,lon\n-20,33.2,-115.6\n40,33.205,-115.605\n');
  assert.throws(() => readGpsCsv(f, cols), (e: Error) => /neg\.csv: line 2, column time: expected a time >= 0 .*negative times are refused.*got "-20"$/.test(e.message) && !e.message.includes('\n'));
  assert.throws(() => readGpsCsv(f, { ...cols, timeUnit: 'ms' }), /line 2, column time: expected a time >= 0 \(ms/);
  const iso = join(dir, 'iso.csv');
  writeFileSync(iso, 'time,lat,lon\n1969-12-31T23:59:00Z,33.2,-115.6\n1970-01-01T00:01:00Z,33.205,-115.605\n');
  assert.deepEqual(Array.from(readGpsCsv(iso, { ...cols, timeUnit: 'iso' }).tS), [0, 120]);
});
