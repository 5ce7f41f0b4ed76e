/**
 * The protocol between the training loop and an agent. The loop owns the env; the agent never sees it.
 *
 *   agent.beginEpisode(obs, mask)
 *   repeat: a = agent.act(mask, true); r = env.step(a); agent.observe(r.reward, r.terminated, r.truncated, r.observation, mask′)
 *   until terminated or truncated
 *
 * Observations passed in are read immediately (the env overwrites them on its next call).
 */
import type { Vec } from '../nn/backend.js';
import type { ArchitectureSpec, Network } from '../nn/network.js';
import type { FeatureLayout, FeatureSet } from './features.js';
import type { FixedNormalizer } from './normalizer.js';

export interface TrainableAgent {
  readonly kind: 'dqn' | 'sarsa';
  /** The network whose weights are saved (the online network). */
  readonly online: Network;
  readonly spec: ArchitectureSpec;
  readonly layout: FeatureLayout;
  /** Observations per state (DQN window W; 1 otherwise). */
  readonly window: number;
  /** N of the env. */
  readonly nodes: number;
  /** The env's observations carry the edge model's in-flight block. */
  readonly inFlight: boolean;
  /** Feature set the network reads. */
  readonly config: { features: FeatureSet };
  /** Env steps seen while training. */
  readonly step: number;
  /** Gradient updates applied. */
  readonly updates: number;
  readonly currentEpsilon: number;
  /** A frozen copy of the running feature statistics (`observationNorm: 'running'`), or null. */
  normalizerSnapshot(): FixedNormalizer | null;
  beginEpisode(obs: Float64Array, mask: Uint8Array): void;
  /** Action for the current state: ε-greedy when `explore`, else greedy; always legal under `mask`. */
  act(mask: Uint8Array, explore: boolean): number;
  observe(reward: number, terminated: boolean, truncated: boolean, nextObs: Float64Array, nextMask: Uint8Array): void;
}

/** Copy `src` (any dtype) into a float64 array. */
export function toFloat64(src: Vec): Float64Array {
  return Float64Array.from(src);
}
