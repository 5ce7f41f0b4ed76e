// Parity with TF.js as the oracle: for identical weights and inputs, forward outputs and the weights after one
// Adam step on the keras-rl2 DQN loss (½·(Q(s,a) − y)², batch mean) must agree within 1e-5 for our float64 JS
// backend and 1e-4 for our float32 WASM SIMD backend. TF.js computes in float32 on its cpu backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.js';
import type { Backend } from './backend.js';
import { createBackend } from './create-backend.js';
import { createNetwork, type ArchitectureSpec, type FeedForwardSpec, type Network } from './network.js';
import { Adam } from './adam.js';
import { tdLoss } from './losses.js';
import { tfjsArtifacts } from './tfjs-export.js';
import type { Vec } from './backend.js';

/** A TF.js model with our weights, loaded through the exporter (so this also tests the export format). */
async function buildTfjsModel(spec: FeedForwardSpec, params: Vec, specs: Network['paramSpecs']): Promise<tf.LayersModel> {
  const { modelJson, weightData } = tfjsArtifacts(spec, params, specs);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData: weightData.slice().buffer }));
}

const rows = 32;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function parity(spec: FeedForwardSpec, backend: Backend, tol: number): Promise<void> {
  await tf.setBackend('cpu');
  const rng = new Rng(2024);
  const net: Network = createNetwork(spec, { backend, maxRows: rows, rng });
  for (let i = 0; i < net.input.length; i++) net.input[i] = rng.uniformIn(-1.5, 1.5);
  const actions = new Int32Array(rows);
  const targets = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    actions[r] = rng.int(spec.outputs);
    targets[r] = rng.uniformIn(-2, 2);
  }
  const model = await buildTfjsModel(spec, net.params, net.paramSpecs);
  const inputShape = spec.kind === 'lstm-mlp' ? [rows, spec.steps, spec.inputSize] : [rows, spec.inputSize];
  const x = tf.tensor(Array.from(net.input.subarray(0, rows * net.inputSize)), inputShape, 'float32');

  const ours = net.forward(rows).slice(0, rows * spec.outputs);
  const theirs = (model.predict(x) as tf.Tensor).dataSync();
  const dOut = maxAbsDiff(ours, theirs);
  assert.ok(dOut < tol, `forward max |diff| ${dOut} >= ${tol}`);

  // One Adam step on the keras-rl2 loss.
  const grad = backend.alloc(rows * spec.outputs);
  tdLoss(ours, actions, targets, rows, spec.outputs, Infinity, grad);
  net.zeroGrads();
  net.backward(grad, rows);
  const before = net.params.slice();
  const adam = new Adam(backend, net.params.length, { learningRate: 1e-3, epsilonForm: 'tfjs' });
  adam.step(net.params, net.grads);

  const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  const mask = tf.oneHot(tf.tensor1d(Array.from(actions), 'int32'), spec.outputs);
  const y = tf.tensor2d(Array.from(targets), [rows, 1]);
  opt.minimize(() => {
    const q = model.apply(x) as tf.Tensor;
    return tf.mean(tf.mul(0.5, tf.sum(tf.mul(tf.square(tf.sub(q, y)), mask), 1))) as tf.Scalar;
  });
  const after = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
  const dW = maxAbsDiff(net.params, after);
  assert.ok(dW < tol, `weights after one Adam step: max |diff| ${dW} >= ${tol}`);
  console.log(`${spec.kind} ${backend.name}/${backend.dtype}: forward max |Δ| ${dOut.toExponential(2)}, weights after one Adam step max |Δ| ${dW.toExponential(2)} (tolerance ${tol})`);
  // The step must have moved the weights (by ~lr = 1e-3 wherever the gradient is non-zero).
  assert.ok(maxAbsDiff(before, net.params) > 5e-4, 'the Adam step did not move the weights');
  tf.dispose([x, mask, y]);
  model.dispose();
}

const lstmSpec: FeedForwardSpec = { kind: 'lstm-mlp', inputSize: 9, steps: 4, lstmUnits: 24, hidden: [24], outputs: 4 };
const mlpSpec: FeedForwardSpec = { kind: 'mlp', inputSize: 9, hidden: [24, 24], outputs: 4 };

test('Adam tf-keras form: one step equals the closed form lr·g/(|g| + ε/sqrt(1-β2))', () => {
  const b = createBackend('float64', 'js');
  const p = b.alloc(3), g = b.alloc(3);
  g.set([1e-6, -0.5, 0]);
  const adam = new Adam(b, 3);
  adam.step(p, g);
  const eHat = 1e-7 / Math.sqrt(1 - 0.999);
  const expected = [-1e-3 * 1e-6 / (1e-6 + eHat), 1e-3 * 0.5 / (0.5 + eHat), 0];
  assert.ok(maxAbsDiff(p, expected) < 1e-12, `got ${Array.from(p)}`);
});

test('LSTM-DQN network: float64 JS matches TF.js within 1e-5 (forward and one Adam step)', async () => {
  await parity(lstmSpec, createBackend('float64', 'js'), 1e-5);
});
// Both WASM builds (plain SIMD and relaxed SIMD/FMA) are held to the same tolerance.
for (const kind of ['wasm-simd', 'wasm-relaxed'] as const) {
  test(`LSTM-DQN network: float32 ${kind} matches TF.js within 1e-4 (forward and one Adam step)`, async () => {
    await parity(lstmSpec, createBackend('float32', kind), 1e-4);
  });
  test(`MLP network: float32 ${kind} matches TF.js within 1e-4`, async () => {
    await parity(mlpSpec, createBackend('float32', kind), 1e-4);
  });
  test(`odd sizes (5 actions, 7 inputs, 3 steps, 10 units) on ${kind} match TF.js`, async () => {
    await parity({ kind: 'lstm-mlp', inputSize: 7, steps: 3, lstmUnits: 10, hidden: [13], outputs: 5 }, createBackend('float32', kind), 1e-4);
    await parity({ kind: 'mlp', inputSize: 11, hidden: [6, 9], outputs: 6 }, createBackend('float32', kind), 1e-4);
  });
}
test('MLP network: float64 JS matches TF.js within 1e-5 (forward and one Adam step)', async () => {
  await parity(mlpSpec, createBackend('float64', 'js'), 1e-5);
});
test('MLP network: float32 JS matches TF.js within 1e-4', async () => {
  await parity(mlpSpec, createBackend('float32', 'js'), 1e-4);
});
