/** The backend factory: WASM SIMD for float32 where the runtime has it, plain JS otherwise. */
import type { Backend, BackendKind, DType } from './backend.js';
import { JsBackend } from './kernels-js.js';
import { WasmBackend, wasmSimdAvailable } from './kernels-wasm.js';

/**
 * The default backend for a dtype: wasm-simd for float32 when available, else js.
 * @param capacityBytes see {@link WasmBackend}.
 */
export function createBackend(dtype: DType = 'float32', kind?: BackendKind, capacityBytes?: number): Backend {
  const k = kind ?? (dtype === 'float32' && wasmSimdAvailable() ? 'wasm-simd' : 'js');
  if (k === 'wasm-simd') {
    if (dtype !== 'float32') throw new RangeError(`backend wasm-simd supports float32 only, got ${dtype}`);
    return new WasmBackend(capacityBytes);
  }
  return new JsBackend(dtype);
}
