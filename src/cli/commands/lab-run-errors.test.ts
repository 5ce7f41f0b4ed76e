// `remora lab run` refuses bad input with one line before it touches a lab.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';
import type { Io } from '../command.js';

function capture(cwd: string): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY: false, cwd, env: {} as Record<string, string | undefined>, out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

test('lab run: an unknown policy, a bad --step-seconds, a missing --policy: one line each, exit != 0, no internal error', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'remora-lab-run-'));
  const dir = join(cwd, 'no-lab');
  for (const [argv, pattern] of [
    [['lab', 'run', '--policy', 'no-such-policy', '--dir', dir], /no-such-policy/],
    [['lab', 'run', '--policy', 'follow-me', '--step-seconds', '0', '--dir', dir], /--step-seconds.*\(0, 60\]/],
    [['lab', 'run', '--dir', dir], /--policy/],
  ] as const) {
    const io = capture(cwd);
    const code = await main([...argv], io);
    assert.notEqual(code, 0, argv.join(' '));
    assert.doesNotMatch(io.stderr, /internal error/);
    assert.match(io.stderr, pattern);
    assert.equal(io.stderr.trim().split('\n').length, 1, io.stderr);
  }
});
