import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { loadScenario, makeEnv } from '../twin/index.js';
import { serveEnv, type ServeOptions } from './env-server.js';
import { VecEnv } from './vec-env.js';

/** Feed `requests` (one per line) to a server and return its answers, parsed. */
async function session(scenario: string, requests: unknown[], options: Partial<ServeOptions> = {}): Promise<any[]> {
  const input = new PassThrough(), output = new PassThrough();
  let buf = '';
  output.on('data', (d) => (buf += d));
  const sc = loadScenario(scenario);
  const done = serveEnv(() => makeEnv(sc), { scenario, maxEpisodeSteps: sc.spec.maxSteps, maskedActions: 'error', numEnvs: 1, ...options }, input, output);
  for (const r of requests) input.write((typeof r === 'string' ? r : JSON.stringify(r)) + '\n');
  input.write('{"cmd":"close"}\n');
  await done;
  return buf.trim().split('\n').map((l) => JSON.parse(l));
}

test('env server: spec, reset, step, errors as one-line JSON, close', async () => {
  const lines = await session('sr111', ['{"cmd":"spec"}', '{"cmd":"step","action":0}', '{"cmd":"reset","seed":3}', '{"cmd":"step","action":0}', '{"cmd":"step","action":9}', 'not json', '{"cmd":"dance"}', '{"cmd":"reset","seed":"x"}', '{"cmd":"vstep","actions":[0]}']);
  assert.equal(lines.length, 10);
  assert.equal(lines[0].actionSpace.n, 4);
  assert.equal(lines[0].observationSpace.low.length, 7);
  assert.equal(lines[0].maxEpisodeSteps, loadScenario('sr111').spec.maxSteps);
  assert.equal(lines[0].maskedActions, 'error');
  assert.equal(lines[0].numEnvs, 1);
  assert.match(lines[1].error, /step: called before reset/);
  assert.equal(lines[2].observation.length, 7);
  assert.deepEqual(lines[2].info.actionMask, [1, 1, 1, 1]);
  assert.equal(typeof lines[3].reward, 'number');
  assert.match(lines[4].error, /action must be an integer in \[0, 3\]/);
  assert.match(lines[5].error, /expected one JSON object per line/);
  assert.match(lines[6].error, /cmd: expected one of spec\|reset\|step\|vreset\|vstep\|close, got "dance"/);
  assert.match(lines[7].error, /seed: expected an integer/);
  assert.match(lines[8].error, /vstep: this is a single session/);
  assert.deepEqual(lines[9], { ok: true });
});

test('env server: a masked action is an error line by default, and Wait with info.maskedAction under maskedActions "wait"', async () => {
  // sr111-timed: a migration takes several steps, during which every migrate action is masked.
  const script = [{ cmd: 'reset', seed: 2 }, { cmd: 'step', action: 2 }, { cmd: 'step', action: 3 }, { cmd: 'step', action: 0 }];
  const strict = await session('sr111-timed', script);
  assert.ok(strict[1].info.migrationRemainingSteps > 0, 'the first migration is in flight');
  assert.match(strict[2].error, /action 3 is masked/);
  const lax = await session('sr111-timed', script, { maskedActions: 'wait' });
  assert.equal(lax[0].info.maskedAction, false);
  assert.equal(lax[1].info.maskedAction, false);
  assert.equal(lax[2].info.maskedAction, true);
  assert.equal(lax[2].info.migrations, 1, 'the masked action started nothing');
  // The masked step is exactly a Wait: the same transition as the explicit Wait on a replay of the same seed.
  const waited = await session('sr111-timed', [script[0], script[1], { cmd: 'step', action: 0 }], { maskedActions: 'wait' });
  assert.deepEqual(lax[2].observation, waited[2].observation);
  assert.equal(lax[2].reward, waited[2].reward);
  assert.equal(waited[2].info.maskedAction, false);
});

test('env server: vreset/vstep step K copies with next-step autoreset; bad actions leave every copy untouched', async () => {
  const K = 3;
  const steps: unknown[] = [{ cmd: 'vreset', seed: 7 }, { cmd: 'reset' }, { cmd: 'vstep', actions: [0, 0] }, { cmd: 'vstep', actions: [0, 0, 9] }];
  for (let i = 0; i < 60; i++) steps.push({ cmd: 'vstep', actions: [0, 1, 2] });
  const lines = await session('sr111', steps, { numEnvs: K, maskedActions: 'wait' });
  const sc = loadScenario('sr111');
  assert.equal(lines[0].observations.length, K * 7);
  assert.equal(lines[0].actionMasks.length, K * 4);
  // Copy k is seeded with seed + k, as Gymnasium seeds vector envs.
  for (let k = 0; k < K; k++) assert.deepEqual(lines[0].observations.slice(k * 7, k * 7 + 7), Array.from(makeEnv(sc).reset({ seed: 7 + k }).observation));
  assert.match(lines[1].error, /reset: this is a vector session/);
  assert.match(lines[2].error, /vstep: actions: expected an array of 3 integers/);
  assert.match(lines[3].error, /vstep: actions\[2\]: expected an integer in \[0, 3\]/);
  // The same actions on a local next-step VecEnv give the same answers, bad requests included (they changed nothing).
  const local = new VecEnv([0, 1, 2].map(() => makeEnv(sc)), { autoreset: 'next-step' });
  local.reset(7);
  let ends = 0, autoresets = 0;
  for (let i = 0; i < 60; i++) {
    const pending = Array.from(local.autoresetPending);
    local.step([0, 1, 2]);
    const r = lines[4 + i];
    assert.deepEqual(r.observations, Array.from(local.observations));
    assert.deepEqual(r.rewards, Array.from(local.rewards));
    assert.deepEqual(r.terminated, Array.from(local.terminated));
    assert.deepEqual(r.maskedActions.length, K);
    for (let k = 0; k < K; k++) {
      if (r.terminated[k] || r.truncated[k]) ends++;
      if (pending[k]) {
        autoresets++;
        assert.equal(r.rewards[k], 0, 'the autoreset step has reward 0');
        assert.equal(r.terminated[k] + r.truncated[k], 0, 'and is neither terminated nor truncated');
      }
    }
  }
  assert.ok(ends > 0 && autoresets > 0, `episodes ended (${ends}) and were autoreset (${autoresets}) within 60 steps`);
});
