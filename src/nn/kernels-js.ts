/**
 * The plain typed-array {@link Backend}: float64 is the numerical reference of the finite-difference gradient
 * tests; float32 is the fallback where WASM SIMD is unavailable.
 */
import type { Backend, DType, Vec } from './backend.js';

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

  relu(y: Vec, n: number): void {
    for (let i = 0; i < n; i++) if (y[i] < 0) y[i] = 0;
  }

  reluBackward(y: Vec, dy: Vec, n: number): void {
    for (let i = 0; i < n; i++) if (!(y[i] > 0)) dy[i] = 0;
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
