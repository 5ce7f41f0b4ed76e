import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceTicks, movingAverage } from './plots.js';
import { oracleFig6Svg } from '../testing/figure-fixtures.js';

test('niceTicks and movingAverage', () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(0.3, 61, 6), [10, 20, 30, 40, 50, 60]);
  assert.deepEqual(movingAverage([1, 2, 3, 4], 2), [1, 1.5, 2.5, 3.5]);
});

test('Fig. 6 SVG names its axes, units, thresholds and marks every migration', () => {
  const { svg, migrations } = oracleFig6Svg();
  for (const s of ['RTT [ms]', 'Time [s]', 'R_max = 20 ms', 'L_max = 12', 'Node 1', 'Node 2', 'Node 3', 'Service node']) assert.ok(svg.includes(s), s);
  assert.ok(migrations >= 2);
  assert.equal((svg.match(/: → node \d/g) ?? []).length, migrations);
});
