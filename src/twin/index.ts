export * from '../core/reward.js';
export * from './traces.js';
export * from './mobility.js';
export * from './scenario.js';
export * from './scenarios.js';
export * from './world.js';
export * from './env.js';
export * from './oracle.js';
