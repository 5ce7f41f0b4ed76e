// The evaluation families: every family exists for both models in both roles, the generators are deterministic
// and have the shapes they document, and no training scenario shares data with an unseen family (so an agent
// trained on the training scenarios has every family left out).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeLoad } from '../core/reward.js';
import { BUILTIN_SCENARIOS } from './builtin-scenarios.js';
import { FAMILIES, MOBILITY_FAMILIES, WORKLOAD_FAMILIES, unseenScenarioNames } from './family-scenarios.js';
import { HighwayTrip, makeRoad } from './mobility.js';
import { parseScenario } from './scenario-loader.js';
import type { Scenario } from './scenario-schema.js';
import { syntheticTrace, type SyntheticTraceSpec } from './synthetic-traces.js';

/** The scenarios agents train on (the product presets' and the paper's). */
const TRAINING = ['sr111', 'sr111-train', 'sr111-train-nt', 'sr111-edge'];
const spec = (name: string): Scenario => parseScenario(BUILTIN_SCENARIOS[name], name);

/** A node's series as data: format and file/dir/family+seed (the shift is a view of the same data). */
const traceKeys = (s: Scenario) => new Set(s.nodes.map((n) => JSON.stringify({ ...n.trace, shiftSeconds: 0 })));
/** Which part of a file-backed trace an episode reads: `random` (segments clear of the test and validation days), validation or test days. */
const days = (s: Scenario) => s.workload.start;
const mobilityKey = (s: Scenario) => JSON.stringify(s.mobility);

test('every family has an unseen and a validation scenario in both models, named for its role', () => {
  for (const prefix of ['sr111', 'sr111-edge']) {
    for (const f of FAMILIES) for (const role of ['unseen', 'validation']) assert.ok(`${prefix}-${role}-${f}` in BUILTIN_SCENARIOS, `${prefix}-${role}-${f}`);
    assert.deepEqual(unseenScenarioNames(prefix), FAMILIES.map((f) => `${prefix}-unseen-${f}`));
  }
  assert.equal(spec('sr111-edge-unseen-bursty').migration.model, 'timed');
  assert.equal(spec('sr111-unseen-bursty').migration.model, 'instant');
});

test('no training scenario shares data with an unseen family: other traces or other days, and another mobility', () => {
  for (const t of TRAINING.map(spec)) {
    for (const prefix of ['sr111', 'sr111-edge']) {
      for (const f of WORKLOAD_FAMILIES) {
        const u = spec(`${prefix}-unseen-${f}`);
        for (const k of traceKeys(u)) assert.ok(!traceKeys(t).has(k), `${t.name} and ${u.name} share the series ${k}`);
      }
      for (const f of MOBILITY_FAMILIES) {
        const u = spec(`${prefix}-unseen-${f}`);
        // Same machines, but the test days only (the training scenarios read the training days).
        assert.equal(days(u), 'test', u.name);
        assert.equal(days(t), 'random', t.name); // random segments overlapping no test or validation day
        assert.notEqual(mobilityKey(u), mobilityKey(t));
        if (u.mobility.kind === 'highway' && t.mobility.kind === 'highway') {
          const a = u.mobility.speedKmh, b = t.mobility.speedKmh;
          const disjoint = a.max < b.min || a.min > b.max;
          assert.ok(disjoint || u.mobility.stopAndGo !== undefined, `${u.name} speeds ${a.min}-${a.max} km/h overlap ${t.name}'s ${b.min}-${b.max}`);
          assert.equal(t.mobility.stopAndGo, undefined);
        }
      }
    }
  }
});

test('validation families are kept apart from the unseen ones (other seeds, speeds, track, days)', () => {
  for (const prefix of ['sr111', 'sr111-edge']) {
    for (const f of FAMILIES) {
      const u = spec(`${prefix}-unseen-${f}`), v = spec(`${prefix}-validation-${f}`);
      if ((WORKLOAD_FAMILIES as readonly string[]).includes(f)) for (const k of traceKeys(v)) assert.ok(!traceKeys(u).has(k), `${v.name} shares ${k} with ${u.name}`);
      else {
        assert.notEqual(mobilityKey(u), mobilityKey(v), f);
        assert.equal(days(v), 'validation');
      }
    }
  }
});

const gen = (family: SyntheticTraceSpec['family'], seed = 1) => syntheticTrace({ family, seed, days: 2, sampleSeconds: 60 }, family);
const loads = (family: SyntheticTraceSpec['family']) => {
  const s = gen(family);
  return Array.from(s.cpu, (c, k) => nodeLoad(c, s.mem[k]!));
};
const frac = (xs: number[], p: (x: number) => boolean) => xs.filter(p).length / xs.length;

test('the workload generators are deterministic in their seed and have the documented shapes', () => {
  for (const f of WORKLOAD_FAMILIES) {
    assert.deepEqual(gen(f, 3).mem, gen(f, 3).mem, `${f}: same seed, same rows`);
    assert.notDeepEqual(gen(f, 3).mem, gen(f, 4).mem, `${f}: another seed, another series`);
    assert.equal(gen(f).cpu.length, 2 * 1440);
  }
  const hm = gen('high-memory');
  assert.ok(frac(Array.from(hm.mem), (m) => m > 0.8) > 0.99, 'high-memory: memory above 0.8 nearly always');
  assert.ok(frac(loads('high-memory'), (l) => l > 6 && l < 14) > 0.95, 'high-memory: L within a few units of L_max = 12');
  const burst = frac(loads('bursty'), (l) => l > 12);
  assert.ok(burst > 0.05 && burst < 0.35, `bursty: on (L > 12) ${burst} of the time, about 1/6`);
  const d = loads('diurnal');
  assert.ok(Math.max(...d) > 12 && Math.min(...d) < 2, 'diurnal: from under 2 at night to over L_max at the peak');
  const r = loads('ramp');
  assert.ok(frac(r, (l) => l > 12) > 0.1 && frac(r, (l) => l < 2.5) > 0.2, 'ramp: flat phases low, the top of the ramp overloaded');
});

test('stop-and-go: the car stands still during each stop, and the trip lasts the driving time plus the stops', () => {
  const road = makeRoad([0, 1000], [0, 0], 'test', 'road');
  const trip = new HighwayTrip().follow(road, true, 10, false, { goSeconds: 30, stopSeconds: 20 });
  assert.equal(trip.durationS, 100 + 3 * 20); // 100 s of driving in 4 go-periods: 3 stops between them
  const at = (t: number) => {
    const out = new Float64Array(2);
    trip.positionAt(t, out);
    return out[0]!;
  };
  assert.equal(at(30), 300);
  assert.equal(at(45), 300);
  assert.equal(at(60), 400);
  assert.equal(at(160), 1000);
});
