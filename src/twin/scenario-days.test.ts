// Train / validation / test days (checkpoints are chosen on validation days, the test days are never used
// to choose anything) and the `extends` lists with overlays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError } from '../core/errors.js';
import { DAY_S, loadScenario, makeEnv, parseScenario, resolveScenario, type ResolvedScenario, type Scenario, type ScenarioInput } from './index.js';
import { thrown } from '../core/testing/thrown.js';

const here = dirname(fileURLToPath(import.meta.url));
const cache = new Map();
const builtin = (name: string) => loadScenario(name, { traceCache: cache });
const resolveRaw = (raw: object): ResolvedScenario => resolveScenario(parseScenario(raw, 'test scenario'), 'test scenario', { cwd: process.cwd(), traceCache: cache });

const TEST_DAYS = [25, 7, 14, 21];
const VALIDATION_DAYS = [4, 18, 29];

/** Trace-time span of the current episode, seconds: [step 0, last step]. */
function segment(sc: ResolvedScenario, env: ReturnType<typeof makeEnv>): [number, number] {
  const s = env.world.traceStartSeconds;
  return [s, s + env.world.lastStep * sc.spec.workload.traceSecondsPerStep];
}

/** Days (0-based) a segment touches. */
function daysOf([a, b]: [number, number]): number[] {
  const out: number[] = [];
  for (let d = Math.floor(a / DAY_S); d <= Math.floor(b / DAY_S); d++) out.push(d);
  return out;
}


test('sr111 records its days: test 25 (heaviest), 7, 14, 21; validation 4, 18, 29', () => {
  const sc = builtin('sr111');
  assert.equal(sc.heldOutDay, 25);
  assert.deepEqual(sc.testDays, TEST_DAYS);
  assert.deepEqual(sc.validationDays, VALIDATION_DAYS);
  for (const name of ['sr111-validation', 'sr111-test', 'sr111-train', 'sr111-edge', 'sr111-edge-validation', 'sr111-edge-test']) {
    const s = builtin(name);
    assert.deepEqual(s.testDays, TEST_DAYS, name);
    assert.deepEqual(s.validationDays, VALIDATION_DAYS, name);
  }
});

test('sr111 training: 2000 resets never start a segment overlapping a test or validation day', () => {
  for (const name of ['sr111', 'sr111-train', 'sr111-edge']) {
    const sc = builtin(name);
    const env = makeEnv(sc, 1);
    const excluded = new Set([...TEST_DAYS, ...VALIDATION_DAYS]);
    const used = new Set<number>();
    env.reset({ seed: 42 });
    for (let k = 0; k < 2000; k++) {
      if (k > 0) env.reset();
      const seg = segment(sc, env);
      assert.ok(seg[0] >= 0 && seg[1] <= sc.traceSpanSeconds, `${name} reset ${k}: segment ${seg} outside the trace`);
      const days = daysOf(seg);
      const bad = days.filter((d) => excluded.has(d));
      assert.deepEqual(bad, [], `${name} reset ${k}: segment [${seg[0].toFixed(0)}, ${seg[1].toFixed(0)}] s touches held-out day(s) ${bad}`);
      for (const d of days) used.add(d);
    }
    // Not degenerate: the training days are all reached.
    const trainingDays = Array.from({ length: 31 }, (_, d) => d).filter((d) => !excluded.has(d) && (d + 1) * DAY_S <= sc.traceSpanSeconds);
    for (const d of trainingDays) assert.ok(used.has(d), `${name}: training day ${d} never used`);
  }
});

test('sr111-validation starts only within days 4, 18, 29; sr111-test only within 25, 7, 14, 21 (every day used)', () => {
  for (const [name, days] of [['sr111-validation', VALIDATION_DAYS], ['sr111-test', TEST_DAYS], ['sr111-edge-validation', VALIDATION_DAYS], ['sr111-edge-test', TEST_DAYS]] as const) {
    const sc = builtin(name);
    const env = makeEnv(sc, 1);
    const used = new Set<number>();
    env.reset({ seed: 9 });
    for (let k = 0; k < 400; k++) {
      if (k > 0) env.reset();
      const seg = segment(sc, env);
      const touched = daysOf(seg);
      assert.equal(touched.length, 1, `${name} reset ${k}: segment crosses a day boundary (${touched})`);
      assert.ok((days as readonly number[]).includes(touched[0]!), `${name} reset ${k}: day ${touched[0]} is not one of ${days}`);
      used.add(touched[0]!);
    }
    assert.deepEqual([...used].sort((a, b) => a - b), [...days].sort((a, b) => a - b), `${name}: every day is drawn`);
  }
});

test('a validation day that is also a test day is refused with one clear line', () => {
  for (const [validationDays, bad, index] of [[[4, 7], 7, 1], [[25], 25, 0], [[21, 18], 21, 0]] as const) {
    const e = thrown(() => resolveRaw({ name: 'x', extends: 'sr111', workload: { validationDays } }));
    assert.ok(e instanceof InvalidInputError, String(e));
    assert.ok(!e.message.includes('\n'), 'one line');
    assert.equal(e.details.field, `workload.validationDays.${index}`);
    assert.match(e.message, /not also a test day/);
    assert.match(e.message, new RegExp(`got ${bad}$`));
  }
  // A test day listed twice (heldOutDay and testDays) is refused likewise.
  const e = thrown(() => resolveRaw({ name: 'x', extends: 'sr111', workload: { testDays: [25] } }));
  assert.ok(e instanceof InvalidInputError);
  assert.equal(e.details.field, 'workload.testDays.0');
});

/** A spec with the keys that name a scenario removed. */
const unnamed = (s: Scenario) => ({ ...s, name: '', description: '', extends: undefined });

test('extends: [sr111, edge] gives the edge scenario settings (sr111-edge without its training randomization)', () => {
  const viaOverlay = parseScenario({ name: 'mine', extends: ['sr111', 'edge'] }, 'test');
  assert.equal(viaOverlay.terminateOnViolation, false);
  assert.equal(viaOverlay.observation.inFlight, true);
  assert.equal(viaOverlay.migration.model, 'timed');
  assert.deepEqual(viaOverlay.migration.downtimeSeconds, { pod: 1.5, vm: 0.2 });
  assert.equal(viaOverlay.reward.trafficCostPerGiB, 2);
  assert.equal(viaOverlay.reward.violationPenalty, 2);
  assert.deepEqual(viaOverlay.workload.testDays, [7, 14, 21]);
  assert.deepEqual(viaOverlay.workload.validationDays, VALIDATION_DAYS);
  // Equal to the built-in edge scenario on everything but the training randomization (random start, round trips, surges).
  const shipped = builtin('sr111-edge').spec;
  assert.deepEqual(
    unnamed(viaOverlay),
    unnamed({ ...shipped, initialNode: viaOverlay.initialNode, mobility: viaOverlay.mobility, workload: { ...shipped.workload, surges: viaOverlay.workload.surges } }),
  );
  // And the Fig. 6 trip through the overlay is the shipped sr111-edge-roundtrip.
  assert.deepEqual(unnamed(parseScenario({ name: 'rt', extends: ['sr111-roundtrip', 'edge'] }, 'test')), unnamed(builtin('sr111-edge-roundtrip').spec));
  // The file's own keys win over the overlay.
  const mine = parseScenario({ name: 'mine', extends: ['sr111', 'edge'], reward: { violationPenalty: 5 }, migration: { serviceKind: 'vm' } }, 'test');
  assert.equal(mine.reward.violationPenalty, 5);
  assert.equal(mine.reward.trafficCostPerGiB, 2);
  assert.equal(mine.migration.serviceKind, 'vm');
  assert.equal(mine.migration.model, 'timed');
});

test('extends: an unknown entry is refused naming its index; an overlay cannot come first', () => {
  const cases: [unknown, string, RegExp][] = [
    [['sr111', 'nosuch'], 'extends.1', /"nosuch"/],
    [['nosuch', 'edge'], 'extends.0', /"nosuch"/],
    [['edge'], 'extends.0', /"edge"/],
    ['nosuch', 'extends', /"nosuch"/],
  ];
  for (const [ext, field, actual] of cases) {
    const e = thrown(() => parseScenario({ name: 'x', extends: ext }, 'my.yaml'));
    assert.ok(e instanceof InvalidInputError, String(e));
    assert.equal(e.details.field, field, JSON.stringify(ext));
    assert.match(e.message, actual);
    assert.match(e.message, /^my\.yaml: /);
    assert.ok(!e.message.includes('\n'), 'one line');
  }
  // At a later index the overlays are offered too.
  const e = thrown(() => parseScenario({ name: 'x', extends: ['sr111', 'nosuch'] }, 'my.yaml'));
  assert.match(e.message, /\bedge\b/);
});

/** A temp folder holding `sub/<file>` (the scenario) and `sub/gps-track.csv`; returns the scenario's path. */
function gpsScenarioFile(text: string, file = 'scenario.yaml'): { root: string; path: string } {
  const root = mkdtempSync(join(tmpdir(), 'remora-gps-'));
  const sub = join(root, 'sub');
  mkdirSync(sub);
  copyFileSync(join(here, 'testdata', 'gps-track.csv'), join(sub, 'gps-track.csv'));
  const path = join(sub, file);
  writeFileSync(path, text);
  return { root, path };
}

const GPS_OVER_SR111 = 'name: sr111-gps\nextends: sr111\nmobility:\n  kind: gps\n  file: gps-track.csv\n';

test('extends: sr111 + mobility {kind: gps} replaces the highway whole (no fromXM inherited)', () => {
  const spec = parseScenario({ name: 'g', extends: 'sr111', mobility: { kind: 'gps', file: 'track.csv' } }, 'test');
  assert.equal(spec.mobility.kind, 'gps');
  assert.ok(!('fromXM' in spec.mobility) && !('speedKmh' in spec.mobility) && !('direction' in spec.mobility), JSON.stringify(spec.mobility));
  assert.deepEqual(spec.mobility.columns, { lat: 'lat', lon: 'lon', time: 'time', timeUnit: 's' });
  // The same through an extends list with the overlay.
  const edge = parseScenario({ name: 'g', extends: ['sr111', 'edge'], mobility: { kind: 'gps', file: 'track.csv' } }, 'test');
  assert.equal(edge.mobility.kind, 'gps');
  assert.ok(!('fromXM' in edge.mobility));
  assert.equal(edge.observation.inFlight, true);
  // A same-kind override still merges key by key.
  const slow = parseScenario({ name: 's', extends: 'sr111', mobility: { kind: 'highway', speedKmh: { min: 30, max: 40 } } } as unknown as ScenarioInput, 'test');
  assert.equal(slow.mobility.kind, 'highway');
  if (slow.mobility.kind === 'highway') assert.equal(slow.mobility.toXM, 12000);
});

test('the GPS file of a scenario file resolves against the scenario file\'s folder (absolute path, no cwd)', () => {
  const { path } = gpsScenarioFile(GPS_OVER_SR111);
  const sc = loadScenario(path, { traceCache: cache });
  assert.equal(sc.spec.mobility.kind, 'gps');
  assert.ok(sc.gpsTrack, 'the track is loaded');
  const env = makeEnv(sc, 1);
  env.reset({ seed: 1 });
  assert.ok(Number.isNaN(env.world.speedKmh), 'GPS mobility: no highway speed');
});

// Every CLI command calls `loadScenario(flags.scenario, { cwd: io.cwd })`. That cwd only locates the scenario file;
// the paths inside it resolve against the file's own folder, so `remora simulate --scenario sub/scenario.yaml` run
// from the parent folder finds `sub/gps-track.csv`, not a `gps-track.csv` in the parent.
test('a scenario file loaded as the CLI does (a relative path and the cwd) resolves its GPS file against its own folder', () => {
  const { root, path } = gpsScenarioFile(GPS_OVER_SR111);
  const sc = loadScenario(relative(root, path), { cwd: root, traceCache: cache });
  assert.ok(sc.gpsTrack);
});
