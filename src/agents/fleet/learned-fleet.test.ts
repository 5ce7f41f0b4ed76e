/**
 * The fleet agent as a policy: in the twin it keeps to KubeVirt's caps itself (the cluster never has to refuse one
 * of its moves) and moves only to the nodes it scored; on the controller's fleet path it decides through the same
 * coordinated step, within the controller's caps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../core/rng.js';
import { createNetwork } from '../../nn/network.js';
import { FleetTwin, loadScenario } from '../../twin/index.js';
import { fleetContext } from '../../experiments/fleet/evaluate.js';
import { benchDecide } from '../../cluster/bench.js';
import { fleetModelScorer } from '../../cluster/fleet-model-scorer.js';
import { syntheticFleet } from '../../cluster/testing/fleet.js';
import { PAPER_REWARD_PARAMS } from '../../core/reward.js';
import { learnedFleetPolicy } from './fleet-policies.js';
import { MOVE_FEATURES } from './move-features.js';
import { FleetPlaySchema, fleetModelFile, loadFleetModel, saveFleetModel } from './move-model.js';

/** An untrained model whose output is large and positive (a bias of +5): it wants to move everyone everywhere. */
function eagerModel(social: number, priority: 'gain' | 'deferral'): string {
  const net = createNetwork({ kind: 'mlp', inputSize: MOVE_FEATURES, hidden: [8], outputs: 1 }, { maxRows: 8, rng: new Rng(1) });
  net.params[net.params.length - 1] = 5;
  const dir = mkdtempSync(join(tmpdir(), 'fleet-agent-'));
  return saveFleetModel(join(dir, 'fleet-model.json'), fleetModelFile(net, [8], 4, new Float64Array(MOVE_FEATURES), new Float64Array(MOVE_FEATURES).fill(1), FleetPlaySchema.parse({ social, priority, breachPenalty: 10 }), {}));
}

test('in the twin the fleet agent never asks for a move the caps or a full node would refuse, and does move', () => {
  const sc = loadScenario('sr111-traffic');
  for (const [social, priority] of [[0, 'gain'], [4, 'deferral']] as const) {
    const policy = learnedFleetPolicy(loadFleetModel(eagerModel(social, priority)), fleetContext(sc));
    const fleet = new FleetTwin(sc, 0);
    let r = fleet.reset({ seed: 7 });
    policy.reset();
    let acts = new Int32Array(256), refused = 0, started = 0;
    for (let t = 0; t < 60 && !fleet.done; t++) {
      if (acts.length < r.rows) acts = new Int32Array(2 * r.rows);
      policy.act(r, fleet, acts);
      let asked = 0;
      for (let i = 0; i < r.rows; i++) if (acts[i]! > 0 && acts[i]! - 1 !== fleet.serving[i]) asked++;
      assert.ok(asked <= sc.spec.users!.migrationCaps.parallelMigrationsPerCluster, `tick ${t}: ${asked} moves asked`);
      r = fleet.step(acts);
      refused += fleet.stats.refusedByCaps + fleet.stats.refusedFull;
      started += fleet.stats.migrationsStarted;
    }
    assert.equal(refused, 0, `social ${social}, ${priority}: the cluster refused none of its moves`);
    assert.ok(started > 10, `social ${social}, ${priority}: ${started} migrations started`);
  }
});

test('on the controller fleet path the agent decides for every workload within the cluster cap', () => {
  const fleet = syntheticFleet({ users: 400, nodes: 12, seed: 3, misplaced: 0.3, cpuMillis: 100 });
  const path = eagerModel(1, 'gain');
  const scorer = fleetModelScorer(loadFleetModel(path), PAPER_REWARD_PARAMS, path);
  const d = benchDecide(fleet, { ticks: 2, scorer });
  assert.equal(d.scored, 400);
  assert.ok(d.moves > 0 && d.moves <= 5, `${d.moves} moves (cluster cap 5)`);
  assert.ok((d.deferred['cluster-cap'] ?? 0) > 0, 'the rest wait for the cap');
});
