/** Build an agent from a resolved config, and save a trained agent as a model file. */
import type { ObservationLayout } from '../core/observation.js';
import type { Rng } from '../core/rng.js';
import type { Policy } from '../core/env.js';
import type { Backend, Vec } from '../nn/backend.js';
import { createBackend } from '../nn/create-backend.js';
import { createNetwork } from '../nn/network.js';
import { QPolicy } from './q-policy.js';
import type { TrainableAgent } from './agent.js';
import { DqnAgent, type DqnConfig } from './dqn.js';
import type { FixedNormalizer } from './normalizer.js';
import { saveModel, type PolicyHeader } from './policy-file.js';
import { SarsaAgent, type SarsaConfig } from './sarsa.js';

export type AgentSpec = { kind: 'dqn'; config: DqnConfig } | { kind: 'sarsa'; config: SarsaConfig };

/** An agent for observations of `layout` (N nodes, with or without the edge model's in-flight block). */
export function createAgent(spec: AgentSpec, layout: ObservationLayout, totalSteps: number, rng: Rng, backend?: Backend): TrainableAgent {
  return spec.kind === 'dqn' ? new DqnAgent(spec.config, layout.nodes, totalSteps, rng, backend, layout.inFlight) : new SarsaAgent(spec.config, layout.nodes, totalSteps, rng, backend, layout.inFlight);
}

/**
 * The agent's current greedy policy, on a snapshot of its online weights and feature statistics (training goes
 * on undisturbed), or on `params` (and `normalizer`) when given (a kept checkpoint).
 */
export function snapshotPolicy(agent: TrainableAgent, params?: ArrayLike<number>, normalizer?: FixedNormalizer | null): Policy {
  const net = createNetwork(agent.spec, { backend: createBackend('float32', undefined, 4 * 1024 * 1024), maxRows: 1 });
  net.params.set(params ?? agent.online.params);
  const dueling = agent instanceof DqnAgent && agent.config.dueling;
  return new QPolicy(agent.kind, net, agent.layout, agent.window, agent.nodes, dueling, agent.inFlight, checkpointNormalizer(agent, params, normalizer), agent.config.features);
}

/**
 * The statistics that go with `params`: the agent's current ones for its current weights. A kept checkpoint's
 * weights were trained against the statistics of their time, so with running statistics they must come with
 * them; guessing the current ones would silently skew every input.
 */
function checkpointNormalizer(agent: TrainableAgent, params: ArrayLike<number> | undefined, normalizer: FixedNormalizer | null | undefined): FixedNormalizer | null {
  if (normalizer !== undefined) return normalizer;
  const current = agent.normalizerSnapshot();
  if (params !== undefined && current !== null) {
    throw new RangeError(`${agent.kind}: a checkpoint's weights were given without its feature statistics (observationNorm 'running'); keep agent.normalizerSnapshot() with the weights and pass it too`);
  }
  return current;
}

/**
 * Writes `<dir>/model.json` + `model.bin` for a trained agent; returns the model.json path. With running feature
 * statistics, a kept checkpoint (`params`) needs the `normalizer` snapshot taken with it.
 */
export function saveAgent(dir: string, agent: TrainableAgent, training: PolicyHeader['training'], params?: Vec, normalizer?: FixedNormalizer | null): string {
  const dueling = agent instanceof DqnAgent && agent.config.dueling;
  return saveModel(dir, { agent: agent.kind, architecture: agent.spec, dueling, layout: agent.layout, window: agent.window, nodes: agent.nodes, inFlight: agent.inFlight, featureSet: agent.config.features, params: params ?? agent.online.params, training, normalizer: checkpointNormalizer(agent, params, normalizer) });
}
