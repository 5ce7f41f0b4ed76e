// Errors at the edges, through the CLI: a model trained for 3 nodes run on a 5-node scenario is refused at
// load, and a GPS track with negative times is refused; each prints one line, never "internal error".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';
import type { Io } from '../command.js';
import { DEFAULT_DQN_CONFIG, DqnAgent } from '../../agents/dqn.js';
import { saveAgent } from '../../agents/factory.js';
import { Rng } from '../../core/rng.js';

const testdata = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', 'twin', 'testdata');

function capture(cwd: string): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY: false, cwd, env: {} as Record<string, string | undefined>, out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

test('a 3-node model on a 5-node scenario: one line naming both sizes and node-seq, exit 1, no internal error', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'remora-layout-'));
  const agent = new DqnAgent({ ...DEFAULT_DQN_CONFIG, dueling: false }, 3, 300, new Rng(3), undefined, false);
  const model = saveAgent(join(cwd, 'run'), agent, { scenario: 'sr111', seed: 1, steps: 0, episodes: 0, updates: 0, meanReward: null, config: {} });
  for (const argv of [
    ['evaluate', '--scenario', 'highway-5', '--policy', model, '--episodes', '1'],
    ['simulate', '--scenario', 'highway-5', '--policy', model, '--episodes', '1'],
    ['compare', '--scenario', 'highway-5', '--policies', `never,${model}`, '--episodes', '1'],
  ]) {
    const io = capture(cwd);
    assert.equal(await main(argv, io), 1, `${argv[0]}: ${io.stderr}`);
    assert.equal(io.stderr.trim().split('\n').length, 1, `${argv[0]} prints one line: ${io.stderr}`);
    assert.doesNotMatch(io.stderr, /internal error/);
    assert.match(io.stderr, /^remora: .*model\.json: observation\.nodes: expected 5 nodes .*node-seq.*got a model trained for 3 nodes/);
  }
});

test('remora scenario show on a GPS scenario whose track has a negative time: one line, no internal error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-gps-cli-'));
  for (const f of ['gps-scenario.yaml', 'cell-2019.csv', 'generic.csv']) copyFileSync(join(testdata, f), join(dir, f));
  writeFileSync(join(dir, 'gps-track.csv'), 'time,lat,lon\n-60,33.2000,-115.6000\n0,33.2050,-115.6050\n60,33.2100,-115.6100\n');
  const io = capture(dir);
  assert.equal(await main(['scenario', 'show', 'gps-scenario.yaml'], io), 1, io.stdout);
  assert.equal(io.stderr.trim().split('\n').length, 1, io.stderr);
  assert.doesNotMatch(io.stderr, /internal error/);
  assert.match(io.stderr, /gps-track\.csv: line 2, column time: expected a time >= 0/);
});

test('remora scenario show on 2 MB of random bytes, as the scenario and as a trace: one printable line, exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-garbage-cli-'));
  writeFileSync(join(dir, 'garbage.yaml'), randomBytes(2 * 1024 * 1024));
  for (const f of ['gps-scenario.yaml', 'cell-2019.csv', 'gps-track.csv']) copyFileSync(join(testdata, f), join(dir, f));
  // No NUL (past the binary sniff) and no newline: one 2 MB header line, which must be escaped and cut short.
  writeFileSync(join(dir, 'generic.csv'), randomBytes(2 * 1024 * 1024).map((b) => (b === 0 || b === 10 ? 1 : b)));
  for (const [file, want] of [
    ['garbage.yaml', /garbage\.yaml: scenario: expected a file of at most 1\.0 MiB, got 2\.0 MiB$/],
    ['gps-scenario.yaml', /generic\.csv: (header|line \d+).*\.\.\./],
  ] as const) {
    const io = capture(dir);
    assert.equal(await main(['scenario', 'show', file], io), 1, io.stdout);
    assert.equal(io.stderr.trim().split('\n').length, 1, io.stderr);
    assert.doesNotMatch(io.stderr.trim(), /[\p{Cc}\uFFFD]/u);
    assert.ok(io.stderr.length < 800, `${io.stderr.length} chars`);
    assert.doesNotMatch(io.stderr, /internal error/);
    assert.match(io.stderr.trim(), want);
  }
});
