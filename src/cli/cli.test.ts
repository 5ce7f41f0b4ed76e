import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.js';
import { commands } from './registry.js';
import type { Io } from './command.js';

async function run(args: string[], cwd = process.cwd()): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false, cwd, env: {} };
  const code = await main(args, io);
  return { code, out, err };
}

test('every command has --help', async () => {
  for (const c of commands) {
    const r = await run([...c.name.split(' '), '--help']);
    assert.equal(r.code, 0, c.name);
    assert.match(r.out, new RegExp(`^remora ${c.name} - `), c.name);
    assert.match(r.out, /--help/);
  }
  const top = await run(['--help']);
  assert.equal(top.code, 0);
  for (const c of commands) assert.ok(top.out.includes(c.name));
});

test('simulate --format jsonl: one object per step with the required fields; same seed is byte-identical', async () => {
  const a = await run(['simulate', '--scenario', 'sr111', '--policy', 'random', '--episodes', '3', '--seed', '7', '--format', 'jsonl']);
  const b = await run(['simulate', '--scenario', 'sr111', '--policy', 'random', '--episodes', '3', '--seed', '7', '--format', 'jsonl']);
  const c = await run(['simulate', '--scenario', 'sr111', '--policy', 'random', '--episodes', '3', '--seed', '8', '--format', 'jsonl']);
  assert.equal(a.code, 0, a.err);
  assert.equal(a.out, b.out);
  assert.notEqual(a.out, c.out);
  const lines = a.out.trim().split('\n').map((l) => JSON.parse(l));
  const eps = new Set(lines.map((l) => l.episode));
  assert.equal(eps.size, 3);
  for (const l of lines) {
    for (const k of ['episode', 't', 'node', 'action', 'rtt', 'load', 'reward', 'terminated', 'truncated']) assert.ok(k in l, k);
    assert.ok(l.node >= 1 && l.node <= 3);
    assert.equal(l.rtt.length, 3);
    assert.equal(typeof l.terminated, 'boolean');
  }
  const ends = lines.filter((l) => l.terminated || l.truncated);
  assert.equal(ends.length, 3, 'each episode ends exactly once');
});

test('simulate --format table summarises episodes', async () => {
  const r = await run(['simulate', '--policy', 'follow-me', '--episodes', '2', '--format', 'table']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /episode\s+steps\s+return/);
  assert.match(r.out, /policy follow-me on sr111: mean return/);
});

test('scenario show prints the resolved scenario', async () => {
  const r = await run(['scenario', 'show', 'sr111-roundtrip', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(doc.sla.rttMs.max, 20);
  assert.equal(doc.sla.load.max, 12);
  assert.equal(doc.resolved.nodes, 3);
  assert.equal(typeof doc.resolved.heldOutDay, 'number');
});

test('bench env --json prints stepsPerSecond', async () => {
  const r = await run(['bench', 'env', '--json', '--seconds', '0.2']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.ok(j.stepsPerSecond > 0);
});

function oneLineError(r: { code: number; err: string }, pattern: RegExp) {
  assert.notEqual(r.code, 0);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.err}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
}

test('bad input exits non-zero with one clear line (file, field, expected, actual)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-cli-'));
  oneLineError(await run(['simulate', '--scenario', 'nope']), /^remora: unknown scenario 'nope': expected one of sr111, /);
  writeFileSync(join(dir, 'bad.txt'), '10 20\n10 x\n');
  writeFileSync(join(dir, 'nan.txt'), '10 20\nNaN 3\n');
  const nodes = (file: string) => [
    { name: 'a', xM: 0, yM: 100, trace: { format: 'follow-me', file } },
    { name: 'b', xM: 6000, yM: 100, trace: { format: 'follow-me', file } },
  ];
  writeFileSync(join(dir, 'malformed.json'), JSON.stringify({ extends: 'sr111', name: 'm', nodes: nodes('bad.txt') }));
  oneLineError(await run(['simulate', '--scenario', 'malformed.json'], dir), /bad\.txt: line 2, column mem%: expected a finite percentage >= 0, got "x"$/);
  writeFileSync(join(dir, 'nan.json'), JSON.stringify({ extends: 'sr111', name: 'n', nodes: nodes('nan.txt') }));
  oneLineError(await run(['simulate', '--scenario', 'nan.json'], dir), /nan\.txt: line 2, column cpu%: expected a finite percentage >= 0, got "NaN"$/);
  writeFileSync(join(dir, 'speed.yaml'), 'extends: sr111\nname: s\nmobility: { kind: highway, fromXM: 0, toXM: 12000, speedKmh: { min: -10, max: 100 } }\n');
  oneLineError(await run(['simulate', '--scenario', 'speed.yaml'], dir), /speed\.yaml: mobility\.speedKmh: expected speeds > 0 km\/h, got \{"min":-10,"max":100\}$/);
  writeFileSync(join(dir, 'one.yaml'), 'extends: sr111\nname: one\nnodes:\n  - { name: a, xM: 0, yM: 0, trace: { format: follow-me, file: bad.txt } }\n');
  oneLineError(await run(['simulate', '--scenario', 'one.yaml'], dir), /one\.yaml: nodes: expected at least 2 item\(s\), got /);
  oneLineError(await run(['simulate', '--episodes', 'many']), /--episodes: expected a finite integer, got "many"/);
  oneLineError(await run(['simulate', '--bogus', '1']), /--bogus: expected one of --scenario/);
  oneLineError(await run(['simulate', '--policy', 'telepathy']), /unknown policy 'telepathy'/);
});
