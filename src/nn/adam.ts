/**
 * Adam with tf.keras defaults (β1 0.9, β2 0.999, ε 1e-7) in TensorFlow's form (`tf.raw_ops.ApplyAdam`, used by
 * tf.keras 2.x under keras-rl2): `lr_t = lr·sqrt(1-β2^t)/(1-β1^t)`, `p -= lr_t·m/(sqrt(v)+ε)`.
 * TF.js's AdamOptimizer instead divides the bias-corrected moments, `p -= lr·m̂/(sqrt(v̂)+ε)`, which equals the
 * TF form with ε replaced by `ε·sqrt(1-β2^t)`. The forms differ visibly when |g| ≲ 1e-5 (early steps move such
 * parameters by ~0.6·lr instead of ~lr), so `epsilonForm: 'tfjs'` exists for parity tests against TF.js.
 */
import type { Backend, Vec } from './backend.js';

export interface AdamOptions {
  /** Learning rate α (Table II: 0.001). */
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Where ε enters (see the file comment). Default `'tf-keras'`, what keras-rl2 trained with. */
  epsilonForm?: 'tf-keras' | 'tfjs';
}

export class Adam {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly epsilonForm: 'tf-keras' | 'tfjs';
  /** Updates applied so far. */
  t = 0;
  /** First and second moment estimates, same layout as the parameters. */
  readonly m: Vec;
  readonly v: Vec;

  constructor(private readonly backend: Backend, size: number, opts: AdamOptions = {}) {
    this.learningRate = opts.learningRate ?? 1e-3;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-7;
    this.epsilonForm = opts.epsilonForm ?? 'tf-keras';
    this.m = backend.alloc(size);
    this.v = backend.alloc(size);
  }

  /** One update of `params` with `grads` (both from the same backend as this optimizer). */
  step(params: Vec, grads: Vec): void {
    this.t++;
    const c2 = Math.sqrt(1 - this.beta2 ** this.t);
    const lrT = (this.learningRate * c2) / (1 - this.beta1 ** this.t);
    const eps = this.epsilonForm === 'tfjs' ? this.epsilon * c2 : this.epsilon;
    this.backend.adam(params, grads, this.m, this.v, lrT, this.beta1, this.beta2, eps);
  }
}

/**
 * Scales `grads` in place so their global L2 norm is at most `maxNorm` (tf.clip_by_global_norm; keras
 * `clipnorm` is per-tensor, we clip globally as most DQN implementations do). Returns the norm before clipping.
 */
export function clipGlobalNorm(grads: Vec, maxNorm: number): number {
  let s = 0;
  for (let i = 0; i < grads.length; i++) s += grads[i] * grads[i];
  const norm = Math.sqrt(s);
  if (norm > maxNorm) {
    const k = maxNorm / norm;
    for (let i = 0; i < grads.length; i++) grads[i] *= k;
  }
  return norm;
}
