import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng.js';

test('same seed gives the same stream; different seeds differ', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xa = Array.from({ length: 10 }, () => a.nextU32());
  const xb = Array.from({ length: 10 }, () => b.nextU32());
  const xc = Array.from({ length: 10 }, () => c.nextU32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('uniform() lies in [0,1) with mean ~0.5', () => {
  const r = new Rng(1);
  let s = 0;
  const n = 200000;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    s += u;
  }
  assert.ok(Math.abs(s / n - 0.5) < 0.005);
});

test('normal() (ziggurat) has mean 0, variance 1, and correct tail mass', () => {
  const r = new Rng(7);
  const n = 400000;
  let s = 0, s2 = 0, tail2 = 0, tail3 = 0;
  for (let i = 0; i < n; i++) {
    const x = r.normal();
    s += x;
    s2 += x * x;
    if (Math.abs(x) > 2) tail2++;
    if (Math.abs(x) > 3) tail3++;
  }
  const mean = s / n, v = s2 / n - mean * mean;
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(v - 1) < 0.01, `var ${v}`);
  // P(|X| > 2) = 0.0455, P(|X| > 3) = 0.0027
  assert.ok(Math.abs(tail2 / n - 0.0455) < 0.002, `tail2 ${tail2 / n}`);
  assert.ok(Math.abs(tail3 / n - 0.0027) < 0.0005, `tail3 ${tail3 / n}`);
});

test('seeds: non-integers and large values are accepted, non-finite refused', () => {
  assert.notEqual(new Rng(0.5).nextU32(), new Rng(0).nextU32());
  assert.notEqual(new Rng(2 ** 40).nextU32(), new Rng(0).nextU32());
  assert.throws(() => new Rng(Number.NaN), /finite/);
});
