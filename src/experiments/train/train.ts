/**
 * One training run on the twin: scenario → env, agent from the config, the agents' training loop, then the run
 * folder: `metrics.jsonl` (one line per episode; format and reader in `metrics-jsonl.ts`), `model.json` +
 * `model.bin`, and `config.json` (the resolved hyperparameters). Lives in experiments because it needs both the twin and the agents.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Rng } from '../../core/rng.js';
import type { BackendKind } from '../../nn/backend.js';
import { createBackend } from '../../nn/create-backend.js';
import { resolveDqnConfig, resolveSarsaConfig, type TrainConfigFile } from '../../agents/config.js';
import { createAgent, saveAgent, snapshotPolicy, type AgentSpec } from '../../agents/factory.js';
import { checkpointScore, type OracleCache } from '../evaluate/evaluate.js';
import { trainAgent, type EpisodeMetrics, type TrainProgress, type TrainSummary } from '../../agents/trainer.js';
import { loadScenario, makeEnv } from '../../twin/index.js';
import { METRICS_FILE, metricsLine } from './metrics-jsonl.js';
import { runDaggerTraining } from './dagger-train.js';

export interface TrainRunOptions {
  /** `dagger`: the residual learner over a rule, imitating the twin's oracle (dagger-train.ts). */
  agent: 'dqn' | 'sarsa' | 'dagger';
  /** Built-in scenario name or scenario file. */
  scenario: string;
  steps: number;
  seed: number;
  /** Run folder (created). */
  out: string;
  /** Hyperparameters (validated config file contents). */
  config: TrainConfigFile;
  /** Directory relative paths resolve against. */
  cwd: string;
  onProgress?: (p: TrainProgress) => void;
  onEpisode?: (m: EpisodeMetrics) => void;
  progressEvery?: number;
  /**
   * Checkpoint selection: every `every` steps (and at the end) the greedy policy plays `episodes` episodes of the
   * validation scenario (fixed `seed`, so every checkpoint meets the same episodes); the best one is saved instead of
   * the last weights. `scenario` may list several, comma-separated (e.g. `sr111-validation,sr111-validation-roundtrip`:
   * one-way trips and round trips); a checkpoint is then scored by its mean % of the oracle over them, since returns
   * of different scenarios are on different scales. Use validation-day scenarios only, never a test day.
   */
  validation?: { scenario: string; every: number; episodes: number; seed: number };
  /**
   * Kernels the agent trains on (default: src/nn's default, the plain `wasm-simd` build, same bytes on every machine). Seeded runs
   * are reproducible per kind; `wasm-simd` gives the bytes the plain kernels gave before the FMA build.
   */
  kernels?: BackendKind;
}

export interface TrainRunResult extends TrainSummary {
  out: string;
  modelPath: string;
  seed: number;
  /** Step of the checkpoint kept on the validation days, or null when the last weights were saved. */
  selectedStep: number | null;
}

/** Seed of the validation episodes every checkpoint plays (the same episodes for every checkpoint and run). */
export const VALIDATION_SEED = 77;

/** The agent spec a config file resolves to. */
export function agentSpecFor(agent: 'dqn' | 'sarsa', config: TrainConfigFile): AgentSpec {
  return agent === 'dqn' ? { kind: 'dqn', config: resolveDqnConfig(config) } : { kind: 'sarsa', config: resolveSarsaConfig(config) };
}

/** Seeds derived from the run seed: one for the env's first reset, one for the agent (init + exploration + replay). */
export function runSeeds(seed: number): { envSeed: number; agentSeed: number } {
  const root = new Rng(seed);
  return { envSeed: root.deriveSeed(), agentSeed: root.deriveSeed() };
}

export function runTraining(opts: TrainRunOptions): TrainRunResult {
  if (opts.agent === 'dagger') {
    const { envSeed, agentSeed } = runSeeds(opts.seed);
    const v = opts.validation;
    const r = runDaggerTraining({ scenario: opts.scenario, steps: opts.steps, seed: opts.seed, out: opts.out, config: opts.config, cwd: opts.cwd, envSeed, agentSeed, ...(v ? { validation: { scenario: v.scenario, episodes: v.episodes, seed: v.seed } } : {}) });
    return { ...r, out: resolve(opts.cwd, opts.out), seed: opts.seed };
  }
  const agentKind = opts.agent;
  const out = resolve(opts.cwd, opts.out);
  mkdirSync(out, { recursive: true });
  const scenario = loadScenario(opts.scenario, { cwd: opts.cwd });
  const { envSeed, agentSeed } = runSeeds(opts.seed);
  const env = makeEnv(scenario, envSeed);
  const spec = agentSpecFor(agentKind, opts.config);
  const agent = createAgent(spec, env.layout, opts.steps, new Rng(agentSeed), opts.kernels ? createBackend('float32', opts.kernels) : undefined);
  writeFileSync(join(out, 'config.json'), JSON.stringify({ agent: opts.agent, scenario: opts.scenario, steps: opts.steps, seed: opts.seed, [opts.agent]: spec.config }, null, 2) + '\n');
  const fd = openSync(join(out, METRICS_FILE), 'w');
  let summary: TrainSummary;
  const v = opts.validation;
  const valScenarios = v ? v.scenario.split(',').map((s) => loadScenario(s.trim(), { cwd: opts.cwd })) : [];
  const oracleCaches: OracleCache[] = valScenarios.map(() => new Map());
  let best: { step: number; key: number; ret: number; pct: number; params: Float32Array; normalizer: ReturnType<typeof agent.normalizerSnapshot> } | undefined;
  const checkpoint = (steps: number): void => {
    if (!v || valScenarios.length === 0) return;
    const { key, pct, ret } = checkpointScore(snapshotPolicy(agent), valScenarios, { episodes: v.episodes, seed: v.seed }, oracleCaches);
    if (!best || key > best.key) best = { step: steps, key, ret, pct, params: Float32Array.from(agent.online.params), normalizer: agent.normalizerSnapshot() };
  };
  // metrics.jsonl lines are buffered and written at each progress report (every `progressEvery` steps, so a
  // dashboard following the file lags by at most that), when 64 KiB are pending, and at the end: one writeSync per
  // episode was ~5 % of a small-MLP run, whose episodes last a few steps (bench/README.md).
  let pending = '';
  const flush = (): void => {
    if (pending.length > 0) writeSync(fd, pending);
    pending = '';
  };
  try {
    summary = trainAgent(agent, env, {
      steps: opts.steps,
      seed: envSeed,
      progressEvery: opts.progressEvery,
      onProgress: (p) => {
        flush();
        opts.onProgress?.(p);
      },
      checkpointEvery: v?.every,
      onCheckpoint: checkpoint,
      onEpisode: (m) => {
        pending += metricsLine(m);
        if (pending.length >= 65536) flush();
        opts.onEpisode?.(m);
      },
    });
  } finally {
    flush();
    closeSync(fd);
  }
  const modelPath = saveAgent(out, agent, {
    scenario: opts.scenario,
    seed: opts.seed,
    steps: summary.steps,
    episodes: summary.episodes,
    updates: summary.updates,
    meanReward: Number.isFinite(summary.meanReward) ? summary.meanReward : null,
    config: spec.config as unknown as Record<string, unknown>,
    ...(best && v ? { selection: { step: best.step, scenario: v.scenario, episodes: v.episodes, pctOfOracle: Number(best.pct.toFixed(2)), return: Number(best.ret.toFixed(4)) } } : {}),
  }, best?.params, best?.normalizer);
  return { ...summary, out, modelPath, seed: opts.seed, selectedStep: best?.step ?? null };
}
