/**
 * Training configuration (`remora train --config file.json`), validated with zod. Every key is optional and
 * defaults to the paper's setup; unknown keys are errors (schemas are strict). Command-line flags override the
 * file for `agent`, `scenario`, `steps` and `seed`.
 *
 * ```json
 * { "agent": "dqn", "scenario": "sr111", "steps": 200000, "seed": 1,
 *   "dqn": { "network": { "kind": "lstm", "window": 4 }, "doubleDqn": false },
 *   "exploration": { "epsilonMin": 0.1, "annealFraction": 0.5 } }
 * ```
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { parseWith } from '../core/validate.js';
import { DEFAULT_DQN_CONFIG, type DqnConfig } from './dqn.js';
import { DEFAULT_EXPLORATION, type ExplorationConfig } from './exploration.js';
import type { QNetworkConfig } from './q-network.js';
import { DEFAULT_SARSA_CONFIG, type SarsaConfig } from './sarsa.js';

const posInt = z.number().int().positive();
const prob = z.number().min(0).max(1);

const NetworkSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('lstm'), window: posInt.max(64).default(4), lstmUnits: posInt.max(1024).default(24), hidden: z.array(posInt.max(1024)).max(8).default([24]) }).strict(),
  z.object({ kind: z.literal('mlp'), hidden: z.array(posInt.max(1024)).min(1).max(8).default([24, 24]) }).strict(),
  z.object({ kind: z.literal('node-seq'), context: z.enum(['attention', 'lstm', 'none']).default('none'), contextUnits: posInt.max(1024).default(24), hidden: z.array(posInt.max(1024)).max(8).default([24]) }).strict(),
]);

const ExplorationSchema = z
  .object({ epsilonMax: prob.optional(), epsilonMin: prob.optional(), annealSteps: posInt.optional(), annealFraction: z.number().gt(0).max(1).optional() })
  .strict()
  .refine((e) => e.annealSteps === undefined || e.annealFraction === undefined, { message: 'annealSteps or annealFraction, not both' });

const DqnSchema = z
  .object({
    network: NetworkSchema.optional(),
    memoryLimit: posInt.optional(),
    batchSize: posInt.max(4096).optional(),
    warmupSteps: z.number().int().nonnegative().optional(),
    trainInterval: posInt.optional(),
    targetUpdate: posInt.optional(),
    gamma: prob.optional(),
    learningRate: z.number().positive().optional(),
    doubleDqn: z.boolean().optional(),
    huberDelta: z.number().positive().nullable().optional(),
    dueling: z.boolean().optional(),
    gradClipNorm: z.number().positive().nullable().optional(),
    nStep: posInt.max(100).optional(),
  })
  .strict();

const SarsaSchema = z
  .object({
    network: NetworkSchema.optional(),
    gamma: prob.optional(),
    learningRate: z.number().positive().optional(),
    warmupSteps: z.number().int().nonnegative().optional(),
    huberDelta: z.number().positive().nullable().optional(),
    gradClipNorm: z.number().positive().nullable().optional(),
    kerasRl2Compat: z.boolean().optional(),
  })
  .strict();

export const TrainConfigSchema = z
  .object({
    agent: z.enum(['dqn', 'sarsa']).optional(),
    scenario: z.string().min(1).optional(),
    steps: posInt.optional(),
    seed: z.number().int().nonnegative().optional(),
    exploration: ExplorationSchema.optional(),
    dqn: DqnSchema.optional(),
    sarsa: SarsaSchema.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const n = c.sarsa?.network;
    if (n?.kind === 'lstm' && n.window !== 1) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['sarsa', 'network', 'window'], message: '1 (SARSA keeps no observation history; use an lstm window only with dqn)' });
    }
    if (c.dqn?.dueling && c.dqn.network?.kind === 'node-seq') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['dqn', 'dueling'], message: 'false with a node-seq network (its per-node heads have no dueling form)' });
    }
  });

export type TrainConfigFile = z.infer<typeof TrainConfigSchema>;

/** Read and validate a config file; one-line InvalidInputError on any problem. */
export function readTrainConfig(path: string): TrainConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InvalidInputError({ source: path, field: '(file)', expected: 'a readable JSON file', actual: (e as Error).message.split('\n')[0]! }, { cause: e });
  }
  return parseWith(TrainConfigSchema, raw, path);
}

/** Parse an in-memory config object (e.g. sent to a worker thread). */
export function parseTrainConfig(raw: unknown, source: string): TrainConfigFile {
  return parseWith(TrainConfigSchema, raw, source);
}

function exploration(file: TrainConfigFile): ExplorationConfig {
  const e = file.exploration ?? {};
  return {
    epsilonMax: e.epsilonMax ?? DEFAULT_EXPLORATION.epsilonMax,
    epsilonMin: e.epsilonMin ?? DEFAULT_EXPLORATION.epsilonMin,
    ...(e.annealSteps !== undefined ? { annealSteps: e.annealSteps } : {}),
    ...(e.annealFraction !== undefined ? { annealFraction: e.annealFraction } : {}),
  };
}

/** The full DQN config: defaults overlaid with the file's `dqn` and `exploration` sections. */
export function resolveDqnConfig(file: TrainConfigFile): DqnConfig {
  const d = file.dqn ?? {};
  const { network, ...rest } = d;
  return { ...DEFAULT_DQN_CONFIG, ...stripUndefined(rest), network: (network as QNetworkConfig | undefined) ?? DEFAULT_DQN_CONFIG.network, exploration: exploration(file) };
}

/** The full SARSA config. */
export function resolveSarsaConfig(file: TrainConfigFile): SarsaConfig {
  const d = file.sarsa ?? {};
  const { network, ...rest } = d;
  return { ...DEFAULT_SARSA_CONFIG, ...stripUndefined(rest), network: (network as QNetworkConfig | undefined) ?? DEFAULT_SARSA_CONFIG.network, exploration: exploration(file) };
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
