/**
 * The controller's decide phase at 10k users × 100 nodes (gates, one batched scoring pass, the coordinated step),
 * with the fleet agent's move model against `sla-greedy`'s batch scorer in the same process. The model has the
 * default shape of `remora train --fleet` (14 → 64 → 64 → 1, 8 candidates per user) and seeded weights. Its
 * forward passes cost what a trained model's cost; its untrained scores clear the margin more often, so it hands
 * more candidates to the coordinated step than a trained model does (a pessimistic figure). Ratios, not timed
 * assertions; the goal is ≤ 100 ms per tick.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/core/rng.js';
import { PAPER_REWARD_PARAMS } from '../src/core/reward.js';
import { createNetwork } from '../src/nn/network.js';
import { MOVE_FEATURES } from '../src/agents/fleet/move-features.js';
import { FleetPlaySchema, fleetModelFile, loadFleetModel, saveFleetModel } from '../src/agents/fleet/move-model.js';
import { benchDecide } from '../src/cluster/bench.js';
import { greedyScorer } from '../src/cluster/bulk-score.js';
import { fleetModelScorer } from '../src/cluster/fleet-model-scorer.js';
import { syntheticFleet } from '../src/cluster/testing/fleet.js';

const net = createNetwork({ kind: 'mlp', inputSize: MOVE_FEATURES, hidden: [64, 64], outputs: 1 }, { maxRows: 8, rng: new Rng(1) });
const path = saveFleetModel(join(mkdtempSync(join(tmpdir(), 'bench-fleet-')), 'fleet-model.json'), fleetModelFile(net, [64, 64], 8, new Float64Array(MOVE_FEATURES), new Float64Array(MOVE_FEATURES).fill(1), FleetPlaySchema.parse({ social: 4, breachPenalty: 10 }), {}));
const fleet = syntheticFleet({ users: 10_000, nodes: 100, seed: 1, misplaced: 0.2, cpuMillis: 100 });
const rule = benchDecide(fleet, { ticks: 10, scorer: greedyScorer(PAPER_REWARD_PARAMS, true) });
const agent = benchDecide(fleet, { ticks: 10, scorer: fleetModelScorer(loadFleetModel(path), PAPER_REWARD_PARAMS, path) });
console.log(`sla-greedy   ${rule.decideMsPerTick.toFixed(1).padStart(7)} ms/tick CPU (decide phase, 10k users x 100 nodes)`);
console.log(`fleet agent  ${agent.decideMsPerTick.toFixed(1).padStart(7)} ms/tick CPU  ${(agent.decideMsPerTick / rule.decideMsPerTick).toFixed(2)}x sla-greedy  ${(agent.decideMsPerTick / 100).toFixed(2)}x the 100 ms goal`);
console.log(JSON.stringify({ slaGreedyMs: rule.decideMsPerTick, fleetAgentMs: agent.decideMsPerTick, ratio: agent.decideMsPerTick / rule.decideMsPerTick }));
