import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Policy } from '../core/env.js';
import { parseControllerConfig } from './config.js';
import { KubeApiError } from './kube/client.js';
import { silentLogger } from './log.js';
import { ControllerMetrics } from './metrics.js';
import { CheckpointUnavailableError } from './migrate/pod.js';
import type { InFlight, Migrator, Workload } from './migrate/types.js';
import { fakeMigrator, recordingClient } from './testing/fakes.js';
import { RttTable } from './observe/rtt-table.js';
import type { Timed } from './observe/types.js';
import { reconcileWorkload, type ReconcileContext, type TickView } from './reconcile.js';
import { WorkloadState } from './workload-state.js';
import { workloadKey, type WorkloadKey } from './workload-key.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const NODES = ['edge-1', 'edge-2', 'edge-3'];
const config = parseControllerConfig({ nodes: NODES, observation: { rtt: { source: 'http-json', url: 'http://x' } }, migration: { maxConcurrent: 1, cooldownMs: 60_000 } }, 'test');

function world(o: { act?: Policy['act']; patch?: Error; migrator?: Partial<Migrator> } = {}) {
  const events: string[] = [];
  let asked = 0;
  const { client, calls: writes } = recordingClient((method) => (method === 'PATCH' ? o.patch : undefined));
  const migrator = fakeMigrator(o.migrator);
  const rtt = new RttTable(NODES, 1);
  const policy = (): Policy => ({ name: 'scripted', reset() {}, act: (obs, mask) => (asked++, (o.act ?? (() => 3))(obs, mask)) });
  const state = new WorkloadState(policy, rtt);
  const ctx: ReconcileContext = { client, config, clock: { nowMs: () => NOW }, migrators: { vm: migrator }, state, rtt, metrics: new ControllerMetrics(), log: silentLogger, inFlightLayout: false, isLeader: () => true, event: async (_o, _t, reason) => void events.push(reason) };
  const loads = new Map<string, Timed>(NODES.map((n) => [n, { value: 1.5, atMs: NOW }]));
  const view = (inFlight = new Map<WorkloadKey, InFlight>()): TickView => ({ nowMs: NOW, loads, readyNodes: new Set(NODES), inFlight, started: [] });
  const vm = (name: string, user: string, ann: Record<string, string> = {}): Workload => {
    for (const [i, n] of NODES.entries()) rtt.pushSamples(user, n, [{ value: 2 + 8 * Math.abs(2 - i), atMs: NOW }]);
    return { kind: 'vm', namespace: 'ns', name, user, node: 'edge-1', object: { metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '7', annotations: ann } } };
  };
  return { ctx, view, vm, writes, events, asked: () => asked };
}

test('reconcile: a migration reserves the sequence number, starts, and the cap then holds the next workload', async () => {
  const w = world();
  const v = w.view();
  const d = await reconcileWorkload(w.ctx, w.vm('upf', 'ue-1'), v);
  assert.deepEqual([d.action, d.reason], [3, 'policy']);
  assert.deepEqual(w.writes, ['PATCH /apis/kubevirt.io/v1/namespaces/ns/virtualmachineinstances/upf']);
  assert.deepEqual(v.started.map((f) => f.id), ['remora-upf-1']);
  assert.ok(v.inFlight.has(workloadKey('vm', 'ns', 'upf')));
  const d2 = await reconcileWorkload(w.ctx, w.vm('smf', 'ue-2'), v);
  assert.deepEqual([d2.action, d2.reason, d2.policyAction], [0, 'cap', 3]);
  assert.deepEqual(w.events, ['MigrationStarted', 'MigrationDeferred']);
});

test('reconcile: in flight, the policy is not asked and no observation is judged', async () => {
  const w = world();
  const f = { id: 'remora-upf-4' } as InFlight;
  const d = await reconcileWorkload(w.ctx, w.vm('upf', 'ue-1'), w.view(new Map([[workloadKey('vm', 'ns', 'upf'), f]])));
  assert.deepEqual([d.reason, d.detail, d.observation, w.asked()], ['in-flight', 'remora-upf-4', undefined, 0]);
});

test('reconcile: an invalid observation forces Wait with one Event per cause', async () => {
  const w = world();
  const wl = { ...w.vm('upf', 'ue-1'), user: 'nobody' };
  for (let i = 0; i < 3; i++) {
    const d = await reconcileWorkload(w.ctx, wl, w.view());
    assert.equal(d.reason, 'invalid-observation');
    assert.match(d.detail!, /RTT of edge-1 missing/);
  }
  assert.deepEqual(w.events, ['ObservationInvalid']);
  assert.equal(w.asked(), 0);
});

test('reconcile: every wait says why (cooldown; a broken policy; a 409 on the sequence number)', async () => {
  const cool = world();
  const d1 = await reconcileWorkload(cool.ctx, cool.vm('upf', 'ue-1', { 'remora.io/last-migration-at': new Date(NOW - 20_000).toISOString() }), cool.view());
  assert.deepEqual([d1.reason, d1.action, cool.writes], ['cooldown', 0, []]);

  const thrower = world({ act: () => { throw new Error('NaN in the network'); } });
  const d2 = await reconcileWorkload(thrower.ctx, thrower.vm('upf', 'ue-1'), thrower.view());
  assert.deepEqual([d2.reason, d2.detail, thrower.events], ['error', 'NaN in the network', ['PolicyError']]);

  const masked = world({ act: () => 7 });
  const d3 = await reconcileWorkload(masked.ctx, masked.vm('upf', 'ue-1'), masked.view());
  assert.deepEqual([d3.reason, d3.action, d3.policyAction, masked.events], ['illegal-action', 0, 7, ['IllegalAction']]);

  const conflict = world({ patch: new KubeApiError(409, 'Conflict', 'changed', 'PATCH', '/x') });
  const d4 = await reconcileWorkload(conflict.ctx, conflict.vm('upf', 'ue-1'), conflict.view());
  assert.deepEqual([d4.reason, d4.detail, conflict.events], ['error', 'workload changed concurrently (409); will retry next tick', ['MigrationStartFailed']]);
});

test('reconcile: a node that cannot checkpoint: no migration and one CheckpointUnavailable Event, or a counted fallback to recreate', async () => {
  const why = 'the container runtime does not implement CheckpointContainer (containerd < 2.0)';
  const refused = world({ migrator: { start: async (wl) => { throw new CheckpointUnavailableError(wl.node, why); } } });
  for (let i = 0; i < 3; i++) {
    const d = await reconcileWorkload(refused.ctx, refused.vm('cache', 'ue-1'), refused.view());
    assert.deepEqual([d.action, d.reason], [0, 'precheck']);
    assert.match(d.detail!, /checkpoint backend unavailable on node edge-1/);
  }
  assert.deepEqual(refused.events, ['CheckpointUnavailable'], 'one Event per cause, not one per tick');
  assert.match(refused.ctx.metrics.registry.render(), /remora_checkpoint_unavailable_total\{node="edge-1",outcome="not-migrated"\} 3/);

  const fell = world({ migrator: { start: async (wl, target, id, at) => ({ id, kind: 'vm', backend: 'checkpoint', namespace: wl.namespace, workload: wl.name, sourceNode: wl.node, targetNode: target, startedAtMs: at, fallback: why, object: { metadata: { name: id } } }) } });
  const d = await reconcileWorkload(fell.ctx, fell.vm('cache', 'ue-1'), fell.view());
  assert.deepEqual([d.reason, fell.events], ['policy', ['CheckpointFallback', 'MigrationStarted']]);
  assert.match(fell.ctx.metrics.registry.render(), /remora_checkpoint_unavailable_total\{node="edge-1",outcome="fallback-recreate"\} 1/);
});
