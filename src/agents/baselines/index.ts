export * from './simple.js';
export * from './greedy.js';
export * from './threshold.js';
export * from './sla-greedy.js';
export * from './hysteresis.js';
export * from './lookahead.js';
export * from './lookahead-plan.js';
