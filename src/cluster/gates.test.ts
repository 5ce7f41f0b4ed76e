import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionMask, gates, type GateInput, type GateVerdict } from './gates.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const NODES = ['edge-1', 'edge-2', 'edge-3'];

function input(over: Partial<GateInput> & { lastMigration?: string; node?: string } = {}): GateInput {
  const { lastMigration, node, ...rest } = over;
  return {
    workload: { node: node ?? 'edge-1', object: { metadata: { name: 'upf', annotations: lastMigration ? { 'remora.io/last-migration-at': lastMigration } : {} } } },
    nodes: NODES,
    readyNodes: new Set(NODES),
    inFlightId: undefined,
    inFlightCount: 0,
    problems: [],
    nowMs: NOW,
    cooldownMs: 60_000,
    maxConcurrent: 2,
    policyName: 'p',
    ...rest,
  };
}

const ago = (ms: number): string => new Date(NOW - ms).toISOString();

/** [name, input, expected verdict, expected reason (wait only), event reason] */
const table: [string, GateInput, GateVerdict['verdict'], string?, string?][] = [
  ['in-flight lock wins over everything', input({ inFlightId: 'remora-upf-1', problems: ['RTT of edge-1 is NaN'], choice: { action: 3 } }), 'wait', 'in-flight'],
  ['NaN observation', input({ problems: ['RTT of edge-2 is NaN'] }), 'wait', 'invalid-observation', 'ObservationInvalid'],
  ['stale observation, even with a choice', input({ problems: ['load of edge-1 is stale (20000 ms > 15000 ms)'], choice: { action: 3 } }), 'wait', 'invalid-observation', 'ObservationInvalid'],
  ['valid, not asked yet', input(), 'ask-policy'],
  ['policy threw', input({ choice: { error: 'NaN in the network' } }), 'wait', 'error', 'PolicyError'],
  ['masked action (NotReady node)', input({ readyNodes: new Set(['edge-1', 'edge-3']), choice: { action: 2 } }), 'wait', 'illegal-action', 'IllegalAction'],
  ['out of range', input({ choice: { action: 9 } }), 'wait', 'illegal-action', 'IllegalAction'],
  ['negative', input({ choice: { action: -1 } }), 'wait', 'illegal-action', 'IllegalAction'],
  ['not an integer', input({ choice: { action: 0.5 } }), 'wait', 'illegal-action', 'IllegalAction'],
  ['NaN action', input({ choice: { action: Number.NaN } }), 'wait', 'illegal-action', 'IllegalAction'],
  ['current node is legal even when NotReady: stay', input({ readyNodes: new Set(['edge-2']), choice: { action: 1 } }), 'wait', 'stay'],
  ['Wait', input({ choice: { action: 0 } }), 'wait', 'policy'],
  ['cooldown holds', input({ lastMigration: ago(30_000), choice: { action: 3 } }), 'wait', 'cooldown'],
  ['cooldown over', input({ lastMigration: ago(61_000), choice: { action: 3 } }), 'migrate'],
  ['unparsable cooldown annotation is no cooldown', input({ lastMigration: 'yesterday', choice: { action: 3 } }), 'migrate'],
  ['cap reached', input({ inFlightCount: 2, choice: { action: 3 } }), 'wait', 'cap', 'MigrationDeferred'],
  ['under the cap', input({ inFlightCount: 1, choice: { action: 3 } }), 'migrate'],
  ['workload on an unknown node may still move to a candidate', input({ node: 'elsewhere', choice: { action: 2 } }), 'migrate'],
];

for (const [name, i, verdict, reason, event] of table) {
  test(`gates: ${name}`, () => {
    const v = gates(i);
    assert.equal(v.verdict, verdict);
    if (v.verdict === 'wait') {
      assert.equal(v.reason, reason);
      assert.equal(v.event?.reason, event);
    }
  });
}

test('gates: the migrate verdict names the target; the cap event dedups on it; clears follow the passed gates', () => {
  const m = gates(input({ choice: { action: 3 } }));
  assert.deepEqual(m, { verdict: 'migrate', action: 3, target: 'edge-3', clears: ['observation-invalid', 'cap'] });
  const cap = gates(input({ inFlightCount: 2, choice: { action: 2 } }));
  assert.equal(cap.verdict, 'wait');
  assert.deepEqual(cap.verdict === 'wait' && cap.event?.dedup, { topic: 'cap', cause: 'edge-2' });
  assert.deepEqual(cap.clears, ['observation-invalid']);
  const bad = gates(input({ problems: ['a', 'b'] }));
  assert.deepEqual(bad.verdict === 'wait' && bad.event, { type: 'Warning', reason: 'ObservationInvalid', message: 'forced Wait: a; b', dedup: { topic: 'observation-invalid', cause: 'a; b' } });
  assert.deepEqual(gates(input({ inFlightId: 'x' })).clears, [], 'in flight: the observation is not judged, so nothing clears');
});

test('gates: messages keep their wording', () => {
  const ill = gates(input({ readyNodes: new Set(['edge-1']), choice: { action: 2 } }));
  assert.equal(ill.verdict === 'wait' && ill.event?.message, 'forced Wait: policy p chose action 2, which the mask forbids (1100)');
  const cd = gates(input({ lastMigration: ago(30_400), choice: { action: 3 } }));
  assert.equal(cd.verdict === 'wait' && cd.detail, 'last migration 30 s ago');
  const cap = gates(input({ inFlightCount: 2, choice: { action: 3 } }));
  assert.equal(cap.verdict === 'wait' && cap.event?.message, 'policy chose edge-3; deferred: 2 migrations in flight (cap 2)');
});

test('actionMask: Wait, the current node, and Ready candidates', () => {
  assert.deepEqual([...actionMask(NODES, new Set(['edge-3']), 'edge-1')], [1, 1, 0, 1]);
  assert.deepEqual([...actionMask(NODES, new Set(), 'nowhere')], [1, 0, 0, 0]);
});
