import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEnv, EnvCheckError } from './check-env.js';
import type { Env, StepInfo, StepResult } from './env.js';
import { Rng } from './rng.js';
import { box, discrete } from './spaces.js';
import { EnvStateError, InvalidActionError } from './errors.js';

/** A tiny correct env: a random walk that ends after 20 steps. Knobs break one rule each. */
class Walk implements Env {
  observationSpace = box([0], [100], ['x']);
  actionSpace = discrete(2, ['stay', 'move']);
  private rng = new Rng(0);
  private x = 50;
  /** The seeded part of x (x without the nondeterministic drift). */
  private walk = 50;
  private t = 0;
  private done = true;
  private globalCounter = 0;
  constructor(private readonly broken: 'none' | 'nondeterministic' | 'out-of-space' | 'no-raise' | 'ignores-seed' | 'nan-reward' = 'none') {}
  reset(o: { seed?: number } = {}) {
    if (o.seed !== undefined && this.broken !== 'ignores-seed') this.rng.seed(o.seed);
    if (this.broken === 'ignores-seed') this.rng.seed(1);
    this.x = this.walk = 50;
    this.t = 0;
    this.done = false;
    return { observation: Float64Array.of(this.x), info: { actionMask: Uint8Array.of(1, 1), t: 0, walk: this.walk } };
  }
  step(a: number): StepResult<Float64Array> {
    if (this.done && this.broken !== 'no-raise') throw new EnvStateError('ended');
    if (!Number.isInteger(a) || a < 0 || a > 1) throw new InvalidActionError(`bad ${a}`);
    this.t++;
    const d = a * (this.rng.uniform() - 0.5) * 4;
    this.walk += d;
    this.x += d + (this.broken === 'nondeterministic' ? this.globalCounter++ * 1e-9 : 0);
    const obs = this.broken === 'out-of-space' && this.t === 5 ? 1000 : this.x;
    const truncated = this.t >= 20;
    this.done = truncated;
    return { observation: Float64Array.of(obs), reward: this.broken === 'nan-reward' ? Number.NaN : 1, terminated: false, truncated, info: { actionMask: Uint8Array.of(1, 1), t: this.t, walk: this.walk } };
  }
  close() {}
}

test('checkEnv accepts a correct env', () => {
  assert.equal(checkEnv(new Walk()).steps, 20);
});

for (const [broken, pattern] of [
  ['nondeterministic', /determinism/],
  ['out-of-space', /observation in space: .*component 0 \(x\) = 1000/],
  ['no-raise', /step after end/],
  ['ignores-seed', /seed sensitivity/],
  ['nan-reward', /rewards are finite/],
] as const) {
  test(`checkEnv catches an env that is ${broken}`, () => {
    assert.throws(() => checkEnv(new Walk(broken)), (e: unknown) => e instanceof EnvCheckError && pattern.test(e.message));
  });
}

test('checkEnv relaxed (a measured env): compares only what the seed decides, and still catches an env that ignores its seed', () => {
  const relaxed = { reason: 'measured drift', seeded: (info: StepInfo) => [info.walk as number] };
  const r = checkEnv(new Walk('nondeterministic'), { relaxed });
  assert.ok(r.passed.includes('same seed, same seeded values (relaxed: measured drift)'), r.passed.join(', '));
  assert.throws(() => checkEnv(new Walk('ignores-seed'), { relaxed }), (e: unknown) => e instanceof EnvCheckError && /seed sensitivity/.test(e.message));
  assert.throws(() => checkEnv(new Walk('nan-reward'), { relaxed }), (e: unknown) => e instanceof EnvCheckError && /rewards are finite/.test(e.message));
});
