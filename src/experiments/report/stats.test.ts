// IQM (rliable's 25 % trimmed mean) and the stratified-bootstrap percentile interval: known values, edge cases,
// coverage of the point estimate, shrinking with more runs, and determinism given a seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.js';
import { iqm, iqmOfStrata, iqmWithCi, quantile, stratifiedBootstrapCi, trimmedMean } from './stats.js';

test('iqm of known arrays: floor(n/4) trimmed from each end, order-independent', () => {
  assert.equal(iqm([1, 2, 3, 4, 5, 6, 7, 8]), 4.5); // mean of 3, 4, 5, 6
  assert.equal(iqm([8, 1, 7, 2, 6, 3, 5, 4]), 4.5);
  assert.equal(iqm([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), 6.5); // k = 3: mean of 4..9
  assert.equal(iqm([1, 2, 3, 4, 100]), 3); // k = 1: mean of 2, 3, 4
  assert.equal(iqm([-220, -46, -10, 56, 71]), 0); // five DQN seeds of an early paper-model run: (-46 - 10 + 56) / 3
});

test('iqm edge cases n = 1..5 and ties', () => {
  assert.ok(Number.isNaN(iqm([])));
  assert.equal(iqm([7]), 7); // n = 1..3: k = 0, the plain mean
  assert.equal(iqm([1, 4]), 2.5);
  assert.equal(iqm([1, 2, 9]), 4);
  assert.equal(iqm([1, 2, 3, 100]), 2.5); // n = 4: k = 1
  assert.equal(iqm([0, 10, 20, 30, 40]), 20);
  assert.equal(iqm([5, 5, 5, 5, 5, 5]), 5);
  assert.equal(iqm([1, 2, 2, 2, 2, 9, 9, 9]), (2 + 2 + 2 + 9) / 4);
  assert.ok(Number.isNaN(iqm([1, Number.NaN, 3])));
  assert.equal(trimmedMean([1, 2, 3, 4], 0), 2.5);
  assert.throws(() => trimmedMean([1], 0.5), /proportionToCut: expected a number in \[0, 0.5\)/);
});

test('iqmOfStrata flattens runs × strata (rliable axis=None)', () => {
  assert.equal(iqmOfStrata([[1, 2, 3, 4], [5, 6, 7, 8]]), 4.5);
});

test('quantile interpolates linearly (numpy default)', () => {
  const s = [10, 20, 30, 40];
  assert.equal(quantile(s, 0), 10);
  assert.equal(quantile(s, 1), 40);
  assert.equal(quantile(s, 0.5), 25);
  assert.ok(Math.abs(quantile(s, 0.025) - 10.75) < 1e-12);
  assert.equal(quantile([3], 0.9), 3);
});

function normalScores(seed: number, n: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => 80 + 10 * rng.normal());
}

test('the 95 % CI contains the IQM; a single run gives [x, x]', () => {
  for (const seed of [1, 2, 3]) {
    const xs = normalScores(seed, 5);
    const { iqm: m, ci } = iqmWithCi([xs], { rng: new Rng(7), reps: 2000 });
    assert.ok(ci[0] <= m && m <= ci[1], `${ci} ∌ ${m}`);
    assert.ok(ci[0] >= Math.min(...xs) && ci[1] <= Math.max(...xs));
  }
  assert.deepEqual(stratifiedBootstrapCi([[42]], iqmOfStrata, { rng: new Rng(1), reps: 100 }), [42, 42]);
  assert.deepEqual(stratifiedBootstrapCi([[]], iqmOfStrata, { rng: new Rng(1) }), [Number.NaN, Number.NaN]);
});

test('the CI narrows with more runs', () => {
  const width = (n: number) => {
    const { ci } = iqmWithCi([normalScores(11, n)], { rng: new Rng(3), reps: 2000 });
    return ci[1] - ci[0];
  };
  const w5 = width(5), w20 = width(20), w80 = width(80);
  assert.ok(w5 > w20 && w20 > w80, `${w5} ${w20} ${w80}`);
});

test('deterministic given the seed; different seeds give different replicates', () => {
  const strata = [normalScores(5, 6), normalScores(6, 6)];
  const a = iqmWithCi(strata, { rng: new Rng(9), reps: 500 });
  const b = iqmWithCi(strata, { rng: new Rng(9), reps: 500 });
  const c = iqmWithCi(strata, { rng: new Rng(10), reps: 500 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.ci, c.ci);
});

test('resampling is within each stratum: a stratum never borrows another one\'s runs', () => {
  // Stratum 0 is all 0, stratum 1 all 100: every replicate has exactly half zeros, so the IQM of any replicate is
  // the IQM of [0,0,0,0,100,100,100,100] = 50. An unstratified bootstrap would spread the interval.
  const ci = stratifiedBootstrapCi([[0, 0, 0, 0], [100, 100, 100, 100]], iqmOfStrata, { rng: new Rng(1), reps: 300 });
  assert.deepEqual(ci, [50, 50]);
});
