/**
 * Fully connected layer `y = act(x·W + b)`, batch-first: x `[rows, in]`, W `[in, out]` (Keras kernel layout),
 * b `[out]`, y `[rows, out]`. Buffers are preallocated for `maxRows`; `forward`/`backward` never allocate.
 */
import type { Backend, Vec } from './backend.js';

/** Activation of a {@link Dense} layer. */
export type Activation = 'linear' | 'relu';

export class Dense {
  /** Output `[maxRows, units]`, post-activation; valid after `forward`. */
  readonly y: Vec;
  /** dL/dx `[maxRows, inputs]`, written by `backward` when the layer was built with `inputGrad`. */
  readonly dx: Vec | null;
  private readonly ones: Vec;

  /**
   * @param W kernel view `[inputs, units]` into the network's parameter buffer; `b` bias `[units]`.
   * @param dW, db gradient views with the same layout (accumulated into by `backward`).
   */
  constructor(
    private readonly backend: Backend,
    readonly inputs: number,
    readonly units: number,
    readonly activation: Activation,
    readonly maxRows: number,
    private readonly W: Vec,
    private readonly b: Vec,
    private readonly dW: Vec,
    private readonly db: Vec,
    inputGrad: boolean,
  ) {
    this.y = backend.alloc(maxRows * units);
    this.dx = inputGrad ? backend.alloc(maxRows * inputs) : null;
    this.ones = backend.alloc(maxRows);
    this.ones.fill(1);
  }

  /** `y = act(x·W + b)` for the first `rows` rows of `x`. Returns `this.y`. */
  forward(x: Vec, rows: number): Vec {
    const { backend, y, units } = this;
    // Bias broadcast as a rank-1 GEMM (ones[rows,1]·b[1,out]) keeps the work inside the backend.
    backend.gemmNN(this.ones, this.b, y, rows, 1, units, false);
    backend.gemmNN(x, this.W, y, rows, this.inputs, units, true);
    if (this.activation === 'relu') backend.relu(y, rows * units);
    return y;
  }

  /**
   * Accumulates dL/dW and dL/db given dL/dy `[rows, units]` (overwritten with dL/d(pre-activation)), for the
   * input `x` last passed to `forward`. Writes dL/dx into `this.dx` when enabled. Returns `this.dx`.
   */
  backward(x: Vec, dy: Vec, rows: number): Vec | null {
    const { backend, y, units } = this;
    if (this.activation === 'relu') backend.reluBackward(y, dy, rows * units);
    backend.gemmTN(x, dy, this.dW, this.inputs, rows, units, true);
    backend.gemmNN(this.ones, dy, this.db, 1, rows, units, true);
    if (this.dx) backend.gemmNT(dy, this.W, this.dx, rows, units, this.inputs, false);
    return this.dx;
  }
}
