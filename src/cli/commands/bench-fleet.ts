import { InvalidInputError } from '../../core/errors.js';
import { benchFleet } from '../../experiments/fleet/bench-fleet.js';
import { loadScenario } from '../../twin/index.js';
import { defineCommand } from '../command.js';

/** The goal: a 10k-user × 100-node tick in at most this many ms on one core. */
const GOAL_TICK_MS = 20;

export const benchFleetCommand = defineCommand({
  name: 'bench fleet',
  summary: 'Measure fleet-twin throughput (ms per tick and user-steps/s on one core, policy excluded)',
  usage: '[--scenario metro-100] [--users 10000] [--seconds 3] [--json]',
  flags: {
    scenario: { type: 'string', description: 'Fleet scenario to step', default: 'metro-100', placeholder: '<name|file>' },
    users: { type: 'integer', description: "Population of a fixed-population scenario (the goal's 10,000; arrival-process scenarios keep their own)", default: 10000 },
    seconds: { type: 'number', description: 'Measurement time after a 0.5 s warm-up', default: 3 },
    json: { type: 'boolean', description: 'Print {"users":…,"nodes":…,"tickMs":…,"userStepsPerSecond":…}' },
  },
  async run({ flags }, io) {
    if (flags.users < 1) throw new InvalidInputError({ source: 'remora bench fleet', field: '--users', expected: 'an integer >= 1', actual: String(flags.users) });
    if (!(flags.seconds > 0)) throw new InvalidInputError({ source: 'remora bench fleet', field: '--seconds', expected: 'a number > 0', actual: String(flags.seconds) });
    const r = benchFleet(loadScenario(flags.scenario, { cwd: io.cwd }), flags.seconds, flags.users);
    if (flags.json) io.out(JSON.stringify({ users: r.users, nodes: r.nodes, tickMs: r.tickMs, userStepsPerSecond: r.userStepsPerSecond }) + '\n');
    else io.out(`${r.scenario}: ${r.users.toLocaleString('en-US')} users × ${r.nodes} nodes: ${r.tickMs} ms/tick, ${r.userStepsPerSecond.toLocaleString('en-US')} user-steps/s (goal: ≤ ${GOAL_TICK_MS} ms for 10k × 100)\n`);
    return 0;
  },
});
