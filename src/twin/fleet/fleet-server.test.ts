// The fleet over the JSON-lines protocol (core/fleet-server.ts), keyed by PettingZoo agent names, as a Python
// ParallelEnv adapter would drive it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { serveFleet } from '../../core/fleet-server.js';
import { loadScenario } from '../scenario-loader.js';
import { FleetTwin } from './fleet-twin.js';

async function session(requests: unknown[]): Promise<any[]> {
  const input = new PassThrough(), output = new PassThrough();
  let buf = '';
  output.on('data', (d) => (buf += d));
  const sc = loadScenario('sr111-traffic');
  const done = serveFleet(new FleetTwin(sc), { scenario: 'sr111-traffic', maxEpisodeSteps: sc.spec.maxSteps }, input, output);
  for (const r of requests) input.write((typeof r === 'string' ? r : JSON.stringify(r)) + '\n');
  input.write('{"cmd":"close"}\n');
  await done;
  return buf.trim().split('\n').map((l) => JSON.parse(l));
}

test('fleet server: spec, reset, step keyed by agent name, one-line errors, close', async () => {
  const first = await session([{ cmd: 'spec' }, { cmd: 'reset', seed: 2 }]);
  const agents: string[] = first[1].agents;
  assert.equal(first[0].actionSpace.n, 4);
  assert.equal(first[0].nodes, 3);
  assert.ok(agents.length > 20 && agents.every((a) => /^user-\d+$/.test(a)));
  const a0 = agents[0]!;
  const mask: number[] = first[1].infos[a0].action_mask;
  const move = mask.findIndex((m, a) => a > 0 && m === 1);
  const lines = await session([
    { cmd: 'step', actions: {} },
    { cmd: 'reset', seed: 2 },
    { cmd: 'step', actions: { [a0]: move } },
    { cmd: 'step', actions: { 'user-999999': 1 } },
    { cmd: 'step', actions: { [a0]: 7 } },
    { cmd: 'step', actions: [] },
    { cmd: 'dance' },
  ]);
  assert.match(lines[0].error, /step: called before reset/);
  assert.deepEqual(lines[1].agents, agents, 'same seed, same agents');
  const s = lines[2];
  assert.equal(s.t, 1);
  for (const k of ['observations', 'rewards', 'terminations', 'truncations', 'infos']) assert.deepEqual(Object.keys(s[k]).sort(), Object.keys(s.observations).sort(), k);
  assert.ok(a0 in s.rewards && Number.isFinite(s.rewards[a0]));
  assert.match(lines[3].error, /user-999999: not a live agent/);
  assert.match(lines[4].error, /expected an integer in \[0, 3\]/);
  assert.match(lines[5].error, /expected an object/);
  assert.match(lines[6].error, /expected one of spec\|reset\|step\|close/);
  assert.deepEqual(lines[7], { ok: true });
});
