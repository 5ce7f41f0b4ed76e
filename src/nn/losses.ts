/**
 * Losses with their gradients, batch-first. Each returns the scalar loss and writes dL/dpred into `grad`.
 */
import type { Vec } from './backend.js';

/** Keras `mean_squared_error` over `count` elements: mean((p - t)²). grad = 2(p - t)/count. */
export function mse(pred: Vec, target: Vec, count: number, grad: Vec): number {
  let s = 0;
  for (let i = 0; i < count; i++) {
    const e = pred[i] - target[i];
    s += e * e;
    grad[i] = (2 * e) / count;
  }
  return s / count;
}

/** Huber of one error: ½e² for |e| ≤ δ, else δ(|e| − ½δ) (Keras `Huber`, keras-rl2 `huber_loss`). */
export function huberValue(e: number, delta: number): number {
  const a = Math.abs(e);
  return a <= delta ? 0.5 * e * e : delta * (a - 0.5 * delta);
}

/** Keras `Huber(delta)` mean over `count` elements. grad = clip(e, −δ, δ)/count. */
export function huber(pred: Vec, target: Vec, count: number, delta: number, grad: Vec): number {
  let s = 0;
  for (let i = 0; i < count; i++) {
    const e = pred[i] - target[i];
    s += huberValue(e, delta);
    grad[i] = Math.max(-delta, Math.min(delta, e)) / count;
  }
  return s / count;
}

/**
 * keras-rl2's DQN loss (`clipped_masked_error`): for each sample only the taken action's Q-value is trained,
 * per-sample loss `huber(Q(s,a) − y, δ)` (δ = ∞ by default, i.e. ½e², so "0.5·MSE"), averaged over the batch.
 * @param q `[rows, nActions]` predictions; `grad` receives dL/dq (zero for untaken actions).
 */
export function tdLoss(q: Vec, actions: Int32Array, targets: Vec | Float64Array, rows: number, nActions: number, delta: number, grad: Vec): number {
  let s = 0;
  grad.fill(0, 0, rows * nActions);
  for (let r = 0; r < rows; r++) {
    const k = r * nActions + actions[r]!;
    const e = q[k] - targets[r]!;
    s += huberValue(e, delta);
    grad[k] = (Math.abs(e) <= delta ? e : Math.sign(e) * delta) / rows;
  }
  return s / rows;
}

/**
 * {@link tdLoss} with a weight per sample: `(1/rows)·Σ_r w_r·huber(Q(s_r,a_r) − y_r, δ)`, grad `w_r·clip(e_r)/rows`.
 * Prioritized replay's importance-sampling correction (Schaul et al. 2016, Alg. 1 line 11: Δ += w_j·δ_j·∇Q) enters
 * here; with every `w_r = 1` it equals `tdLoss` exactly. The signed TD errors `Q − y` go to `errors[0..rows)` (the
 * new priorities are |δ| + ε).
 * @param q `[rows, nActions]` predictions; `grad` receives dL/dq (zero for untaken actions).
 */
export function weightedTdLoss(q: Vec, actions: Int32Array, targets: Vec | Float64Array, weights: Float64Array, rows: number, nActions: number, delta: number, grad: Vec, errors: Float64Array): number {
  let s = 0;
  grad.fill(0, 0, rows * nActions);
  for (let r = 0; r < rows; r++) {
    const k = r * nActions + actions[r]!;
    const e = q[k] - targets[r]!;
    const w = weights[r]!;
    errors[r] = e;
    s += w * huberValue(e, delta);
    grad[k] = (w * (Math.abs(e) <= delta ? e : Math.sign(e) * delta)) / rows;
  }
  return s / rows;
}
