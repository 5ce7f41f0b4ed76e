import { loadScenario, scenarioNames } from '../../twin/index.js';
import { defineCommand } from '../command.js';
import { InvalidInputError } from '../../core/errors.js';
import { stringify } from 'yaml';
import { describeScenario, DESCRIBE_POLICIES, MIN_MEAN_EPISODE_STEPS } from '../../experiments/describe-scenario.js';

export const scenarioShowCommand = defineCommand({
  name: 'scenario show',
  summary: 'Print a resolved scenario (all defaults filled in) plus derived facts',
  usage: '<name|file> [--format yaml|json]',
  positionals: ['name|file'],
  flags: {
    format: { type: 'string', description: 'Output format', default: 'yaml', choices: ['yaml', 'json'] },
    episodes: { type: 'integer', description: `Episodes per policy for the mean episode length (${DESCRIBE_POLICIES.join(', ')}); 0 skips them`, default: 20 },
  },
  details:
    'Besides the scenario, `data` describes it: per node the load mean, p95 and % of time above L_max over the trace range the ' +
    'episodes draw from; the trip length in steps; the noise-free RTT range along the trip; the mean episode length per policy. ' +
    `Degenerate scenarios (a node always above L_max, a mean episode length under ${MIN_MEAN_EPISODE_STEPS} steps) get a warning on stderr. ` +
    `Built-in scenarios: ${scenarioNames().join(', ')}.`,
  async run({ flags, positionals }, io) {
    const name = positionals[0] ?? 'sr111';
    const sc = loadScenario(name, { cwd: io.cwd });
    const derived = {
      source: sc.source,
      nodes: sc.nodeX.length,
      traceSpanDays: Number((sc.traceSpanSeconds / 86400).toFixed(3)),
      heldOutDay: sc.heldOutDay,
      traces: sc.traces.map((t) => ({ name: t.name, source: t.source, rows: t.cpu.length, sampleSeconds: t.sampleSeconds })),
    };
    if (flags.episodes < 0) throw new InvalidInputError({ source: 'remora scenario show', field: '--episodes', expected: 'an integer >= 0', actual: String(flags.episodes) });
    const data = await describeScenario(sc, { episodes: flags.episodes, cwd: io.cwd });
    for (const w of data.warnings) io.err(`remora: warning: ${w}\n`);
    const doc = { ...sc.spec, resolved: derived, data };
    io.out(flags.format === 'json' ? JSON.stringify(doc, null, 2) + '\n' : stringify(doc));
    return 0;
  },
});
