import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import { runTraining } from '../../experiments/train/train.js';
import { resolvePolicy } from './controller.js';

test('controller --policy: an edge-model model reads observations with the in-flight block; a wrong node count is refused at load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-ctl-'));
  const run = runTraining({ agent: 'dqn', scenario: 'sr111-edge', steps: 300, seed: 1, out: join(dir, 'edge'), config: { dqn: { network: { kind: 'mlp' }, warmupSteps: 50 } }, cwd: process.cwd() });
  const policy = resolvePolicy(run.modelPath, dir, 3)();
  assert.equal(policy.needsInFlight, true);
  // Nothing in flight: the block is zeros, and a legal action comes back.
  const obs = Float64Array.from([1, 5, 25, 45, 2, 2, 2, 0, 0, 0]);
  const a = policy.act(obs, Uint8Array.from([1, 1, 1, 1]));
  assert.ok(Number.isInteger(a) && a >= 0 && a <= 3);
  assert.throws(() => resolvePolicy(run.modelPath, dir, 5), (e: unknown) => e instanceof InvalidInputError && /trained for 3 nodes/.test(e.message) && /node-seq/.test(e.message));
  // A rule reads any layout given N: it does not ask for the block.
  assert.notEqual(resolvePolicy('sla-greedy', dir, 3)().needsInFlight, true);
});

test('controller --shards: one replica per index (flag, env, StatefulSet ordinal), all N without one; bad values are one line', async () => {
  const { shardReplicas } = await import('./controller.js');
  assert.deepEqual(shardReplicas(undefined, undefined, {}, 'r'), [{ identity: 'r' }]);
  assert.deepEqual(shardReplicas(3, 1, {}, 'r'), [{ identity: 'r', shard: { count: 3, index: 1 } }]);
  assert.deepEqual(shardReplicas(3, undefined, { REMORA_SHARD_INDEX: '2' }, 'r'), [{ identity: 'r', shard: { count: 3, index: 2 } }]);
  assert.deepEqual(shardReplicas(3, undefined, { POD_NAME: 'remora-controller-0' }, 'r'), [{ identity: 'r', shard: { count: 3, index: 0 } }]);
  assert.deepEqual(shardReplicas(2, undefined, {}, 'r').map((x) => [x.identity, x.shard?.index]), [['r-s0', 0], ['r-s1', 1]]);
  const line = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof InvalidInputError && !e.message.includes('\n'));
      return e.message;
    }
    return assert.fail('expected an error');
  };
  assert.match(line(() => shardReplicas(3, 3, {}, 'r')), /--shard-index: expected an integer in \[0, 3\), got 3/);
  assert.match(line(() => shardReplicas(0, undefined, {}, 'r')), /--shards: expected an integer in \[1, 1024\], got 0/);
  assert.match(line(() => shardReplicas(undefined, 1, {}, 'r')), /--shard-index: expected only together with --shards N, got 1/);
  assert.match(line(() => shardReplicas(3, undefined, { REMORA_SHARD_INDEX: 'x' }, 'r')), /REMORA_SHARD_INDEX: expected an integer in \[0, 3\), got x/);
});

test('the shipped manifests run one policy, which resolves, keeps a trend per workload and moves before a breach', async () => {
  const { readFileSync } = await import('node:fs');
  const { parseAllDocuments } = await import('yaml');
  const argsOf = (file: string): string[] => {
    const doc = parseAllDocuments(readFileSync(join(process.cwd(), file), 'utf8')).map((d) => d.toJS() as { spec?: { template?: { spec?: { containers?: { args: string[] }[] } } } }).find((o) => o.spec?.template);
    return doc!.spec!.template!.spec!.containers![0]!.args;
  };
  const policyOf = (args: string[]): string => args[args.indexOf('--policy') + 1]!;
  const shipped = policyOf(argsOf('deploy/base/deployment.yaml'));
  assert.equal(policyOf(argsOf('deploy/sharded/statefulset.yaml')), shipped, 'the sharded overlay runs the base policy');
  assert.equal(shipped, 'lookahead');
  const dir = mkdtempSync(join(tmpdir(), 'remora-ctl-'));
  const policy = resolvePolicy(shipped, dir, 3)();
  // The user drives from edge-1 towards edge-2: edge-1's RTT climbs 3 ms a tick towards R_max = 20, edge-2's falls.
  const mask = Uint8Array.from([1, 1, 1, 1]);
  const actions: number[] = [];
  for (let t = 0; t < 5; t++) actions.push(policy.act(Float64Array.from([1, 8 + 3 * t, 19 - 3 * t, 40, 2, 2, 2]), mask));
  const first = actions.findIndex((a) => a === 2);
  assert.ok(first >= 0 && 8 + 3 * first < 20, `moves to edge-2 before edge-1 breaches (actions ${actions.join(',')})`);
});
