/**
 * `remora sweep`: many seeds, many held-out conditions. Trains one run per seed on both cores,
 * evaluates every run and every heuristic on identical episodes of each `--eval` scenario, and writes
 * sweep.json / sweep.svg / sweep.md with the IQM and 95 % stratified-bootstrap CI of each policy's % of oracle.
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InvalidInputError } from '../../core/errors.js';
import { readTrainConfig, type TrainConfigFile } from '../../agents/config.js';
import { VALIDATION_SEED } from '../../experiments/train/train.js';
import { EVAL_ROLES, defaultSweepPolicies, sweep, sweepMarkdown, type EvalRole, type EvalScenario } from '../../experiments/sweep.js';
import { scenarioNames } from '../../twin/index.js';
import { kubeSweepFlags, kubeTrainerFromFlags } from '../../kube-sweep/cli.js';
import { PRESET_NAMES, resolveSweepPreset } from '../../experiments/preset.js';
import { defineCommand } from '../command.js';
import { sweepFleetCli } from './fleet-cli.js';

const SOURCE = 'remora sweep';
/** Table II: "Number of steps 200000". */
const PAPER_STEPS = 200_000;
/** More seeds than this is a typo (`1-10000`), not a sweep. */
const MAX_SEEDS = 1000;

/** `1-5`, `1,3,7`, `1-3,10`: ascending ranges and single seeds, distinct, non-negative. */
export function parseSeedList(text: string): number[] {
  const expected = 'seeds as a list of non-negative integers and ascending ranges, e.g. 1-5 or 1,3,7';
  const seeds: number[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    const m = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!m) throw new InvalidInputError({ source: SOURCE, field: '--seeds', expected, actual: JSON.stringify(item) });
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new InvalidInputError({ source: SOURCE, field: '--seeds', expected: `an ascending range (first <= last), e.g. ${b}-${a}`, actual: JSON.stringify(item) });
    if (seeds.length + (b - a + 1) > MAX_SEEDS) throw new InvalidInputError({ source: SOURCE, field: '--seeds', expected: `at most ${MAX_SEEDS} seeds`, actual: JSON.stringify(text) });
    for (let s = a; s <= b; s++) seeds.push(s);
  }
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw new InvalidInputError({ source: SOURCE, field: '--seeds', expected: 'distinct seeds', actual: `${JSON.stringify(text)} (seed ${dup} twice)` });
  return seeds;
}

/** `s1,s2:test,file.yaml:validation`: scenarios with an optional `:train|validation|test` role. */
export function parseEvalList(text: string): EvalScenario[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidInputError({ source: SOURCE, field: '--eval', expected: 'a comma-separated list of scenarios', actual: JSON.stringify(text) });
  return items.map((item) => {
    const colon = item.lastIndexOf(':');
    const suffix = colon > 0 ? item.slice(colon + 1) : '';
    if ((EVAL_ROLES as readonly string[]).includes(suffix)) return { scenario: item.slice(0, colon), role: suffix as EvalRole };
    return { scenario: item };
  });
}

function parseList(field: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidInputError({ source: SOURCE, field, expected: 'a comma-separated list', actual: JSON.stringify(text) });
  return items;
}

function atLeast(field: string, v: number, min: number, max = Infinity): number {
  if (v < min || v > max) throw new InvalidInputError({ source: SOURCE, field, expected: max === Infinity ? `an integer >= ${min}` : `an integer in ${min}..${max}`, actual: String(v) });
  return v;
}

export const sweepCommand = defineCommand({
  name: 'sweep',
  summary: 'Train one run per seed, evaluate every run and every heuristic on identical episodes: IQM and 95 % CI',
  usage: '--fleet [--seeds 1-5] [--eval f1,f2] [--out <dir>]  |  [--preset paper|edge] --agent dqn|sarsa [--scenario <train>] [--seeds 1-5] [--steps N] [--eval s1,s2:test,...] [--episodes N] [--config <file.json>] [--out <dir>] [--policies a,b,...]',
  flags: {
    agent: { type: 'string', description: "Agent (default: the config file's, else dqn)", choices: ['dqn', 'sarsa', 'dagger'] },
    preset: { type: 'string', description: `Product preset (experiments/product.ts): its scenario, hyperparameters, steps, validation, test days and unseen families; explicit flags override it (${PRESET_NAMES.join(', ')})`, placeholder: '<name>' },
    scenario: { type: 'string', description: `Training scenario: ${scenarioNames().join(', ')}, or a file (default: the config file's, else sr111)`, placeholder: '<name|file>' },
    seeds: { type: 'string', description: 'Training seeds: ranges and lists, e.g. 1-5 or 1,3,7', default: '1-5', placeholder: '<list>' },
    steps: { type: 'integer', description: `Training steps per seed (default: the config file's, else ${PAPER_STEPS}, Table II)` },
    eval: { type: 'string', description: 'Evaluation scenarios, each with an optional :train|:validation|:test role (default: the training scenario)', placeholder: '<s1,s2:test,...>' },
    episodes: { type: 'integer', description: "Evaluation episodes per scenario, identical for every policy (default 20; with --fleet each fleet's own: 1 for a metro, 3 for a road)" },
    'eval-seed': { type: 'integer', description: 'Seed of the evaluation episodes', default: 1000 },
    config: { type: 'string', description: 'JSON file with hyperparameters (as for remora train)', placeholder: '<file.json>' },
    out: { type: 'string', description: 'Output folder (default: runs/sweep-<agent>-<scenario>)', placeholder: '<dir>' },
    policies: { type: 'string', description: `Heuristics to compare (and the oracle); default ${defaultSweepPolicies().join(',')}, with --fleet every fleet policy`, placeholder: '<a,b,...>' },
    fleet: { type: 'boolean', description: 'Sweep the fleet agent (remora train --fleet) per seed against every fleet heuristic on --eval fleets (default: metro-100, sr111-traffic and the held-out fleets); --scenario/--validate/--config as for train --fleet' },
    workers: { type: 'integer', description: 'Worker threads training seeds in parallel', default: 2 },
    'bootstrap-reps': { type: 'integer', description: 'Bootstrap replicates per confidence interval', default: 10_000 },
    'bootstrap-seed': { type: 'integer', description: 'Seed of the bootstrap draws', default: 0 },
    validate: { type: 'string', description: 'Keep each run\'s best checkpoint on this validation scenario (e.g. sr111-validation); never a test day', placeholder: '<scenario>' },
    'validate-every': { type: 'integer', description: 'Steps between validation checkpoints', default: 20_000 },
    'validate-episodes': { type: 'integer', description: "Validation episodes per checkpoint (default: the preset's, else 10)" },
    ...kubeSweepFlags,
  },
  details: `Writes <out>/seed-<k>/ (the run folders of remora train), <out>/sweep.json, sweep.svg and sweep.md, and prints the
markdown tables. Scores are % of the exact oracle on the same episodes. IQM: the 25 % trimmed mean over seeds
(rliable's aggregate_iqm: floor(n/4) seeds cut from each end). CI: 95 % percentile interval of the stratified
bootstrap (seeds resampled with replacement within each evaluation scenario). Heuristics are deterministic: one
score each. A scenario named like the training one is tagged train, any other test, unless given a :role.
Example: remora sweep --agent dqn --scenario sr111 --seeds 1-5 --steps 200000 --eval sr111-roundtrip,sr111 --out runs/sweep`,
  async run({ flags }, io) {
    if (flags.fleet) {
      if (flags.on !== 'local') throw new InvalidInputError({ source: `${SOURCE} --fleet`, field: '--on', expected: 'local (the fleet sweep trains in this process)', actual: flags.on });
      for (const f of ['agent', 'preset', 'steps', 'validate-episodes'] as const) if ((flags as Record<string, unknown>)[f] !== undefined) throw new InvalidInputError({ source: `${SOURCE} --fleet`, field: `--${f}`, expected: `no --${f} (the fleet sweep takes --seeds, --eval, --episodes, --eval-seed, --policies, --scenario, --validate, --config and --out)`, actual: String((flags as Record<string, unknown>)[f]) });
      return sweepFleetCli({ ...flags, seeds: parseSeedList(flags.seeds) }, io);
    }
    const given = resolveSweepPreset(flags.preset, {
      ...(flags.config ? { config: readTrainConfig(resolve(io.cwd, flags.config)) } : {}),
      ...(flags.scenario ? { scenario: flags.scenario } : {}),
      ...(flags.steps !== undefined ? { steps: flags.steps } : {}),
      ...(flags.eval !== undefined ? { eval: parseEvalList(flags.eval) } : {}),
      ...(flags.validate !== undefined ? { validate: flags.validate } : {}),
      ...(flags['validate-episodes'] !== undefined ? { validateEpisodes: flags['validate-episodes'] } : {}),
      ...(flags.agent !== undefined ? { agent: flags.agent } : {}),
    }, SOURCE);
    const file: TrainConfigFile = given.config ?? {};
    const agent = flags.agent ?? file.agent ?? 'dqn';
    const scenario = given.scenario ?? file.scenario ?? 'sr111';
    const seeds = parseSeedList(flags.seeds);
    const steps = atLeast('--steps', given.steps ?? file.steps ?? PAPER_STEPS, 1);
    const evalScenarios = given.eval ?? [{ scenario }];
    const episodes = atLeast('--episodes', flags.episodes ?? 20, 1);
    const workers = atLeast('--workers', flags.workers, 1, 64);
    const bootstrapReps = atLeast('--bootstrap-reps', flags['bootstrap-reps'], 1);
    const bootstrapSeed = atLeast('--bootstrap-seed', flags['bootstrap-seed'], 0);
    const policies = parseList('--policies', flags.policies ?? defaultSweepPolicies().join(','));
    const validation = given.validate === undefined ? undefined : { scenario: given.validate, every: atLeast('--validate-every', flags['validate-every'], 1), episodes: atLeast('--validate-episodes', given.validateEpisodes ?? 10, 1), seed: VALIDATION_SEED };
    const scenarioTag = scenario.replace(/^.*[\\/]/, '').replace(/\.(json|ya?ml)$/, '');
    const out = flags.out ?? join('runs', `sweep-${agent}-${scenarioTag}`);
    const train = kubeTrainerFromFlags(flags, { cwd: io.cwd, out, env: io.env, log: (t) => io.err(t), scenarios: [scenario, ...(validation ? [validation.scenario] : [])] });
    const s = await sweep({
      agent, trainScenario: scenario, seeds, steps, config: file, evalScenarios, episodes, evalSeed: flags['eval-seed'],
      ...(validation ? { validation } : {}),
      policies, out, workers, bootstrapReps, bootstrapSeed, cwd: io.cwd,
      progress: { write: (t) => io.err(t), isTTY: io.isTTY },
      now: () => performance.now(),
      ...(train ? { train } : {}),
    });
    io.out(sweepMarkdown(s));
    io.out(`\nwrote ${join(out, 'sweep.json')}, sweep.svg, sweep.md (${s.timing.totalSeconds} s)\n`);
    return 0;
  },
});
