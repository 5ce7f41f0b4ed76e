// The spread `bench train` reports with each median (pure arithmetic; nothing here is timed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loopConfig, spreadOf } from './train-bench.js';
import { resolveDqnConfig } from '../../agents/config.js';
import { architectureFor } from '../../agents/q-network.js';
import { BENCH_NETWORKS } from './train-bench.js';

test('spreadOf: median, range and half-range as % of the median', () => {
  const s = spreadOf([110, 90, 100, 105, 95]);
  assert.equal(s.median, 100);
  assert.equal(s.min, 90);
  assert.equal(s.max, 110);
  assert.equal(s.halfRangePct, 10);
  assert.deepEqual(s.rounds, [110, 90, 100, 105, 95]);
  assert.equal(spreadOf([1, 3]).median, 2);
  assert.equal(spreadOf([7]).halfRangePct, 0);
  assert.throws(() => spreadOf([]), RangeError);
});

test('the training loop times the same networks as the pure updates (3 nodes)', () => {
  for (const k of ['lstm', 'mlp'] as const) {
    const c = resolveDqnConfig(loopConfig(k));
    assert.deepEqual(architectureFor(c.network, 3, c.dueling, false, c.features), BENCH_NETWORKS[k]);
    assert.equal(c.batchSize, 32);
    assert.equal(c.trainInterval, 1);
  }
});
