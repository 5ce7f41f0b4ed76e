/**
 * What every lab-tier test file needs before its first assertion: whether this host can run a lab at all, the
 * skip-or-fail rule when it cannot, a lab started in a fresh folder, and a poll for something that happens in
 * another process. One place, so the files' preconditions and their REQUIRE_LAB=1 behaviour cannot drift apart.
 *
 * The rule: a missing precondition (root, containerd, runc, CNI plugins, cgroup v1, Go for the builds) skips each
 * test and names it; with REQUIRE_LAB=1 (as .ci/run sets) it fails them instead. Once the preconditions hold, a lab
 * that does not come up is a failure either way. Nothing happens at import time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from '../../cluster/testing/control-plane.js';
import { Lab, type LabOptions } from '../lab.js';
import { ensureLabBinaries } from '../preconditions.js';

/** REQUIRE_LAB=1: a missing precondition fails the tests instead of skipping them. */
export function labRequired(): boolean {
  return process.env.REQUIRE_LAB === '1';
}

/**
 * Why a lab cannot run on this host, or '' when it can: the first missing host precondition, else the lab's
 * binaries and images (located, or built by their scripts, which may take minutes the first time).
 */
export function missingLab(): string {
  const missing = Lab.preconditions();
  if (missing.length) return `lab preconditions missing: ${missing.join('; ')}`;
  const bins = ensureLabBinaries(REPO_ROOT);
  return typeof bins === 'string' ? `lab binaries unavailable: ${bins}` : '';
}

/**
 * True when the test may run. Otherwise the test is skipped naming `unavailable`, or fails with it under
 * REQUIRE_LAB=1.
 */
export function labAvailable(t: TestContext, unavailable: string | undefined): boolean {
  if (!unavailable) return true;
  if (labRequired()) assert.fail(`REQUIRE_LAB=1 but ${unavailable}`);
  t.skip(unavailable);
  return false;
}

/**
 * A lab in a fresh folder `<prefix>XXXXXX` under REMORA_TEST_TMP (or the system temp folder), its progress on
 * stderr. When it does not come up, what it started is stopped before the error is rethrown, so the caller has
 * nothing to clean up.
 */
export async function startTestLab(prefix: string, opts: Omit<LabOptions, 'dir' | 'log'> = {}): Promise<Lab> {
  const dir = mkdtempSync(join(process.env.REMORA_TEST_TMP ?? tmpdir(), prefix));
  const lab = new Lab({ dir, ...opts, log: (l) => process.stderr.write(`lab: ${l}\n`) });
  try {
    await lab.start();
  } catch (e) {
    await lab.stop().catch(() => undefined);
    throw e; // preconditions held, so this is a failure, not a skip
  }
  return lab;
}

/**
 * Poll `fn` every `everyMs` until it returns something other than undefined, and return that. Unlike the cluster
 * suite's `waitUntil`, a falsy answer (0, '', false) counts as an answer: only undefined means "not yet".
 */
export async function waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined> | T | undefined, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
