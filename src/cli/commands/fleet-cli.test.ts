// `remora train --fleet` and `remora sweep --fleet` end to end through the CLI entry (captured IO), on the small
// road fleet so they run in seconds: the files they write, their progress off a TTY, and one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';
import type { Io } from '../command.js';
import { loadFleetModel } from '../../agents/fleet/move-model.js';

function capture(cwd: string): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY: false, cwd, env: {} as Record<string, string | undefined>, out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

const SMALL = { iterations: 1, episodesPerIteration: 1, updatesPerIteration: 200, margins: [0], priorities: ['gain'], socials: [0, 4] };

test('remora train --fleet writes the model and its validation table and says what it chose', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'remora-fleet-'));
  writeFileSync(join(cwd, 'fleet.json'), JSON.stringify(SMALL));
  const io = capture(cwd);
  const code = await main(['train', '--fleet', '--scenario', 'sr111-traffic', '--validate', 'sr111-traffic-validation', '--config', 'fleet.json', '--seed', '2', '--out', 'run'], io);
  assert.equal(code, 0, io.stderr);
  const model = loadFleetModel(join(cwd, 'run', 'fleet-model.json'));
  assert.deepEqual((model.file.training as { train: string[] }).train, ['sr111-traffic']);
  assert.equal((model.file.training as { seed: number }).seed, 2);
  const rows = JSON.parse(readFileSync(join(cwd, 'run', 'validation.json'), 'utf8'));
  assert.equal(rows.length, 2, 'one row per social weight');
  assert.ok(rows.every((r: { perFleet: { scenario: string }[] }) => r.perFleet[0]!.scenario === 'sr111-traffic-validation'));
  assert.match(io.stdout, /chosen on sr111-traffic-validation: iteration 1, margin 0, priority gain, social weight (0|4)/);
  assert.match(io.stderr, /^train --fleet: 100\.0% \d+\/\d+ fleet ticks/m);
  assert.ok(!io.stderr.includes('\r'), 'no carriage-return bar off a TTY');
});

test('remora sweep --fleet trains per seed and reports the IQM and CI against every heuristic', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'remora-fleet-sweep-'));
  writeFileSync(join(cwd, 'fleet.json'), JSON.stringify(SMALL));
  const io = capture(cwd);
  const code = await main(['sweep', '--fleet', '--seeds', '1-2', '--scenario', 'sr111-traffic', '--validate', 'sr111-traffic-validation', '--config', 'fleet.json', '--eval', 'sr111-traffic-rush', '--episodes', '1', '--policies', 'follow-me,sla-greedy+coord', '--out', 'sw'], io);
  assert.equal(code, 0, io.stderr);
  for (const f of ['sweep-fleet.json', 'sweep-fleet.md', 'sweep-fleet.svg', 'seed-1/fleet-model.json', 'seed-2/fleet-model.json']) assert.ok(existsSync(join(cwd, 'sw', f)), f);
  const s = JSON.parse(readFileSync(join(cwd, 'sw', 'sweep-fleet.json'), 'utf8'));
  const sc = s.scenarios[0];
  assert.equal(sc.scenario, 'sr111-traffic-rush');
  assert.equal(sc.role, 'held-out');
  assert.equal(sc.agent.length, 2);
  assert.deepEqual(sc.heuristics.map((h: { policy: string }) => h.policy), ['follow-me', 'sla-greedy+coord']);
  const rets = sc.agent.map((m: { returnPerUserHour: number }) => m.returnPerUserHour);
  assert.ok(sc.agentReturn.ci[0] <= Math.max(...rets) && sc.agentReturn.ci[1] >= Math.min(...rets));
  assert.equal(sc.bestHeuristic, sc.heuristics.reduce((a: { returnPerUserHour: number; policy: string }, b: { returnPerUserHour: number; policy: string }) => (b.returnPerUserHour > a.returnPerUserHour ? b : a)).policy);
  assert.match(io.stdout, /## sr111-traffic-rush \(held-out, 1 episode\)/);
  assert.match(readFileSync(join(cwd, 'sw', 'sweep-fleet.svg'), 'utf8'), /^<svg/);
});

test('fleet flags that do not apply, and a bad fleet config, are one-line errors', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'remora-fleet-bad-'));
  writeFileSync(join(cwd, 'bad.json'), JSON.stringify({ iterations: 0 }));
  const cases: [string[], RegExp][] = [
    [['train', '--fleet', '--steps', '5'], /train --fleet: --steps: expected no --steps/],
    [['train', '--fleet', '--config', 'bad.json'], /bad\.json: iterations: expected/],
    [['train', '--fleet', '--scenario', ' , '], /--scenario: expected a comma-separated list of fleet scenarios/],
    [['sweep', '--fleet', '--on', 'kubernetes'], /sweep --fleet: --on: expected local/],
    [['sweep', '--fleet', '--agent', 'dqn'], /sweep --fleet: --agent: expected no --agent/],
  ];
  for (const [argv, re] of cases) {
    const io = capture(cwd);
    assert.notEqual(await main(argv, io), 0, argv.join(' '));
    assert.match(io.stderr, re, argv.join(' '));
    assert.equal(io.stderr.trim().split('\n').length, 1, `${argv.join(' ')}: ${io.stderr}`);
  }
});
