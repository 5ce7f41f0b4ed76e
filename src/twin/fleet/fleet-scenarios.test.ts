// The fleet scenarios for a learned fleet policy (training, validation, held-out evaluation), each resolved through
// the CLI's loader (loadScenario) and run in the fleet twin: node counts, populations and arrival rates, the VM share
// of metro-100-vms, city-48's rings, and where each episode's trace time starts (training segments avoid the test
// and validation days; validation and held-out fleets start inside their days).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_S } from '../builtin-scenarios.js';
import { loadScenario, type ResolvedScenario } from '../scenario-loader.js';
import type { TraceSeries } from '../traces.js';
import { FleetTwin } from './fleet-twin.js';

type Role = 'training' | 'validation' | 'test';
interface Case {
  name: string;
  role: Role;
  nodes: number;
  /** A fixed population (users at every tick), or Poisson highway arrivals per minute per direction. */
  users: { fixed: number; sessionMinutes: number } | { perMinute: number };
  /** The cluster's migration cap. */
  clusterCap: number;
  /** The random-waypoint square's side, metres (fixed populations). */
  areaM?: number;
}

const CASES: Case[] = [
  { name: 'metro-36', role: 'training', nodes: 36, users: { fixed: 1800, sessionMinutes: 20 }, clusterCap: 72, areaM: 10000 },
  { name: 'metro-36-validation', role: 'validation', nodes: 36, users: { fixed: 1800, sessionMinutes: 20 }, clusterCap: 72, areaM: 10000 },
  { name: 'metro-100-validation', role: 'validation', nodes: 100, users: { fixed: 5000, sessionMinutes: 20 }, clusterCap: 200, areaM: 18000 },
  { name: 'sr111-traffic-validation', role: 'validation', nodes: 3, users: { perMinute: 5 }, clusterCap: 5 },
  { name: 'metro-100-test', role: 'test', nodes: 100, users: { fixed: 5000, sessionMinutes: 20 }, clusterCap: 200, areaM: 18000 },
  { name: 'metro-100-churn', role: 'test', nodes: 100, users: { fixed: 4000, sessionMinutes: 6 }, clusterCap: 200, areaM: 18000 },
  { name: 'city-48', role: 'test', nodes: 48, users: { fixed: 2400, sessionMinutes: 20 }, clusterCap: 96, areaM: 16000 },
  { name: 'metro-100-vms', role: 'test', nodes: 100, users: { fixed: 3000, sessionMinutes: 20 }, clusterCap: 200, areaM: 18000 },
  { name: 'sr111-traffic-rush', role: 'test', nodes: 3, users: { perMinute: 9 }, clusterCap: 5 },
];
const TEST_DAYS = [25, 7, 14, 21];
const VALIDATION_DAYS = [4, 18, 29];
const SEEDS = [1, 2, 3];
const TICKS = 10;

const cache = new Map<string, TraceSeries>();
const loaded = new Map<string, ResolvedScenario>();
const load = (name: string): ResolvedScenario => {
  if (!loaded.has(name)) loaded.set(name, loadScenario(name, { cwd: process.cwd(), traceCache: cache }));
  return loaded.get(name)!;
};

/** What one scenario's fleet did: users at reset, live users and arrivals per tick, trace starts per seed. */
interface Run {
  fleet: FleetTwin;
  atReset: number[];
  arrivals: number[];
  starts: { seconds: number; needSeconds: number }[];
}
const runs = new Map<string, Run>();
/** Reset with each seed (trace starts, users at reset); the first seed's episode also steps TICKS ticks of Wait. */
function run(c: Case): Run {
  if (runs.has(c.name)) return runs.get(c.name)!;
  const sc = load(c.name);
  const f = new FleetTwin(sc);
  const out: Run = { fleet: f, atReset: [], arrivals: [], starts: [] };
  for (const seed of [...SEEDS].reverse()) {
    let r = f.reset({ seed });
    out.atReset.unshift(r.rows);
    out.starts.unshift({ seconds: f.world.traceStartSeconds, needSeconds: (f.world.lastStep + 1) * sc.spec.workload.traceSecondsPerStep });
    assert.equal(f.stats.arrivalsRefused, 0, `${c.name} seed ${seed}: arrivals refused at reset`);
    if (seed !== SEEDS[0]) continue;
    for (let t = 0; t < TICKS; t++) {
      r = f.step(new Int32Array(r.rows));
      out.arrivals.push(f.stats.arrivals);
      assert.equal(f.stats.arrivalsRefused, 0, `${c.name} tick ${t + 1}: arrivals refused`);
      let live = 0;
      for (let i = 0; i < r.rows; i++) {
        assert.ok(Number.isFinite(r.rewards[i]), `${c.name}: reward of row ${i}`);
        if (!(r.terminated[i] || r.truncated[i])) live++;
      }
      if ('fixed' in c.users) assert.equal(live, c.users.fixed, `${c.name} tick ${t + 1}: live users`);
    }
    // Leave the fleet at the first seed's episode (the later tests read its rows).
  }
  runs.set(c.name, out);
  return out;
}

for (const c of CASES) {
  test(`${c.name}: ${c.nodes} nodes, its population or arrival rate, caps, and ${c.role} trace starts`, () => {
    const sc = load(c.name);
    const spec = sc.spec;
    assert.equal(spec.name, c.name);
    assert.equal(sc.nodeX.length, c.nodes);
    assert.equal(spec.workload.start, c.role === 'training' ? 'random' : c.role);
    assert.deepEqual(sc.testDays, TEST_DAYS);
    assert.deepEqual(sc.validationDays, VALIDATION_DAYS);
    if (c.role === 'test') assert.match(spec.description ?? '', /evaluation only/);
    const { fleet: f, atReset, arrivals, starts } = run(c);
    assert.equal(f.nodes, c.nodes);
    assert.equal(f.caps.parallelMigrationsPerCluster, c.clusterCap);
    assert.equal(f.caps.parallelOutboundMigrationsPerNode, 2);
    assert.equal(spec.maxSteps, 'fixed' in c.users ? 360 : 240);

    const u = c.users;
    if ('fixed' in u) {
      const a = spec.users!.arrivals;
      assert.ok(a.kind === 'fixed' && a.motion.xM.max === c.areaM && a.motion.yM.max === c.areaM && a.motion.xM.min === 0);
      assert.deepEqual(atReset, SEEDS.map(() => u.fixed), 'every user of the population placed at reset');
      // Ended sessions are replaced: over TICKS ticks of 5 s, about count · (1 − exp(−ticks · 5 s / session)) arrive.
      const expected = u.fixed * (1 - Math.exp(-(TICKS * spec.stepSeconds) / (u.sessionMinutes * 60)));
      const got = arrivals.reduce((x, y) => x + y, 0);
      assert.ok(Math.abs(got - expected) < 4 * Math.sqrt(expected) + 2, `${c.name}: ${got} arrivals in ${TICKS} ticks, expected about ${expected.toFixed(0)}`);
      // Random waypoint keeps every user inside the square.
      for (let i = 0; i < f.rowCount; i++) {
        assert.ok(f.x[i]! >= 0 && f.x[i]! <= c.areaM! && f.y[i]! >= 0 && f.y[i]! <= c.areaM!, `${c.name}: user at (${f.x[i]}, ${f.y[i]})`);
      }
    } else {
      // Poisson both ways on the 12 km road at U(80, 104.5) km/h: the stationary count is 2 · rate · E[L / v] (7.85 min).
      const crossingMin = (12000 * Math.log(104.5 / 80)) / (((104.5 - 80) / 3.6) * 60);
      const expectedOnRoad = 2 * u.perMinute * crossingMin;
      const meanOnRoad = atReset.reduce((x, y) => x + y, 0) / atReset.length;
      assert.ok(Math.abs(meanOnRoad - expectedOnRoad) < 0.2 * expectedOnRoad, `${c.name}: ${meanOnRoad} cars at reset, expected about ${expectedOnRoad.toFixed(0)}`);
      const expectedArrivals = 2 * (u.perMinute / 60) * spec.stepSeconds * TICKS;
      const got = arrivals.reduce((x, y) => x + y, 0);
      assert.ok(Math.abs(got - expectedArrivals) < 3 * Math.sqrt(expectedArrivals), `${c.name}: ${got} arrivals in ${TICKS} ticks, expected about ${expectedArrivals}`);
    }

    // Where the trace time starts: inside one day of the role's list with the whole episode in it (validation and
    // test), or in a segment that overlaps no test or validation day (training).
    for (const { seconds, needSeconds } of starts) {
      const day = Math.floor(seconds / DAY_S);
      if (c.role === 'training') {
        for (const d of [...TEST_DAYS, ...VALIDATION_DAYS]) {
          assert.ok(seconds + needSeconds <= d * DAY_S || seconds >= (d + 1) * DAY_S, `${c.name}: training segment from day ${(seconds / DAY_S).toFixed(3)} overlaps day ${d}`);
        }
      } else {
        assert.ok((c.role === 'test' ? TEST_DAYS : VALIDATION_DAYS).includes(day), `${c.name}: starts on day ${day}`);
        assert.ok(seconds + needSeconds <= (day + 1) * DAY_S, `${c.name}: the episode runs past day ${day}`);
      }
    }
  });
}

test('held-out fleets differ from their base in the one stated way', () => {
  const strip = ({ name: _n, description: _d, extends: _e, workload: _w, ...rest }: ResolvedScenario['spec'] & { extends?: unknown }) => rest;
  const base = load('metro-100').spec, test100 = load('metro-100-test').spec;
  assert.deepEqual(strip(test100), strip(base), 'metro-100-test is metro-100 but for its days');
  assert.deepEqual({ ...test100.workload, start: 'random' }, base.workload);
  const churn = load('metro-100-churn').spec.users!.arrivals;
  assert.ok(churn.kind === 'fixed' && churn.sessionMinutes === 6 && churn.count === 4000);
  const rush = load('sr111-traffic-rush').spec, traffic = load('sr111-traffic').spec;
  assert.ok(rush.users!.arrivals.kind === 'poisson-highway' && rush.users!.arrivals.perMinute === 9);
  assert.deepEqual(rush.users!.services, traffic.users!.services);
  assert.deepEqual(rush.mobility, traffic.mobility);
  assert.deepEqual(load('sr111-traffic-validation').spec.users, traffic.users, 'the validation road is the training road');
  // Per user, sessions of 6 minutes churn 20 / 6 = 3.3x as often as metro-100's (measured over the same ticks).
  const perUser = (name: string, count: number) => run(CASES.find((c) => c.name === name)!).arrivals.reduce((x, y) => x + y, 0) / count;
  const ratio = perUser('metro-100-churn', 4000) / perUser('metro-100-test', 5000);
  assert.ok(ratio > 2.5 && ratio < 4.5, `churn per user ${ratio.toFixed(2)}x metro-100's`);
});

test('metro-100-vms: about 40 % of the users run VMs of 1-2 % with 1-2 GiB, the rest pods of 0.3-0.9 % with 0.5 GiB', () => {
  for (const name of ['metro-100-vms', 'metro-100-test']) {
    const c = CASES.find((x) => x.name === name)!;
    const f = run(c).fleet;
    const r = f.reset({ seed: 4 });
    const ns = f.nodeState;
    let vms = 0;
    for (let i = 0; i < r.rows; i++) {
      const kind = f.users.services[f.cls[i]!]!.kind;
      const cpu = ns.cpuDemand[i]!, mem = ns.memDemand[i]!, giB = f.stateGiB[i]!;
      if (kind === 'vm') {
        vms++;
        assert.ok(cpu >= 0.01 && cpu <= 0.02 && mem >= 0.01 && mem <= 0.02, `vm row ${i}: cpu ${cpu}, mem ${mem}`);
        assert.ok(giB >= 1 && giB <= 2, `vm row ${i}: ${giB} GiB`);
      } else {
        assert.ok(cpu >= 0.003 && cpu <= 0.009 && mem >= 0.003 && mem <= 0.009, `pod row ${i}: cpu ${cpu}, mem ${mem}`);
        assert.equal(giB, name === 'metro-100-vms' ? 0.5 : 0.25, `pod row ${i}: state`);
      }
    }
    const share = vms / r.rows;
    if (name === 'metro-100-vms') assert.ok(share > 0.36 && share < 0.44, `VM share ${share}`);
    else assert.equal(vms, 0, 'metro-100 has pods only');
  }
});

test('city-48: rings of 8, 16 and 24 nodes at 1.5, 4 and 7.5 km from (8 km, 8 km), evenly spaced and rotated by half a step, no two sharing a series', () => {
  const sc = load('city-48');
  const rings = [{ count: 8, r: 1500 }, { count: 16, r: 4000 }, { count: 24, r: 7500 }];
  let j = 0;
  for (const { count, r } of rings) {
    for (let k = 0; k < count; k++, j++) {
      const dx = sc.nodeX[j]! - 8000, dy = sc.nodeY[j]! - 8000;
      assert.ok(Math.abs(Math.hypot(dx, dy) - r) < 1e-6, `node ${j}: radius ${Math.hypot(dx, dy)}, expected ${r}`);
      const angle = (Math.atan2(dy, dx) + 2 * Math.PI) % (2 * Math.PI);
      assert.ok(Math.abs(angle - ((k + 0.5) * 2 * Math.PI) / count) < 1e-9, `node ${j}: angle ${angle}`);
      assert.ok(sc.nodeX[j]! > 0 && sc.nodeX[j]! < 16000 && sc.nodeY[j]! > 0 && sc.nodeY[j]! < 16000, `node ${j} inside the square`);
    }
  }
  assert.equal(j, sc.nodeX.length);
  const series = new Set(sc.spec.nodes.map((n) => JSON.stringify({ ...n.trace })));
  assert.equal(series.size, 48, 'each node its own (trace, shift)');
  const names = new Set(sc.spec.nodes.map((n) => n.name));
  assert.equal(names.size, 48);
  // metro-36 is a grid: 6 columns and 6 rows 2 km apart.
  const m = load('metro-36');
  assert.deepEqual([...new Set(m.nodeX)].sort((a, b) => a - b), [0, 2000, 4000, 6000, 8000, 10000]);
  assert.deepEqual([...new Set(m.nodeY)].sort((a, b) => a - b), [0, 2000, 4000, 6000, 8000, 10000]);
});
