/**
 * Remora's learning agents: DQN (LSTM Q-network) and Deep SARSA with keras-rl2 semantics, their replay memory,
 * exploration, training loop and model files. `loadPolicy(path)` turns a saved `model.json` into a {@link Policy}.
 */
export { loadPolicy, loadModel, saveModel, POLICY_FORMAT, POLICY_FORMAT_VERSION, type PolicyHeader, type LoadedModel } from './policy-file.js';
export * from './agent.js';
export * from './dqn.js';
export * from './sarsa.js';
export * from './replay.js';
export * from './exploration.js';
export * from './features.js';
export * from './q-network.js';
export * from './q-policy.js';
export * from './trainer.js';
export * from './config.js';
export * from './factory.js';
export * from './registry.js';
export * from './coordination.js';
