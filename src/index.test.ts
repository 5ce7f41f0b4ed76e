import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { core, twin, agents, baselines, experiments } from './index.js';

test('the main entry exposes each layer, and the package version matches package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  assert.equal(core.VERSION, pkg.version);
  assert.equal(pkg.main, 'dist/index.js');
  const env = twin.makeEnv(twin.loadScenario('sr111'));
  assert.equal(core.checkEnv(env).passed.length, 8);
  assert.equal(typeof agents.loadPolicy, 'function');
  assert.equal(new baselines.NeverPolicy().name, 'never');
  assert.equal(typeof experiments.evaluatePolicy, 'function');
});

test('compare: identical seeds give identical numbers; the oracle tops every policy', () => {
  const sc = twin.loadScenario('sr111-timed');
  const run = () => ['never', 'follow-me', 'threshold', 'greedy', 'oracle'].map((p) => experiments.evaluatePolicy(
    p === 'never' ? new baselines.NeverPolicy() : p === 'follow-me' ? new baselines.FollowMePolicy() : p === 'threshold' ? new baselines.ThresholdPolicy()
      : p === 'greedy' ? new baselines.GreedyPolicy({ rttSla: sc.spec.sla.rttMs, loadSla: sc.spec.sla.load, migrationCost: sc.spec.reward.migrationCost }) : new twin.OraclePolicy(sc),
    sc, { episodes: 8, seed: 77 }).metrics);
  const a = run(), b = run();
  assert.deepEqual(a, b);
  const oracle = a[a.length - 1]!;
  assert.ok(Math.abs(oracle.pctOfOracle - 100) < 1e-9);
  for (const m of a) assert.ok(m.return <= oracle.return + 1e-9, m.policy);
  assert.ok(a[1]!.pctOfOracle > a[0]!.pctOfOracle, 'follow-me beats never on a 12 km trip');
});
