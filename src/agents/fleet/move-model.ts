/**
 * The learned fleet policy's model: a small MLP that reads one candidate migration's features (`move-features.ts`)
 * and predicts the move's advantage over staying, in reward units (what the relaxed oracle says moving is worth:
 * `experiments/fleet/fleet-train.ts`). One network, its parameters shared by every user of every fleet.
 *
 * The file (`fleet-model.json`) is one JSON document: the format tag, the feature layout it was trained on (a
 * reader refuses another), the architecture, the input normalizer, the weights, how the policy plays it (the
 * margin a predicted advantage must clear, the slot priority), and what it was trained on. This module is its one
 * reader and writer.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '../../core/errors.js';
import { readJsonWith } from '../../core/validate.js';
import { createBackend } from '../../nn/create-backend.js';
import { createNetwork, type Network } from '../../nn/network.js';
import { MOVE_FEATURE_NAMES, MOVE_FEATURES } from './move-features.js';

export const FLEET_MODEL_FORMAT = 'remora-fleet-move-model';

/** How a fleet model plays (chosen on validation fleets with the checkpoint). */
export const FleetPlaySchema = z
  .object({
    /** A candidate is offered to the coordinated step only when its predicted advantage exceeds this (reward units). */
    margin: z.number().min(0).default(0),
    /** Who gets the scarce migration slots: the largest predicted advantage, or the deferral priority (urgency per slot-tick). */
    priority: z.enum(['gain', 'deferral']).default('deferral'),
    /**
     * Weight of the move's externality on the other users of its two nodes (`MoveExternality`, per tick) added to
     * the predicted advantage. 0: every user for itself.
     */
    social: z.number().min(0).default(0),
    /**
     * The breach penalty per user-step out of SLA the externality charges where no scenario says (the controller):
     * the training fleets' `reward.violationPenalty`. In the twin the scenario's own applies.
     */
    breachPenalty: z.number().min(0).default(0),
    /** Candidates per user handed to coordination. */
    candidatesPerUser: z.number().int().min(1).default(3),
  })
  .strict();
export type FleetPlay = z.infer<typeof FleetPlaySchema>;

const FleetModelSchema = z
  .object({
    format: z.literal(FLEET_MODEL_FORMAT),
    formatVersion: z.literal(1),
    features: z.object({ names: z.array(z.string()), candidates: z.number().int().min(1) }).strict(),
    architecture: z.object({ kind: z.literal('mlp'), inputSize: z.number().int().min(1), hidden: z.array(z.number().int().min(1)).min(1), outputs: z.literal(1) }).strict(),
    normalizer: z.object({ mean: z.array(z.number()), std: z.array(z.number().positive()) }).strict(),
    weights: z.array(z.number()),
    play: FleetPlaySchema,
    training: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type FleetModelFile = z.infer<typeof FleetModelSchema>;

/** Whether a JSON file is a fleet move model (sniffs the format tag; anything unreadable is not). */
export function isFleetModelFile(path: string): boolean {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    return raw !== null && typeof raw === 'object' && raw.format === FLEET_MODEL_FORMAT;
  } catch {
    return false;
  }
}

/** A fleet move model ready to score: the network with its weights and normalizer. */
export class MoveModel {
  private readonly net: Network;
  private readonly mean: Float64Array;
  private readonly inv: Float64Array;

  constructor(readonly file: FleetModelFile, readonly maxRows = 8192) {
    this.net = createNetwork(file.architecture, { backend: createBackend('float32', undefined, 32 * 1024 * 1024), maxRows });
    this.net.params.set(file.weights);
    this.mean = Float64Array.from(file.normalizer.mean);
    this.inv = Float64Array.from(file.normalizer.std, (s) => 1 / s);
  }

  get candidates(): number {
    return this.file.features.candidates;
  }

  get play(): FleetPlay {
    return this.file.play;
  }

  /** Predicted advantages of `rows` feature vectors (`features[r·MOVE_FEATURES…]`) into `out[r]`. */
  score(features: Float32Array | Float64Array, rows: number, out: Float64Array): void {
    const net = this.net, F = MOVE_FEATURES, mean = this.mean, inv = this.inv;
    for (let start = 0; start < rows; start += this.maxRows) {
      const count = Math.min(this.maxRows, rows - start), x = net.input;
      for (let i = 0; i < count * F; i++) {
        const k = i % F;
        x[i] = (features[start * F + i]! - mean[k]!) * inv[k]!;
      }
      const y = net.forward(count);
      for (let r = 0; r < count; r++) out[start + r] = y[r]!;
    }
  }
}

/** Read and check a fleet model file; one-line InvalidInputError for anything wrong. */
export function loadFleetModel(path: string): MoveModel {
  const src = resolve(path);
  const file = readJsonWith(FleetModelSchema, src, (p) => readFileSync(p, 'utf8'));
  const names = file.features.names.join(',');
  if (names !== MOVE_FEATURE_NAMES.join(',')) throw new InvalidInputError({ source: src, field: 'features.names', expected: MOVE_FEATURE_NAMES.join(','), actual: names });
  const a = file.architecture;
  if (a.inputSize !== MOVE_FEATURES) throw new InvalidInputError({ source: src, field: 'architecture.inputSize', expected: String(MOVE_FEATURES), actual: String(a.inputSize) });
  if (file.normalizer.mean.length !== MOVE_FEATURES || file.normalizer.std.length !== MOVE_FEATURES) throw new InvalidInputError({ source: src, field: 'normalizer', expected: `${MOVE_FEATURES} means and stds`, actual: `${file.normalizer.mean.length} and ${file.normalizer.std.length}` });
  let params = 0, w = a.inputSize;
  for (const h of [...a.hidden, 1]) { params += w * h + h; w = h; }
  if (file.weights.length !== params) throw new InvalidInputError({ source: src, field: 'weights', expected: `${params} numbers for ${a.inputSize}→${a.hidden.join('→')}→1`, actual: String(file.weights.length) });
  if (!file.weights.every(Number.isFinite)) throw new InvalidInputError({ source: src, field: 'weights', expected: 'finite numbers', actual: 'a NaN or infinite weight' });
  return new MoveModel(file);
}

/** Write a fleet model file (creating its directory); returns the absolute path. */
export function saveFleetModel(path: string, file: FleetModelFile): string {
  const out = resolve(path);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(file) + '\n');
  return out;
}

/** The file of a network being trained (weights copied out of its parameters). */
export function fleetModelFile(net: Network, hidden: number[], candidates: number, mean: ArrayLike<number>, std: ArrayLike<number>, play: FleetPlay, training: Record<string, unknown>): FleetModelFile {
  return {
    format: FLEET_MODEL_FORMAT,
    formatVersion: 1,
    features: { names: [...MOVE_FEATURE_NAMES], candidates },
    architecture: { kind: 'mlp', inputSize: MOVE_FEATURES, hidden: [...hidden], outputs: 1 },
    normalizer: { mean: Array.from(mean), std: Array.from(std) },
    weights: Array.from(net.params),
    play,
    training,
  };
}
