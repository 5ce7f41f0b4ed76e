/**
 * Remora's public API (the package's main entry, `dist/index.js`).
 *
 * ```ts
 * import { twin, agents, experiments } from 'remora';
 * const env = twin.makeEnv(twin.loadScenario('sr111'));
 * ```
 * Namespaces keep the layers apart: `core` (the Env contract and the paper's equations), `twin` (the digital
 * twin and the oracle), `nn` (kernels), `agents` (DQN, SARSA, baselines, model files), `experiments` (evaluation,
 * figures, reproduce) and `cluster` (the Kubernetes controller).
 */
export * as core from './core/index.js';
export * as twin from './twin/index.js';
export * as nn from './nn/index.js';
export * as agents from './agents/index.js';
export * as baselines from './agents/baselines/index.js';
export * as experiments from './experiments/index.js';
export * as cluster from './cluster/index.js';
