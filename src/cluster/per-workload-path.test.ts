// The per-workload path of a tick: each workload's own policy asked about its row in the one decide phase
// (coordination off, the cluster cap in workload order), then the one act step. Sources and API are fakes that
// record what the tick asked and wrote.
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
import type { LoadSource, RttSource, Timed } from './observe/types.js';
import type { Decision, ReconcileContext } from './reconcile.js';
import { PerWorkloadPath } from './tick-path.js';
import { WorkloadState } from './workload-state.js';
import { workloadKey, type WorkloadKey } from './workload-key.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const NODES = ['edge-1', 'edge-2', 'edge-3'];
const config = parseControllerConfig({ nodes: NODES, observation: { rtt: { source: 'http-json', url: 'http://x' } }, migration: { maxConcurrent: 1, cooldownMs: 60_000 } }, 'test');

function world(o: { act?: Policy['act']; patch?: Error; migrator?: Partial<Migrator>; rttFails?: string } = {}) {
  const events: string[] = [];
  let asked = 0;
  const { client, calls: writes } = recordingClient((method) => (method === 'PATCH' ? o.patch : undefined));
  const migrator = fakeMigrator(o.migrator);
  const rtt = new RttTable(NODES, 1);
  const policy = (): Policy => ({ name: 'scripted', reset() {}, act: (obs, mask) => (asked++, (o.act ?? (() => 3))(obs, mask)) });
  const state = new WorkloadState(policy, rtt);
  const ctx: ReconcileContext = { client, config, clock: { nowMs: () => NOW }, migrators: { vm: migrator }, state, rtt, metrics: new ControllerMetrics(), log: silentLogger, inFlightLayout: false, isLeader: () => true, event: async (_o, _t, reason) => void events.push(reason) };
  const load: LoadSource = { name: 'fake-load', readLoads: async () => new Map<string, Timed>(NODES.map((n) => [n, { value: 1.5, atMs: NOW }])) };
  // Users named ue-* are measured (nearest edge-3); anyone else has no RTT at all.
  const rttSource: RttSource = {
    name: 'fake-rtt',
    readRtt: async (user) => {
      if (o.rttFails) throw new Error(o.rttFails);
      return new Map(user.startsWith('ue-') ? NODES.map((n, i) => [n, [{ value: 2 + 8 * Math.abs(2 - i), atMs: NOW }]]) : []);
    },
  };
  const path = new PerWorkloadPath({ load, rtt: rttSource });
  const vm = (name: string, user: string, ann: Record<string, string> = {}): Workload => ({ kind: 'vm', namespace: 'ns', name, user, node: 'edge-1', object: { metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '7', annotations: ann } } });
  /** One tick over `workloads`; returns its decisions and what it started. */
  const tick = async (workloads: Workload[], inFlight = new Map<WorkloadKey, InFlight>()): Promise<{ decisions: Decision[]; started: InFlight[]; inFlight: Map<WorkloadKey, InFlight> }> => {
    const started: InFlight[] = [];
    const r = await path.run(ctx, { workloads, inFlight, readyNodes: new Set(NODES), nodes: [], finished: [], started, inFlightAtMs: NOW });
    return { decisions: r.decisions, started, inFlight };
  };
  const one = async (wl: Workload, inFlight?: Map<WorkloadKey, InFlight>): Promise<Decision> => (await tick([wl], inFlight)).decisions[0]!;
  return { ctx, tick, one, vm, writes, events, asked: () => asked };
}

test('per workload: a migration reserves the sequence number and starts; the cap holds the next workload in the same tick', async () => {
  const w = world();
  const { decisions: [d, d2], started, inFlight } = await w.tick([w.vm('upf', 'ue-1'), w.vm('smf', 'ue-2')]);
  assert.deepEqual([d!.action, d!.reason], [3, 'policy']);
  assert.deepEqual(d!.observation, [1, 18, 10, 2, 1.5, 1.5, 1.5], 'each decision shows what its policy saw');
  assert.deepEqual(w.writes, ['PATCH /apis/kubevirt.io/v1/namespaces/ns/virtualmachineinstances/upf']);
  assert.deepEqual(started.map((f) => f.id), ['remora-upf-1']);
  assert.ok(inFlight.has(workloadKey('vm', 'ns', 'upf')));
  assert.deepEqual([d2!.action, d2!.reason, d2!.policyAction], [0, 'cap', 3]);
  assert.deepEqual(w.events, ['MigrationDeferred', 'MigrationStarted'], 'waits are told before the moves start');
  assert.equal(w.asked(), 2, 'both policies were asked');
});

test('per workload: in flight, the policy is not asked and no observation is judged', async () => {
  const w = world();
  const f = { id: 'remora-upf-4', kind: 'vm', namespace: 'ns', workload: 'upf', sourceNode: 'edge-1', targetNode: 'edge-3' } as InFlight;
  const d = await w.one(w.vm('upf', 'ue-1'), new Map([[workloadKey('vm', 'ns', 'upf'), f]]));
  assert.deepEqual([d.reason, d.detail, d.observation, w.asked()], ['in-flight', 'remora-upf-4', undefined, 0]);
});

test('per workload: an invalid observation forces Wait with one Event per cause, and says why the RTT read failed', async () => {
  const w = world();
  const wl = w.vm('upf', 'nobody');
  for (let i = 0; i < 3; i++) {
    const d = await w.one(wl);
    assert.equal(d.reason, 'invalid-observation');
    assert.match(d.detail!, /RTT of edge-1 missing/);
  }
  assert.deepEqual(w.events, ['ObservationInvalid']);
  assert.equal(w.asked(), 0);
  const down = world({ rttFails: 'connection refused' });
  const d = await down.one(down.vm('upf', 'ue-1'));
  assert.equal(d.reason, 'invalid-observation');
  assert.match(d.detail!, /RTT of edge-1 missing.*last RTT read failed \(fake-rtt: connection refused\)/);
  assert.equal(down.ctx.metrics.errors.get({ stage: 'rtt' }), 1);
});

test('per workload: every wait says why (cooldown; a broken policy; a 409 on the sequence number)', async () => {
  const cool = world();
  const d1 = await cool.one(cool.vm('upf', 'ue-1', { 'remora.io/last-migration-at': new Date(NOW - 20_000).toISOString() }));
  assert.deepEqual([d1.reason, d1.action, cool.writes], ['cooldown', 0, []]);

  const thrower = world({ act: () => { throw new Error('NaN in the network'); } });
  const d2 = await thrower.one(thrower.vm('upf', 'ue-1'));
  assert.deepEqual([d2.reason, d2.detail, thrower.events], ['error', 'NaN in the network', ['PolicyError']]);

  const masked = world({ act: () => 7 });
  const d3 = await masked.one(masked.vm('upf', 'ue-1'));
  assert.deepEqual([d3.reason, d3.action, d3.policyAction, masked.events], ['illegal-action', 0, 7, ['IllegalAction']]);

  const conflict = world({ patch: new KubeApiError(409, 'Conflict', 'changed', 'PATCH', '/x') });
  const d4 = await conflict.one(conflict.vm('upf', 'ue-1'));
  assert.deepEqual([d4.reason, d4.detail, conflict.events], ['error', 'workload changed concurrently (409); will retry next tick', ['MigrationStartFailed']]);
});

test('per workload: a node that cannot checkpoint: no migration and one CheckpointUnavailable Event, or a counted fallback to recreate', async () => {
  const why = 'the container runtime does not implement CheckpointContainer (containerd < 2.0)';
  const refused = world({ migrator: { start: async (wl) => { throw new CheckpointUnavailableError(wl.node, why); } } });
  for (let i = 0; i < 3; i++) {
    const d = await refused.one(refused.vm('cache', 'ue-1'));
    assert.deepEqual([d.action, d.reason], [0, 'precheck']);
    assert.match(d.detail!, /checkpoint backend unavailable on node edge-1/);
  }
  assert.deepEqual(refused.events, ['CheckpointUnavailable'], 'one Event per cause, not one per tick');
  assert.match(refused.ctx.metrics.registry.render(), /remora_checkpoint_unavailable_total\{node="edge-1",outcome="not-migrated"\} 3/);

  const fell = world({ migrator: { start: async (wl, target, id, at) => ({ id, kind: 'vm', backend: 'checkpoint', namespace: wl.namespace, workload: wl.name, sourceNode: wl.node, targetNode: target, startedAtMs: at, fallback: why, object: { metadata: { name: id } } }) } });
  const d = await fell.one(fell.vm('cache', 'ue-1'));
  assert.deepEqual([d.reason, fell.events], ['policy', ['CheckpointFallback', 'MigrationStarted']]);
  assert.match(fell.ctx.metrics.registry.render(), /remora_checkpoint_unavailable_total\{node="edge-1",outcome="fallback-recreate"\} 1/);
});
