/** Training fleets of varied churn: the arrival-rate scaling of `fleet-train.ts`, on both kinds of arrivals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetTwin, loadScenario } from '../../twin/index.js';
import { withArrivalRate } from './fleet-train.js';

test('an arrival rate scaled by f: Poisson arrivals f times as often, fixed sessions f times shorter, the scenario untouched', () => {
  const road = loadScenario('sr111-traffic'), metro = loadScenario('metro-36');
  const fast = withArrivalRate(road, 2);
  const a = road.spec.users!.arrivals, b = fast.spec.users!.arrivals;
  assert.ok(a.kind === 'poisson-highway' && b.kind === 'poisson-highway');
  assert.equal(b.perMinute, 2 * a.perMinute);
  assert.equal((road.spec.users!.arrivals as { perMinute: number }).perMinute, 5, 'the loaded scenario keeps its own rate');
  const churn = withArrivalRate(metro, 1.6).spec.users!.arrivals;
  assert.ok(churn.kind === 'fixed' && metro.spec.users!.arrivals.kind === 'fixed');
  assert.ok(Math.abs(churn.sessionMinutes! - metro.spec.users!.arrivals.sessionMinutes! / 1.6) < 1e-12);
  assert.equal(withArrivalRate(metro, 1), metro);
  // The twin reads the scaled rate: twice the cars on the road after a few minutes.
  const cars = (s: typeof road) => {
    const f = new FleetTwin(s, 0);
    let r = f.reset({ seed: 3 });
    for (let t = 0; t < 60; t++) r = f.step(new Int32Array(r.rows));
    return r.rows;
  };
  const slow = cars(road), quick = cars(fast);
  assert.ok(quick > 1.5 * slow, `${quick} cars at twice the rate vs ${slow}`);
});
