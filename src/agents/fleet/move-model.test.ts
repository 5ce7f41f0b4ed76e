/** The fleet model file: its one reader and writer, the network it rebuilds, and one-line errors for bad files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../core/rng.js';
import { InvalidInputError } from '../../core/errors.js';
import { createNetwork } from '../../nn/network.js';
import { MOVE_FEATURES } from './move-features.js';
import { FleetPlaySchema, fleetModelFile, isFleetModelFile, loadFleetModel, saveFleetModel } from './move-model.js';

function trained(dir: string): { path: string; net: ReturnType<typeof createNetwork>; mean: Float64Array; std: Float64Array } {
  const net = createNetwork({ kind: 'mlp', inputSize: MOVE_FEATURES, hidden: [8, 4], outputs: 1 }, { maxRows: 16, rng: new Rng(3) });
  const mean = Float64Array.from({ length: MOVE_FEATURES }, (_, k) => k * 0.1), std = Float64Array.from({ length: MOVE_FEATURES }, (_, k) => 1 + k);
  const path = saveFleetModel(join(dir, 'fleet-model.json'), fleetModelFile(net, [8, 4], 6, mean, std, FleetPlaySchema.parse({ social: 2 }), { seed: 3 }));
  return { path, net, mean, std };
}

test('a saved model scores exactly as the network it came from (inputs normalised by its moments)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-model-'));
  const { path, net, mean, std } = trained(dir);
  assert.ok(isFleetModelFile(path));
  const m = loadFleetModel(path);
  assert.equal(m.candidates, 6);
  assert.equal(m.play.social, 2);
  assert.equal(m.play.priority, 'deferral');
  const rng = new Rng(5), rows = 10;
  const x = Float64Array.from({ length: rows * MOVE_FEATURES }, () => rng.uniformIn(-2, 2));
  const got = new Float64Array(rows);
  m.score(x, rows, got);
  for (let i = 0; i < rows * MOVE_FEATURES; i++) net.input[i] = (x[i]! - mean[i % MOVE_FEATURES]!) / std[i % MOVE_FEATURES]!;
  const want = net.forward(rows);
  for (let r = 0; r < rows; r++) assert.ok(Math.abs(got[r]! - want[r]!) < 1e-5, `row ${r}: ${got[r]} vs ${want[r]}`);
  // Outputs differ between rows: the file carries real weights, not zeros.
  assert.ok(new Set([...got].map((v) => v.toFixed(6))).size > 1);
});

test('a bad model file is one line naming the file, the field, what was expected and what came', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-model-bad-'));
  const { path } = trained(dir);
  const good = JSON.parse(readFileSync(path, 'utf8'));
  const cases: [string, (f: Record<string, any>) => void, RegExp][] = [
    ['features', (f) => { f.features.names = [...f.features.names].reverse(); }, /features\.names: expected rtt-serving/],
    ['weights', (f) => { f.weights = f.weights.slice(1); }, /weights: expected \d+ numbers for 14→8→4→1/],
    ['normalizer', (f) => { f.normalizer.std[0] = 0; }, /normalizer\.std/],
    ['play', (f) => { f.play.priority = 'fastest'; }, /play\.priority/],
    ['version', (f) => { f.formatVersion = 2; }, /formatVersion/],
  ];
  for (const [name, edit, re] of cases) {
    const f = structuredClone(good);
    edit(f);
    const p = join(dir, `${name}.json`);
    writeFileSync(p, JSON.stringify(f));
    assert.throws(() => loadFleetModel(p), (e: unknown) => e instanceof InvalidInputError && re.test(e.message) && e.message.includes(p) && !e.message.includes('\n'), name);
  }
  const nan = join(dir, 'nan.json');
  writeFileSync(nan, JSON.stringify(good).replace(/"weights":\[([-\d.e]+)/, '"weights":[1e999'));
  assert.throws(() => loadFleetModel(nan), /weights: expected finite numbers/);
  assert.throws(() => loadFleetModel(join(dir, 'missing.json')), /missing\.json: \(file\): expected a readable JSON file, got ENOENT/);
  assert.equal(isFleetModelFile(join(dir, 'missing.json')), false);
});
