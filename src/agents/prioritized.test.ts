// Prioritized replay (Schaul et al. 2016): the sum tree, draws in proportion to priority, importance-sampling
// weights, the memory's rules under priorities, and that uniform draws do not change when priorities are kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { makeReplayBatch, SequentialMemory } from './replay.js';
import { SumTree } from './sum-tree.js';

const row = (v: number): Float64Array => Float64Array.from([v, v]);

/** The leaf a linear prefix-sum scan finds for u (the definition `find` must match). */
function linearFind(values: number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < values.length; i++) {
    acc += values[i]!;
    if (u < acc) return i;
  }
  return -1;
}

test('SumTree: total, prefix-sum search (zero leaves skipped, u at the total lands on the last positive leaf), update', () => {
  const t = new SumTree(5); // not a power of two: leaves 5..7 of the 8-leaf tree stay 0
  [1, 0, 3, 2, 4].forEach((v, i) => t.set(i, v));
  assert.equal(t.total, 10);
  const cases: [number, number][] = [[0, 0], [0.999, 0], [1, 2], [3.999, 2], [4, 3], [6, 4], [9.999, 4], [10, 4], [15, 4], [-1, 0]];
  for (const [u, leaf] of cases) assert.equal(t.find(u), leaf, `find(${u})`);
  t.set(4, 0);
  assert.equal(t.total, 6);
  assert.equal(t.find(6), 3);
  t.set(1, 0.5);
  assert.equal(t.find(1.2), 1);
  assert.equal(t.get(1), 0.5);
  t.clear();
  assert.equal(t.total, 0);
  assert.equal(t.find(0), -1);
  assert.throws(() => t.set(0, -1), /finite and >= 0/);
  assert.throws(() => t.set(0, Number.NaN), /finite and >= 0/);
});

test('SumTree agrees with a linear prefix scan after many random updates, without drift in the total', () => {
  const rng = new Rng(31);
  const n = 100;
  const t = new SumTree(n);
  const values = new Array<number>(n).fill(0);
  for (let step = 0; step < 20000; step++) {
    const i = rng.int(n);
    const v = rng.uniform() < 0.2 ? 0 : rng.uniformIn(0, 10);
    values[i] = v;
    t.set(i, v);
  }
  const sum = values.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(t.total - sum) <= 1e-12 * sum, `total ${t.total} vs ${sum}`);
  for (let k = 0; k < 2000; k++) {
    const u = rng.uniform() * sum;
    const expected = linearFind(values, u);
    // At a boundary the two sums may round differently; then the neighbouring positive leaf is also right.
    const got = t.find(u);
    if (got !== expected) {
      let before = 0;
      for (let i = 0; i < Math.max(got, expected); i++) before += values[i]!;
      assert.ok(Math.abs(before - u) < 1e-9, `find(${u}) = ${got}, linear ${expected}`);
    }
    assert.ok(values[got]! > 0);
  }
});

/** One episode of `transitions` acted entries and its final observation. */
function episode(mem: SequentialMemory, transitions: number, start: number, terminated = true): number[] {
  const ids: number[] = [];
  for (let k = 0; k < transitions; k++) {
    const i = mem.push(row(start + k), 0, k, null);
    mem.setTransition(i, 1, start + k, terminated && k === transitions - 1);
    ids.push(i);
  }
  mem.push(row(start + transitions), 0, transitions, null); // final
  return ids;
}

test('prioritized draws: frequencies proportional to p^α (chi-square, fixed seed); finals and the newest entry are never drawn', () => {
  const mem = new SequentialMemory(100, 2, 2, 1, 1);
  const ids = episode(mem, 8, 0);
  const priorities = [1, 2, 3, 4, 5, 6, 7, 8];
  mem.updatePriorities(Int32Array.from(ids), Float64Array.from(priorities), 8, 0);
  // A second, unfinished episode: one acted entry whose successor is the newest (no action yet).
  const b0 = mem.push(row(100), 0, 0, null);
  mem.setTransition(b0, 0, 0, false);
  const newest = mem.push(row(101), 0, 1, null);
  mem.updatePriorities(Int32Array.from([b0]), Float64Array.from([4]), 1, 0);
  const B = 4, draws = 5000;
  const batch = makeReplayBatch(B), w = new Float64Array(B);
  const counts = new Map<number, number>();
  const rng = new Rng(32);
  for (let d = 0; d < draws; d++) {
    assert.ok(mem.samplePrioritized(rng, batch, 1, 0.99, 0.5, w));
    for (let b = 0; b < B; b++) counts.set(batch.state[b]!, (counts.get(batch.state[b]!) ?? 0) + 1);
  }
  const all = [...ids, b0], p = [...priorities, 4];
  const total = p.reduce((a, c) => a + c, 0);
  let chi2 = 0;
  all.forEach((id, k) => {
    const expected = (draws * B * p[k]!) / total;
    chi2 += ((counts.get(id) ?? 0) - expected) ** 2 / expected;
  });
  // 8 degrees of freedom: P(χ² > 26.1) = 0.001. Stratified draws only lower the spread.
  assert.ok(chi2 < 26.1, `chi-square ${chi2.toFixed(2)} over ${all.length} entries`);
  const drawnOther = [...counts.keys()].filter((i) => !all.includes(i));
  assert.deepEqual(drawnOther, [], 'only acted, non-newest entries are drawn');
  assert.equal(counts.get(newest), undefined);
});

test('importance-sampling weights: (N·P(i))^−β normalised by the batch max; priorities stored as (|δ| + ε)^α', () => {
  const alpha = 0.7, eps = 0.01, beta = 0.6;
  const mem = new SequentialMemory(100, 2, 2, 1, alpha);
  const ids = episode(mem, 6, 0);
  for (const i of ids) assert.equal(mem.priorityOf(i), 1, 'new transitions get the max priority (1 at first)');
  const errors = [-0.5, 2, 0, 3.5, -1, 0.25];
  mem.updatePriorities(Int32Array.from(ids), Float64Array.from(errors), 6, eps);
  ids.forEach((id, k) => assert.equal(mem.priorityOf(id), (Math.abs(errors[k]!) + eps) ** alpha));
  const B = 4, batch = makeReplayBatch(B), w = new Float64Array(B);
  const totalP = ids.reduce((a, id) => a + mem.priorityOf(id), 0);
  const rng = new Rng(33);
  for (let d = 0; d < 50; d++) {
    assert.ok(mem.samplePrioritized(rng, batch, 1, 0.99, beta, w));
    const raw = Array.from(batch.state, (i) => (ids.length * (mem.priorityOf(i) / totalP)) ** -beta);
    const max = Math.max(...raw);
    for (let b = 0; b < B; b++) assert.ok(Math.abs(w[b]! - raw[b]! / max) < 1e-12, `w ${w[b]} vs ${raw[b]! / max}`);
    assert.equal(Math.max(...w), 1);
  }
  // A transition added later gets the largest priority seen so far, 3.5 + ε.
  const later = mem.push(row(50), 0, 0, null);
  mem.setTransition(later, 0, 0, false);
  assert.equal(mem.priorityOf(later), 0, 'the newest entry waits for its successor');
  mem.push(row(51), 0, 1, null);
  assert.equal(mem.priorityOf(later), (3.5 + eps) ** alpha);
});

test('prioritized memory keeps its rules: positive priority exactly on sampleable entries through ring wrap-around; windows and n-step returns as uniform', () => {
  const rng = new Rng(34);
  const mem = new SequentialMemory(16, 2, 2, 3, 0.6);
  let pos = 0, current = mem.push(row(0), 0, 0, null);
  const positive = (): number => {
    let n = 0;
    for (let i = 0; i < mem.limit; i++) if (mem.priorityOf(i) > 0) n++;
    return n;
  };
  const batch = makeReplayBatch(4), w = new Float64Array(4), errors = new Float64Array(4);
  for (let step = 1; step < 400; step++) {
    const end = rng.uniform() < 0.15;
    mem.setTransition(current, rng.int(2), 1, end && rng.uniform() < 0.5);
    pos++;
    current = mem.push(row(step), 0, pos, null); // successor (the final one when `end`)
    if (end) {
      pos = 0;
      current = mem.push(row(1000 + step), 0, 0, null);
    }
    assert.equal(positive(), mem.countSampleable(), `step ${step}`);
    if (mem.samplePrioritized(rng, batch, 2, 0.5, 0.4, w)) {
      for (let b = 0; b < 4; b++) errors[b] = rng.uniformIn(-2, 2);
      mem.updatePriorities(batch.state, errors, 4, 1e-6);
      assert.equal(positive(), mem.countSampleable(), `step ${step} after update`);
    }
  }
  // n-step returns and windows of prioritized draws are those of the uniform sampler (the same code path).
  const m = new SequentialMemory(100, 2, 2, 3, 1);
  const a = episode(m, 3, 1); // rewards 1, 2, 3; the last terminates
  const b0 = m.push(row(11), 0, 0, null);
  m.setTransition(b0, 0, 5, false);
  m.push(row(12), 0, 1, null);
  m.updatePriorities(Int32Array.from([a[0]!, a[1]!, a[2]!]), Float64Array.from([0, 0, 0]), 3, 1e-9); // ~0: b0 dominates
  const one = makeReplayBatch(1), w1 = new Float64Array(1);
  assert.ok(m.samplePrioritized(new Rng(1), one, 2, 0.5, 1, w1));
  assert.equal(one.state[0], b0);
  assert.equal(one.returns[0], 5); // the successor is the newest entry: bootstrap from it after one step
  assert.equal(one.discount[0], 0.5);
  const out = new Float32Array(3 * 2);
  assert.equal(m.writeState(one.state[0]!, out, 0), 2);
  assert.deepEqual(Array.from(out), [0, 0, 0, 0, 11, 11], 'the window does not reach into the previous episode');
});

test('keeping priorities leaves the uniform sampler\'s draws unchanged', () => {
  const plain = new SequentialMemory(50, 2, 2, 2);
  const withTree = new SequentialMemory(50, 2, 2, 2, 0.6);
  const fill = (mem: SequentialMemory): void => {
    const rng = new Rng(35);
    let pos = 0, current = mem.push(row(0), 0, 0, null);
    for (let step = 1; step < 120; step++) {
      const end = rng.uniform() < 0.1;
      mem.setTransition(current, rng.int(2), rng.uniform(), end);
      current = mem.push(row(step), 0, ++pos, null);
      if (end) current = mem.push(row(-step), 0, (pos = 0), null);
    }
  };
  fill(plain);
  fill(withTree);
  const r1 = new Rng(36), r2 = new Rng(36);
  const b1 = makeReplayBatch(8), b2 = makeReplayBatch(8);
  for (let d = 0; d < 100; d++) {
    assert.equal(plain.sample(r1, b1, 3, 0.9), withTree.sample(r2, b2, 3, 0.9));
    assert.deepEqual(b2, b1);
  }
  assert.throws(() => plain.samplePrioritized(r1, b1, 1, 0.9, 0.4, new Float64Array(8)), /keeps no priorities/);
});
