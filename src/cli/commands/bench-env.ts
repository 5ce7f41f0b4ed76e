import { benchEnv } from '../../experiments/bench/bench-env.js';
import { defineCommand } from '../command.js';

export const benchEnvCommand = defineCommand({
  name: 'bench env',
  summary: 'Measure twin throughput (steps/s on one core, policy excluded)',
  usage: '[--scenario sr111] [--seconds 3] [--json]',
  flags: {
    scenario: { type: 'string', description: 'Scenario to step', default: 'sr111', placeholder: '<name|file>' },
    seconds: { type: 'number', description: 'Measurement time after a short warm-up', default: 3 },
    json: { type: 'boolean', description: 'Print {"stepsPerSecond": ...} as JSON' },
  },
  async run({ flags }, io) {
    const r = benchEnv(flags.scenario, flags.seconds, io.cwd);
    if (flags.json) io.out(JSON.stringify(r) + '\n');
    else io.out(`${r.scenario}: ${r.stepsPerSecond.toLocaleString('en-US')} steps/s (${r.nsPerStep} ns/step, ${r.episodesPerSecond.toLocaleString('en-US')} episodes/s), ${r.ratioToGoal}x the 1M steps/s goal\n`);
    return 0;
  },
});
