/**
 * The compute-backend contract of `src/nn`: where buffers live and who runs the hot kernels. Implementations:
 * `kernels-js.ts` (plain JS) and `kernels-wasm.ts` (WASM SIMD loader); `create-backend.ts` picks one.
 *
 * - `wasm-simd` (float32): buffers are `Float32Array` views into one WebAssembly memory; GEMMs, LSTM cell
 *   element-wise work and Adam run in the AssemblyScript kernels of `assembly/kernels.ts` (128-bit SIMD).
 *   Measured on the 32x33x96 LSTM gate GEMM: ~30 GFLOP/s vs ~1.6 GFLOP/s for the plain-JS loops.
 * - `wasm-relaxed` (float32): the same kernels built with relaxed SIMD, whose multiply-adds are FMAs where the
 *   CPU has them (~38 GFLOP/s on that GEMM, +15-20 % per update; bench/README.md). The default where the runtime
 *   compiles it (Node 20 needs a V8 flag, set at run time by kernels-wasm.ts); results differ from `wasm-simd`
 *   in the last bits (one rounding per multiply-add instead of two).
 * - `js` (float32 or float64): plain typed-array loops. float64 is the reference used by the finite-difference
 *   gradient tests; float32-js is the fallback where WASM SIMD is unavailable.
 *
 * All buffers come from {@link Backend.alloc} up front (layers preallocate for their maximum batch); nothing
 * here allocates per update. Views handed to a wasm backend MUST come from that backend's `alloc` (or be
 * subarrays of such buffers): kernels receive byte offsets into its memory.
 */

/** Element type of every buffer of a network. */
export type DType = 'float32' | 'float64';
/** A numeric buffer of either precision. */
export type Vec = Float32Array | Float64Array;

export interface Backend {
  readonly name: BackendKind;
  readonly dtype: DType;
  /** A zero-filled buffer of `n` elements, owned by this backend. */
  alloc(n: number): Vec;
  /** `C[m,n] (+)= A[m,k] · B[k,n]` (row-major, contiguous). `acc` accumulates into C. */
  gemmNN(A: Vec, B: Vec, C: Vec, m: number, k: number, n: number, acc: boolean): void;
  /** `C[m,n] (+)= Aᵀ · B` with A stored `[k,m]`, B `[k,n]`. */
  gemmTN(A: Vec, B: Vec, C: Vec, m: number, k: number, n: number, acc: boolean): void;
  /** `C[m,n] (+)= A · Bᵀ` with A stored `[m,k]`, B `[n,k]`. */
  gemmNT(A: Vec, B: Vec, C: Vec, m: number, k: number, n: number, acc: boolean): void;
  /**
   * LSTM cell forward (Keras gate order i, f, c, o; sigmoid recurrent activation, tanh activation).
   * `z` [rows,4U] pre-activations, overwritten by activated gates; `cPrev`,`c`,`tc`=tanh(c) [rows,U];
   * `h` receives `o·tanh(c)` with row stride `hStride`.
   */
  lstmCellForward(z: Vec, cPrev: Vec, c: Vec, tc: Vec, h: Vec, hStride: number, rows: number, units: number): void;
  /**
   * LSTM cell backward. `dh` [rows,U] (row stride `dhStride`), `dc` [rows,U]: dL/dc_t in, dL/dc_{t-1} out;
   * `dz` [rows,4U] receives dL/dz (pre-activation gate gradients).
   */
  lstmCellBackward(gates: Vec, cPrev: Vec, tc: Vec, dh: Vec, dhStride: number, dc: Vec, dz: Vec, rows: number, units: number): void;
  /** ReLU in place over the first `n` elements: `y = y < 0 ? 0 : y`. */
  relu(y: Vec, n: number): void;
  /** ReLU backward in place: `dy = y > 0 ? dy : 0` over the first `n` elements, `y` the ReLU's output. */
  reluBackward(y: Vec, dy: Vec, n: number): void;
  /** One Adam update over `n = p.length` elements; `lrT` already includes the bias corrections. */
  adam(p: Vec, g: Vec, m: Vec, v: Vec, lrT: number, beta1: number, beta2: number, epsilon: number): void;
}

/** Which backend to build. */
export type BackendKind = 'wasm-relaxed' | 'wasm-simd' | 'js';
export const BACKEND_KINDS: readonly BackendKind[] = ['wasm-relaxed', 'wasm-simd', 'js'];
