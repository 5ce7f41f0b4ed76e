import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { loadScenario, makeEnv } from '../twin/index.js';
import { serveFleet } from './env-server.js';
import { IndependentFleet } from './independent-fleet.js';

async function session(scenario: string, users: number, arrivals: number, requests: unknown[], masked: 'wait' | 'error' = 'error'): Promise<any[]> {
  const input = new PassThrough(), output = new PassThrough();
  let buf = '';
  output.on('data', (d) => (buf += d));
  const sc = loadScenario(scenario);
  const done = serveFleet(new IndependentFleet(() => makeEnv(sc), users, arrivals, sc.spec.maxSteps), { scenario, maxEpisodeSteps: sc.spec.maxSteps, maskedActions: masked }, input, output);
  for (const r of requests) input.write((typeof r === 'string' ? r : JSON.stringify(r)) + '\n');
  input.write('{"cmd":"close"}\n');
  await done;
  return buf.trim().split('\n').map((l) => JSON.parse(l));
}

test('fleet server: spec with maxUsers, freset rows, fstep by user id (left out = Wait), one-line errors, nothing steps on a bad request', async () => {
  const l = await session('sr111', 3, 2, [
    { cmd: 'spec' },
    { cmd: 'fstep', actions: {} },
    { cmd: 'freset', seed: 4 },
    { cmd: 'fstep', actions: { 0: 0, 2: 0 } },
    { cmd: 'fstep', actions: { 9: 0 } },
    { cmd: 'fstep', actions: { 1: 7 } },
    { cmd: 'fstep', actions: [0, 0] },
    { cmd: 'step', action: 0 },
  ]);
  assert.deepEqual(l[0].fleet, { maxUsers: 6 });
  assert.match(l[1].error, /fstep: called before freset/);
  assert.deepEqual(l[2].ids, [0, 1, 2]);
  assert.deepEqual(l[2].joined, [1, 1, 1]);
  assert.equal(l[2].observations.length, 3 * 7);
  assert.equal(l[2].t, 0);
  assert.deepEqual(l[3].ids, [0, 1, 2]);
  assert.equal(l[3].t, 1);
  assert.deepEqual(l[3].joined, [0, 0, 0]);
  assert.match(l[4].error, /fstep: actions: user "9" is not present/);
  assert.match(l[5].error, /fstep: actions\[1\]: expected an integer in \[0, 3\]/);
  assert.match(l[6].error, /expected an object of user id -> action/);
  assert.match(l[7].error, /this is a fleet session/);
});

test('fleet server: same seed, same fleet; a user who leaves is followed by the next, who never ends in the tick it joined; done once', async () => {
  const fleet = () => new IndependentFleet(() => makeEnv(loadScenario('sr111')), 2, 2, 200);
  const run = (): string[] => {
    const f = fleet();
    let r = f.reset({ seed: 9 });
    const log: string[] = [];
    const ended = new Set<number>();
    while (!f.done) {
      // Everyone jumps to node 1 (far from most of the road): users breach the SLA and leave.
      const actions = Array.from({ length: r.rows }, () => 1);
      r = f.step(actions);
      for (let k = 0; k < r.rows; k++) {
        const id = r.ids[k]!;
        assert.ok(!ended.has(id), `user ${id} ended twice or came back`);
        if (r.joined[k]) assert.ok(!r.terminated[k] && !r.truncated[k], 'a joiner never ends in its first tick');
        if (r.terminated[k] || r.truncated[k]) ended.add(id);
        log.push(`${r.t}:${id}:${r.rewards[k]!.toFixed(6)}:${r.terminated[k]}${r.truncated[k]}${r.joined[k]}`);
      }
    }
    assert.throws(() => f.step([]), /after the episode ended/);
    assert.deepEqual([...ended].sort(), [0, 1, 2, 3], 'every user arrived and left exactly once');
    return log;
  };
  assert.deepEqual(run(), run());
});
