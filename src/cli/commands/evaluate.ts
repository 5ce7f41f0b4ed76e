import { InvalidInputError } from '../../core/errors.js';
import { evaluatePolicy, metricsRow, roundMetrics, METRIC_COLUMNS, unstableNote, type OracleCache } from '../../experiments/evaluate/evaluate.js';
import { HEURISTICS } from '../../agents/registry.js';
import { baselineNames, resolvePolicy } from '../../experiments/policies.js';
import { loadScenario, scenarioNames } from '../../twin/index.js';
import { defineCommand, renderTable, type FlagSpecs } from '../command.js';

const common = {
  scenario: { type: 'string', description: `Built-in scenario (${scenarioNames().join(', ')}) or a .json/.yaml file`, default: 'sr111', placeholder: '<name|file>' },
  episodes: { type: 'integer', description: 'Held-out episodes (identical for every policy)', default: 20 },
  seed: { type: 'integer', description: 'Seed of the evaluation episodes', default: 1000 },
  json: { type: 'boolean', description: 'Print JSON instead of a table' },
} as const satisfies FlagSpecs;

function checkEpisodes(cmd: string, e: number): number {
  if (e < 1) throw new InvalidInputError({ source: `remora ${cmd}`, field: '--episodes', expected: 'an integer >= 1', actual: String(e) });
  return e;
}

export const evaluateCommand = defineCommand({
  name: 'evaluate',
  summary: 'Evaluate one policy on held-out episodes against the exact oracle',
  usage: '--policy <name|model.json> [--scenario <name|file>] [--episodes N] [--seed S] [--json]',
  flags: { policy: { type: 'string', description: `${baselineNames().join(', ')}, or a trained model.json`, placeholder: '<name|model.json>' }, ...common },
  details:
    'Reports return, oracleReturn, pctOfOracle, regret, steps, slaViolations, violationSeconds, migrations, downtimeSeconds, meanRttMs, p95RttMs, meanLoad and pctOfOracleUnstable ' +
    "(yes when the oracle's mean return is under 1 reward unit in magnitude: pctOfOracle then divides by almost nothing; compare by regret, in reward units).",
  async run({ flags }, io) {
    const episodes = checkEpisodes('evaluate', flags.episodes);
    const spec = flags.policy;
    if (!spec) throw new InvalidInputError({ source: 'remora evaluate', field: '--policy', expected: 'a policy name or model.json', actual: 'nothing' });
    const scenario = loadScenario(flags.scenario, { cwd: io.cwd });
    const seed = flags.seed;
    const policy = await resolvePolicy(spec, { seed, scenario }, io.cwd);
    const { metrics } = evaluatePolicy(policy, scenario, { episodes, seed });
    if (flags.json) io.out(JSON.stringify(roundMetrics(metrics)) + '\n');
    else io.out(renderTable([...METRIC_COLUMNS], [metricsRow(metrics)]) + (unstableNote([metrics]) ?? ''));
    return 0;
  },
});

export const compareCommand = defineCommand({
  name: 'compare',
  summary: 'Run several policies on identical episodes and print a comparison table',
  usage: '--policies never,follow-me,sla-greedy,oracle,<model.json>... [--scenario ...] [--episodes N] [--seed S] [--json]',
  flags: { policies: { type: 'string', description: 'Comma-separated policies (default: every heuristic and the oracle)', default: [...HEURISTICS, 'oracle'].join(','), placeholder: '<a,b,...>' }, ...common },
  details: 'Columns as in evaluate (pctOfOracleUnstable flags rows whose pctOfOracle divides by a near-zero oracle return). With --json the last line is {"policies": [{"policy": ..., "return": ..., "pctOfOracle": ..., "pctOfOracleUnstable": ..., ...}]}.',
  async run({ flags }, io) {
    const episodes = checkEpisodes('compare', flags.episodes);
    const specs = flags.policies.split(',').map((s) => s.trim()).filter(Boolean);
    if (specs.length === 0) throw new InvalidInputError({ source: 'remora compare', field: '--policies', expected: 'a comma-separated list', actual: '""' });
    const scenario = loadScenario(flags.scenario, { cwd: io.cwd });
    const seed = flags.seed;
    const cache: OracleCache = new Map();
    const rows = [];
    for (const spec of specs) {
      const policy = await resolvePolicy(spec, { seed, scenario }, io.cwd);
      const { metrics } = evaluatePolicy(policy, scenario, { episodes, seed }, cache);
      rows.push(roundMetrics({ ...metrics, policy: spec }));
    }
    if (flags.json) io.out(JSON.stringify({ scenario: scenario.spec.name, episodes, seed, policies: rows }) + '\n');
    else io.out(renderTable([...METRIC_COLUMNS], rows.map(metricsRow)) + (unstableNote(rows) ?? ''));
    return 0;
  },
});
