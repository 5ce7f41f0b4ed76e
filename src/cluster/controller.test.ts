import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseControllerConfig } from './config.js';
import { Controller } from './controller.js';
import type { KubeClient } from './kube/client.js';
import { silentLogger } from './log.js';
import type { Delay } from './observe/types.js';
import { waitUntil } from './testing/suite.js';

test('controller run loop: every wait goes through the injected delay, and stop() cuts the wait short', async () => {
  const config = parseControllerConfig({ nodes: ['edge-1'], tickMs: 5000, observation: { rtt: { source: 'http-json', url: 'http://x' } }, leaderElection: { enabled: false, renewPeriodMs: 2000 } }, 'test');
  const client: KubeClient = { server: 'fake', request: async <T>() => ({ metadata: {}, items: [] }) as T, watch: async () => undefined };
  let now = 0;
  const waits: number[] = [];
  const pending: (() => void)[] = [];
  /** Time passes only when the test says so. */
  const delay: Delay = (ms, signal) =>
    new Promise<void>((resolve) => {
      waits.push(ms);
      pending.push(() => {
        now += ms;
        resolve();
      });
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  const ctrl = new Controller({
    client,
    config,
    clock: { nowMs: () => now },
    delay,
    newPolicy: () => ({ name: 'never', reset() {}, act: () => 0 }),
    load: { name: 'none', readLoads: async () => new Map() },
    rtt: { name: 'none', readRtt: async () => new Map() },
    migrators: {},
    events: { record: async () => undefined },
    logger: silentLogger,
    identity: 'unit',
  });
  await ctrl.start({ serveMetrics: false });
  await waitUntil(() => waits.length === 1, 'the first wait');
  assert.deepEqual(waits, [2000], 'the period is min(tickMs, renewPeriodMs)');
  assert.equal(ctrl.metrics.ticks.get(), 1);
  pending.shift()!(); // 2 s later: not yet time for a tick
  await waitUntil(() => waits.length === 2, 'the second wait');
  assert.equal(ctrl.metrics.ticks.get(), 1);
  pending.shift()!();
  await waitUntil(() => waits.length === 3, 'the third wait');
  pending.shift()!(); // 6 s: the second tick
  await waitUntil(() => ctrl.metrics.ticks.get() === 2, 'the second tick');
  await waitUntil(() => waits.length === 4, 'the fourth wait');
  const t0 = Date.now();
  await ctrl.stop(); // the loop is parked in a wait nobody will end: stop must abort it
  assert.ok(Date.now() - t0 < 1000);
});
