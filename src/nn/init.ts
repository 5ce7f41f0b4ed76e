/**
 * Keras initialisers (tf.keras 2.x defaults of `Dense` and `LSTM`), drawing from a passed-in {@link Rng}.
 * The random streams differ from TensorFlow's, so only the distributions match Keras, not the exact numbers.
 */
import type { Rng } from '../core/rng.js';
import type { Vec } from './backend.js';

/**
 * Glorot (Xavier) uniform, Keras `glorot_uniform`: U(-l, l) with `l = sqrt(6 / (fanIn + fanOut))`, for a
 * kernel of shape `[fanIn, fanOut]` written row-major into `out` starting at `offset`.
 */
export function glorotUniform(rng: Rng, out: Vec, offset: number, fanIn: number, fanOut: number): void {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < fanIn * fanOut; i++) out[offset + i] = rng.uniformIn(-limit, limit);
}

/**
 * Keras `orthogonal` (gain 1) for a `[rows, cols]` matrix, as used for the LSTM recurrent kernel `[U, 4U]`.
 * Keras draws a normal matrix of shape `[max, min]`, takes Q of its QR decomposition with the signs of diag(R)
 * folded in (so the result is uniformly distributed), and transposes when rows < cols. Modified Gram-Schmidt
 * gives the same Q (its R has a positive diagonal by construction).
 */
export function orthogonal(rng: Rng, out: Vec, offset: number, rows: number, cols: number): void {
  const tall = Math.max(rows, cols);
  const narrow = Math.min(rows, cols);
  // q holds `narrow` column vectors of length `tall`, column-major.
  const q = new Float64Array(tall * narrow);
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  for (let j = 0; j < narrow; j++) {
    const cj = j * tall;
    for (let p = 0; p < j; p++) {
      const cp = p * tall;
      let dot = 0;
      for (let i = 0; i < tall; i++) dot += q[cp + i] * q[cj + i];
      for (let i = 0; i < tall; i++) q[cj + i] -= dot * q[cp + i];
    }
    let norm = 0;
    for (let i = 0; i < tall; i++) norm += q[cj + i] * q[cj + i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < tall; i++) q[cj + i] /= norm;
  }
  // Q is [tall, narrow]; the result is Q when rows >= cols, else Qᵀ.
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[offset + r * cols + c] = rows >= cols ? q[c * tall + r] : q[r * tall + c];
    }
  }
}
