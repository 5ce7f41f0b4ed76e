import { InvalidInputError } from '../../core/errors.js';
import { evaluatePolicy, metricsRow, roundMetrics, METRIC_COLUMNS, type OracleCache } from '../../experiments/evaluate/evaluate.js';
import { baselineNames, resolvePolicy } from '../../experiments/policies.js';
import { loadScenario, scenarioNames } from '../../twin/index.js';
import { renderTable, type Command, type FlagValues } from '../command.js';

const common = {
  scenario: { type: 'string', description: `Built-in scenario (${scenarioNames().join(', ')}) or a .json/.yaml file`, default: 'sr111', placeholder: '<name|file>' },
  episodes: { type: 'integer', description: 'Held-out episodes (identical for every policy)', default: 20 },
  seed: { type: 'integer', description: 'Seed of the evaluation episodes', default: 1000 },
  json: { type: 'boolean', description: 'Print JSON instead of a table' },
} as const;

function checkEpisodes(cmd: string, flags: FlagValues): number {
  const e = flags.episodes as number;
  if (e < 1) throw new InvalidInputError({ source: `remora ${cmd}`, field: '--episodes', expected: 'an integer >= 1', actual: String(e) });
  return e;
}

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'Evaluate one policy on held-out episodes against the exact oracle',
  usage: '--policy <name|model.json> [--scenario <name|file>] [--episodes N] [--seed S] [--json]',
  flags: { policy: { type: 'string', description: `${baselineNames().join(', ')}, or a trained model.json`, placeholder: '<name|model.json>' }, ...common },
  details: 'Reports return, oracleReturn, pctOfOracle, steps, slaViolations, migrations, meanRttMs, p95RttMs, meanLoad.',
  async run({ flags }, io) {
    const episodes = checkEpisodes('evaluate', flags);
    const spec = flags.policy as string | undefined;
    if (!spec) throw new InvalidInputError({ source: 'remora evaluate', field: '--policy', expected: 'a policy name or model.json', actual: 'nothing' });
    const scenario = loadScenario(flags.scenario as string, { cwd: io.cwd });
    const seed = flags.seed as number;
    const policy = await resolvePolicy(spec, { seed, scenario }, io.cwd);
    const { metrics } = evaluatePolicy(policy, scenario, { episodes, seed });
    if (flags.json) io.out(JSON.stringify(roundMetrics(metrics)) + '\n');
    else io.out(renderTable([...METRIC_COLUMNS], [metricsRow(metrics)]));
    return 0;
  },
};

export const compareCommand: Command = {
  name: 'compare',
  summary: 'Run several policies on identical episodes and print a comparison table',
  usage: '--policies never,follow-me,threshold,greedy,oracle,<model.json>... [--scenario ...] [--episodes N] [--seed S] [--json]',
  flags: { policies: { type: 'string', description: 'Comma-separated policies', default: 'never,follow-me,threshold,greedy,oracle', placeholder: '<a,b,...>' }, ...common },
  details: 'With --json the last line is {"policies": [{"policy": ..., "return": ..., "pctOfOracle": ..., ...}]}.',
  async run({ flags }, io) {
    const episodes = checkEpisodes('compare', flags);
    const specs = (flags.policies as string).split(',').map((s) => s.trim()).filter(Boolean);
    if (specs.length === 0) throw new InvalidInputError({ source: 'remora compare', field: '--policies', expected: 'a comma-separated list', actual: '""' });
    const scenario = loadScenario(flags.scenario as string, { cwd: io.cwd });
    const seed = flags.seed as number;
    const cache: OracleCache = new Map();
    const rows = [];
    for (const spec of specs) {
      const policy = await resolvePolicy(spec, { seed, scenario }, io.cwd);
      const { metrics } = evaluatePolicy(policy, scenario, { episodes, seed }, cache);
      rows.push(roundMetrics({ ...metrics, policy: spec }));
    }
    if (flags.json) io.out(JSON.stringify({ scenario: scenario.spec.name, episodes, seed, policies: rows }) + '\n');
    else io.out(renderTable([...METRIC_COLUMNS], rows.map(metricsRow)));
    return 0;
  },
};
