/**
 * The float32 {@link Backend} over the AssemblyScript SIMD kernels (`assembly/kernels.ts`, committed compiled as
 * `kernels-wasm.generated.ts` in two builds, plain and relaxed SIMD; see src/nn/README.md): loads a module once per process, gives each backend one
 * fixed-size memory with a bump allocator, and passes byte offsets into it to the kernels.
 */
import { setFlagsFromString } from 'node:v8';
import type { Backend, Vec } from './backend.js';
import { KERNELS_WASM_BASE64, KERNELS_WASM_RELAXED_BASE64 } from './kernels-wasm.generated.js';

interface KernelExports {
  gemm(a: number, sai: number, sap: number, b: number, c: number, m: number, k: number, n: number, acc: number): void;
  transpose(src: number, dst: number, rows: number, cols: number): void;
  adam(p: number, g: number, m: number, v: number, n: number, lrT: number, b1: number, b2: number, eps: number): void;
  relu(y: number, n: number): void;
  relu_bwd(y: number, dy: number, n: number): void;
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

/**
 * Which build of `assembly/kernels.ts`: `simd` (128-bit SIMD, multiply then add) or `relaxed` (the same kernels
 * with f32x4.relaxed_madd, which V8 lowers to FMA on CPUs with FMA3: one rounding instead of two, so results
 * differ from `simd` in the last bits, and training runs diverge from there; see src/nn/README.md).
 */
export type WasmKernelVariant = 'simd' | 'relaxed';
export const WASM_KERNEL_VARIANTS: readonly WasmKernelVariant[] = ['simd', 'relaxed'];

const compiled = new Map<WasmKernelVariant, WasmModule | null>();

/**
 * V8 flag that enables relaxed SIMD: standard in V8 ≥ 11.4 (Node 22), behind this flag in Node 20's V8 11.3.
 * Wasm features are read when a module is compiled, so setting the flag at run time, before the first compile,
 * is enough (checked by kernels-wasm.test.ts on the Node this runs on).
 */
export const RELAXED_SIMD_V8_FLAG = '--experimental-wasm-relaxed-simd';

/** The compiled module of a variant (once per process; ~6 KB, so synchronous compilation is fine), or null. */
function kernelModule(variant: WasmKernelVariant): WasmModule | null {
  if (compiled.has(variant)) return compiled.get(variant)!;
  const bytes = Buffer.from(variant === 'relaxed' ? KERNELS_WASM_RELAXED_BASE64 : KERNELS_WASM_BASE64, 'base64');
  let m: WasmModule | null = null;
  try {
    m = new WebAssembly.Module(bytes);
  } catch {
    if (variant === 'relaxed') {
      try {
        setFlagsFromString(RELAXED_SIMD_V8_FLAG);
        m = new WebAssembly.Module(bytes);
      } catch {
        m = null;
      }
    }
  }
  compiled.set(variant, m);
  return m;
}

/** True when this runtime can instantiate the SIMD kernels. */
export function wasmSimdAvailable(): boolean {
  return kernelModule('simd') !== null;
}

/** True when this runtime can instantiate the relaxed-SIMD (FMA) kernels (enabling V8's flag if needed). */
export function wasmRelaxedSimdAvailable(): boolean {
  return kernelModule('relaxed') !== null;
}

const WASM_PAGE_BYTES = 65536;
/** First byte handed out by the allocator: page 0 belongs to AssemblyScript's static data. */
const HEAP_START = WASM_PAGE_BYTES;

/** float32 backend over one WebAssembly memory and the SIMD kernels. */
export class WasmBackend implements Backend {
  readonly name: 'wasm-simd' | 'wasm-relaxed';
  readonly dtype = 'float32' as const;
  /** The kernel build this backend runs. */
  readonly variant: WasmKernelVariant;
  private readonly memory: WasmMemory;
  /**
   * `memory.buffer`, read once: the memory never grows, so the buffer never changes, and V8's `buffer` getter is
   * a runtime call that cost ~5 % of a small-MLP update when `ptr` read it on every kernel argument (bench/README.md).
   */
  private readonly buffer: ArrayBuffer;
  private readonly k: KernelExports;
  private next = HEAP_START;
  private readonly limit: number;
  private scratch: Float32Array | undefined;

  /**
   * @param capacityBytes bytes of memory reserved for buffers (default 16 MiB). The memory never grows after
   *   construction because growing would detach every view already handed out; `alloc` throws when full.
   * @param variant kernel build (default `simd`); throws when the runtime cannot compile it.
   */
  constructor(capacityBytes = 16 * 1024 * 1024, variant: WasmKernelVariant = 'simd') {
    const mod = kernelModule(variant);
    if (!mod) throw new RangeError(`WasmBackend: this runtime cannot compile the ${variant} kernels${variant === 'relaxed' ? ` (relaxed SIMD, V8 flag ${RELAXED_SIMD_V8_FLAG})` : ''}`);
    this.variant = variant;
    this.name = variant === 'relaxed' ? 'wasm-relaxed' : 'wasm-simd';
    const pages = Math.ceil((capacityBytes + HEAP_START) / WASM_PAGE_BYTES);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(mod, { env: { memory: this.memory } });
    this.k = instance.exports as unknown as KernelExports;
    this.buffer = this.memory.buffer;
    this.limit = pages * WASM_PAGE_BYTES;
  }

  alloc(n: number): Float32Array {
    const bytes = Math.ceil((n * 4) / 16) * 16;
    if (this.next + bytes > this.limit) {
      throw new RangeError(`WasmBackend: out of memory allocating ${n} floats (${this.limit - this.next} bytes left); pass a larger capacityBytes`);
    }
    const view = new Float32Array(this.buffer, this.next, n);
    this.next += bytes;
    return view;
  }

  /** Bytes handed out so far. */
  get usedBytes(): number {
    return this.next - HEAP_START;
  }

  private ptr(v: Vec): number {
    if (v.buffer !== this.buffer) throw new RangeError('WasmBackend: buffer was not allocated by this backend');
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

  relu(y: Vec, n: number): void {
    this.k.relu(this.ptr(y), n);
  }

  reluBackward(y: Vec, dy: Vec, n: number): void {
    this.k.relu_bwd(this.ptr(y), this.ptr(dy), n);
  }

  adam(p: Vec, g: Vec, m: Vec, v: Vec, lrT: number, beta1: number, beta2: number, epsilon: number): void {
    this.k.adam(this.ptr(p), this.ptr(g), this.ptr(m), this.ptr(v), p.length, lrT, beta1, beta2, epsilon);
  }
}
