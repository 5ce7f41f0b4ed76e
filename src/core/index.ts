export * from './errors.js';
export * from './rng.js';
export * from './spaces.js';
export * from './env.js';
export * from './check-env.js';
export * from './vec-env.js';
export * from './observation.js';
export * from './version.js';
