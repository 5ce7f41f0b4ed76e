// `remora scenario show` describes the data (load per node, trip length, RTT range, episode lengths) and
// warns on a degenerate scenario. Files laid out as a user would: the scenario next to its traces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';
import type { Io } from '../command.js';

function capture(cwd: string): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY: false, cwd, env: {} as Record<string, string | undefined>, out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

interface Data {
  traceRange: string;
  nodes: { name: string; meanLoad: number; p95Load: number; pctAboveLMax: number }[];
  tripSteps: { min: number; max: number };
  rttMs: { nearest: { min: number; max: number }; all: { min: number; max: number } };
  meanEpisodeSteps: Record<string, number>;
  warnings: string[];
}

test('scenario show: a node always above L_max and one-step episodes are described and warned about', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-show-data-'));
  // cpu 20 %, mem 20 % → load 1/(0.8·0.8) = 1.5625; 95 %/95 % → load 400 (> L_max = 12).
  writeFileSync(join(dir, 'calm.txt'), '20 20\n'.repeat(100));
  writeFileSync(join(dir, 'hot.txt'), '95 95\n'.repeat(100));
  writeFileSync(join(dir, 'bad.yaml'), [
    'name: degenerate',
    'stepSeconds: 10',
    'initialNode: 2',
    'nodes:',
    '  - { name: calm, xM: 0, yM: 0, trace: { format: follow-me, file: calm.txt, sampleSeconds: 60 } }',
    '  - { name: hot, xM: 1000, yM: 0, trace: { format: follow-me, file: hot.txt, sampleSeconds: 60 } }',
    'mobility: { kind: highway, fromXM: 0, toXM: 1000, speedKmh: { min: 36, max: 72 }, direction: forward }',
    'workload: { heldOutDay: none, traceSecondsPerStep: 60, noise: { cpu: { std: 0 }, mem: { std: 0 } } }',
    '',
  ].join('\n'));
  const io = capture(dir);
  assert.equal(await main(['scenario', 'show', 'bad.yaml', '--format', 'json', '--episodes', '5'], io), 0, io.stderr);
  const data = (JSON.parse(io.stdout) as { data: Data }).data;
  assert.equal(data.traceRange, 'the whole trace');
  assert.deepEqual(data.nodes.map((n) => [n.name, n.meanLoad, n.p95Load, n.pctAboveLMax]), [['calm', 1.563, 1.563, 0], ['hot', 400, 400, 100]]);
  // 1000 m at 72 km/h (20 m/s) = 50 s = 5 steps; at 36 km/h = 10 steps.
  assert.deepEqual(data.tripSteps, { min: 5, max: 10 });
  // RTT = 1 ms + 0.005 ms/m · distance: the nearest node is at most 500 m away, the farthest 1000 m.
  assert.deepEqual(data.rttMs, { nearest: { min: 1, max: 3.5 }, all: { min: 1, max: 6 } });
  // The service starts on the hot node: never stays there and the episode ends at step 1.
  assert.equal(data.meanEpisodeSteps.never, 1);
  assert.ok(data.meanEpisodeSteps.oracle! >= data.meanEpisodeSteps.never!);
  const warnings = io.stderr.trim().split('\n');
  assert.ok(warnings.some((w) => /^remora: warning: node hot is always above L_max = 12/.test(w)), io.stderr);
  assert.ok(warnings.some((w) => /^remora: warning: episodes under never last 1 steps on average \(< 5\)/.test(w)), io.stderr);
  assert.ok(!warnings.some((w) => /node calm/.test(w)));
  assert.deepEqual(data.warnings.length, warnings.length);
});

test('scenario show on a built-in: no warnings; --episodes 0 skips the rollouts', async () => {
  const io = capture(process.cwd());
  assert.equal(await main(['scenario', 'show', 'sr111', '--format', 'json', '--episodes', '0'], io), 0, io.stderr);
  const data = (JSON.parse(io.stdout) as { data: Data }).data;
  assert.equal(io.stderr, '');
  assert.equal(data.nodes.length, 3);
  assert.deepEqual(data.meanEpisodeSteps, {});
  assert.ok(data.tripSteps.min > 50 && data.tripSteps.max >= data.tripSteps.min);
  assert.ok(data.nodes.every((n) => n.pctAboveLMax < 5));
});
