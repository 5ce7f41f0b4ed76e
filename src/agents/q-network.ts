/**
 * Q-network choices and the mapping to `src/nn` architectures.
 *
 * - `lstm` (DQN default, Table II): LSTM(24) over the window of W observations → Dense(24, ReLU) → Dense(|A|).
 *   W = 4 by default: the paper does not give W, and with W = 1 the LSTM sees a one-step sequence and degenerates
 *   into a gated MLP, which would make "Q-Network: LSTM" meaningless; 4 steps (≈ 4 observation periods) let it see
 *   RTT trends as the car approaches or leaves a cell. Configurable.
 * - `mlp` (Deep SARSA, Table II: two hidden layers of 24, ReLU).
 * - `node-seq` (beyond the paper, size-agnostic): see src/nn/node-sequence.ts. One Q per node plus one for Wait, so
 *   a model trained on 3 nodes runs unchanged on 5 or 8.
 */
import type { Vec } from '../nn/backend.js';
import type { ArchitectureSpec } from '../nn/network.js';
import type { QNetworkConfig } from './config.js';
import { featureSize, featuresPerNode, type FeatureSet } from './features.js';

/** The network choices (fields and defaults in config.ts's `NetworkSchema`). */
export type { QNetworkConfig } from './config.js';

/**
 * The architecture for N nodes. With `dueling` the network emits `[V, A_0..A_{|A|-1}]` (|A| + 1 outputs), combined
 * by {@link duelingCombine}; dueling is not available for `node-seq`.
 */
export function architectureFor(cfg: QNetworkConfig, nodes: number, dueling: boolean, inFlight = false, set: FeatureSet = 'paper'): ArchitectureSpec {
  const outputs = nodes + 1 + (dueling ? 1 : 0);
  switch (cfg.kind) {
    case 'lstm':
      return { kind: 'lstm-mlp', inputSize: featureSize(nodes, inFlight, set), steps: cfg.window, lstmUnits: cfg.lstmUnits, hidden: [...cfg.hidden], outputs };
    case 'mlp':
      return { kind: 'mlp', inputSize: featureSize(nodes, inFlight, set) * cfg.window, hidden: [...cfg.hidden], outputs };
    case 'node-seq':
      if (dueling) throw new RangeError('dueling is not available for the node-seq network');
      return { kind: 'node-seq', featureSize: featuresPerNode(inFlight, set), context: cfg.context, contextUnits: cfg.contextUnits, hidden: [...cfg.hidden], nodes };
  }
}

/** keras-rl2 `dueling_type='avg'`: `Q(s,a) = V(s) + A(s,a) − mean_a A(s,a)`; `out` is `[rows, 1 + nActions]`. */
export function duelingCombine(out: Vec, rows: number, nActions: number, q: Float64Array): void {
  const w = nActions + 1;
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let a = 0; a < nActions; a++) mean += out[r * w + 1 + a];
    mean /= nActions;
    for (let a = 0; a < nActions; a++) q[r * nActions + a] = out[r * w] + out[r * w + 1 + a] - mean;
  }
}

/** Backward of {@link duelingCombine}: dV = Σ dQ, dA_a = dQ_a − mean(dQ). */
export function duelingBackward(dQ: Float64Array, rows: number, nActions: number, dOut: Vec): void {
  const w = nActions + 1;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let a = 0; a < nActions; a++) s += dQ[r * nActions + a]!;
    dOut[r * w] = s;
    for (let a = 0; a < nActions; a++) dOut[r * w + 1 + a] = dQ[r * nActions + a]! - s / nActions;
  }
}
