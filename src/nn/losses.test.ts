// The importance-weighted TD loss (prioritized replay): finite-difference gradients, equality with tdLoss at unit
// weights, and the TD errors it reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { tdLoss, weightedTdLoss } from './losses.js';

const EPS = 1e-6;

test('weightedTdLoss: gradients match finite differences (δ = ∞ and Huber)', () => {
  const rng = new Rng(21);
  const rows = 5, A = 3;
  const q = new Float64Array(rows * A).map(() => rng.uniformIn(-3, 3));
  const actions = Int32Array.from([0, 2, 1, 2, 0]);
  const y = Float64Array.from([0.5, -1, 2, 0, 1.5]);
  const w = Float64Array.from([1, 0.3, 0.7, 0.05, 0.9]);
  const g = new Float64Array(rows * A), scratch = new Float64Array(rows * A), errors = new Float64Array(rows);
  for (const delta of [Infinity, 0.7]) {
    weightedTdLoss(q, actions, y, w, rows, A, delta, g, errors);
    let worst = 0;
    for (let i = 0; i < q.length; i++) {
      const q0 = q[i]!;
      q[i] = q0 + EPS;
      const fp = weightedTdLoss(q, actions, y, w, rows, A, delta, scratch, errors);
      q[i] = q0 - EPS;
      const fm = weightedTdLoss(q, actions, y, w, rows, A, delta, scratch, errors);
      q[i] = q0;
      const num = (fp - fm) / (2 * EPS);
      worst = Math.max(worst, Math.abs(num - g[i]!) / Math.max(1, Math.abs(num), Math.abs(g[i]!)));
    }
    assert.ok(worst < 1e-6, `δ=${delta}: worst relative gradient error ${worst}`);
  }
});

test('weightedTdLoss with unit weights equals tdLoss (loss and gradient) and reports Q − y', () => {
  const rng = new Rng(22);
  const rows = 4, A = 3;
  const q = new Float64Array(rows * A).map(() => rng.uniformIn(-2, 2));
  const actions = Int32Array.from([1, 0, 2, 1]);
  const y = Float64Array.from([0, 1, -1, 0.25]);
  const ones = new Float64Array(rows).fill(1);
  const g1 = new Float64Array(rows * A), g2 = new Float64Array(rows * A), errors = new Float64Array(rows);
  for (const delta of [Infinity, 0.5]) {
    const l1 = tdLoss(q, actions, y, rows, A, delta, g1);
    const l2 = weightedTdLoss(q, actions, y, ones, rows, A, delta, g2, errors);
    assert.equal(l2, l1);
    assert.deepEqual(Array.from(g2), Array.from(g1));
    for (let r = 0; r < rows; r++) assert.equal(errors[r], q[r * A + actions[r]!]! - y[r]!);
  }
});
