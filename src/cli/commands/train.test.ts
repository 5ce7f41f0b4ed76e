// `remora train`, `remora export` and `remora bench train` end to end through the CLI entry (captured IO):
// run folder contents, quiet progress off a TTY, config validation, worker threads, simulate with the trained
// model, and the TF.js export loaded by `tf.loadLayersModel` through a file IO handler with identical Q-values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { main } from '../main.js';
import type { Io } from '../command.js';
import { loadModel } from '../../agents/policy-file.js';
import { RecentWindow } from '../../agents/features.js';

function capture(cwd: string, isTTY = false): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY, cwd, env: {} as Record<string, string | undefined>, out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

test('remora train writes metrics.jsonl, model.json/model.bin, config.json; logs quietly off a TTY; simulate runs the model', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'remora-cli-'));
  const io = capture(cwd);
  const code = await main(['train', '--agent', 'sarsa', '--scenario', 'sr111', '--steps', '3000', '--seed', '3', '--out', 'run'], io);
  assert.equal(code, 0, io.stderr);
  for (const f of ['metrics.jsonl', 'model.json', 'model.bin', 'config.json']) assert.ok(existsSync(join(cwd, 'run', f)), f);
  const lines = readFileSync(join(cwd, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.length > 10);
  assert.deepEqual(Object.keys(lines[0]).sort(), ['episode', 'epsilon', 'length', 'meanReward', 'reward', 'steps'].sort());
  assert.ok(lines.every((l, i) => l.episode === i));
  assert.ok(!io.stderr.includes('\r'), 'no carriage-return bar off a TTY');
  assert.match(io.stderr, /^train: 100\.0% 3000\/3000 steps/m);
  const header = loadModel(join(cwd, 'run', 'model.json')).header;
  assert.equal(header.training.steps, 3000);
  assert.equal(header.training.seed, 3);
  assert.equal(header.agent, 'sarsa');
  const sim = capture(cwd);
  assert.equal(await main(['simulate', '--scenario', 'sr111', '--policy', join(cwd, 'run', 'model.json'), '--episodes', '2', '--format', 'table'], sim), 0, sim.stderr);
});

test('remora train on a TTY draws a progress bar with steps/s, ε, mean reward and ETA', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'remora-cli-'));
  const io = capture(cwd, true);
  assert.equal(await main(['train', '--agent', 'sarsa', '--steps', '2000', '--out', 'r'], io), 0, io.stderr);
  assert.match(io.stderr, /\r\[#+\.*\]\s+\d+% \d+\/2000 steps\s+[\d.k]+ steps\/s\s+ε [\d.]+\s+mean reward [-\d.—]+\s+episodes \d+\s+ETA/);
});

test('remora train --config: validated, unknown keys are one-line errors; flags override the file', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'remora-cli-'));
  writeFileSync(join(cwd, 'bad.json'), JSON.stringify({ agent: 'dqn', dqn: { batchSize: 32, targetUpdat: 20 } }));
  const bad = capture(cwd);
  assert.equal(await main(['train', '--config', 'bad.json'], bad), 1);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /bad\.json: dqn\.targetUpdat: expected no such key/);
  writeFileSync(join(cwd, 'neg.json'), JSON.stringify({ dqn: { gamma: 1.5 } }));
  const neg = capture(cwd);
  assert.equal(await main(['train', '--config', 'neg.json'], neg), 1);
  assert.match(neg.stderr, /neg\.json: dqn\.gamma: expected a number <= 1, got 1\.5/);
  writeFileSync(join(cwd, 'sarsa-lstm.json'), JSON.stringify({ agent: 'sarsa', sarsa: { network: { kind: 'lstm', window: 4 } } }));
  const sl = capture(cwd);
  assert.equal(await main(['train', '--config', 'sarsa-lstm.json'], sl), 1);
  assert.match(sl.stderr, /sarsa\.network\.window: expected 1 \(SARSA keeps no observation history/);
  writeFileSync(join(cwd, 'ok.json'), JSON.stringify({ agent: 'dqn', steps: 999999, dqn: { warmupSteps: 100, network: { kind: 'lstm', window: 2 } }, exploration: { annealFraction: 0.5 } }));
  const ok = capture(cwd);
  assert.equal(await main(['train', '--config', 'ok.json', '--steps', '400', '--out', 'o'], ok), 0, ok.stderr);
  const cfg = JSON.parse(readFileSync(join(cwd, 'o', 'config.json'), 'utf8'));
  assert.equal(cfg.steps, 400);
  assert.equal(cfg.dqn.network.window, 2);
  assert.equal(cfg.dqn.exploration.annealFraction, 0.5);
});

test('remora train --network replaces the config file\'s network with that kind\'s defaults', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'remora-cli-'));
  writeFileSync(join(cwd, 'lstm2.json'), JSON.stringify({ dqn: { gamma: 0.9, network: { kind: 'lstm', window: 2 } } }));
  const io = capture(cwd);
  assert.equal(await main(['train', '--config', 'lstm2.json', '--network', 'mlp', '--steps', '300', '--out', 'mlp'], io), 0, io.stderr);
  const cfg = JSON.parse(readFileSync(join(cwd, 'mlp', 'config.json'), 'utf8'));
  assert.deepEqual(cfg.dqn.network, { kind: 'mlp', hidden: [24, 24], window: 1 });
  assert.equal(cfg.dqn.gamma, 0.9);
  const sl = capture(cwd);
  assert.equal(await main(['train', '--agent', 'sarsa', '--network', 'lstm', '--steps', '300', '--out', 'x'], sl), 1);
  assert.match(sl.stderr, /^remora: remora train --network lstm: sarsa\.network\.window: expected 1 \(SARSA keeps no observation history; use an lstm window only with dqn\), got 4\n$/);
  const bad = capture(cwd);
  assert.equal(await main(['train', '--network', 'gru'], bad), 1);
  assert.equal(bad.stderr, 'remora: remora train: --network: expected one of lstm|mlp|node-seq, got "gru"\n');
});

test('remora train --workers 2 trains two seeds in worker threads', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'remora-cli-'));
  const io = capture(cwd);
  assert.equal(await main(['train', '--agent', 'sarsa', '--steps', '1500', '--seed', '5', '--workers', '2', '--out', 'multi'], io), 0, io.stderr);
  for (const s of [5, 6]) assert.ok(existsSync(join(cwd, 'multi', `seed-${s}`, 'model.json')), `seed ${s}`);
  const a = readFileSync(join(cwd, 'multi', 'seed-5', 'model.bin'));
  const b = readFileSync(join(cwd, 'multi', 'seed-6', 'model.bin'));
  assert.ok(!a.equals(b), 'different seeds train different weights');
});

/** A tfjs IOHandler reading model.json + its weights files from disk (tfjs-node's file:// is unavailable here). */
function fileHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(modelJsonPath, 'utf8'));
      const dir = join(modelJsonPath, '..');
      const group = json.weightsManifest[0];
      const bytes = Buffer.concat(group.paths.map((p: string) => readFileSync(join(dir, p))));
      return { modelTopology: json.modelTopology, weightSpecs: group.weights, weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) };
    },
  };
}

test('remora export --format tfjs: tf.loadLayersModel loads it and returns the same Q-values (LSTM-DQN and MLP)', async () => {
  await tf.setBackend('cpu');
  const cwd = mkdtempSync(join(tmpdir(), 'remora-export-'));
  for (const agent of ['dqn', 'sarsa'] as const) {
    const io = capture(cwd);
    assert.equal(await main(['train', '--agent', agent, '--steps', '1500', '--out', agent], io), 0, io.stderr);
    const ex = capture(cwd);
    assert.equal(await main(['export', join(agent, 'model.json'), '--format', 'tfjs', '--out', `${agent}-tfjs`], ex), 0, ex.stderr);
    const model = await tf.loadLayersModel(fileHandler(join(cwd, `${agent}-tfjs`, 'model.json')));
    const loaded = loadModel(join(cwd, agent, 'model.json'));
    const W = loaded.header.features.window;
    const win = new RecentWindow(W, 9);
    const obs = [2, 4.5, 12, 30, 2.1, 1.4, 6.3];
    for (let k = 0; k < W; k++) win.push(obs.map((v, i) => (i > 0 ? v * (1 + 0.1 * k) : v)), 'flat');
    win.write(loaded.network.input, 0);
    const ours = Array.from(loaded.network.forward(1).slice(0, 4));
    const x = tf.tensor(Array.from(loaded.network.input.slice(0, W * 9)), agent === 'dqn' ? [1, W, 9] : [1, 9]);
    const theirs = Array.from((model.predict(x) as tf.Tensor).dataSync());
    for (let a = 0; a < 4; a++) assert.ok(Math.abs(ours[a]! - theirs[a]!) < 1e-4, `${agent} Q[${a}]: ${ours[a]} vs ${theirs[a]}`);
  }
  // Exporting into the source folder does not clobber the Remora model.json.
  const same = capture(cwd);
  assert.equal(await main(['export', join('dqn', 'model.json'), '--out', 'dqn'], same), 0, same.stderr);
  assert.ok(existsSync(join(cwd, 'dqn', 'tfjs', 'model.json')));
  assert.equal(loadModel(join(cwd, 'dqn', 'model.json')).header.format, 'remora-policy');
});

test('remora bench train --json prints the agreed shape', { timeout: 120_000 }, async () => {
  const io = capture(process.cwd());
  assert.equal(await main(['bench', 'train', '--json', '--duration-ms', '100', '--rounds', '3', '--warmup-rounds', '1'], io), 0, io.stderr);
  const j = JSON.parse(io.stdout);
  assert.equal(j.rounds, 3);
  for (const k of ['lstm', 'mlp']) {
    assert.ok(j[k].remora > 0 && j[k].tfjsWasm > 0 && j[k].tfjsCpu > 0, JSON.stringify(j[k]));
    const s = j[k].spread.remora;
    assert.equal(s.rounds.length, 3);
    assert.equal(s.median, j[k].remora);
    assert.ok(s.min <= s.median && s.median <= s.max && s.halfRangePct >= 0, JSON.stringify(s));
    assert.ok(j[k].loop.stepsPerSecond.median > 0 && j[k].loop.ratio > 0, JSON.stringify(j[k].loop));
  }
});
