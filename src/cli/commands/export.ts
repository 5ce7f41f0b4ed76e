/**
 * `remora export <dir>/model.json --format tfjs --out <dir>`: a TF.js LayersModel (`model.json` + `weights.bin`)
 * of a trained agent's Q-network, loadable with `tf.loadLayersModel`. Inputs are the *encoded* features
 * (src/agents/features.ts) — `[batch, W, 3N]` for the LSTM, `[batch, 3N]` for the MLP — and outputs are Q-values.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import { loadModel } from '../../agents/policy-file.js';
import type { FeedForwardSpec } from '../../nn/network.js';
import { paramLayout } from '../../nn/network.js';
import { tfjsArtifacts } from '../../nn/tfjs-export.js';
import { defineCommand } from '../command.js';

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'Export a trained model as a TF.js LayersModel (model.json + weights.bin)',
  usage: '<model.json> --format tfjs --out <dir>',
  positionals: ['model.json'],
  flags: {
    format: { type: 'string', description: 'Export format', default: 'tfjs', choices: ['tfjs'] },
    out: { type: 'string', description: 'Output folder (when it holds the source model.json, the export goes to <dir>/tfjs/)', placeholder: '<dir>' },
  },
  details: `The TF.js model takes the encoded features, not the raw observation: per node (isCurrent, R/20 ms - 1,
ln(L) - 1); see model.json "features" of the source. Dueling heads export their [V, A...] outputs.
The size-agnostic node-seq network is not a Sequential model and cannot be exported.`,
  async run({ flags, positionals }, io) {
    const source = 'remora export';
    if (positionals.length !== 1) throw new InvalidInputError({ source, field: '<model.json>', expected: 'exactly one model file', actual: positionals.length ? positionals.join(' ') : 'nothing' });
    if (!flags.out) throw new InvalidInputError({ source, field: '--out', expected: 'an output folder', actual: 'nothing' });
    const model = loadModel(resolve(io.cwd, positionals[0]!));
    const arch = model.header.architecture;
    if (arch.kind === 'node-seq') throw new InvalidInputError({ source: model.path, field: 'architecture.kind', expected: 'lstm-mlp or mlp (TF.js Sequential)', actual: '"node-seq" (the size-agnostic network has no Sequential equivalent)' });
    let outDir = resolve(io.cwd, flags.out);
    if (join(outDir, 'model.json') === model.path) outDir = join(outDir, 'tfjs');
    mkdirSync(outDir, { recursive: true });
    const spec: FeedForwardSpec = arch;
    const { modelJson, weightData } = tfjsArtifacts(spec, model.weights, paramLayout(spec).specs, 'weights.bin');
    writeFileSync(join(outDir, 'weights.bin'), weightData);
    writeFileSync(join(outDir, 'model.json'), JSON.stringify({ ...modelJson, userDefinedMetadata: { remora: { source: model.path, features: model.header.features, actions: model.header.actions } } }, null, 2) + '\n');
    io.out(`wrote ${join(outDir, 'model.json')} and weights.bin (TF.js LayersModel, ${model.weights.length} weights)\n`);
    return 0;
  },
});
