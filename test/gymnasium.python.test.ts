/**
 * Runs the Python adapter's tests (python/tests, which call Gymnasium's own `check_env` and, for the fleet,
 * PettingZoo's `parallel_api_test`).
 * Without python3 + gymnasium the suite skips loudly; under CI (CI=true) or REQUIRE_PYTHON=1 that is a failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const required = process.env.CI === 'true' || process.env.REQUIRE_PYTHON === '1';

test('Gymnasium adapter passes gymnasium.utils.env_checker.check_env, the fleet pettingzoo.test.parallel_api_test (python/tests)', (t) => {
  const probe = spawnSync('python3', ['-c', 'import gymnasium, numpy, pytest, pettingzoo; print(gymnasium.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = `python3 with gymnasium, numpy, pytest and pettingzoo is not available (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;
    if (required) assert.fail(`${why}; CI requires it (pip install -r python/requirements.txt)`);
    console.error(`\n*** SKIPPING the Python Gymnasium suite: ${why} ***\n`);
    t.skip(why);
    return;
  }
  const r = spawnSync('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { cwd: join(root, 'python'), encoding: 'utf8', timeout: 600_000 });
  const tail = (r.stdout + r.stderr).trim().split('\n').slice(-25).join('\n');
  assert.equal(r.status, 0, `pytest failed:\n${tail}`);
  assert.match(r.stdout, /\d+ passed/);
  console.error(`gymnasium ${probe.stdout.trim()}: ${r.stdout.trim().split('\n').pop()}`);
});
