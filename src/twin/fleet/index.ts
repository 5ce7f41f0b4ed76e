export * from './fleet-twin.js';
export * from './check-fleet.js';
export * from './ego-env.js';
