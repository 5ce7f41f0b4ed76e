// The worked examples of examples/scenarios: every one loads through the real loader from another
// working directory (its paths resolve against its own folder), validates with no error, builds an env that
// passes checkEnv, and together they cover what the docs promise. Their data is what derive.sh writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { checkEnv } from '../../src/core/check-env.js';
import { loadScenario, makeEnv, validateScenario, type ResolvedScenario } from '../../src/twin/index.js';

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, 'examples', 'scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const cache = new Map();
const loaded = new Map<string, ResolvedScenario>();

for (const f of files) {
  test(`example ${f}: loads from another folder, validates, and its env passes checkEnv`, () => {
    // As a user runs it: a relative path from the repository root.
    const sc = loadScenario(relative(root, join(dir, f)), { cwd: root, traceCache: cache });
    loaded.set(f, sc);
    const v = validateScenario(join(dir, f), { cwd: tmpdir(), traceCache: cache });
    assert.ok(v.ok, v.ok ? '' : v.errors.map((e) => e.message).join('\n'));
    const report = checkEnv(makeEnv(sc));
    assert.ok(report.steps > 1, `${f}: the reference episode lasted ${report.steps} step(s)`);
  });
}

test('the examples cover every trace format, a GPS track, cell positions, routes and an extends overlay', () => {
  const specs = files.map((f) => loaded.get(f) ?? loadScenario(join(dir, f), { traceCache: cache }));
  const traces = specs.flatMap((s) => s.spec.nodes.map((n) => n.trace));
  for (const format of ['follow-me', 'google2011-job', 'google2019-cell'] as const) assert.ok(traces.some((t) => t.format === format), `a ${format} trace`);
  assert.ok(traces.some((t) => t.format === 'csv' && t.header), 'a csv with a header');
  assert.ok(traces.some((t) => t.format === 'csv' && !t.header), 'a csv without a header');
  assert.ok(traces.some((t) => 'file' in t && !t.file.startsWith('builtin:') && t.file.endsWith('.gz')), 'a gzipped trace of the user\'s');
  const gps = specs.find((s) => s.spec.mobility.kind === 'gps' && s.spec.mobility.columns.timeUnit === 'iso' && s.spec.mobility.columns.trackColumn);
  assert.ok(gps, 'a GPS track with a track filter and ISO times');
  const highway = specs.filter((s) => s.spec.mobility.kind === 'highway');
  assert.ok(highway.some((s) => s.spec.nodes.every((n) => n.lat !== undefined) && s.road!.forward.xM.length > 2), 'lat/lon cell positions on a polyline route');
  assert.ok(highway.some((s) => s.spec.mobility.kind === 'highway' && s.spec.mobility.route?.fromGps), 'a route from a GPS track');
  const overlay = specs.find((s) => Array.isArray(s.spec.extends) && s.spec.extends.includes('edge'));
  assert.ok(overlay && overlay.spec.migration.model === 'timed' && overlay.spec.migration.serviceKind === 'vm', 'extends: [sr111, edge] plus changes');
});

test('the example data is exactly what examples/scenarios/data/derive.sh writes from data/traces', () => {
  const out = mkdtempSync(join(tmpdir(), 'remora-derive-'));
  execFileSync('bash', [join(dir, 'data', 'derive.sh'), out], { stdio: 'pipe' });
  const list = (d: string, base = d): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(join(d, e.name), base) : [relative(base, join(d, e.name))]));
  const shipped = list(join(dir, 'data')).filter((p) => p !== 'derive.sh' && p !== 'SOURCE.md').sort();
  assert.deepEqual(list(out).sort(), shipped);
  for (const p of shipped) assert.ok(readFileSync(join(out, p)).equals(readFileSync(join(dir, 'data', p))), `${p} differs from derive.sh's output`);
});
