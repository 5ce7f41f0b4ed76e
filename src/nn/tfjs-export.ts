/**
 * TF.js LayersModel artifacts for a network: the Keras `Sequential` topology JSON and the float32 weights, in
 * the layout `tf.loadLayersModel` reads (`model.json` with `modelTopology` + `weightsManifest`, plus one
 * `.bin`). Written by hand, so exporting needs no TF.js at run time (TF.js is a devDependency, used only by the
 * tests that load the result).
 */
import { VERSION } from '../core/version.js';
import type { Vec } from './backend.js';
import type { FeedForwardSpec, ParamSpec } from './network.js';

/** Contents of a TF.js `model.json` (format `layers-model`). */
export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: 'float32' }[] }[];
}

/** Keras layer configs of `spec`, in order. */
function layerConfigs(spec: FeedForwardSpec): Record<string, unknown>[] {
  const layers: Record<string, unknown>[] = [];
  const dense = (name: string, units: number, activation: string, inputShape?: number[]): Record<string, unknown> => ({
    class_name: 'Dense',
    config: {
      name, units, activation, use_bias: true, trainable: true, dtype: 'float32',
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      ...(inputShape ? { batch_input_shape: [null, ...inputShape] } : {}),
    },
  });
  if (spec.kind === 'lstm-mlp') {
    layers.push({
      class_name: 'LSTM',
      config: {
        name: 'lstm', units: spec.lstmUnits, trainable: true, dtype: 'float32',
        batch_input_shape: [null, spec.steps, spec.inputSize],
        // tf.keras 2.x defaults; TF.js defaults recurrent_activation to hard_sigmoid, so it must be explicit.
        activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, unit_forget_bias: true,
        return_sequences: false, return_state: false, go_backwards: false, stateful: false, unroll: false,
        implementation: 2, dropout: 0, recurrent_dropout: 0,
        kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
        recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1, seed: null } },
        bias_initializer: { class_name: 'Zeros', config: {} },
      },
    });
  }
  const widths = [...spec.hidden, spec.outputs];
  widths.forEach((w, i) => {
    const last = i === widths.length - 1;
    const first = i === 0 && spec.kind === 'mlp';
    layers.push(dense(i === 0 ? 'dense' : `dense_${i}`, w, last ? 'linear' : 'relu', first ? [spec.inputSize] : undefined));
  });
  return layers;
}

/**
 * The `model.json` object and the weight bytes for `params` (laid out as `paramSpecs`).
 * @param weightsFile name of the `.bin` file the manifest points to.
 */
export function tfjsArtifacts(spec: FeedForwardSpec, params: Vec, paramSpecs: readonly ParamSpec[], weightsFile = 'weights.bin'): { modelJson: TfjsModelJson; weightData: Uint8Array } {
  const f32 = new Float32Array(params.length);
  for (let i = 0; i < params.length; i++) f32[i] = params[i];
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: `remora ${VERSION}`,
      convertedBy: null,
      modelTopology: {
        class_name: 'Sequential',
        config: { name: 'sequential', layers: layerConfigs(spec) },
        keras_version: 'tfjs-layers 4.22.0',
        backend: 'tensor_flow.js',
      },
      weightsManifest: [{ paths: [weightsFile], weights: paramSpecs.map((s) => ({ name: s.name, shape: s.shape, dtype: 'float32' as const })) }],
    },
    weightData: new Uint8Array(f32.buffer),
  };
}
