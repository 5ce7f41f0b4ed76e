// `remora sweep` through the CLI entry (captured IO): seed-list and eval-list parsing, one-line errors on bad
// input, --help, and a tiny end-to-end run that prints the markdown table, logs quietly off a TTY and draws the
// bar on one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';
import type { Io } from '../command.js';
import { parseEvalList, parseSeedList } from './sweep.js';

function capture(cwd: string, isTTY = false): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY, cwd, env: {} as Record<string, string | undefined>, out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

test('parseSeedList: ranges, lists and both; rejects descending ranges, junk and duplicates', () => {
  assert.deepEqual(parseSeedList('1-5'), [1, 2, 3, 4, 5]);
  assert.deepEqual(parseSeedList('1,3,7'), [1, 3, 7]);
  assert.deepEqual(parseSeedList(' 0-2, 10 '), [0, 1, 2, 10]);
  assert.deepEqual(parseSeedList('4-4'), [4]);
  assert.throws(() => parseSeedList('5-1'), /--seeds: expected an ascending range \(first <= last\), e\.g\. 1-5, got "5-1"/);
  assert.throws(() => parseSeedList('1,,2'), /--seeds: expected seeds as a list/);
  assert.throws(() => parseSeedList('-3'), /got "-3"/);
  assert.throws(() => parseSeedList('1.5'), /got "1\.5"/);
  assert.throws(() => parseSeedList('1-3,2'), /distinct seeds, got "1-3,2" \(seed 2 twice\)/);
  assert.throws(() => parseSeedList('0-100000'), /at most 1000 seeds/);
});

test('parseEvalList: optional :role suffix; a colon that is not a role stays in the name', () => {
  assert.deepEqual(parseEvalList('sr111-roundtrip,sr111:train'), [{ scenario: 'sr111-roundtrip' }, { scenario: 'sr111', role: 'train' }]);
  assert.deepEqual(parseEvalList('C:/x.yaml:validation'), [{ scenario: 'C:/x.yaml', role: 'validation' }]);
  assert.deepEqual(parseEvalList('C:/x.yaml'), [{ scenario: 'C:/x.yaml' }]);
  assert.throws(() => parseEvalList(' , '), /--eval: expected a comma-separated list/);
});

test('remora sweep: bad input is a one-line error before any training', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'remora-sweep-cli-'));
  const cases: [string[], RegExp][] = [
    [['--seeds', '5-1'], /^remora: remora sweep: --seeds: expected an ascending range/],
    [['--steps', '0'], /--steps: expected an integer >= 1, got 0/],
    [['--episodes', '0'], /--episodes: expected an integer >= 1/],
    [['--workers', '0'], /--workers: expected an integer in 1\.\.64/],
    [['--eval', 'nope'], /unknown scenario|nope/],
    [['--policies', 'never,bogus', '--steps', '1', '--seeds', '1'], /bogus/],
    [['--policies', 'never,never'], /distinct policies/],
    [['--agent', 'ppo'], /--agent: expected one of dqn\|sarsa/],
  ];
  for (const [args, re] of cases) {
    const io = capture(cwd);
    assert.equal(await main(['sweep', ...args], io), 1, args.join(' '));
    assert.equal(io.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${io.stderr}`);
    assert.match(io.stderr, re);
  }
});

test('remora sweep --help documents the flags and the statistics', async () => {
  const io = capture(process.cwd());
  assert.equal(await main(['sweep', '--help'], io), 0);
  for (const s of ['--seeds', '--eval', '--policies', '--episodes', 'IQM', 'stratified', 'sweep.json']) assert.ok(io.stdout.includes(s), s);
});

test('remora sweep end to end: prints the table; quiet off a TTY, a bar with ETA on one', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'remora-sweep-cli-'));
  writeFileSync(join(cwd, 'mlp.json'), JSON.stringify({ dqn: { network: { kind: 'mlp', hidden: [8] }, warmupSteps: 100 } }));
  const args = ['sweep', '--agent', 'dqn', '--seeds', '1,2', '--steps', '400', '--eval', 'sr111-roundtrip', '--episodes', '1', '--config', 'mlp.json', '--policies', 'never,greedy,oracle', '--bootstrap-reps', '200'];
  const quiet = capture(cwd);
  assert.equal(await main([...args, '--out', 'q'], quiet), 0, quiet.stderr);
  assert.match(quiet.stdout, /## sr111-roundtrip \(test\)/);
  assert.match(quiet.stdout, /^\| dqn \| .* \|$/m);
  assert.match(quiet.stdout, /^\| oracle \| 100 \| \[100, 100\] \| 100 \|/m);
  assert.match(quiet.stdout, /Best heuristic: \*\*greedy\*\*/);
  assert.ok(!quiet.stderr.includes('\r'));
  assert.ok(existsSync(join(cwd, 'q', 'sweep.json')) && existsSync(join(cwd, 'q', 'seed-2', 'model.json')));
  const tty = capture(cwd, true);
  assert.equal(await main([...args, '--out', 't'], tty), 0, tty.stderr);
  assert.match(tty.stderr, /\r\[#+\.*\]\s+\d+% \d+\/800 steps.*ETA/);
});
