/** The backend factory: WASM relaxed SIMD (FMA), else WASM SIMD for float32 where the runtime has it, plain JS otherwise. */
import type { Backend, BackendKind, DType } from './backend.js';
import { JsBackend } from './kernels-js.js';
import { WasmBackend, wasmRelaxedSimdAvailable, wasmSimdAvailable } from './kernels-wasm.js';

/** The kind {@link createBackend} picks for a dtype when none is asked for. */
export function defaultBackendKind(dtype: DType = 'float32'): BackendKind {
  if (dtype !== 'float32') return 'js';
  if (wasmRelaxedSimdAvailable()) return 'wasm-relaxed';
  return wasmSimdAvailable() ? 'wasm-simd' : 'js';
}

/**
 * A backend for a dtype: `kind`, or by default the fastest this runtime has ({@link defaultBackendKind}).
 * @param capacityBytes see {@link WasmBackend}.
 */
export function createBackend(dtype: DType = 'float32', kind?: BackendKind, capacityBytes?: number): Backend {
  const k = kind ?? defaultBackendKind(dtype);
  if (k === 'wasm-simd' || k === 'wasm-relaxed') {
    if (dtype !== 'float32') throw new RangeError(`backend ${k} supports float32 only, got ${dtype}`);
    return new WasmBackend(capacityBytes, k === 'wasm-relaxed' ? 'relaxed' : 'simd');
  }
  return new JsBackend(dtype);
}
