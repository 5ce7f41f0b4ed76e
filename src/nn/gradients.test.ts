// Finite-difference gradient checks (float64, JS backend) for every kernel: Dense (linear, ReLU), the fused
// LSTM with BPTT, attention pooling, both assembled networks, and the MSE / Huber / TD losses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import type { Vec } from './backend.js';
import { JsBackend } from './kernels-js.js';
import { createNetwork, type ArchitectureSpec, type Network } from './network.js';
import { huber, mse, tdLoss } from './losses.js';
import { Dense } from './dense.js';
import { Lstm } from './lstm.js';
import { AttentionPool } from './attention-pool.js';

const b64 = new JsBackend('float64');
const EPS = 1e-6;

/** Central differences of `f` w.r.t. every element of `x`; compares to `analytic` with a relative tolerance. */
function checkGrad(name: string, x: Vec, analytic: Vec, f: () => number, tol = 1e-6): void {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i];
    x[i] = x0 + EPS;
    const fp = f();
    x[i] = x0 - EPS;
    const fm = f();
    x[i] = x0;
    const num = (fp - fm) / (2 * EPS);
    const err = Math.abs(num - analytic[i]) / Math.max(1, Math.abs(num), Math.abs(analytic[i]));
    worst = Math.max(worst, err);
  }
  assert.ok(worst < tol, `${name}: worst relative gradient error ${worst} >= ${tol}`);
}

function randomFill(rng: Rng, v: Vec, scale = 1): void {
  for (let i = 0; i < v.length; i++) v[i] = rng.uniformIn(-scale, scale);
}

/** loss = Σ out ⊙ w for fixed random w: dL/dout = w. */
function netCheck(spec: ArchitectureSpec, rows: number, seed: number): void {
  const rng = new Rng(seed);
  const net: Network = createNetwork(spec, { backend: b64, maxRows: rows, rng });
  randomFill(rng, net.input, 2);
  const w = new Float64Array(rows * net.outputSize);
  randomFill(rng, w);
  const loss = (): number => {
    const y = net.forward(rows);
    let s = 0;
    for (let i = 0; i < w.length; i++) s += y[i] * w[i];
    return s;
  };
  loss();
  net.zeroGrads();
  net.backward(w.slice(), rows);
  checkGrad(`${spec.kind} params`, net.params, net.grads.slice(), loss);
}

test('Dense (linear and ReLU) parameter and input gradients match finite differences', () => {
  for (const act of ['linear', 'relu'] as const) {
    const rng = new Rng(act === 'relu' ? 1 : 2);
    const rows = 5, inp = 7, units = 6;
    const W = new Float64Array(inp * units), bias = new Float64Array(units);
    randomFill(rng, W);
    randomFill(rng, bias, 0.5);
    const dW = new Float64Array(W.length), db = new Float64Array(units);
    const layer = new Dense(b64, inp, units, act, rows, W, bias, dW, db, true);
    const x = new Float64Array(rows * inp);
    randomFill(rng, x, 2);
    const w = new Float64Array(rows * units);
    randomFill(rng, w);
    const f = (): number => {
      const y = layer.forward(x, rows);
      let s = 0;
      for (let i = 0; i < w.length; i++) s += y[i] * w[i];
      return s;
    };
    f();
    const dx = layer.backward(x, w.slice(), rows)!.slice();
    checkGrad(`dense ${act} W`, W, dW.slice(), f);
    checkGrad(`dense ${act} b`, bias, db.slice(), f);
    checkGrad(`dense ${act} x`, x, dx, f);
  }
});

test('LSTM (fused gates, BPTT over 4 steps) kernel and bias gradients match finite differences', () => {
  const rng = new Rng(3);
  const rows = 3, inp = 5, U = 4, T = 4;
  const K = new Float64Array((inp + U) * 4 * U), bias = new Float64Array(4 * U);
  randomFill(rng, K, 0.7);
  randomFill(rng, bias, 0.5);
  const dK = new Float64Array(K.length), dB = new Float64Array(bias.length);
  const lstm = new Lstm(b64, inp, U, T, rows, K, bias, dK, dB);
  const x = new Float64Array(rows * T * inp);
  randomFill(rng, x, 1.5);
  const w = new Float64Array(rows * U);
  randomFill(rng, w);
  const f = (): number => {
    const h = lstm.forward(x, rows);
    let s = 0;
    for (let i = 0; i < w.length; i++) s += h[i] * w[i];
    return s;
  };
  f();
  lstm.backward(w, rows);
  checkGrad('lstm kernel', K, dK.slice(), f);
  checkGrad('lstm bias', bias, dB.slice(), f);
});

test('AttentionPool (softmax over 4 nodes) query, key and value projection gradients match finite differences', () => {
  const rng = new Rng(5);
  const rows = 3, N = 4, F = 3, D = 5;
  const proj = (act: 'linear' | 'relu', projRows: number) => {
    const W = new Float64Array(F * D), bias = new Float64Array(D), dW = new Float64Array(W.length), db = new Float64Array(D);
    randomFill(rng, W);
    randomFill(rng, bias, 0.5);
    return { W, bias, dW, db, layer: new Dense(b64, F, D, act, projRows, W, bias, dW, db, false) };
  };
  const q = proj('linear', rows), k = proj('linear', rows * N), v = proj('relu', rows * N);
  const pool = new AttentionPool(b64, D, rows, N, q.layer, k.layer, v.layer);
  const xCur = new Float64Array(rows * F), x = new Float64Array(rows * N * F);
  randomFill(rng, xCur, 1.5);
  randomFill(rng, x, 1.5);
  const w = new Float64Array(rows * D);
  randomFill(rng, w);
  const f = (): number => {
    const c = pool.forward(xCur, x, rows, N);
    let s = 0;
    for (let i = 0; i < w.length; i++) s += c[i] * w[i];
    return s;
  };
  f();
  pool.backward(xCur, x, w.slice(), rows, N);
  for (const [name, p] of [['query', q], ['key', k], ['value', v]] as const) {
    checkGrad(`attention ${name} W`, p.W, p.dW.slice(), f);
    checkGrad(`attention ${name} b`, p.bias, p.db.slice(), f);
  }
});

test('MLP(24,24) and LSTM(24)→Dense(24)→Dense(4) network gradients match finite differences', () => {
  netCheck({ kind: 'mlp', inputSize: 9, hidden: [24, 24], outputs: 4 }, 6, 11);
  netCheck({ kind: 'lstm-mlp', inputSize: 9, steps: 4, lstmUnits: 24, hidden: [24], outputs: 4 }, 5, 12);
  netCheck({ kind: 'lstm-mlp', inputSize: 3, steps: 1, lstmUnits: 5, hidden: [], outputs: 2 }, 2, 13);
});

test('MSE, Huber and the keras-rl2 TD loss gradients match finite differences', () => {
  const rng = new Rng(4);
  const n = 12;
  const p = new Float64Array(n), t = new Float64Array(n), g = new Float64Array(n), scratch = new Float64Array(n);
  randomFill(rng, p, 3);
  randomFill(rng, t, 3);
  mse(p, t, n, g);
  checkGrad('mse', p, g.slice(), () => mse(p, t, n, scratch));
  huber(p, t, n, 1, g);
  checkGrad('huber', p, g.slice(), () => huber(p, t, n, 1, scratch));
  const rows = 4, A = 3;
  const actions = Int32Array.from([0, 2, 1, 2]);
  const y = Float64Array.from([0.5, -1, 2, 0]);
  for (const delta of [Infinity, 0.7]) {
    tdLoss(p, actions, y, rows, A, delta, g);
    checkGrad(`td δ=${delta}`, p, g.slice(), () => tdLoss(p, actions, y, rows, A, delta, scratch));
  }
});

test('size-agnostic node-sequence network: gradients match finite differences for N = 3 and N = 5 (same weights)', () => {
  for (const context of ['attention', 'lstm', 'none'] as const) netCheck({ kind: 'node-seq', featureSize: 3, context, contextUnits: 5, hidden: [6], nodes: 3 }, 4, 14);
  const rng = new Rng(15);
  const net = createNetwork({ kind: 'node-seq', featureSize: 3, context: 'attention', contextUnits: 5, hidden: [6], nodes: 3 }, { backend: b64, maxRows: 2, rng }) as import('./node-sequence.js').NodeSequenceNetwork;
  net.setNodes(5);
  assert.equal(net.inputSize, 15);
  assert.equal(net.outputSize, 6);
  for (let i = 0; i < 2 * 15; i++) net.input[i] = rng.uniformIn(-1, 1);
  const w = new Float64Array(2 * 6);
  randomFill(rng, w);
  const f = (): number => {
    const y = net.forward(2);
    let s = 0;
    for (let i = 0; i < w.length; i++) s += y[i] * w[i];
    return s;
  };
  f();
  net.zeroGrads();
  net.backward(w.slice(), 2);
  checkGrad('node-seq N=5', net.params, net.grads.slice(), f);
});
