// `pctOfOracle` explodes when the oracle's return is near 0, so evaluate and compare flag those rows
// (pctOfOracleUnstable, the last column) and point to regret, the stable measure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../main.js';
import type { Io } from '../command.js';
import { isPctOfOracleUnstable, METRIC_COLUMNS, metricsRow, PCT_OF_ORACLE_MIN_RETURN, unstableNote, type PolicyMetrics } from '../../experiments/evaluate/evaluate.js';

function capture(): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY: false, cwd: process.cwd(), env: {} as Record<string, string | undefined>, out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

const row = (policy: string, ret: number, oracle: number, episodes = 4): PolicyMetrics => ({
  policy, episodes, return: ret, oracleReturn: oracle, pctOfOracle: 100 * (1 - (oracle - ret) / Math.abs(oracle)), steps: 10, slaViolations: 0,
  violationSeconds: 0, downtimeSeconds: 0, regret: oracle - ret, migrations: 0, terminatedEpisodes: 0, meanRttMs: 5, p95RttMs: 8, meanLoad: 2,
  pctOfOracleUnstable: isPctOfOracleUnstable(oracle * episodes, episodes),
});

test('pctOfOracleUnstable: |Σoracle| under 1 reward unit per episode, NaN included; printed as the last column', () => {
  assert.equal(PCT_OF_ORACLE_MIN_RETURN, 1);
  assert.equal(isPctOfOracleUnstable(3.9, 4), true);
  assert.equal(isPctOfOracleUnstable(-3.9, 4), true);
  assert.equal(isPctOfOracleUnstable(4, 4), false);
  assert.equal(isPctOfOracleUnstable(-400, 4), false);
  assert.equal(isPctOfOracleUnstable(Number.NaN, 4), true);
  // The GPS case of the issue: an oracle return of 0.0004 turns a regret of 1.1 into -276,000 %.
  const gps = row('follow-me', -1.1, 0.0004);
  assert.ok(gps.pctOfOracle < -200000 && gps.pctOfOracleUnstable);
  assert.equal(METRIC_COLUMNS[METRIC_COLUMNS.length - 1], 'pctOfOracleUnstable');
  assert.deepEqual(METRIC_COLUMNS.slice(0, 5), ['policy', 'return', 'oracleReturn', 'pctOfOracle', 'regret']);
  assert.equal(metricsRow(gps).at(-1), 'yes');
  assert.equal(metricsRow(row('never', 50, 100)).at(-1), 'no');
  assert.equal(unstableNote([row('never', 50, 100)]), null);
  assert.match(unstableNote([row('never', 50, 100), gps])!, /^note: pctOfOracle is unstable .* for follow-me; compare by regret\n$/);
});

test('remora compare prints the flag column, and --json carries pctOfOracleUnstable', async () => {
  const io = capture();
  assert.equal(await main(['compare', '--scenario', 'sr111', '--episodes', '2', '--policies', 'never,oracle'], io), 0, io.stderr);
  const [head, , ...rows] = io.stdout.trim().split('\n');
  assert.match(head!, /meanLoad\s+pctOfOracleUnstable$/);
  for (const r of rows) assert.match(r, /\sno$/);
  assert.doesNotMatch(io.stdout, /note:/);
  const json = capture();
  assert.equal(await main(['compare', '--scenario', 'sr111', '--episodes', '2', '--policies', 'never,oracle', '--json'], json), 0);
  const out = JSON.parse(json.stdout.trim().split('\n').at(-1)!) as { policies: PolicyMetrics[] };
  assert.deepEqual(out.policies.map((p) => p.pctOfOracleUnstable), [false, false]);
});
