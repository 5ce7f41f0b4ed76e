import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../core/errors.js';
import type { PolicyMetrics } from './evaluate/evaluate.js';
import type { ReproduceSummary } from './reproduce.js';
import { readReproduceSummary } from './reproduce-summary.js';

const row = (policy: string, pctOfOracle = 50): PolicyMetrics => ({
  policy, episodes: 1, return: 2, oracleReturn: 4, pctOfOracle, steps: 166, slaViolations: 3, violationSeconds: 15, downtimeSeconds: 0, regret: 2, migrations: 2, terminatedEpisodes: 0, meanRttMs: 9.5, p95RttMs: 18, meanLoad: 4.2, pctOfOracleUnstable: false,
});

function summary(): ReproduceSummary {
  const cmp = { scenario: 'sr111-roundtrip', episodes: 1, seed: 1000, policies: [row('dqn'), row('oracle', 100)] };
  return {
    version: '0.1.0', commit: 'abc123', seconds: 12.5, trainingSeconds: 10, quick: true, steps: 4000, seed: 1, evalSeed: 1000,
    trainConfig: { exploration: { epsilonMax: 1, epsilonMin: 0.1, annealFraction: 0.1 } },
    dqn: { ...row('dqn'), trainEpisodes: 20 }, sarsa: { ...row('sarsa', Number.NaN), trainEpisodes: 21 },
    baselines: { oracle: row('oracle', 100) }, sr111: { ...structuredClone(cmp), scenario: 'sr111' }, roundtrip: cmp, dqnBeatsSarsa: true,
    models: ['paper', 'edge'], seeds: 1, comparisons: [{ ...structuredClone(cmp), model: 'paper', title: 'rt' }], multiSeed: [],
    product: { paper: { agent: 'dqn-product', scenario: 'sr111-train', validation: 'sr111-validation', selectedStep: 2000 }, edge: { agent: 'dqn-edge', scenario: 'sr111-edge', validation: 'sr111-edge-validation', selectedStep: null } },
  };
}

test('readReproduceSummary reads what reproduce writes; a NaN written as null reads back as NaN', () => {
  const f = join(mkdtempSync(join(tmpdir(), 'remora-summary-')), 'summary.json');
  writeFileSync(f, JSON.stringify(summary(), null, 2) + '\n');
  assert.deepEqual(readReproduceSummary(f), summary());
});

test('a malformed summary.json is one InvalidInputError naming file, field, expected and actual', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-summary-'));
  const bad = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    assert.throws(() => readReproduceSummary(f), InvalidInputError);
    try {
      readReproduceSummary(f);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };
  const s = summary() as unknown as { roundtrip: { policies: Record<string, unknown>[] } };
  s.roundtrip.policies[1]!.migrations = 'two';
  assert.equal(bad('field.json', JSON.stringify(s)), `${join(dir, 'field.json')}: roundtrip.policies.1.migrations: expected number, got "two"`);
  assert.equal(bad('empty.json', '{}'), `${join(dir, 'empty.json')}: version: expected string, got nothing (missing)`);
  assert.match(bad('json.json', '{"commit": '), /json\.json: \(file\): expected a readable JSON file, got .*JSON/);
});
