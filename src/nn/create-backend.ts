/**
 * The backend factory. The default is the plain WASM SIMD build for float32 (plain JS otherwise): its results are the
 * same bytes on every machine. The relaxed-SIMD (FMA) build is faster (bench/README) but opt-in (`--kernels
 * wasm-relaxed`): relaxed SIMD lets each engine and CPU choose fused or unfused multiply-add, so the same seed may give
 * other model bytes on another machine, and the results in docs/results.md were measured on the plain build.
 */
import type { Backend, BackendKind, DType } from './backend.js';
import { JsBackend } from './kernels-js.js';
import { WasmBackend, wasmRelaxedSimdAvailable, wasmSimdAvailable } from './kernels-wasm.js';

/** The kind {@link createBackend} picks for a dtype when none is asked for. */
export function defaultBackendKind(dtype: DType = 'float32'): BackendKind {
  if (dtype !== 'float32') return 'js';
  return wasmSimdAvailable() ? 'wasm-simd' : 'js';
}

/** The fastest kind this runtime has for a dtype: the FMA build where relaxed SIMD compiles (what `bench train` measures). */
export function fastestBackendKind(dtype: DType = 'float32'): BackendKind {
  if (dtype === 'float32' && wasmRelaxedSimdAvailable()) return 'wasm-relaxed';
  return defaultBackendKind(dtype);
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
