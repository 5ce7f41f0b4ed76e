import { serveEnv, serveFleet } from '../../core/env-server.js';
import { IndependentFleet } from '../../core/independent-fleet.js';
import { InvalidInputError } from '../../core/errors.js';
import { FleetTwin } from '../../twin/fleet/fleet-twin.js';
import { loadScenario, makeEnv, resolveScenario, scenarioNames } from '../../twin/index.js';
import { defineCommand } from '../command.js';

export const envServeCommand = defineCommand({
  name: 'env serve',
  summary: 'Serve the twin over stdin/stdout as JSON lines (used by the Python Gymnasium adapter)',
  usage: '[--scenario <name|file>] [--masked wait|error] [--num-envs K | --fleet U [--arrivals 2]]',
  flags: {
    scenario: { type: 'string', description: `Built-in scenario (${scenarioNames().join(', ')}) or a .json/.yaml file`, default: 'sr111', placeholder: '<name|file>' },
    masked: { type: 'string', description: 'A masked action: an error line (the Env contract), or executed as Wait with info.maskedAction', choices: ['error', 'wait'], default: 'error' },
    'num-envs': { type: 'integer', description: 'Copies stepped per vstep request (vector sessions)', default: 1 },
    fleet: { type: 'integer', description: 'Serve a fleet (PettingZoo Parallel: freset/fstep). A fleet scenario (one with `users`, e.g. sr111-traffic) serves its own crowd, sharing the nodes, with at most this many user ids per episode; a single-user scenario serves this many independent copies at once', placeholder: '<users>' },
    arrivals: { type: 'integer', description: 'With --fleet: users served per slot in one episode (a user who leaves is followed by the next)', default: 2 },
  },
  details: 'Requests: {"cmd":"spec"}, {"cmd":"reset","seed":1}, {"cmd":"step","action":0}, {"cmd":"vreset","seed":1}, {"cmd":"vstep","actions":[0,...]}, {"cmd":"close"}; with --fleet: {"cmd":"freset","seed":1}, {"cmd":"fstep","actions":{"0":2,...}}. See src/core/env-server.ts.',
  async run({ flags, given }, io) {
    const K = flags['num-envs'];
    if (K < 1 || K > 4096) throw new InvalidInputError({ source: 'remora env serve', field: '--num-envs', expected: 'an integer in [1, 4096]', actual: String(K) });
    const scenario = loadScenario(flags.scenario, { cwd: io.cwd });
    checkFleetFlags(given, flags.fleet !== undefined, scenario.spec.users !== undefined, scenario.spec.name);
    if (flags.fleet !== undefined) {
      const U = flags.fleet;
      if (U < 1 || U > 4096) throw new InvalidInputError({ source: 'remora env serve', field: '--fleet', expected: 'an integer in [1, 4096]', actual: String(U) });
      if (flags.arrivals < 1 || flags.arrivals > 1000) throw new InvalidInputError({ source: 'remora env serve', field: '--arrivals', expected: 'an integer in [1, 1000]', actual: String(flags.arrivals) });
      // A fleet scenario: the fleet twin (shared nodes, endogenous load, caps), its ids capped at U (PettingZoo's
      // possible_agents; arrivals beyond are refused and counted). Re-resolved, since derived geometry is built at load.
      const users = scenario.spec.users;
      const fleet = users
        ? new FleetTwin(resolveScenario({ ...scenario.spec, users: { ...users, maxUsers: U } }, scenario.source, { cwd: io.cwd }))
        : new IndependentFleet(() => makeEnv(scenario), U, flags.arrivals, scenario.spec.maxSteps);
      await serveFleet(fleet, { scenario: scenario.spec.name, maxEpisodeSteps: scenario.spec.maxSteps, maskedActions: flags.masked }, process.stdin, process.stdout);
      process.stdin.destroy();
      return 0;
    }
    await serveEnv(() => makeEnv(scenario), { scenario: scenario.spec.name, maxEpisodeSteps: scenario.spec.maxSteps, maskedActions: flags.masked, numEnvs: K }, process.stdin, process.stdout);
    // readline's close leaves stdin open, and an open pipe keeps Node alive until the client closes its end: the
    // adapter's close() used to wait 5 s for that, then kill.
    process.stdin.destroy();
    return 0;
  },
});

/**
 * The flags that only some serving modes read: given where they would be ignored, they are refused with one line
 * rather than dropped. `--arrivals` counts users per slot of independent copies of a single-user scenario; a fleet
 * scenario's crowd arrives by its own process (`users.arrivals`, e.g. Poisson at the highway's ends), which a count
 * per slot cannot express. `--num-envs` belongs to vector sessions, which a fleet does not serve.
 */
export function checkFleetFlags(given: ReadonlySet<string>, fleet: boolean, fleetScenario: boolean, scenario: string): void {
  const source = 'remora env serve';
  if (given.has('arrivals') && !fleet) throw new InvalidInputError({ source, field: '--arrivals', expected: 'only with --fleet <users> (users served per slot of a fleet)', actual: 'given without --fleet' });
  if (given.has('arrivals') && fleetScenario)
    throw new InvalidInputError({ source, field: '--arrivals', expected: `only for a single-user scenario served as independent copies; ${scenario} is a fleet scenario whose users arrive by its users.arrivals (set the rate there)`, actual: 'given with a fleet scenario' });
  if (given.has('num-envs') && fleet) throw new InvalidInputError({ source, field: '--num-envs', expected: 'only without --fleet (vector sessions)', actual: 'given with --fleet' });
}
