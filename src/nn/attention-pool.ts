/**
 * One-head dot-product attention pooling (the node-sequence network's `'attention'` context, see
 * `node-sequence.ts`): for each row, with the serving node's features as the query,
 *
 *   q = x_cur·W_q,  k_i = x_i·W_k,  v_i = ReLU(x_i·W_v),  a_i = softmax_i(q·k_i / √D),  c = Σ_i a_i v_i.
 *
 * The three projections are {@link Dense} layers owned by the caller (their weights live in the network's flat
 * parameter buffer). Forward keeps the softmax weights for backward; no buffer is allocated after construction.
 */
import type { Backend, Vec } from './backend.js';
import type { Dense } from './dense.js';

export class AttentionPool {
  readonly c: Vec;
  private readonly scores: Float64Array;
  private readonly dq: Vec;
  private readonly dk: Vec;
  private readonly dv: Vec;
  private readonly da: Float64Array;

  /**
   * @param q query projection `[F, D]`, linear, sized for `maxRows` rows.
   * @param k, v key (linear) and value (ReLU) projections `[F, D]`, sized for `maxRows·maxNodes` rows.
   */
  constructor(backend: Backend, readonly D: number, maxRows: number, maxNodes: number, private readonly q: Dense, private readonly k: Dense, private readonly v: Dense) {
    this.c = backend.alloc(maxRows * D);
    this.scores = new Float64Array(maxRows * maxNodes);
    this.dq = backend.alloc(maxRows * D);
    this.dk = backend.alloc(maxRows * maxNodes * D);
    this.dv = backend.alloc(maxRows * maxNodes * D);
    this.da = new Float64Array(maxNodes);
  }

  /** `xCur` [rows, F] (query source), `x` [rows·N, F] (keys and values). Writes `this.c` [rows, D]. */
  forward(xCur: Vec, x: Vec, rows: number, N: number): Vec {
    const D = this.D, scale = 1 / Math.sqrt(D);
    const q = this.q.forward(xCur, rows), k = this.k.forward(x, rows * N), v = this.v.forward(x, rows * N);
    const a = this.scores, c = this.c;
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      for (let i = 0; i < N; i++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += q[r * D + d] * k[(r * N + i) * D + d];
        s *= scale;
        a[r * N + i] = s;
        if (s > max) max = s;
      }
      let z = 0;
      for (let i = 0; i < N; i++) z += a[r * N + i] = Math.exp(a[r * N + i]! - max);
      for (let d = 0; d < D; d++) c[r * D + d] = 0;
      for (let i = 0; i < N; i++) {
        const w = (a[r * N + i]! /= z);
        for (let d = 0; d < D; d++) c[r * D + d] += w * v[(r * N + i) * D + d];
      }
    }
    return c;
  }

  /** Given dL/dc [rows, D], accumulates the q/k/v Dense gradients (their inputs need none). */
  backward(xCur: Vec, x: Vec, dc: Vec, rows: number, N: number): void {
    const D = this.D, scale = 1 / Math.sqrt(D);
    const q = this.q.y, k = this.k.y, v = this.v.y, a = this.scores, da = this.da;
    const { dq, dk, dv } = this;
    for (let r = 0; r < rows; r++) {
      let dot = 0;
      for (let i = 0; i < N; i++) {
        let s = 0;
        for (let d = 0; d < D; d++) {
          s += dc[r * D + d] * v[(r * N + i) * D + d];
          dv[(r * N + i) * D + d] = a[r * N + i]! * dc[r * D + d];
        }
        da[i] = s;
        dot += a[r * N + i]! * s;
      }
      for (let d = 0; d < D; d++) dq[r * D + d] = 0;
      for (let i = 0; i < N; i++) {
        const ds = a[r * N + i]! * (da[i]! - dot) * scale;
        for (let d = 0; d < D; d++) {
          dq[r * D + d] += ds * k[(r * N + i) * D + d];
          dk[(r * N + i) * D + d] = ds * q[r * D + d];
        }
      }
    }
    this.q.backward(xCur, dq, rows);
    this.k.backward(x, dk, rows * N);
    this.v.backward(x, dv, rows * N);
  }
}
