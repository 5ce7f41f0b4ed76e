import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkEnv } from '../core/check-env.js';
import { VecEnv } from '../core/vec-env.js';
import { InvalidInputError } from '../core/errors.js';
import {
  loadScenario, makeEnv, parseScenario, resolveScenario, scenarioNames, recordWorld, readCsvTrace, readGoogle2011Job,
  readGoogle2019Cell, readFollowMeTrace, readGpsCsv, BUILTIN_DATA_DIR, reward as eq8, nodeLoad, rowAt, type TwinInfo,
} from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const testdata = join(here, 'testdata');
const cache = new Map();
const load = (name: string) => loadScenario(name, { traceCache: cache });

for (const name of scenarioNames()) {
  test(`checkEnv passes on built-in scenario ${name}`, () => {
    const report = checkEnv(makeEnv(load(name)));
    assert.ok(report.steps > 0);
    assert.deepEqual(report.passed, [
      'observations in space', 'rewards finite', 'flags boolean', 'action mask', 'same seed, same trajectory',
      'different seed, different trajectory', 'step after end raises', 'invalid actions raise',
    ]);
  });
}

test('checkEnv passes on a GPS-driven scenario file with 2019 and generic-CSV traces', () => {
  const sc = loadScenario(join(testdata, 'gps-scenario.yaml'));
  assert.equal(sc.spec.mobility.kind, 'gps');
  checkEnv(makeEnv(sc));
});

test('observation is Eq.3 (N_i, R_1..R_N, L_1..L_N) and the reward is Eq.8 of the observed values', () => {
  const sc = load('sr111');
  const env = makeEnv(sc);
  let { observation: o } = env.reset({ seed: 3 });
  const n = 3;
  for (let t = 0; t < 30; t++) {
    const before = o.slice();
    const action = t % 7 === 3 ? 1 + (t % 3) : 0;
    const r = env.step(action);
    const info = r.info as TwinInfo;
    const j = info.servingNode; // instant model: serving after the action is the node rewarded
    const expected = eq8({
      rttMs: before[j]!, rttsMs: before.subarray(1, 1 + n), load: before[n + j]!, loads: before.subarray(1 + n),
      rttSla: sc.spec.sla.rttMs, loadSla: sc.spec.sla.load, migrationCost: sc.spec.reward.migrationCost,
    });
    assert.ok(Math.abs(r.reward - expected) < 1e-12, `t=${t}: ${r.reward} vs ${expected}`);
    if (r.terminated || r.truncated) break;
    o = r.observation;
  }
});

test('terminates when the serving node violates R_max; truncates at maxSteps with terminated=false', () => {
  const sc = load('sr111');
  const env = makeEnv(sc);
  env.reset({ seed: 1 });
  let r;
  do r = env.step(0); while (!r.terminated && !r.truncated);
  assert.equal(r.terminated, true, 'never migrating must violate R_max on a 12 km trip');
  assert.ok((r.info as TwinInfo).rttViolation);
  assert.throws(() => env.step(0), /after the episode ended/);

  const short = resolveScenario(parseScenario({ extends: 'sr111', name: 'short', maxSteps: 5 }, 'test'), 'test', { cwd: here });
  const e2 = makeEnv(short);
  const first = e2.reset({ seed: 1 }).observation;
  let policyNode = first[0]!;
  let steps = 0;
  let r2;
  do {
    r2 = e2.step(0);
    steps++;
    policyNode = r2.observation[0]!;
  } while (!r2.terminated && !r2.truncated);
  assert.equal(steps, 5);
  assert.equal(r2.truncated, true);
  assert.equal(r2.terminated, false);
  assert.equal(policyNode, first[0]);
});

test('self-migration: "wait" equals Wait; "penalize" gives -10 and terminates (released code)', () => {
  const waitEnv = makeEnv(load('sr111'));
  const o = waitEnv.reset({ seed: 5 }).observation;
  const self = o[0]!;
  const a = waitEnv.step(self).reward;
  waitEnv.reset({ seed: 5 });
  const b = waitEnv.step(0).reward;
  assert.equal(a, b);
  const pen = makeEnv(resolveScenario(parseScenario({ extends: 'sr111', name: 'pen', reward: { selfMigration: 'penalize' } }, 'test'), 'test', { cwd: here }));
  const o2 = pen.reset({ seed: 5 }).observation;
  const r = pen.step(o2[0]!);
  assert.equal(r.reward, -10);
  assert.equal(r.terminated, true);
});

test('timed migrations: pre-copy keeps the source serving, migrate actions are masked in flight', () => {
  const env = makeEnv(load('sr111-timed'));
  const o = env.reset({ seed: 2 }).observation;
  const src = o[0]!;
  const dst = src === 1 ? 2 : 1;
  const d = env.world.durationStepsAt(0);
  assert.ok(d >= 1, 'pod migrations take at least one step');
  let r = env.step(dst);
  let info = r.info as TwinInfo;
  for (let k = 1; k < d; k++) {
    assert.equal(info.servingNode, src, 'still serving from the source');
    assert.equal(info.migrationTarget, dst);
    assert.deepEqual(Array.from(info.actionMask), [1, 0, 0, 0]);
    assert.throws(() => env.step(dst), /masked/);
    r = env.step(0);
    info = r.info as TwinInfo;
  }
  assert.equal(info.servingNode, dst, `switched after ${d} step(s)`);
  assert.deepEqual(Array.from(info.actionMask), [1, 1, 1, 1]);
});

test('instant model (durations zero) switches within the step', () => {
  const env = makeEnv(load('sr111'));
  const o = env.reset({ seed: 2 }).observation;
  const dst = o[0] === 1 ? 2 : 1;
  const r = env.step(dst);
  assert.equal((r.info as TwinInfo).servingNode, dst);
  assert.equal(r.observation[0], dst);
});

test('VM migrations take longer than pod migrations by default (Fig. 4a)', () => {
  const pod = makeEnv(load('sr111-timed')), vm = makeEnv(load('sr111-vm'));
  let sp = 0, sv = 0;
  for (let s = 0; s < 50; s++) {
    pod.reset({ seed: s });
    vm.reset({ seed: s });
    sp += pod.world.durationStepsAt(0);
    sv += vm.world.durationStepsAt(0);
  }
  assert.ok(sv > 1.8 * sp, `vm ${sv} vs pod ${sp}`);
});

test('the world does not depend on actions: recordWorld replays what the env showed', () => {
  const sc = load('sr111-timed');
  const env = makeEnv(sc);
  const first = env.reset({ seed: 11 });
  const rec = recordWorld(sc, (first.info as TwinInfo).worldSeed);
  let o = first.observation;
  for (let t = 0; ; t++) {
    for (let j = 0; j < 3; j++) {
      assert.equal(o[1 + j], rec.rttMs[t * 3 + j]);
      assert.equal(o[4 + j], rec.load[t * 3 + j]);
    }
    const mask = (t === 0 ? first.info : undefined)?.actionMask;
    const r = env.step(t % 9 === 4 && (mask === undefined || mask[2] === 1) ? 0 : 0);
    if (r.terminated || r.truncated) break;
    o = r.observation;
  }
});

test('RTT calibration: ~1 ms at a node, ~31 ms one antenna away, R_max crossed past the midpoint', () => {
  const sc = resolveScenario(parseScenario({ extends: 'sr111', name: 'quiet', rtt: { noiseSigmaMs: { min: 0, max: 0 } }, mobility: { kind: 'highway', fromXM: 0, toXM: 12000, speedKmh: { min: 100, max: 100 }, direction: 'forward' } }, 'test'), 'test', { cwd: here });
  const env = makeEnv(sc);
  const o = env.reset({ seed: 1 }).observation;
  assert.ok(Math.abs(o[1]! - 1.5) < 0.01, `R_1 at node 1 = ${o[1]}`); // 1 + 0.005 * 100 m lateral offset
  assert.ok(Math.abs(o[2]! - (1 + 0.005 * Math.hypot(6000, 100))) < 0.01);
  assert.ok(o[3]! > 55 && o[3]! < 65);
});

test('training segments never overlap the held-out heaviest day; roundtrip uses it', () => {
  const sc = load('sr111');
  assert.equal(sc.heldOutDay, sc.dailyMeanLoad.indexOf(Math.max(...sc.dailyMeanLoad)));
  const env = makeEnv(sc);
  const d = sc.heldOutDay! * 86400;
  env.reset({ seed: 0 });
  for (let e = 0; e < 300; e++) {
    const start = env.world.traceStartSeconds;
    const end = start + (env.world.lastStep + 1) * sc.spec.workload.traceSecondsPerStep;
    assert.ok(end <= d || start >= d + 86400, `episode ${e} [${start}, ${end}) overlaps day ${sc.heldOutDay}`);
    env.reset();
  }
  const rt = load('sr111-roundtrip');
  const e2 = makeEnv(rt);
  e2.reset({ seed: 0 });
  assert.equal(e2.world.traceStartSeconds, rt.heldOutDay! * 86400 + rt.spec.workload.offsetSeconds);
  assert.equal(e2.world.speedKmh, 104.5);
});

test('load noise: zero noise reproduces Eq.2 of the trace row; default noise is redrawn per episode', () => {
  const quiet = resolveScenario(parseScenario({ extends: 'sr111', name: 'q', workload: { noise: { cpu: { std: 0 }, mem: { std: 0 } } } }, 'test'), 'test', { cwd: here });
  const env = makeEnv(quiet);
  const o = env.reset({ seed: 4 }).observation;
  for (let j = 0; j < 3; j++) {
    const tr = quiet.traces[j]!;
    const r = rowAt(tr, env.world.traceStartSeconds + quiet.shiftSeconds[j]!);
    assert.equal(o[4 + j], nodeLoad(tr.cpu[r]!, tr.mem[r]!));
  }
  const noisy = makeEnv(load('sr111-roundtrip')); // fixed trace start: differences come from noise alone
  const a = noisy.reset({ seed: 1 }).observation.slice();
  const b = noisy.reset({ seed: 2 }).observation.slice();
  assert.notEqual(a[4], b[4]);
});

test('any N >= 2 works; N < 2 is refused with a one-line error naming the field', () => {
  checkEnv(makeEnv(load('highway-5')));
  const two = resolveScenario(parseScenario({ extends: 'sr111', name: 'two', nodes: [
    { name: 'a', xM: 0, yM: 100, trace: { format: 'follow-me', file: 'builtin:traces/follow-me-borg/cpu_mem_1.txt.gz' } },
    { name: 'b', xM: 12000, yM: 100, trace: { format: 'follow-me', file: 'builtin:traces/follow-me-borg/cpu_mem_3.txt.gz' } },
  ] }, 'test'), 'test', { cwd: here, traceCache: cache });
  assert.equal(makeEnv(two).actionSpace.n, 3);
  assert.throws(() => parseScenario({ extends: 'sr111', name: 'one', nodes: [{ name: 'a', xM: 0, yM: 0, trace: { format: 'follow-me', file: 'x' } }] }, 'one.yaml'),
    (e: unknown) => e instanceof InvalidInputError && /^one\.yaml: nodes: expected at least 2 item\(s\), got /.test(e.message));
});

test('scenario validation: unknown keys and negative speeds are errors naming the field', () => {
  assert.throws(() => parseScenario({ extends: 'sr111', name: 'x', bogus: 1 }, 's.json'), /s\.json: bogus: expected no such key/);
  assert.throws(() => parseScenario({ extends: 'sr111', name: 'x', mobility: { kind: 'highway', fromXM: 0, toXM: 1, speedKmh: { min: -5, max: 10 } } }, 's.json'), /s\.json: mobility\.speedKmh: expected speeds > 0 km\/h, got \{"min":-5,"max":10\}/);
});

test('trace readers: malformed rows and NaN are refused with file, line, column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-trace-'));
  const bad = join(dir, 'bad.txt');
  writeFileSync(bad, '10 20\n11 abc\n');
  assert.throws(() => readFollowMeTrace(bad, 'bad'), (e: unknown) => e instanceof InvalidInputError && e.message === `${bad}: line 2, column mem%: expected a finite percentage >= 0, got "abc"`);
  writeFileSync(bad, '10 20\nNaN 5\n');
  assert.throws(() => readFollowMeTrace(bad, 'bad'), /line 2, column cpu%: expected a finite percentage >= 0, got "NaN"/);
  writeFileSync(bad, '10 20 30\n');
  assert.throws(() => readFollowMeTrace(bad, 'bad'), /line 1: expected two whitespace-separated numbers/);
  assert.throws(() => readFollowMeTrace(join(dir, 'missing.txt'), 'm'), /missing\.txt: trace: expected a readable file, got no such file/);
});

test('trace readers: paper files, Google 2011 job, Google 2019 cell aggregate, generic CSV', () => {
  const m1 = readFollowMeTrace(join(BUILTIN_DATA_DIR, 'traces/follow-me-borg/cpu_mem_1.txt.gz'), 'm1');
  assert.equal(m1.cpu.length, 153504);
  assert.ok(Math.abs(m1.cpu[0]! - 0.22492) < 1e-12);
  const job = readGoogle2011Job(join(BUILTIN_DATA_DIR, 'traces/google2011-hipro-job-986962601'), '986962601', 'job');
  assert.equal(job.cpu.length, 2880);
  assert.equal(job.sampleSeconds, 300);
  const cell = readGoogle2019Cell(join(testdata, 'cell-2019.csv'), 'cell');
  assert.deepEqual(Array.from(cell.cpu), [0.44, 0.43, 0.45, 0.47]);
  const g = readCsvTrace(join(testdata, 'generic.csv'), 'g', { cpuColumn: 'cpu_pct', memColumn: 'mem', cpuUnit: 'percent', memUnit: 'fraction', timestampColumn: 'ts', timestampUnit: 'us', machineIdColumn: 'machine', machineId: 'm2', sampleSeconds: 300 });
  // bins of 300 s: [0,300): mean(20,40)%, [300,600): 30%, [600,900): held, [900,1200): 50%
  assert.deepEqual(Array.from(g.cpu, (x) => Number(x.toFixed(6))), [0.3, 0.3, 0.3, 0.5]);
  assert.deepEqual(Array.from(g.mem, (x) => Number(x.toFixed(6))), [0.3, 0.3, 0.3, 0.5]);
});

test('the real shared traces read in place when present (../shared/data)', (t) => {
  const shared = join(here, '../../../shared/data');
  let files: string[];
  try {
    files = readdirSync(join(shared, 'google2019_cell_aggregate_5min'));
  } catch {
    t.skip('../shared/data not present on this machine');
    return;
  }
  const csv = files.find((f) => f.endsWith('.csv'))!;
  const cell = readGoogle2019Cell(join(shared, 'google2019_cell_aggregate_5min', csv), 'cell');
  assert.equal(cell.cpu.length, 8064);
});

test('GPS reader projects lat/lon to metres (0.005 deg lat ~ 556 m) and refuses bad fixes', () => {
  const tr = readGpsCsv(join(testdata, 'gps-track.csv'), { lat: 'lat', lon: 'lon', time: 'time', timeUnit: 's' });
  assert.ok(Math.abs(tr.yM[1]! - 556) < 2, `y ${tr.yM[1]}`);
  assert.ok(tr.xM[1]! < 0);
  const dir = mkdtempSync(join(tmpdir(), 'remora-gps-'));
  const f = join(dir, 'g.csv');
  writeFileSync(f, 'time,lat,lon\n0,33,-115\n10,95,-115\n');
  assert.throws(() => readGpsCsv(f, { lat: 'lat', lon: 'lon', time: 'time', timeUnit: 's' }), /line 3, column lat: expected a latitude in \[-90, 90\] degrees, got "95"/);
  copyFileSync(join(testdata, 'gps-track.csv'), join(dir, 'copy.csv'));
});

test('VecEnv steps K copies in lockstep, identical to stepping them one by one', () => {
  const sc = load('sr111');
  const vec = new VecEnv([makeEnv(sc), makeEnv(sc), makeEnv(sc)]);
  const solo = [makeEnv(sc), makeEnv(sc), makeEnv(sc)];
  vec.reset(100);
  solo.forEach((e, k) => e.reset({ seed: 100 + k }));
  for (let t = 0; t < 400; t++) {
    const actions = [0, t % 13 === 0 ? 2 : 0, t % 17 === 0 ? 3 : 0];
    vec.step(actions);
    solo.forEach((e, k) => {
      const r = e.step(actions[k]!);
      assert.equal(vec.rewards[k], r.reward);
      const obs = r.terminated || r.truncated ? vec.finalObservations : vec.observations;
      assert.deepEqual(Array.from(obs.subarray(k * 7, k * 7 + 7)), Array.from(r.observation));
      if (r.terminated || r.truncated) e.reset();
    });
  }
  assert.ok(vec.episodes[0]! > 3);
});

test("initialNode 'random' places the service anywhere without changing the world", () => {
  const rnd = resolveScenario(parseScenario({ extends: 'sr111', name: 'r', initialNode: 'random' }, 'test'), 'test', { cwd: here, traceCache: cache });
  const near = load('sr111');
  const a = makeEnv(rnd), b = makeEnv(near);
  const seen = new Set<number>();
  for (let s = 0; s < 30; s++) {
    const ra = a.reset({ seed: s }), rb = b.reset({ seed: s });
    seen.add(ra.observation[0]!);
    assert.deepEqual(Array.from(ra.observation.subarray(1)), Array.from(rb.observation.subarray(1)), 'same world');
  }
  assert.equal(seen.size, 3);
  checkEnv(a);
});
