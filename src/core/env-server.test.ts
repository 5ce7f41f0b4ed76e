import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { loadScenario, makeEnv } from '../twin/index.js';
import { serveEnv } from './env-server.js';

test('env server: spec, reset, step, errors as one-line JSON, close', async () => {
  const input = new PassThrough(), output = new PassThrough();
  let buf = '';
  output.on('data', (d) => (buf += d));
  const done = serveEnv(makeEnv(loadScenario('sr111')), 'sr111', input, output);
  for (const l of ['{"cmd":"spec"}', '{"cmd":"reset","seed":3}', '{"cmd":"step","action":0}', '{"cmd":"step","action":9}', 'not json', '{"cmd":"dance"}', '{"cmd":"reset","seed":"x"}', '{"cmd":"close"}']) input.write(l + '\n');
  await done;
  const lines = buf.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 8);
  assert.equal(lines[0].actionSpace.n, 4);
  assert.equal(lines[0].observationSpace.low.length, 7);
  assert.equal(lines[1].observation.length, 7);
  assert.deepEqual(lines[1].info.actionMask, [1, 1, 1, 1]);
  assert.equal(typeof lines[2].reward, 'number');
  assert.match(lines[3].error, /action must be an integer in \[0, 3\]/);
  assert.match(lines[4].error, /expected one JSON object per line/);
  assert.match(lines[5].error, /cmd: expected one of spec\|reset\|step\|close, got "dance"/);
  assert.match(lines[6].error, /seed: expected an integer/);
  assert.deepEqual(lines[7], { ok: true });
});
