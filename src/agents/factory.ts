/** Build an agent from a resolved config, and save a trained agent as a model file. */
import type { ObservationLayout } from '../core/observation.js';
import type { Rng } from '../core/rng.js';
import type { Backend } from '../nn/backend.js';
import type { TrainableAgent } from './agent.js';
import { DqnAgent, type DqnConfig } from './dqn.js';
import { saveModel, type PolicyHeader } from './policy-file.js';
import { SarsaAgent, type SarsaConfig } from './sarsa.js';

export type AgentSpec = { kind: 'dqn'; config: DqnConfig } | { kind: 'sarsa'; config: SarsaConfig };

/** An agent for observations of `layout` (N nodes, with or without the edge model's in-flight block). */
export function createAgent(spec: AgentSpec, layout: ObservationLayout, totalSteps: number, rng: Rng, backend?: Backend): TrainableAgent {
  return spec.kind === 'dqn' ? new DqnAgent(spec.config, layout.nodes, totalSteps, rng, backend, layout.inFlight) : new SarsaAgent(spec.config, layout.nodes, totalSteps, rng, backend, layout.inFlight);
}

/** Writes `<dir>/model.json` + `model.bin` for a trained agent; returns the model.json path. */
export function saveAgent(dir: string, agent: TrainableAgent, training: PolicyHeader['training']): string {
  const dueling = agent instanceof DqnAgent && agent.config.dueling;
  return saveModel(dir, { agent: agent.kind, architecture: agent.spec, dueling, layout: agent.layout, window: agent.window, nodes: agent.nodes, inFlight: agent.inFlight, params: agent.online.params, training });
}
