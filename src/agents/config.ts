/**
 * Training configuration: the zod schemas here are the single source of truth for every hyperparameter, its
 * default (the paper's setup, Table II, or keras-rl2's default where the paper is silent) and its type
 * (`z.infer`). `dqn.ts`, `sarsa.ts`, `exploration.ts` and `q-network.ts` take their config types from here.
 *
 * A config file (`remora train --config file.json`) sets any subset; unknown keys are errors (schemas are
 * strict). Command-line flags override the file for `agent`, `scenario`, `steps`, `seed` and the network kind.
 *
 * ```json
 * { "agent": "dqn", "scenario": "sr111", "steps": 200000, "seed": 1,
 *   "dqn": { "network": { "kind": "lstm", "window": 4 }, "doubleDqn": false },
 *   "exploration": { "epsilonMin": 0.1, "annealFraction": 0.5 } }
 * ```
 *
 * Adding a hyperparameter: one field with `.default(...)` and a doc line in {@link DqnFields} or
 * {@link SarsaFields}. The resolved config, `config.json` and the model header pick it up; key order in
 * `config.json` is the field order here.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseWith, readJsonWith } from '../core/validate.js';
import type { NodeContext } from '../nn/node-sequence.js';
import { DaggerFields, type DaggerConfig } from './dagger-config.js';

const posInt = z.number().int().positive();
const prob = z.number().min(0).max(1);
const layerWidth = posInt.max(1024);

// ---------------------------------------------------------------------------------------------------------------
// Q-network (see q-network.ts for the mapping to src/nn architectures)

/** LSTM over the last W observations → Dense layers → Dense(|A|). The DQN default (Table II). */
export const LstmNetworkSchema = z
  .object({
    kind: z.literal('lstm'),
    /**
     * Observations per input window W (the paper does not give W; 4 lets the LSTM see RTT trends, while W = 1
     * would make it a gated MLP). keras-rl2 `SequentialMemory(window_length=W)`.
     */
    window: posInt.max(64).default(4),
    /** LSTM units (Table II: LSTM(24)). */
    lstmUnits: layerWidth.default(24),
    /** Dense ReLU layers after the LSTM (Table II: one Dense(24)). */
    hidden: z.array(layerWidth).max(8).default([24]),
  })
  .strict();

/** Dense ReLU layers over the current observation. The Deep SARSA default (Table II: two layers of 24). */
export const MlpNetworkSchema = z
  .object({
    kind: z.literal('mlp'),
    /** Hidden layer widths (Table II: 24, 24). */
    hidden: z.array(layerWidth).min(1).max(8).default([24, 24]),
    /**
     * Beyond the paper: the last W observations stacked into one input (DQN's frame stacking, Mnih 2015), so an
     * MLP sees trends (is the user approaching or leaving a node?) as the LSTM does. 1 = the current observation.
     */
    window: posInt.max(16).default(1),
  })
  .strict();

const NODE_CONTEXTS = ['attention', 'lstm', 'none'] as const satisfies readonly NodeContext[];

/** Size-agnostic per-node network (beyond the paper, src/nn/node-sequence.ts). */
export const NodeSeqNetworkSchema = z
  .object({
    kind: z.literal('node-seq'),
    /** Summary of the other nodes each node's head sees; `none` transfers best from 3 to 8 nodes (README). */
    context: z.enum(NODE_CONTEXTS).default('none'),
    /** Width of the context summary. */
    contextUnits: layerWidth.default(24),
    /** Dense ReLU layers of the shared per-node head. */
    hidden: z.array(layerWidth).max(8).default([24]),
  })
  .strict();

export const NetworkSchema = z.discriminatedUnion('kind', [LstmNetworkSchema, MlpNetworkSchema, NodeSeqNetworkSchema]);

export type QNetworkConfig = z.infer<typeof NetworkSchema>;
export type NetworkKind = QNetworkConfig['kind'];
/** The network kinds, in schema order (`remora train --network`). */
export const NETWORK_KINDS: readonly NetworkKind[] = NetworkSchema.options.map((o) => o.shape.kind.value);

// ---------------------------------------------------------------------------------------------------------------
// Exploration (see exploration.ts for Table II's ambiguity)

export const ExplorationSchema = z
  .object({
    /** ε at step 0 (Table II: "Exploration rate ϵ 1.0"; keras-rl2 `value_max`). */
    epsilonMax: prob.default(1),
    /** Floor of ε (Table II's "decay d 0.1", read as keras-rl2's `value_min`). */
    epsilonMin: prob.default(0.1),
    /** Steps over which ε falls linearly (keras-rl2 `nb_steps`); default: the total training steps. */
    annealSteps: posInt.optional(),
    /** Alternatively a fraction of the total steps (exclusive with `annealSteps`). */
    annealFraction: z.number().gt(0).max(1).optional(),
  })
  .strict()
  .refine((e) => e.annealSteps === undefined || e.annealFraction === undefined, { message: 'annealSteps or annealFraction, not both' });

export type ExplorationConfig = z.infer<typeof ExplorationSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Agents. Each has its fields (everything a config file's section may set), the cross-field rules, and the full
// schema with `exploration`, which a config file sets once at the top level for either agent.

/**
 * Observation features (features.ts): `paper` = 3 per node (isCurrent, scaled RTT, log load: the same information as
 * Eq. 3); `reward-terms` = those plus the per-node quantities Eq. 4-7 are built from (1/R, R/max R, min R/R, the
 * load's three, and the two SLA-breach indicators), a deterministic function of the same observation that makes the
 * one-step reward linear in the input; `advised` = reward-terms plus the `sla-greedy` heuristic's choice as a one-hot
 * per node (residual policy learning). Beyond the paper; chosen by measurement (README).
 */
const features = z.enum(['paper', 'reward-terms', 'advised']).default('paper');

/** Huber δ of the TD error; null = ∞, i.e. ½·MSE (keras-rl2 `delta_clip` default). */
const huberDelta = z.number().positive().nullable().default(null);
/** Clip the global gradient norm to this value; null = off. */
const gradClipNorm = z.number().positive().nullable().default(null);

/**
 * Prioritized experience replay (Schaul et al. 2016, "Prioritized Experience Replay", ICLR; the proportional
 * variant, Alg. 1). Off by default: the paper (and keras-rl2's `SequentialMemory`) replays uniformly, and turning
 * it on changes every draw, so the paper's runs would no longer be reproduced.
 */
export const PrioritizedReplaySchema = z
  .object({
    /** Sample transitions with P(i) ∝ p_i^α instead of uniformly. */
    enabled: z.boolean().default(false),
    /** Priority exponent α (0 = uniform; Schaul et al.'s Atari setting 0.6). */
    alpha: z.number().min(0).max(1).default(0.6),
    /** Importance-sampling exponent β at step 0, annealed linearly to 1 (Schaul et al.: 0.4). */
    beta0: prob.default(0.4),
    /** Steps over which β reaches 1; null = the whole run (Schaul et al. anneal to 1 at the end of learning). */
    betaSteps: posInt.nullable().default(null),
    /** ε of p_i = |δ_i| + ε, so that no transition's probability falls to 0 once its error does. */
    epsilon: z.number().positive().default(1e-6),
  })
  .strict();

export type PrioritizedReplayConfig = z.infer<typeof PrioritizedReplaySchema>;

/**
 * How encoded features are scaled before the network (features.ts). `fixed`: the fixed arithmetic alone (the
 * default, as every model before this option). `running`: also standardised per feature by a running mean and
 * variance (Welford 1962), updated on every observation seen in training and frozen in the model file, as
 * Stable-Baselines3's `VecNormalize` (its ε = 1e-8 and clip ±10). Off by default: the fixed encoding already puts
 * features near [−1, 1], and running statistics make the same replayed state map to drifting inputs.
 */
export const OBSERVATION_NORMS = ['fixed', 'running'] as const;
export type ObservationNorm = (typeof OBSERVATION_NORMS)[number];
/** Input standardisation: `fixed` (default) or `running` mean/variance (see {@link OBSERVATION_NORMS}). */
const observationNorm = z.enum(OBSERVATION_NORMS).default('fixed');

/** DQN (dqn.ts), keras-rl2 `DQNAgent`. Defaults reproduce the paper's vanilla setup. */
export const DqnFields = z
  .object({
    /** Q-network (default: LSTM(24) over W = 4 → Dense(24, ReLU) → Dense(|A|), Table II). */
    network: NetworkSchema.default({ kind: 'lstm' }),
    /** Replay capacity, entries (Table II: 20,000; keras-rl2 `SequentialMemory(limit)`). */
    memoryLimit: posInt.default(20000),
    /** Minibatch size (keras-rl2 default 32). */
    batchSize: posInt.max(4096).default(32),
    /** Steps before the first update (keras-rl2 `nb_steps_warmup`, 1,000). */
    warmupSteps: z.number().int().nonnegative().default(1000),
    /** Env steps per update (keras-rl2 `train_interval`, 1). */
    trainInterval: posInt.default(1),
    /** Hard target update period, steps (Table II: 20; keras-rl2 `target_model_update` ≥ 1). */
    targetUpdate: posInt.default(20),
    /** Discount γ (Table II: 0.99). */
    gamma: prob.default(0.99),
    /** Adam learning rate α (Table II: 0.001). */
    learningRate: z.number().positive().default(1e-3),
    /** Double DQN targets (van Hasselt 2016; keras-rl2 `enable_double_dqn`). */
    doubleDqn: z.boolean().default(false),
    huberDelta,
    /** Dueling head `Q = V + A − mean(A)` (Wang 2016; keras-rl2 `dueling_type='avg'`). Not with `node-seq`. */
    dueling: z.boolean().default(false),
    gradClipNorm,
    /** n of n-step returns (1 = plain DQN). */
    nStep: posInt.max(100).default(1),
    features,
    /** Prioritized experience replay (Schaul et al. 2016); off by default. */
    prioritized: PrioritizedReplaySchema.default({}),
    /** `running`: standardise features by running mean/variance (Welford 1962; SB3 `VecNormalize`); default `fixed`. */
    observationNorm,
  })
  .strict();

function dqnRules(c: { network: QNetworkConfig; dueling: boolean }, ctx: z.RefinementCtx): void {
  if (c.dueling && c.network.kind === 'node-seq') {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['dueling'], message: 'false with a node-seq network (its per-node heads have no dueling form)' });
  }
}

/** Deep SARSA (sarsa.ts), keras-rl2 `SARSAAgent`. */
export const SarsaFields = z
  .object({
    /** Q-network (default MLP(24, 24, ReLU), Table II). An `lstm` network needs window 1 (no history). */
    network: NetworkSchema.default({ kind: 'mlp' }),
    /** Discount γ (Table II: 0.99). */
    gamma: prob.default(0.99),
    /** Adam learning rate (Table II: 0.001). */
    learningRate: z.number().positive().default(1e-3),
    /** Steps before the first update (keras-rl2 `SARSAAgent` default `nb_steps_warmup=10`). */
    warmupSteps: z.number().int().nonnegative().default(10),
    huberDelta,
    gradClipNorm,
    /** Reproduce keras-rl2's terminal off-by-one (see sarsa.ts). */
    kerasRl2Compat: z.boolean().default(false),
    features,
    /** `running`: standardise features by running mean/variance (Welford 1962; SB3 `VecNormalize`); default `fixed`. */
    observationNorm,
  })
  .strict();

function sarsaRules(c: { network: QNetworkConfig }, ctx: z.RefinementCtx): void {
  if ((c.network.kind === 'lstm' || c.network.kind === 'mlp') && c.network.window !== 1) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['network', 'window'], message: `1 (SARSA keeps no observation history; use an ${c.network.kind} window only with dqn)` });
  }
}

/** The exploration schedule inside a resolved agent config (default: ε 1 → 0.1 over the whole run). */
const exploration = { exploration: ExplorationSchema.default({}) };

export const DqnSchema = DqnFields.extend(exploration).superRefine(dqnRules);
export const SarsaSchema = SarsaFields.extend(exploration).superRefine(sarsaRules);

export type DqnConfig = z.infer<typeof DqnSchema>;
export type SarsaConfig = z.infer<typeof SarsaSchema>;

export const DEFAULT_DQN_CONFIG: DqnConfig = DqnSchema.parse({});
export const DEFAULT_SARSA_CONFIG: SarsaConfig = SarsaSchema.parse({});
export const DEFAULT_EXPLORATION: ExplorationConfig = ExplorationSchema.parse({});

// ---------------------------------------------------------------------------------------------------------------
// The config file

export const TrainConfigSchema = z
  .object({
    agent: z.enum(['dqn', 'sarsa', 'dagger']).optional(),
    scenario: z.string().min(1).optional(),
    steps: posInt.optional(),
    seed: z.number().int().nonnegative().optional(),
    exploration: ExplorationSchema.optional(),
    dqn: DqnFields.superRefine(dqnRules).optional(),
    sarsa: SarsaFields.superRefine(sarsaRules).optional(),
    /** The residual DAgger agent (dagger-config.ts). */
    dagger: DaggerFields.optional(),
  })
  .strict();

/**
 * A config file's contents: every key optional, as written (`z.input`). What {@link readTrainConfig} returns has
 * been validated (with the sections' defaults filled in); the `resolve*` functions validate again, so a config
 * built in code gets the same one-line errors.
 */
export type TrainConfigFile = z.input<typeof TrainConfigSchema>;

/** Read and validate a config file; one-line InvalidInputError on any problem. */
export function readTrainConfig(path: string): TrainConfigFile {
  return readJsonWith(TrainConfigSchema, path, (p) => readFileSync(p, 'utf8'));
}

/** Parse an in-memory config object (e.g. sent to a worker thread). */
export function parseTrainConfig(raw: unknown, source: string): TrainConfigFile {
  return parseWith(TrainConfigSchema, raw, source);
}

/**
 * `file` with `agent`'s network replaced by `kind` and that kind's schema defaults (`remora train --network`),
 * re-validated: e.g. `lstm` for SARSA fails (its default window is 4), as does `node-seq` with `dueling`.
 */
export function withNetworkKind(file: TrainConfigFile, agent: 'dqn' | 'sarsa', kind: NetworkKind, source: string): TrainConfigFile {
  // The defaults are filled in before validation so that an error shows the value that breaks a rule.
  return parseWith(TrainConfigSchema, { ...file, [agent]: { ...file[agent], network: NetworkSchema.parse({ kind }) } }, source);
}

/** The full DQN config: defaults overlaid with the file's `dqn` and `exploration` sections. */
export function resolveDqnConfig(file: TrainConfigFile, source = 'training config'): DqnConfig {
  return parseWith(DqnSchema, { ...file.dqn, exploration: file.exploration }, source);
}

/** The full SARSA config: defaults overlaid with the file's `sarsa` and `exploration` sections. */
export function resolveSarsaConfig(file: TrainConfigFile, source = 'training config'): SarsaConfig {
  return parseWith(SarsaSchema, { ...file.sarsa, exploration: file.exploration }, source);
}

/** The full residual DAgger config: defaults overlaid with the file's `dagger` section. */
export function resolveDaggerConfig(file: TrainConfigFile, source = 'training config'): DaggerConfig {
  return parseWith(DaggerFields, file.dagger ?? {}, source);
}
