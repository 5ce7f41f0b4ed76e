import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance, listInFlight, nextStep, type AdvanceContext } from './in-flight.js';
import type { KubeObject } from './kube/client.js';
import { silentLogger } from './log.js';
import { ControllerMetrics } from './metrics.js';
import type { InFlight, Progress } from './migrate/types.js';
import { fakeMigrator, recordingClient } from './testing/fakes.js';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const ready = new Set(['edge-1', 'edge-2']);
const f0: InFlight = { id: 'remora-upf-1', kind: 'vm', backend: 'kv', namespace: 'ns', workload: 'upf', sourceNode: 'edge-1', targetNode: 'edge-2', startedAtMs: T0, object: { metadata: { name: 'remora-upf-1' } } };
const running: Progress = { state: 'running', phase: 'Scheduling' };

test('nextStep: the in-flight transitions', () => {
  assert.deepEqual(nextStep(running, f0, ready, T0 + 1000, 60_000), { step: 'wait' });
  assert.deepEqual(nextStep(running, f0, ready, T0 + 60_001, 60_000), { step: 'cancel', why: 'timed out after 60 s in phase Scheduling', result: 'timeout' });
  assert.deepEqual(nextStep(running, f0, new Set(['edge-1']), T0 + 60_001, 60_000), { step: 'cancel', why: 'target node edge-2 is NotReady', result: 'cancelled' }, 'NotReady before timeout');
  assert.deepEqual(nextStep({ state: 'succeeded', durationMs: 1, durationSource: 'x' }, f0, new Set(), T0 + 1e9, 1), { step: 'finish', result: 'succeeded' }, 'a finished one is finished whatever else holds');
  assert.deepEqual(nextStep({ state: 'failed', reason: 'x' }, f0, ready, T0, 1), { step: 'finish', result: 'failed' });
});

function fakes(progress: Progress | Error) {
  const { client, calls } = recordingClient();
  const migrator = fakeMigrator({
    listInFlight: async () => [f0, { ...f0, id: 'remora-upf-2' }],
    progress: async () => {
      if (progress instanceof Error) throw progress;
      return progress;
    },
    cancel: async (f, why) => void calls.push(`cancel ${f.id}: ${why}`),
    finalize: async (f, p) => void calls.push(`finalize ${f.id} ${p.state}`),
  });
  const events: string[] = [];
  const metrics = new ControllerMetrics();
  const ctx: AdvanceContext = { client, migrators: { vm: migrator }, timeoutMs: 60_000, metrics, log: silentLogger, event: async (_o: KubeObject, _t, reason) => void events.push(reason) };
  return { calls, events, ctx, metrics, migrator };
}

test('advance: success finalizes, writes the cooldown on the VMI, records the Event and metrics', async () => {
  const { ctx, calls, events, metrics } = fakes({ state: 'succeeded', durationMs: 30_000, durationSource: 'phaseTransitionTimestamps' });
  const fin = await advance(ctx, f0, ready, undefined, T0 + 30_000);
  assert.deepEqual(fin, { id: 'remora-upf-1', workload: 'upf', namespace: 'ns', from: 'edge-1', to: 'edge-2', backend: 'kv', result: 'succeeded', durationMs: 30_000 });
  assert.deepEqual(calls, ['finalize remora-upf-1 succeeded', 'PATCH /apis/kubevirt.io/v1/namespaces/ns/virtualmachineinstances/upf']);
  assert.deepEqual(events, ['MigrationSucceeded']);
  assert.equal(metrics.migrations.get({ kind: 'vm', backend: 'kv', result: 'succeeded' }), 1);
});

test('advance: timeout cancels then finalizes as failed', async () => {
  const { ctx, calls, events } = fakes(running);
  const fin = await advance(ctx, f0, ready, undefined, T0 + 61_000);
  assert.equal(fin?.result, 'timeout');
  assert.deepEqual(calls.slice(0, 2), ['cancel remora-upf-1: timed out after 61 s in phase Scheduling', 'finalize remora-upf-1 failed']);
  assert.deepEqual(events, ['MigrationTimedOut']);
});

test('advance: running stays in flight; an API error is counted and retried next tick', async () => {
  const a = fakes(running);
  assert.equal(await advance(a.ctx, f0, ready, undefined, T0), undefined);
  assert.deepEqual(a.calls, []);
  const b = fakes(new Error('apiserver down'));
  assert.equal(await advance(b.ctx, f0, ready, undefined, T0), undefined);
  assert.equal(b.metrics.errors.get({ stage: 'progress' }), 1);
  assert.deepEqual(b.events, []);
});

test('listInFlight: one per workload; a second is not acted on', async () => {
  const { migrator } = fakes(running);
  const m = await listInFlight({ vm: migrator }, [], silentLogger);
  assert.deepEqual([...m.values()].map((f) => f.id), ['remora-upf-1']);
});
