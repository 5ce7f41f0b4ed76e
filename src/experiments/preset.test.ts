// `--preset paper|edge`: a preset fills every flag a results table needs, explicit flags win field by field, and a
// bad name is one clear line on every command that takes the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Io } from '../cli/command.js';
import { main } from '../cli/main.js';
import { presetNamed, resolveSweepPreset } from './preset.js';
import { PRODUCT_PRESETS } from './product.js';

test('sweep --preset edge resolves scenario, steps, validation, config, the test days and the unseen families', () => {
  const r = resolveSweepPreset('edge', {});
  const p = PRODUCT_PRESETS.edge;
  assert.equal(r.scenario, p.scenario);
  assert.equal(r.steps, p.steps);
  assert.equal(r.validate, p.validation);
  assert.deepEqual(r.config, p.config);
  assert.notEqual(r.config, p.config, 'a copy: a sweep cannot change the preset');
  assert.deepEqual(r.eval!.filter((e) => e.role === 'test').map((e) => e.scenario), [...p.test]);
  const unseen = r.eval!.filter((e) => e.role === 'unseen').map((e) => e.scenario);
  assert.ok(unseen.length >= 7 && unseen.every((s) => s.startsWith('sr111-edge-unseen-')), unseen.join(','));
  assert.ok(resolveSweepPreset('paper', {}).eval!.some((e) => e.scenario === 'sr111-unseen-gps'));
});

test('explicit flags override the preset field by field', () => {
  const r = resolveSweepPreset('paper', { steps: 1000, scenario: 'sr111', eval: [{ scenario: 'sr111-test' }] });
  assert.equal(r.steps, 1000);
  assert.equal(r.scenario, 'sr111');
  assert.deepEqual(r.eval, [{ scenario: 'sr111-test' }]);
  assert.equal(r.validate, PRODUCT_PRESETS.paper.validation, 'the fields not given still come from the preset');
  assert.deepEqual(resolveSweepPreset(undefined, { steps: 5 }), { steps: 5 }, 'no preset: the flags as given');
});

test('a bad preset name is one line naming the flag, the choices and the value', async () => {
  assert.throws(() => presetNamed('fast', 'remora sweep'), /^.*--preset.*paper, edge.*"fast"/);
  for (const command of ['sweep', 'train']) {
    let err = '';
    const io: Io = { out: () => {}, err: (t) => void (err += t), isTTY: false, cwd: process.cwd(), env: {} };
    const code = await main([command, '--preset', 'fast', '--steps', '10'], io);
    assert.notEqual(code, 0);
    const lines = err.trim().split('\n');
    assert.equal(lines.length, 1, err);
    assert.match(lines[0]!, /--preset/);
    assert.match(lines[0]!, /paper/);
    assert.match(lines[0]!, /fast/);
  }
});

test("--agent dagger under a preset takes the residual agent's config, steps and validation families", () => {
  const r = resolveSweepPreset('edge', { agent: 'dagger' });
  const p = PRODUCT_PRESETS.edge.residual;
  assert.equal(r.steps, p.steps);
  assert.equal(r.validateEpisodes, p.validateEpisodes);
  assert.equal(r.config?.agent, 'dagger');
  const vals = r.validate!.split(',');
  assert.ok(vals.includes('sr111-edge-validation') && vals.includes('sr111-edge-validation-ramp'), r.validate);
  assert.ok(vals.every((v) => !v.includes('unseen') && !v.endsWith('-test')), 'never an unseen family or a test day');
  assert.equal(resolveSweepPreset('edge', {}).config?.agent, 'dqn', 'the default agent keeps the DQN preset');
});
