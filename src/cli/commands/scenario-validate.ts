import { stringify } from 'yaml';
import { scenarioNames, validateScenario } from '../../twin/index.js';
import { defineCommand, formatError } from '../command.js';
import { InvalidInputError } from '../../core/errors.js';

export const scenarioValidateCommand = defineCommand({
  name: 'scenario validate',
  summary: 'Check a scenario file: print it resolved (every default filled in), or every error at once',
  usage: '<file|name> [--format yaml|json]',
  positionals: ['file|name'],
  flags: {
    format: { type: 'string', description: 'Output format of the resolved scenario', default: 'yaml', choices: ['yaml', 'json'] },
  },
  details:
    'On success prints the resolved scenario (extends applied, defaults filled in) and exits 0. Otherwise prints every error, ' +
    'one line each on stderr, and exits 1: bad extends names, every schema issue, then every trace or GPS file that fails to load, ' +
    `then the checks on the loaded data (days). Built-in scenarios: ${scenarioNames().join(', ')}.`,
  async run({ flags, positionals }, io) {
    const name = positionals[0];
    if (!name) throw new InvalidInputError({ source: 'remora scenario validate', field: '<file>', expected: 'a scenario file (.yaml, .yml or .json) or a built-in name', actual: 'nothing' });
    const v = validateScenario(name, { cwd: io.cwd });
    if (!v.ok) {
      for (const e of v.errors) io.err(formatError(e) + '\n');
      return 1;
    }
    const spec = v.scenario.spec;
    io.out(flags.format === 'json' ? JSON.stringify(spec, null, 2) + '\n' : stringify(spec));
    return 0;
  },
});
