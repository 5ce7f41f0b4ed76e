// Two CLI edges that used to surprise a user: `lab up` sized the lab for a scenario `lab run` does not default to,
// and `env serve` dropped `--arrivals` silently where it does not apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../../twin/scenario-loader.js';
import { parseArgs } from '../command.js';
import { defaultLabNodes, labRunCommand, labUpCommand } from './lab.js';
import { checkFleetFlags, envServeCommand } from './env-serve.js';

test('lab up defaults to the node count of lab run\'s default scenario', () => {
  const runScenario = labRunCommand.flags.scenario.default;
  const expected = loadScenario(runScenario, { cwd: process.cwd() }).spec.nodes.length;
  assert.equal(defaultLabNodes(process.cwd()), expected);
  assert.equal(expected, 3); // sr111-roundtrip: the paper's three nodes
  const up = parseArgs(labUpCommand, []);
  assert.notEqual(up, 'help');
  assert.equal((up as Exclude<typeof up, 'help'>).flags.nodes, undefined); // filled in from the scenario, not a constant
});

function given(argv: string[]): ReadonlySet<string> {
  const r = parseArgs(envServeCommand, argv);
  assert.notEqual(r, 'help');
  return (r as Exclude<typeof r, 'help'>).given;
}

test('env serve: --arrivals is honoured where it applies and refused with one line elsewhere', () => {
  assert.doesNotThrow(() => checkFleetFlags(given(['--fleet', '3', '--arrivals', '2']), true, false, 'sr111'));
  assert.doesNotThrow(() => checkFleetFlags(given(['--fleet', '400']), true, true, 'sr111-traffic'));
  assert.throws(() => checkFleetFlags(given(['--fleet', '4', '--arrivals', '2']), true, true, 'sr111-traffic'), /--arrivals: expected only for a single-user scenario .*sr111-traffic.*, got given with a fleet scenario/);
  assert.throws(() => checkFleetFlags(given(['--arrivals', '3']), false, false, 'sr111'), /--arrivals: expected only with --fleet/);
  assert.throws(() => checkFleetFlags(given(['--fleet', '2', '--num-envs', '4']), true, false, 'sr111'), /--num-envs: expected only without --fleet/);
});
