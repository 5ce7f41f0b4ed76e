/** Remora's small-network kernels: pure functions and layers over typed arrays, f32 WASM SIMD or JS. */
export * from './backend.js';
export * from './create-backend.js';
export * from './kernels-js.js';
export * from './kernels-wasm.js';
export * from './dense.js';
export * from './lstm.js';
export * from './attention-pool.js';
export * from './network.js';
export * from './node-sequence.js';
export * from './params.js';
export * from './adam.js';
export * from './losses.js';
export * from './init.js';
export * from './tfjs-export.js';
