/**
 * Scoring every workload of a tick at once (the fleet path). A {@link BulkScorer} turns a matrix of the
 * paper's observations (Eq. 3, one row per workload) into a value per action, higher better; the gain of moving
 * to node j is `value[j] − value[stay]`, where staying is the better of Wait and the current node. The gains go
 * to the coordinated step (`coordinate()`, src/agents/coordination.ts), which picks the feasible set.
 *
 * One scorer per name of the policy registry that has a stateless, per-row form (src/agents/registry.ts):
 * - `follow-me`: `value[j] = −R_j`; gain = ms of RTT saved (the rule moves when it is > 0, as FollowMePolicy);
 * - `greedy`: `value[j]` = the one-step reward (Eq. 8) of ending on node j, as GreedyPolicy; gain in reward units;
 * - `sla-greedy`: greedy plus {@link SLA_BONUS} on nodes inside the SLA (R ≤ R_max and L ≤ L_max), which is
 *   SlaGreedyPolicy's order (inside first, then reward): a user brought back into the SLA outranks any polish;
 * - `never`: no move is ever worth anything;
 * - a `fleet-model.json` (`remora train --fleet`): the fleet agent (`fleet-model-scorer.ts`);
 * - a `model.json` whose network reads one observation (window 1; MLP or the size-agnostic `node-seq`): the
 *   Q-values of `batchRows` workloads per forward pass (dueling: the advantages). Gain in Q units.
 * `threshold`, `hysteresis` and `random` keep per-workload state (dwell, cooldown, an RNG), so they have no batch
 * form: asking for them in fleet mode is a one-line error. So is a stacked or recurrent-over-time model.
 *
 * Eq. 4-7 read the candidate lists only through their minimum and maximum, so the heuristics pass the row's
 * `[min, max]` as the list: Eq. 8 exactly, in O(1) per node instead of O(N) (O(N²) per workload otherwise); the
 * per-row loop is the transition kernel's `OneStepScores`, inside the rules' rankings (agents/baselines/rows/).
 */
import { resolve } from 'node:path';
import { isFleetModelFile, loadFleetModel } from '../agents/fleet/move-model.js';
import { fleetModelScorer, type FleetContext } from './fleet-model-scorer.js';
export type { FleetContext } from './fleet-model-scorer.js';
import { InvalidInputError } from '../core/errors.js';
import { observationLength } from '../core/observation.js';
import type { RewardParams } from '../core/reward.js';
import { followMeRanking, greedyRanking, neverRanking, RankScratch, slaGreedyRanking, type NodeRanking } from '../agents/baselines/index.js';
import { encodeObservation, featureSize, featuresPerNode } from '../agents/features.js';
import { FixedNormalizer } from '../agents/normalizer.js';
import { checkModelLayout, isModelPath, type PolicyRegistry } from '../agents/registry.js';
import { loadModel, type LoadedModel } from '../agents/policy-file.js';
import { createBackend } from '../nn/create-backend.js';
import { createNetwork, type Network } from '../nn/network.js';
import { NodeSequenceNetwork, type NodeSequenceSpec } from '../nn/node-sequence.js';

export interface BulkScorer {
  readonly name: string;
  /** What one unit of gain is (logs, README). */
  readonly gainUnit: string;
  /** Rows carry the edge model's in-flight block (zeros: a workload with a migration in flight is not scored). */
  readonly inFlight: boolean;
  /**
   * Write `out[r·(N+1) + a]` for `rows` rows: action 0 = Wait, j = node j. `obs` holds `rows` observations of
   * `observationLength(n, inFlight)` numbers, `masks` the rows' action masks (N+1 each). −Infinity = never.
   */
  score(obs: Float64Array, masks: Uint8Array, rows: number, n: number, out: Float64Array, fleet?: FleetContext): void;
}


/** Added to the value of nodes inside the SLA by the `sla-greedy` scorer: larger than any spread of Eq. 8. */
export const SLA_BONUS = 1000;

/**
 * The scorer of a ranked rule (`agents/baselines/rows/node-ranking.ts`): node j's value is its score plus
 * {@link SLA_BONUS} per tier, Wait the serving node's value (the service stays there). Which legal node beats
 * staying, and by how much, is then the rule's own order: the one definition the per-user policy and the fleet
 * candidates use too.
 */
export function rankingScorer(ranking: NodeRanking, gainUnit: string): BulkScorer {
  const scratch = new RankScratch();
  return {
    name: ranking.name,
    gainUnit,
    inFlight: false,
    score(obs, _masks, rows, n, out) {
      const len = observationLength(n), A = n + 1, s = scratch.ensure(n);
      for (let r = 0; r < rows; r++) {
        const base = r * len, o = r * A;
        ranking.rank(obs, base, n, s.score, s.tier, 0);
        for (let j = 0; j < n; j++) out[o + 1 + j] = s.tier[j] ? s.score[j]! + SLA_BONUS * s.tier[j]! : s.score[j]!;
        const cur = obs[base]!;
        out[o] = cur >= 1 ? out[o + cur]! : -Infinity;
      }
    },
  };
}

export function followMeScorer(): BulkScorer {
  return rankingScorer(followMeRanking, 'ms of RTT saved');
}

export function greedyScorer(params: RewardParams, slaFirst: boolean): BulkScorer {
  return slaFirst
    ? rankingScorer(slaGreedyRanking(params), `Eq. 8 reward (+${SLA_BONUS} for reaching the SLA from outside it)`)
    : rankingScorer(greedyRanking(params), 'Eq. 8 reward');
}

export function neverScorer(): BulkScorer {
  return rankingScorer(neverRanking, 'none');
}

/**
 * A trained Q-network over `batchRows` workloads per forward pass. The network is built once for N = `nodes`
 * (node-seq: any N; MLP: the N it was trained for, checked by the registry before this).
 */
export function networkScorer(model: LoadedModel, nodes: number, batchRows: number): BulkScorer {
  const h = model.header;
  const src = model.path;
  if (h.features.window !== 1) {
    throw new InvalidInputError({ source: src, field: 'features.window', expected: '1 for the fleet path (it scores each workload from its current observation, with no per-workload history)', actual: String(h.features.window) });
  }
  const inFlight = h.observation.inFlight;
  const set = h.features.set;
  // A residual agent adds its network to a rule's values, and its rule (lookahead) keeps a trend per workload.
  if (set === 'scale-free') throw new InvalidInputError({ source: src, field: 'agent', expected: 'a dqn or sarsa model for the fleet path (a residual dagger agent keeps per-workload rule state; run it with fleet.enabled: false)', actual: h.agent });
  const layout = h.features.layout;
  const arch = h.architecture;
  const F = featuresPerNode(inFlight, set);
  const R = batchRows;
  let net: Network | NodeSequenceNetwork;
  if (arch.kind === 'node-seq') {
    const hidden = arch.hidden.reduce((a, b) => a + b, 0);
    // Buffers of the heads at R·N rows (inputs, activations and their input gradients) plus the weights, generously.
    const bytes = 4 * (R * nodes * (12 * F + 3 * arch.contextUnits + 3 * hidden + 16) + 4 * model.weights.length) + (8 << 20);
    net = new NodeSequenceNetwork({ ...(arch as NodeSequenceSpec), nodes }, { backend: createBackend('float32', undefined, bytes), maxRows: R, maxNodes: nodes });
  } else {
    const width = 'inputSize' in arch ? arch.inputSize : 0;
    const hidden = arch.hidden.reduce((a, b) => a + b, 0);
    const bytes = 4 * (R * (4 * width + 3 * hidden + 4 * (nodes + 2)) + 4 * model.weights.length) + (8 << 20);
    net = createNetwork(arch, { backend: createBackend('float32', undefined, bytes), maxRows: R });
  }
  net.params.set(model.weights);
  const norm = h.normalizer ? new FixedNormalizer(Float64Array.from(h.normalizer.mean), Float64Array.from(h.normalizer.std)) : null;
  const skip = h.dueling ? 1 : 0;
  const width = featureSize(nodes, inFlight, set);
  return {
    name: `${h.agent} (${arch.kind}, ${src})`,
    gainUnit: 'Q-value',
    inFlight,
    score(obs, _masks, rows, n, out) {
      const len = observationLength(n, inFlight), A = n + 1, outW = n + 1 + skip;
      for (let start = 0; start < rows; start += R) {
        const k = Math.min(R, rows - start);
        for (let r = 0; r < k; r++) {
          encodeObservation(obs.subarray((start + r) * len, (start + r + 1) * len), layout, net.input, r * width, inFlight, set);
        }
        if (norm) norm.normalize(net.input, 0, k * width);
        const q = net.forward(k);
        for (let r = 0; r < k; r++) for (let a = 0; a < A; a++) out[(start + r) * A + a] = q[r * outW + skip + a];
      }
    },
  };
}

/**
 * The scorer for a `--policy` spec: a registered name with a batch form, or a model file. Unknown names get the
 * registry's own error; registered names without a batch form get one line that says which have one.
 */
export function bulkScorerFor(spec: string, registry: PolicyRegistry, o: { nodes: number; reward: RewardParams; batchRows: number; cwd: string }): BulkScorer {
  if (isModelPath(spec)) {
    const path = resolve(o.cwd, spec);
    if (isFleetModelFile(path)) return fleetModelScorer(loadFleetModel(path), o.reward, path);
    const m = loadModel(path);
    checkModelLayout(path, m.header.observation, m.header.architecture.kind === 'node-seq', { nodes: o.nodes, inFlight: m.header.observation.inFlight }, true);
    return networkScorer(m, o.nodes, o.batchRows);
  }
  switch (spec) {
    case 'follow-me':
      return followMeScorer();
    case 'greedy':
      return greedyScorer(o.reward, false);
    case 'sla-greedy':
      return greedyScorer(o.reward, true);
    case 'never':
      return neverScorer();
  }
  if (!registry.has(spec)) registry.factoryFor(spec, { layout: { nodes: o.nodes, inFlight: false }, reward: o.reward, seed: 1 }, o.cwd); // throws NotFoundError
  throw new InvalidInputError({ source: 'the fleet path (fleet.enabled, bench controller)', field: '--policy', expected: `a policy with a batch form (follow-me, greedy, sla-greedy, never, a model.json with window 1, or a fleet-model.json); ${spec} keeps per-workload state`, actual: spec });
}
