import { loadScenario, scenarioNames } from '../../twin/index.js';
import { defineCommand } from '../command.js';
import { stringify } from 'yaml';

export const scenarioShowCommand = defineCommand({
  name: 'scenario show',
  summary: 'Print a resolved scenario (all defaults filled in) plus derived facts',
  usage: '<name|file> [--format yaml|json]',
  positionals: ['name|file'],
  flags: {
    format: { type: 'string', description: 'Output format', default: 'yaml', choices: ['yaml', 'json'] },
  },
  details: `Built-in scenarios: ${scenarioNames().join(', ')}.`,
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
    const doc = { ...sc.spec, resolved: derived };
    io.out(flags.format === 'json' ? JSON.stringify(doc, null, 2) + '\n' : stringify(doc));
    return 0;
  },
});
