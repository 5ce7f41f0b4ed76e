/**
 * A trained node-seq (size-agnostic) Q-network scoring every user of a fleet: the rows' observations are encoded
 * as node sequences (`features.ts`, the same encoding the agent trained with) and run through the network in one
 * batched forward pass per `batchRows` rows (the node head's activations are rows × N × hidden floats, so the
 * batch is bounded; 2048 rows × 100 nodes × 64 units is 52 MB of float32). The Q-values are written per row,
 * Wait first: `[rows × (N + 1)]`.
 */
import { InvalidInputError } from '../../core/errors.js';
import { observationLength } from '../../core/observation.js';
import { createBackend } from '../../nn/create-backend.js';
import { NodeSequenceNetwork, type NodeSequenceSpec } from '../../nn/node-sequence.js';
import { encodeObservation, featuresPerNode, type FeatureSet } from '../features.js';
import { FixedNormalizer } from '../normalizer.js';
import { loadModel } from '../policy-file.js';

export class NodeSeqFleetScorer {
  private net: NodeSequenceNetwork | null = null;
  private readonly spec: NodeSequenceSpec;
  private readonly weights: Float32Array;
  private readonly set: FeatureSet;
  private readonly normalizer: FixedNormalizer | null;
  private readonly inFlight: boolean;

  constructor(readonly path: string, inFlight: boolean, private readonly batchRows: number) {
    const m = loadModel(path);
    const arch = m.header.architecture;
    if (arch.kind !== 'node-seq') throw new InvalidInputError({ source: path, field: 'architecture.kind', expected: 'node-seq (a size-agnostic network: fleet policies score every node of every user)', actual: arch.kind });
    if (m.header.features.window !== 1) throw new InvalidInputError({ source: path, field: 'features.window', expected: '1 (fleet scoring is per tick)', actual: String(m.header.features.window) });
    if (m.header.observation.inFlight !== inFlight) throw new InvalidInputError({ source: path, field: 'observation.inFlight', expected: `${inFlight}, as the scenario's observations`, actual: String(m.header.observation.inFlight) });
    this.spec = arch as NodeSequenceSpec;
    this.weights = m.weights;
    const set = m.header.features.set;
    if (set === 'scale-free') throw new InvalidInputError({ source: path, field: 'agent', expected: 'a dqn or sarsa model (a residual dagger agent keeps per-user rule state, so it has no fleet scorer)', actual: m.header.agent });
    this.set = set;
    this.inFlight = inFlight;
    const norm = m.header.normalizer;
    this.normalizer = norm ? new FixedNormalizer(Float64Array.from(norm.mean), Float64Array.from(norm.std)) : null;
  }

  private network(nodes: number): NodeSequenceNetwork {
    if (!this.net || this.net.maxNodes < nodes) {
      const net = new NodeSequenceNetwork({ ...this.spec, nodes }, { backend: createBackend('float32', undefined, 64 * 1024 * 1024), maxRows: this.batchRows, maxNodes: Math.max(nodes, this.spec.nodes) });
      net.params.set(this.weights);
      this.net = net;
    }
    if (this.net.nodeCount !== nodes) this.net.setNodes(nodes);
    return this.net;
  }

  /** Q-values of `rows` observations (row-major in `obs`, N nodes) into `q` (`[rows × (N + 1)]`). */
  score(obs: Float64Array, rows: number, nodes: number, q: Float64Array): void {
    const net = this.network(nodes);
    const D = observationLength(nodes, this.inFlight), P = featuresPerNode(this.inFlight, this.set) * nodes, A = nodes + 1;
    for (let start = 0; start < rows; start += this.batchRows) {
      const count = Math.min(this.batchRows, rows - start);
      for (let r = 0; r < count; r++) {
        encodeObservation(obs.subarray((start + r) * D, (start + r + 1) * D), 'node-sequence', net.input, r * P, this.inFlight, this.set);
      }
      if (this.normalizer) this.normalizer.normalize(net.input, 0, count * P);
      const out = net.forward(count);
      for (let i = 0; i < count * A; i++) q[start * A + i] = out[i]!;
    }
  }
}
