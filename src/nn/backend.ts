/**
 * Compute backends for `src/nn`: where buffers live and who runs the hot kernels.
 *
 * - `wasm-simd` (float32): buffers are `Float32Array` views into one WebAssembly memory; GEMMs, LSTM cell
 *   element-wise work and Adam run in the AssemblyScript kernels of `assembly/kernels.ts` (128-bit SIMD).
 *   Measured on the 32x31x96 LSTM gate GEMM: ~21 GFLOP/s vs ~1.6 GFLOP/s for the plain-JS loops.
 * - `js` (float32 or float64): plain typed-array loops. float64 is the reference used by the finite-difference
 *   gradient tests; float32-js is the fallback where WASM SIMD is unavailable.
 *
 * All buffers come from {@link Backend.alloc} up front (layers preallocate for their maximum batch); nothing
 * here allocates per update. Views handed to a wasm backend MUST come from that backend's `alloc` (or be
 * subarrays of such buffers): kernels receive byte offsets into its memory.
 */
import { KERNELS_WASM_BASE64 } from './kernels-wasm.generated.js';

/** Element type of every buffer of a network. */
export type DType = 'float32' | 'float64';
/** A numeric buffer of either precision. */
export type Vec = Float32Array | Float64Array;

export interface Backend {
  readonly name: 'wasm-simd' | 'js';
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
  /** One Adam update over `n = p.length` elements; `lrT` already includes the bias corrections. */
  adam(p: Vec, g: Vec, m: Vec, v: Vec, lrT: number, beta1: number, beta2: number, epsilon: number): void;
}

// ---------------------------------------------------------------- plain JS

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Plain typed-array backend; float64 is the numerical reference. */
export class JsBackend implements Backend {
  readonly name = 'js' as const;
  constructor(readonly dtype: DType) {}

  alloc(n: number): Vec {
    return this.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  }

  gemmNN(A: Vec, B: Vec, C: Vec, m: number, k: number, n: number, acc: boolean): void {
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      if (!acc) for (let j = 0; j < n; j++) C[ci + j] = 0;
      for (let p = 0; p < k; p++) {
        const a = A[i * k + p];
        if (a === 0) continue;
        const bp = p * n;
        for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j];
      }
    }
  }

  gemmTN(A: Vec, B: Vec, C: Vec, m: number, k: number, n: number, acc: boolean): void {
    if (!acc) C.fill(0, 0, m * n);
    for (let p = 0; p < k; p++) {
      const bp = p * n;
      for (let i = 0; i < m; i++) {
        const a = A[p * m + i];
        if (a === 0) continue;
        const ci = i * n;
        for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j];
      }
    }
  }

  gemmNT(A: Vec, B: Vec, C: Vec, m: number, k: number, n: number, acc: boolean): void {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = acc ? C[i * n + j] : 0;
        for (let p = 0; p < k; p++) s += A[i * k + p] * B[j * k + p];
        C[i * n + j] = s;
      }
    }
  }

  lstmCellForward(z: Vec, cPrev: Vec, c: Vec, tc: Vec, h: Vec, hStride: number, rows: number, units: number): void {
    const U = units;
    for (let r = 0; r < rows; r++) {
      const zr = r * 4 * U;
      for (let j = 0; j < U; j++) {
        const ig = sigmoid(z[zr + j]);
        const fg = sigmoid(z[zr + U + j]);
        const gg = Math.tanh(z[zr + 2 * U + j]);
        const og = sigmoid(z[zr + 3 * U + j]);
        z[zr + j] = ig;
        z[zr + U + j] = fg;
        z[zr + 2 * U + j] = gg;
        z[zr + 3 * U + j] = og;
        const cv = fg * cPrev[r * U + j] + ig * gg;
        c[r * U + j] = cv;
        const t = Math.tanh(cv);
        tc[r * U + j] = t;
        h[r * hStride + j] = og * t;
      }
    }
  }

  lstmCellBackward(gates: Vec, cPrev: Vec, tc: Vec, dh: Vec, dhStride: number, dc: Vec, dz: Vec, rows: number, units: number): void {
    const U = units;
    for (let r = 0; r < rows; r++) {
      const gr = r * 4 * U;
      for (let j = 0; j < U; j++) {
        const ig = gates[gr + j], fg = gates[gr + U + j], gg = gates[gr + 2 * U + j], og = gates[gr + 3 * U + j];
        const t = tc[r * U + j];
        const dhv = dh[r * dhStride + j];
        const dcv = dc[r * U + j] + dhv * og * (1 - t * t);
        dz[gr + j] = dcv * gg * ig * (1 - ig);
        dz[gr + U + j] = dcv * cPrev[r * U + j] * fg * (1 - fg);
        dz[gr + 2 * U + j] = dcv * ig * (1 - gg * gg);
        dz[gr + 3 * U + j] = dhv * t * og * (1 - og);
        dc[r * U + j] = dcv * fg;
      }
    }
  }

  adam(p: Vec, g: Vec, m: Vec, v: Vec, lrT: number, beta1: number, beta2: number, epsilon: number): void {
    const n = p.length;
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = beta1 * m[i] + (1 - beta1) * gi;
      const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= (lrT * mi) / (Math.sqrt(vi) + epsilon);
    }
  }
}

// ---------------------------------------------------------------- WASM SIMD

interface KernelExports {
  gemm(a: number, sai: number, sap: number, b: number, c: number, m: number, k: number, n: number, acc: number): void;
  transpose(src: number, dst: number, rows: number, cols: number): void;
  adam(p: number, g: number, m: number, v: number, n: number, lrT: number, b1: number, b2: number, eps: number): void;
  lstm_cell_fwd(z: number, cPrev: number, c: number, tc: number, h: number, hStride: number, rows: number, units: number): void;
  lstm_cell_bwd(gates: number, cPrev: number, tc: number, dh: number, dhStride: number, dc: number, dz: number, rows: number, units: number): void;
}

// Minimal typings: our lib (ES2022, no DOM) and @types/node 20 do not declare the WebAssembly namespace.
interface WasmModule { readonly __wasmModule?: never }
interface WasmMemory { readonly buffer: ArrayBuffer }
interface WasmInstance { readonly exports: Record<string, unknown> }
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (desc: { initial: number; maximum?: number }) => WasmMemory;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
};

let compiledModule: WasmModule | undefined;

/** The compiled kernel module (compiled once per process; ~3 KB, so synchronous compilation is fine). */
function kernelModule(): WasmModule {
  compiledModule ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
  return compiledModule;
}

/** True when this runtime can instantiate the SIMD kernels. */
export function wasmSimdAvailable(): boolean {
  try {
    kernelModule();
    return true;
  } catch {
    return false;
  }
}

const WASM_PAGE_BYTES = 65536;
/** First byte handed out by the allocator: page 0 belongs to AssemblyScript's static data. */
const HEAP_START = WASM_PAGE_BYTES;

/** float32 backend over one WebAssembly memory and the SIMD kernels. */
export class WasmBackend implements Backend {
  readonly name = 'wasm-simd' as const;
  readonly dtype = 'float32' as const;
  private readonly memory: WasmMemory;
  private readonly k: KernelExports;
  private next = HEAP_START;
  private readonly limit: number;
  private scratch: Float32Array | undefined;

  /**
   * @param capacityBytes bytes of memory reserved for buffers (default 16 MiB). The memory never grows after
   *   construction because growing would detach every view already handed out; `alloc` throws when full.
   */
  constructor(capacityBytes = 16 * 1024 * 1024) {
    const pages = Math.ceil((capacityBytes + HEAP_START) / WASM_PAGE_BYTES);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(kernelModule(), { env: { memory: this.memory } });
    this.k = instance.exports as unknown as KernelExports;
    this.limit = pages * WASM_PAGE_BYTES;
  }

  alloc(n: number): Float32Array {
    const bytes = Math.ceil((n * 4) / 16) * 16;
    if (this.next + bytes > this.limit) {
      throw new RangeError(`WasmBackend: out of memory allocating ${n} floats (${this.limit - this.next} bytes left); pass a larger capacityBytes`);
    }
    const view = new Float32Array(this.memory.buffer, this.next, n);
    this.next += bytes;
    return view;
  }

  /** Bytes handed out so far. */
  get usedBytes(): number {
    return this.next - HEAP_START;
  }

  private ptr(v: Vec): number {
    if (v.buffer !== this.memory.buffer) throw new RangeError('WasmBackend: buffer was not allocated by this backend');
    return v.byteOffset;
  }

  gemmNN(A: Vec, B: Vec, C: Vec, m: number, k: number, n: number, acc: boolean): void {
    this.k.gemm(this.ptr(A), k, 1, this.ptr(B), this.ptr(C), m, k, n, acc ? 1 : 0);
  }

  gemmTN(A: Vec, B: Vec, C: Vec, m: number, k: number, n: number, acc: boolean): void {
    this.k.gemm(this.ptr(A), 1, m, this.ptr(B), this.ptr(C), m, k, n, acc ? 1 : 0);
  }

  gemmNT(A: Vec, B: Vec, C: Vec, m: number, k: number, n: number, acc: boolean): void {
    // Transposing B ([n,k] -> [k,n]) costs n·k moves against m·n·k multiply-adds, and lets the NN kernel
    // stream contiguous rows of B.
    if (!this.scratch || this.scratch.length < n * k) this.scratch = this.alloc(Math.max(n * k, 4096));
    const s = this.scratch.byteOffset;
    this.k.transpose(this.ptr(B), s, n, k);
    this.k.gemm(this.ptr(A), k, 1, s, this.ptr(C), m, k, n, acc ? 1 : 0);
  }

  lstmCellForward(z: Vec, cPrev: Vec, c: Vec, tc: Vec, h: Vec, hStride: number, rows: number, units: number): void {
    this.k.lstm_cell_fwd(this.ptr(z), this.ptr(cPrev), this.ptr(c), this.ptr(tc), this.ptr(h), hStride, rows, units);
  }

  lstmCellBackward(gates: Vec, cPrev: Vec, tc: Vec, dh: Vec, dhStride: number, dc: Vec, dz: Vec, rows: number, units: number): void {
    this.k.lstm_cell_bwd(this.ptr(gates), this.ptr(cPrev), this.ptr(tc), this.ptr(dh), dhStride, this.ptr(dc), this.ptr(dz), rows, units);
  }

  adam(p: Vec, g: Vec, m: Vec, v: Vec, lrT: number, beta1: number, beta2: number, epsilon: number): void {
    this.k.adam(this.ptr(p), this.ptr(g), this.ptr(m), this.ptr(v), p.length, lrT, beta1, beta2, epsilon);
  }
}

/** Which backend to build. */
export type BackendKind = 'wasm-simd' | 'js';

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
