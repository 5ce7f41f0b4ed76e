/**
 * `remora train`: train a DQN or Deep SARSA agent on a twin scenario; writes metrics.jsonl, model.json/model.bin
 * and config.json into the run folder. Flags override the `--config` file, which overrides the paper's defaults.
 * Without `--scenario`, `--config`, `--agent` and `--network` it trains the edge model's product agent (`--preset edge`):
 * the preset's scenario, hyperparameters, steps and validation-day checkpoint selection (experiments/product.ts).
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InvalidInputError } from '../../core/errors.js';
import { NETWORK_KINDS, readTrainConfig, withNetworkKind, type TrainConfigFile } from '../../agents/config.js';
import { runTraining, VALIDATION_SEED, type TrainRunResult } from '../../experiments/train/train.js';
import { runParallel, type ParallelRun } from '../../experiments/train/train-parallel.js';
import { ProgressReporter } from '../../experiments/train/train-progress.js';
import { scenarioNames } from '../../twin/index.js';
import { PRODUCT_PRESETS, type ProductModel } from '../../experiments/product.js';
import { defineCommand } from '../command.js';
import { trainFleetCli } from './fleet-cli.js';
import { BACKEND_KINDS } from '../../nn/backend.js';

/** Table II: "Number of steps 200000". */
const PAPER_STEPS = 200_000;

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'Train a DQN (LSTM) or Deep SARSA agent in the twin and save model.json + metrics.jsonl',
  usage: '--fleet [--scenario a,b] [--validate c,d] [--seed S] [--out <dir>] [--config <file.json>]  |  --agent dqn|sarsa [--network <kind>] [--scenario <name|file>] [--steps N] [--seed S] [--out <dir>] [--config <file.json>] [--workers K] [--runs R] [--kernels <kind>]',
  flags: {
    agent: { type: 'string', description: 'Agent (default: the config file\'s, else dqn; dagger: the residual learner imitating the oracle)', choices: ['dqn', 'sarsa', 'dagger'] },
    network: { type: 'string', description: `Q-network: ${NETWORK_KINDS.join(', ')}, with that kind's default sizes; replaces the config file's (default: lstm for dqn, mlp for sarsa)`, choices: NETWORK_KINDS, placeholder: '<kind>' },
    scenario: { type: 'string', description: `Scenario: ${scenarioNames().join(', ')}, or a file (default: sr111)`, placeholder: '<name|file>' },
    steps: { type: 'integer', description: `Training steps (default: ${PAPER_STEPS}, Table II)` },
    seed: { type: 'integer', description: 'Run seed (default: 0); with --runs R the seeds are S..S+R-1' },
    out: { type: 'string', description: 'Run folder (default: runs/<agent>-<scenario>-s<seed>)', placeholder: '<dir>' },
    config: { type: 'string', description: 'JSON file with hyperparameters (validated; unknown keys are errors)', placeholder: '<file.json>' },
    workers: { type: 'integer', description: 'Worker threads training runs in parallel', default: 1 },
    runs: { type: 'integer', description: 'Number of runs (seeds); default: --workers' },
    preset: { type: 'string', description: 'Product preset (scenario, hyperparameters, steps, validation); default: edge when none of --scenario, --config, --agent, --network is given', choices: ['paper', 'edge'] },
    validate: { type: 'string', description: "Keep the best checkpoint on this validation scenario (default: the preset's; never a test day)", placeholder: '<scenario>' },
    fleet: { type: 'boolean', description: 'Train the fleet agent: one move model shared by every user of the fleets in --scenario (a comma list; default metro-36,sr111-traffic), checkpoints chosen on --validate (default metro-36-validation,sr111-traffic-validation); --config takes its settings (experiments/fleet/fleet-train.ts)' },
    kernels: { type: 'string', description: 'Kernels to train on (default: wasm-simd, the plain SIMD build, same bytes on every machine; wasm-relaxed: FMA, faster, bytes may differ by CPU; js)', choices: BACKEND_KINDS },
  },
  details: `Every hyperparameter (see src/agents/config.ts) can be set in --config, e.g.
  {"agent": "dqn", "steps": 200000, "dqn": {"network": {"kind": "lstm", "window": 4}, "doubleDqn": true},
   "exploration": {"epsilonMin": 0.1, "annealFraction": 0.5}}
Sizes other than a kind's defaults go in --config, e.g. {"dqn": {"network": {"kind": "mlp", "hidden": [64, 64]}}};
so does a SARSA lstm, which needs "window": 1 (SARSA keeps no observation history).
With several runs each seed writes <out>/seed-<seed>/. Progress goes to stderr: a bar on a terminal, a line every
10 s otherwise.`,
  async run({ flags }, io) {
    const source = 'remora train';
    if (flags.fleet) {
      for (const f of ['agent', 'network', 'steps', 'preset', 'runs', 'kernels'] as const) if (flags[f] !== undefined) throw new InvalidInputError({ source: `${source} --fleet`, field: `--${f}`, expected: 'no --' + f + ' (the fleet agent takes --scenario, --validate, --seed, --out and --config)', actual: String(flags[f]) });
      return trainFleetCli(flags, io);
    }
    const bare = flags.scenario === undefined && flags.config === undefined && flags.agent === undefined && flags.network === undefined;
    const presetName: ProductModel | undefined = flags.preset ?? (bare ? 'edge' : undefined);
    const preset = presetName ? PRODUCT_PRESETS[presetName] : undefined;
    if (preset && !flags.preset) io.err(`remora train: no --scenario, --config, --agent or --network: training the edge model's product agent (--preset edge: ${preset.scenario}, validated on ${preset.validation})\n`);
    // Under a preset, `--agent dagger` takes the preset's residual settings (config, steps, validation).
    const variant = preset && flags.agent === 'dagger' ? preset.residual : preset;
    const fromFile: TrainConfigFile = flags.config ? readTrainConfig(resolve(io.cwd, flags.config)) : variant ? structuredClone(variant.config) : {};
    const agent = flags.agent ?? fromFile.agent ?? 'dqn';
    if (flags.network && agent === 'dagger') throw new InvalidInputError({ source, field: '--network', expected: 'no --network with --agent dagger (its network is the node-sequence residual; set dagger.hidden in --config)', actual: flags.network });
    const file = flags.network && agent !== 'dagger' ? withNetworkKind(fromFile, agent, flags.network, `${source} --network ${flags.network}`) : fromFile;
    const scenario = flags.scenario ?? file.scenario ?? preset?.scenario ?? 'sr111';
    const steps = flags.steps ?? file.steps ?? variant?.steps ?? PAPER_STEPS;
    const validateOn = flags.validate ?? variant?.validation;
    const validation = validateOn ? { scenario: validateOn, every: Math.max(1000, Math.round((preset?.validateEvery ?? 20_000) * Math.min(1, steps / (preset?.steps ?? PAPER_STEPS)))), episodes: variant?.validateEpisodes ?? 10, seed: VALIDATION_SEED } : undefined;
    const seed = flags.seed ?? file.seed ?? 0;
    const workers = flags.workers;
    const runs = flags.runs ?? workers;
    if (steps < 1) throw new InvalidInputError({ source, field: '--steps', expected: 'an integer >= 1', actual: String(steps) });
    if (seed < 0) throw new InvalidInputError({ source, field: '--seed', expected: 'an integer >= 0', actual: String(seed) });
    if (workers < 1 || workers > 64) throw new InvalidInputError({ source, field: '--workers', expected: 'an integer in 1..64', actual: String(workers) });
    if (runs < 1) throw new InvalidInputError({ source, field: '--runs', expected: 'an integer >= 1', actual: String(runs) });
    const scenarioTag = scenario.replace(/^.*[\\/]/, '').replace(/\.(json|ya?ml)$/, '');
    const out = flags.out ?? join('runs', `${agent}-${scenarioTag}-s${seed}`);
    const reporter = new ProgressReporter({ write: (t) => io.err(t), isTTY: io.isTTY }, () => performance.now());
    const base = { agent, scenario, steps, config: file, cwd: io.cwd, progressEvery: 500, ...(validation ? { validation } : {}), ...(flags.kernels ? { kernels: flags.kernels } : {}) };
    let results: TrainRunResult[];
    if (runs === 1 && workers === 1) {
      results = [runTraining({ ...base, seed, out, onProgress: (p) => reporter.update('run', p) })];
    } else {
      const list: ParallelRun[] = Array.from({ length: runs }, (_, i) => ({ ...base, seed: seed + i, out: join(out, `seed-${seed + i}`) }));
      results = await runParallel(list, workers, (id, p) => reporter.update(id, p));
    }
    reporter.finish();
    for (const r of results) {
      io.out(`${agent} seed ${r.seed}: ${r.steps} steps, ${r.episodes} episodes, ${r.updates} updates, mean reward (last 100 episodes) ${Number.isFinite(r.meanReward) ? r.meanReward.toFixed(3) : 'n/a'}\n`);
      io.out(`  model: ${r.modelPath}\n  metrics: ${join(r.out, 'metrics.jsonl')}\n`);
    }
    return 0;
  },
});
