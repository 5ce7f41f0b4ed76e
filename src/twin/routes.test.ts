// Highway routes beyond the x axis (a polyline of waypoints in metres or lat/lon, or a GPS track's points),
// lat/lon nodes with highway mobility, and the projection they go through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EARTH_RADIUS_M, HighwayTrip, makeRoad, projectToMetres, unprojectFromMetres } from './mobility.js';
import { loadScenario, parseScenario, resolveScenario, type ResolvedScenario } from './scenario-loader.js';
import type { ScenarioInput } from './scenario-schema.js';
import { BUILTIN_SCENARIOS } from './builtin-scenarios.js';
import { recordWorld } from './world.js';

const here = dirname(fileURLToPath(import.meta.url));
const cache = new Map();
const resolve = (input: unknown, cwd = here): ResolvedScenario => resolveScenario(parseScenario(input, 'test.yaml'), 'test.yaml', { cwd, traceCache: cache });

/** Great-circle distance on the same sphere, metres (the reference the projection is measured against). */
function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const k = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * k) / 2) ** 2 + Math.cos(lat1 * k) * Math.cos(lat2 * k) * Math.sin(((lon2 - lon1) * k) / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(a));
}

/** The point `distM` from (lat, lon) at `bearingDeg` (clockwise from north) on the sphere. */
function destination(lat: number, lon: number, bearingDeg: number, distM: number): [number, number] {
  const k = Math.PI / 180, d = distM / EARTH_RADIUS_M, b = bearingDeg * k, p = lat * k;
  const p2 = Math.asin(Math.sin(p) * Math.cos(d) + Math.cos(p) * Math.sin(d) * Math.cos(b));
  const l2 = lon * k + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p), Math.cos(d) - Math.sin(p) * Math.sin(p2));
  return [p2 / k, l2 / k];
}

function sameWorld(a: ResolvedScenario, b: ResolvedScenario, seeds: number): void {
  for (let seed = 1; seed <= seeds; seed++) {
    const ra = recordWorld(a, seed), rb = recordWorld(b, seed);
    assert.equal(ra.lastStep, rb.lastStep, `seed ${seed}: trip length`);
    for (const k of ['xM', 'yM', 'rttMs', 'load'] as const) assert.deepEqual(rb[k], ra[k], `seed ${seed}: ${k}`);
  }
}

test('a straight polyline along x reproduces the straight highway bit for bit (both directions, round trips)', () => {
  const straight = resolve({ extends: 'sr111', name: 'straight', mobility: { kind: 'highway', roundTrip: 0.5 } });
  const route = resolve({ extends: 'sr111', name: 'route', mobility: { kind: 'highway', roundTrip: 0.5, route: { waypoints: [{ xM: 0, yM: 0 }, { xM: 12000, yM: 0 }] } } });
  assert.ok(!('fromXM' in route.spec.mobility), 'the overlay dropped the straight road of sr111');
  sameWorld(straight, route, 30);
  // And the trip's positions are the closed form the straight highway always used: from ± speed·t, back after the end.
  const road = makeRoad([1000, 13000], [100, 100], 't', 'road');
  const trip = new HighwayTrip();
  const out = new Float64Array(2);
  for (const forward of [true, false]) {
    trip.follow(road, forward, 27.3, true);
    for (let t = 0; t <= trip.durationS; t += 3.7) {
      trip.positionAt(t, out);
      let s = 27.3 * t;
      if (s > 12000) s = 2 * 12000 - s;
      assert.equal(out[0], forward ? 1000 + s : 13000 - s, `t ${t}`);
      assert.equal(out[1], 100);
    }
  }
});

test('an L-shaped route: the car moves by arc length round the corner; RTT reads the true distance to each node', () => {
  // 3 km east, then 4 km north, at 36 km/h (10 m/s); one noise-free transmission per 10 s step.
  const spec = {
    extends: 'sr111',
    name: 'l-route',
    stepSeconds: 10,
    maxSteps: 1000,
    terminateOnViolation: false,
    nodes: [
      { name: 'corner', xM: 3000, yM: 0, trace: { format: 'follow-me', file: 'builtin:traces/follow-me-borg/cpu_mem_1.txt.gz' } },
      { name: 'end', xM: 3000, yM: 4000, trace: { format: 'follow-me', file: 'builtin:traces/follow-me-borg/cpu_mem_3.txt.gz' } },
      { name: 'off', xM: -500, yM: 2500, trace: { format: 'follow-me', file: 'builtin:traces/follow-me-borg/cpu_mem_1.txt.gz' } },
    ],
    mobility: { kind: 'highway', direction: 'forward', speedKmh: { min: 36, max: 36 }, route: { waypoints: [{ xM: 0, yM: 0 }, { xM: 3000, yM: 0 }, { xM: 3000, yM: 4000 }] } },
    rtt: { noiseSigmaMs: { min: 0, max: 0 }, transmissionsPerStep: 1, window: 1 },
  };
  const sc = resolve(spec);
  assert.equal(sc.road!.lengthM, 7000);
  const rec = recordWorld(sc, 3);
  assert.equal(rec.lastStep, 70, '7 km at 10 m/s in 10 s steps');
  const expected = (t: number): [number, number] => (t * 100 <= 3000 ? [t * 100, 0] : [3000, t * 100 - 3000]);
  for (let t = 0; t <= rec.lastStep; t++) {
    const [x, y] = expected(t);
    assert.ok(Math.abs(rec.xM[t]! - x) < 1e-9 && Math.abs(rec.yM[t]! - y) < 1e-9, `step ${t}: (${rec.xM[t]}, ${rec.yM[t]}) vs (${x}, ${y})`);
    spec.nodes.forEach((n, j) => {
      const want = 1 + 0.005 * Math.hypot(x - n.xM, y - n.yM);
      assert.ok(Math.abs(rec.rttMs[t * 3 + j]! - want) < 1e-9, `step ${t}, node ${n.name}: ${rec.rttMs[t * 3 + j]} vs ${want}`);
    });
  }
  // At the corner (step 30) the car is on node "corner"; the straight-line distance to "end" is 4 km.
  assert.ok(Math.abs(rec.rttMs[30 * 3]! - 1) < 1e-9);
  assert.ok(Math.abs(rec.rttMs[30 * 3 + 1]! - 21) < 1e-9);
  // Backward starts at the route's last point.
  const back = recordWorld(resolve({ ...spec, mobility: { ...spec.mobility, direction: 'backward' } }), 3);
  assert.deepEqual([back.xM[0], back.yM[0]], [3000, 4000]);
  assert.deepEqual([back.xM[70], back.yM[70]], [0, 0]);
});

test('projection: lat/lon round-trips within 1 m over 20 km, and distances match the great circle within 1 m', () => {
  const out = new Float64Array(2), back = new Float64Array(2), q = new Float64Array(2);
  for (const [lat0, lon0] of [[0, 0], [33.2, -115.6], [47.37, 8.54], [-33.87, 151.21], [64.1, -21.9]] as const) {
    for (let bearing = 0; bearing < 360; bearing += 30) {
      for (const d of [10, 1000, 5000, 20000]) {
        const [lat, lon] = destination(lat0, lon0, bearing, d);
        projectToMetres(lat, lon, lat0, lon0, out);
        unprojectFromMetres(out[0]!, out[1]!, lat0, lon0, back);
        const err = haversineM(lat, lon, back[0]!, back[1]!);
        assert.ok(err < 1e-3, `round trip at ${lat0},${lon0} bearing ${bearing} ${d} m: ${err} m`);
        // Distance from the origin, and between this point and one 20 km the other way (pairs up to 40 km apart).
        assert.ok(Math.abs(Math.hypot(out[0]!, out[1]!) - d) < 1, `distance from origin ${d} m at ${lat0},${lon0}: ${Math.hypot(out[0]!, out[1]!)}`);
        const [lat2, lon2] = destination(lat0, lon0, bearing + 120, 20000);
        projectToMetres(lat2, lon2, lat0, lon0, q);
        const plane = Math.hypot(out[0]! - q[0]!, out[1]! - q[1]!);
        assert.ok(Math.abs(plane - haversineM(lat, lon, lat2, lon2)) < 1, `pair distance at ${lat0},${lon0}: ${plane} vs ${haversineM(lat, lon, lat2, lon2)}`);
      }
    }
  }
  // x is east, y is north.
  projectToMetres(33.21, -115.6, 33.2, -115.6, out);
  assert.ok(Math.abs(out[0]!) < 1e-6 && out[1]! > 1100);
  projectToMetres(33.2, -115.59, 33.2, -115.6, out);
  assert.ok(out[0]! > 900 && Math.abs(out[1]!) < 1);
});

test('lat/lon nodes with highway mobility: a lat/lon route is projected around the centroid; a node on a waypoint is 0 m away', () => {
  const a: [number, number] = [33.2, -115.6];
  const b = destination(...a, 40, 9000);
  const c = destination(...b, 130, 8000);
  const trace = (j: number) => BUILTIN_SCENARIOS.sr111!.nodes[j]!.trace;
  const sc = resolve({
    extends: 'sr111',
    name: 'cells',
    nodes: [
      { name: 'a', lat: a[0], lon: a[1], trace: trace(0) },
      { name: 'b', lat: b[0], lon: b[1], trace: trace(1) },
      { name: 'c', lat: c[0], lon: c[1], trace: trace(2) },
    ],
    mobility: { kind: 'highway', direction: 'forward', route: { waypoints: [a, b, c].map(([lat, lon]) => ({ lat, lon })) } },
  });
  const o = sc.projectionOrigin!;
  assert.ok(Math.abs(o.lat - (a[0] + b[0] + c[0]) / 3) < 1e-12 && Math.abs(o.lon - (a[1] + b[1] + c[1]) / 3) < 1e-12, 'centroid origin');
  assert.ok(Math.abs(sc.road!.lengthM - 17000) < 1, `road ${sc.road!.lengthM} m`);
  for (let j = 0; j < 3; j++) assert.ok(Math.hypot(sc.nodeX[j]! - sc.road!.forward.xM[j]!, sc.nodeY[j]! - sc.road!.forward.yM[j]!) < 1e-6, `node ${j} on its waypoint`);
  const ab = Math.hypot(sc.nodeX[1]! - sc.nodeX[0]!, sc.nodeY[1]! - sc.nodeY[0]!);
  assert.ok(Math.abs(ab - haversineM(a[0], a[1], b[0], b[1])) < 1, `a-b ${ab} m`);
  const rec = recordWorld(sc, 5);
  assert.ok(Math.hypot(rec.xM[0]! - sc.nodeX[0]!, rec.yM[0]! - sc.nodeY[0]!) < 1e-6, 'the trip starts on node a');
});

test('route.fromGps: the road is the track\'s points (times ignored); the GPS file resolves against the scenario folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-route-'));
  copyFileSync(join(here, 'testdata', 'gps-track.csv'), join(dir, 'track.csv'));
  writeFileSync(
    join(dir, 'scenario.yaml'),
    [
      'name: gps-road',
      'extends: sr111',
      'nodes:',
      '  - { name: a, lat: 33.2000, lon: -115.6000, trace: { format: follow-me, file: "builtin:traces/follow-me-borg/cpu_mem_1.txt.gz" } }',
      '  - { name: b, lat: 33.2150, lon: -115.6150, trace: { format: follow-me, file: "builtin:traces/follow-me-borg/cpu_mem_3.txt.gz" } }',
      'mobility: { kind: highway, direction: forward, speedKmh: { min: 50, max: 50 }, route: { fromGps: { file: track.csv } } }',
      '',
    ].join('\n'),
  );
  const sc = loadScenario(join(dir, 'scenario.yaml'), { cwd: tmpdir(), traceCache: cache });
  // The track's fixes, pairwise along the great circle.
  const fixes = [[33.2, -115.6], [33.205, -115.605], [33.21, -115.61], [33.215, -115.615], [33.22, -115.62], [33.225, -115.625]] as const;
  let want = 0;
  for (let i = 1; i < fixes.length; i++) want += haversineM(fixes[i - 1]![0], fixes[i - 1]![1], fixes[i]![0], fixes[i]![1]);
  assert.ok(Math.abs(sc.road!.lengthM - want) < 1, `${sc.road!.lengthM} vs ${want}`);
  const rec = recordWorld(sc, 1);
  assert.equal(rec.lastStep, Math.ceil(want / (50 / 3.6) / 5 - 1e-9), 'driven at the drawn speed, not the track\'s times');
  assert.ok(Math.hypot(rec.xM[0]! - sc.nodeX[0]!, rec.yM[0]! - sc.nodeY[0]!) < 1e-6, 'starts on node a, the first fix');
  // Node b sits on the fourth fix: the trip passes it at 3/5 of the way.
  const passB = Math.min(...Array.from(rec.xM, (x, t) => Math.hypot(x - sc.nodeX[1]!, rec.yM[t]! - sc.nodeY[1]!)));
  assert.ok(passB < (50 / 3.6) * 5, `closest approach to b ${passB} m`);
});

test('route errors: one line each, naming the field', () => {
  const bad = (mobility: unknown, nodes?: unknown) => () => resolve({ extends: 'sr111', name: 'bad', mobility, ...(nodes ? { nodes } : {}) } as ScenarioInput);
  assert.throws(() => parseScenario({ extends: 'sr111', name: 'b', mobility: { kind: 'highway', fromXM: 0, route: { waypoints: [{ xM: 0, yM: 0 }, { xM: 1, yM: 0 }] } } }, 'b.yaml'), /b\.yaml: mobility\.route: expected a route or fromXM\/toXM\/yM \(a straight road\), not both/);
  assert.throws(() => parseScenario({ name: 'b', nodes: [], mobility: { kind: 'highway', speedKmh: { min: 1, max: 2 } } }, 'b.yaml'), /b\.yaml: nodes: expected at least 2/);
  assert.throws(bad({ kind: 'highway', route: { waypoints: [{ xM: 0, yM: 0 }, { xM: 0, yM: 0 }] } }), /test\.yaml: mobility\.route\.waypoints: expected at least two distinct points \(a road of length > 0\), got 1 distinct point\(s\)$/);
  assert.throws(bad({ kind: 'highway', route: {} }), /mobility\.route: expected exactly one of waypoints and fromGps/);
  assert.throws(bad({ kind: 'highway', route: { waypoints: [{ xM: 0 }, { xM: 1, yM: 0 }] } }), /mobility\.route\.waypoints\.0: expected a position: xM and yM \(metres\), or lat and lon \(degrees\)/);
  // sr111's nodes are in metres: lat/lon waypoints need to know where x = y = 0 is.
  assert.throws(bad({ kind: 'highway', route: { waypoints: [{ lat: 33, lon: -115 }, { lat: 33.1, lon: -115 }] } }), /test\.yaml: mobility\.origin: expected the lat\/lon of x = y = 0, since nodes\.0 is in metres while other positions are in degrees, got none$/);
  const withOrigin = resolve({ extends: 'sr111', name: 'ok', mobility: { kind: 'highway', origin: { lat: 33, lon: -115 }, route: { waypoints: [{ lat: 33, lon: -115 }, { lat: 33.1, lon: -115 }] } } });
  assert.ok(Math.abs(withOrigin.road!.forward.xM[0]!) < 1e-9 && Math.abs(withOrigin.road!.lengthM - haversineM(33, -115, 33.1, -115)) < 1);
});
