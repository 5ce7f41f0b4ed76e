/**
 * One way for a test file to get the real control plane: {@link useControlPlane} inside a `describe`. Nothing
 * happens at import time: the binaries are located (or built) and kube-apiserver + etcd started in `before()`,
 * stopped in `after()`.
 *
 * Without the binaries the file's tests are skipped with a loud banner; with REQUIRE_APISERVER=1 the `before`
 * hook fails instead, which fails every test of the suite.
 */
import { after, before, test, type TestContext } from 'node:test';
import { ControlPlane, crdFiles, ensureBinaries } from './control-plane.js';

export interface UsedControlPlane {
  /** The running control plane (throws outside a test, or when it is not running). */
  readonly plane: ControlPlane;
  /** `node:test`'s `test`, skipped when the control plane is unavailable. */
  test(name: string, fn: (t: TestContext) => Promise<void> | void): void;
}

export function useControlPlane(hooks: { setup?: (plane: ControlPlane) => Promise<void>; teardown?: () => Promise<void> } = {}): UsedControlPlane {
  let plane: ControlPlane | undefined;
  let why = '';
  before(async () => {
    const bins = ensureBinaries();
    if (typeof bins === 'string') why = bins;
    else {
      const cp = new ControlPlane(bins);
      try {
        const t0 = Date.now();
        await cp.start();
        await cp.applyFiles(crdFiles());
        process.stderr.write(`control plane: kube-apiserver ${cp.version} up in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
        plane = cp;
      } catch (e) {
        why = `control plane failed to start: ${(e as Error).message}`;
        await cp.stop().catch(() => undefined);
      }
    }
    if (!plane) {
      if (process.env.REQUIRE_APISERVER === '1') throw new Error(`REQUIRE_APISERVER=1 but ${why}`);
      process.stderr.write(`\n${'!'.repeat(78)}\n!! CLUSTER TESTS SKIPPED: ${why}\n!! Install Go and run scripts/build-control-plane.sh (or set REQUIRE_APISERVER=1 to make this fatal).\n${'!'.repeat(78)}\n`);
      return;
    }
    await hooks.setup?.(plane);
  });
  after(async () => {
    if (plane) await hooks.teardown?.();
    await plane?.stop();
  });
  return {
    get plane(): ControlPlane {
      if (!plane) throw new Error(`no control plane: ${why || 'not started yet'}`);
      return plane;
    },
    test(name, fn) {
      test(name, async (t) => {
        if (!plane) {
          t.diagnostic(`CLUSTER TESTS SKIPPED: ${why}`);
          t.skip(`SKIPPED: ${why}`);
          return;
        }
        await fn(t);
      });
    },
  };
}

/**
 * Poll `cond` until it holds: the one way tests wait for something that happens elsewhere (a watch, another
 * process), instead of sleeping a fixed time. Fails with `what` after `timeoutMs`.
 */
export async function waitUntil<T>(cond: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 30_000, pollMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
