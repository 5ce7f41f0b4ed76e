import { serveEnv } from '../../core/env-server.js';
import { loadScenario, makeEnv, scenarioNames } from '../../twin/index.js';
import { defineCommand } from '../command.js';

export const envServeCommand = defineCommand({
  name: 'env serve',
  summary: 'Serve the twin over stdin/stdout as JSON lines (used by the Python Gymnasium adapter)',
  usage: '[--scenario <name|file>]',
  flags: {
    scenario: { type: 'string', description: `Built-in scenario (${scenarioNames().join(', ')}) or a .json/.yaml file`, default: 'sr111', placeholder: '<name|file>' },
  },
  details: 'Requests: {"cmd":"spec"}, {"cmd":"reset","seed":1}, {"cmd":"step","action":0}, {"cmd":"close"}. See src/experiments/env-server.ts.',
  async run({ flags }, io) {
    const env = makeEnv(loadScenario(flags.scenario, { cwd: io.cwd }));
    await serveEnv(env, env.scenario.spec.name, process.stdin, process.stdout);
    return 0;
  },
});
