export * from './simple.js';
export * from './greedy.js';
export * from './threshold.js';
