/**
 * LSTM layer (Keras semantics: gate order i, f, c, o; recurrent activation sigmoid, activation tanh;
 * `return_sequences=False`), batch-first input `[rows, steps, inputs]`, output the last hidden state `[rows, U]`.
 *
 * The four gates are fused into one matmul per step, as tfjs' `LSTMCell` does:
 * `z_t = [x_t, h_{t-1}] · K + b` with the fused kernel `K = [kernel; recurrent_kernel]` of shape
 * `[inputs + U, 4U]` (Keras' `kernel` `[inputs, 4U]` stacked on `recurrent_kernel` `[U, 4U]`, so exporting to
 * Keras is a split at row `inputs`). The concatenated rows `[x_t, h_{t-1}]` are kept per step for backward.
 */
import type { Backend, Vec } from './backend.js';

export class Lstm {
  /** Last hidden state `[maxRows, units]`, valid after `forward`. */
  readonly h: Vec;
  private readonly xh: Vec[];
  private readonly hIn: Vec[];
  private readonly gates: Vec[];
  private readonly c: Vec[];
  private readonly tc: Vec[];
  private readonly dz: Vec;
  private readonly dc: Vec;
  private readonly dh: Vec;
  private readonly ones: Vec;
  private readonly kernelH: Vec;
  private readonly width: number;
  /** Sequence length of the next `forward` (≤ maxSteps). */
  steps: number;

  /**
   * @param kernel fused kernel view `[inputs + units, 4·units]`; `bias` `[4·units]`; `dKernel`, `dBias` alike.
   */
  constructor(
    private readonly backend: Backend,
    readonly inputs: number,
    readonly units: number,
    readonly maxSteps: number,
    readonly maxRows: number,
    private readonly kernel: Vec,
    private readonly bias: Vec,
    private readonly dKernel: Vec,
    private readonly dBias: Vec,
  ) {
    const U = units;
    this.width = inputs + U;
    this.xh = [];
    this.hIn = [];
    this.gates = [];
    this.tc = [];
    this.c = [backend.alloc(maxRows * U)];
    this.steps = maxSteps;
    for (let t = 0; t < maxSteps; t++) {
      const xh = backend.alloc(maxRows * this.width);
      this.xh.push(xh);
      this.hIn.push(xh.subarray(inputs));
      this.gates.push(backend.alloc(maxRows * 4 * U));
      this.c.push(backend.alloc(maxRows * U));
      this.tc.push(backend.alloc(maxRows * U));
    }
    this.h = backend.alloc(maxRows * U);
    this.dz = backend.alloc(maxRows * 4 * U);
    this.dc = backend.alloc(maxRows * U);
    this.dh = backend.alloc(maxRows * U);
    this.ones = backend.alloc(maxRows);
    this.ones.fill(1);
    this.kernelH = kernel.subarray(inputs * 4 * U);
  }

  /** Runs the sequence `x` `[rows, steps, inputs]` from zero state; returns `this.h` (`h_T`). */
  forward(x: Vec, rows: number): Vec {
    const { backend, inputs, units: U, steps, width } = this;
    for (let t = 0; t < steps; t++) {
      const xh = this.xh[t]!;
      for (let r = 0; r < rows; r++) {
        const src = (r * steps + t) * inputs;
        const dst = r * width;
        for (let i = 0; i < inputs; i++) xh[dst + i] = x[src + i];
      }
      // h_{t-1} of rows [r, inputs..] was written there by the previous step (zero for t = 0: never written).
      const z = this.gates[t]!;
      backend.gemmNN(this.ones, this.bias, z, rows, 1, 4 * U, false);
      backend.gemmNN(xh, this.kernel, z, rows, width, 4 * U, true);
      const last = t === steps - 1;
      backend.lstmCellForward(z, this.c[t]!, this.c[t + 1]!, this.tc[t]!, last ? this.h : this.hIn[t + 1]!, last ? U : width, rows, U);
    }
    return this.h;
  }

  /** Accumulates dL/dKernel, dL/dBias (backprop through time) given dL/dh_T `[rows, units]`. */
  backward(dhT: Vec, rows: number): void {
    const { backend, units: U, width } = this;
    const n = rows * U;
    const dh = this.dh;
    for (let i = 0; i < n; i++) dh[i] = dhT[i];
    this.dc.fill(0, 0, n);
    for (let t = this.steps - 1; t >= 0; t--) {
      backend.lstmCellBackward(this.gates[t]!, this.c[t]!, this.tc[t]!, dh, U, this.dc, this.dz, rows, U);
      backend.gemmTN(this.xh[t]!, this.dz, this.dKernel, width, rows, 4 * U, true);
      backend.gemmNN(this.ones, this.dz, this.dBias, 1, rows, 4 * U, true);
      // dL/dh_{t-1} = dz · K_hᵀ (the input part of [x, h] needs no gradient: nothing learnable precedes it).
      if (t > 0) backend.gemmNT(this.dz, this.kernelH, dh, rows, 4 * U, U, false);
    }
  }
}
