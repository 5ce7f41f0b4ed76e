/**
 * A trained Q-network as a {@link Policy}: greedy over legal actions (keras-rl2 `GreedyQPolicy` at test time),
 * with the same feature encoding and observation window the agent trained with.
 */
import type { Policy } from '../core/env.js';
import { nodeCountOf, observationLength } from '../core/observation.js';
import type { Network } from '../nn/network.js';
import { NodeSequenceNetwork } from '../nn/node-sequence.js';
import { maskedArgmax } from './exploration.js';
import { featureSize, RecentWindow, type FeatureLayout, type FeatureSet } from './features.js';
import type { FeatureNormalizer } from './normalizer.js';

export class QPolicy implements Policy {
  readonly needsInFlight: boolean;
  private recent: RecentWindow;
  private recentNodes: number;

  /**
   * @param network a network with `maxRows ≥ 1`; the policy owns its input buffer from now on.
   * @param nodes N the flat networks were trained for (node-sequence networks accept any N ≤ their maxNodes).
   * @param dueling outputs are `[V, A_0..]`: the greedy action is argmax A (V and the mean shift every action alike).
   * @param normalizer frozen feature statistics the network trained with (`observationNorm: 'running'`), or null.
   */
  constructor(readonly name: string, private readonly network: Network, private readonly layout: FeatureLayout, private readonly window: number, private readonly nodes: number, private readonly dueling = false, private readonly inFlight = false, private readonly normalizer: FeatureNormalizer | null = null, private readonly set: FeatureSet = 'paper') {
    this.recentNodes = nodes;
    this.needsInFlight = inFlight;
    this.recent = new RecentWindow(window, featureSize(nodes, inFlight, set), inFlight, set);
  }

  private windowFor(n: number): RecentWindow {
    if (n === this.recentNodes) return this.recent;
    // Only the size-agnostic network accepts another N; rebuild its (W = 1) window once per change of N.
    this.recent = new RecentWindow(this.window, featureSize(n, this.inFlight, this.set), this.inFlight, this.set);
    this.recentNodes = n;
    return this.recent;
  }

  reset(): void {
    this.recent.reset();
  }

  act(observation: Float64Array, actionMask: Uint8Array): number {
    const n = nodeCountOf(observation.length, this.inFlight);
    const net = this.network;
    if (net instanceof NodeSequenceNetwork) {
      if (n !== net.nodeCount) net.setNodes(n);
    } else if (n !== this.nodes) {
      throw new RangeError(`policy ${this.name}: trained for ${this.nodes} nodes (observation length ${observationLength(this.nodes, this.inFlight)}), got an observation of length ${observation.length}; only the size-agnostic node-seq network runs on other node counts`);
    }
    const w = this.windowFor(n);
    w.push(observation, this.layout);
    const missing = w.write(net.input, 0);
    if (this.normalizer) {
      const F = featureSize(n, this.inFlight);
      this.normalizer.normalize(net.input, missing * F, (this.window - missing) * F);
    }
    const q = net.forward(1);
    return maskedArgmax(q, this.dueling ? 1 : 0, n + 1, actionMask);
  }
}
