import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reproduce } from './reproduce.js';
import { readReproduceSummary } from './reproduce-summary.js';

test('reproduce --quick writes the figures, the compare table, summary.json and a self-contained index.html', async () => {
  const out = mkdtempSync(join(tmpdir(), 'remora-repro-'));
  let progress = '';
  let clock = 0;
  const s = await reproduce({
    out, quick: true, seed: 1, evalSeed: 1000, cwd: process.cwd(),
    progress: { write: (t) => void (progress += t), isTTY: false },
    now: () => (clock += 10),
  });
  for (const f of ['index.html', 'fig5a.svg', 'fig5b.svg', 'fig6.svg', 'fig6-product.svg', 'fig6-edge.svg', 'compare.md', 'summary.json', 'dqn/model.json', 'dqn/metrics.jsonl', 'sarsa/model.json', 'sarsa/metrics.jsonl', 'dqn-product/model.json', 'dqn-edge/model.json']) {
    assert.ok(existsSync(join(out, f)), f);
  }
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  readReproduceSummary(join(out, 'summary.json')); // what reproduce writes satisfies the reader's schema
  for (const k of ['dqn', 'sarsa', 'baselines', 'commit', 'seconds']) assert.ok(k in summary, k);
  assert.equal(typeof summary.dqn.pctOfOracle, 'number');
  assert.deepEqual(Object.keys(summary.baselines), ['never', 'follow-me', 'threshold', 'hysteresis', 'greedy', 'sla-greedy', 'lookahead', 'oracle']);
  // Every comparison is on test days, paper and edge model; the product agents kept a validation-day checkpoint.
  assert.deepEqual(s.comparisons.map((c) => `${c.model}:${c.scenario}`), ['paper:sr111-roundtrip', 'paper:sr111-test', 'edge:sr111-edge-roundtrip', 'edge:sr111-edge-test']);
  assert.ok(s.comparisons[2]!.policies.some((p) => p.policy === 'dqn-edge') && s.comparisons[0]!.policies.some((p) => p.policy === 'dqn-product'));
  assert.equal(typeof s.product.edge?.selectedStep, 'number');
  for (const c of s.comparisons) {
    const oracle = c.policies.find((p) => p.policy === 'oracle')!;
    for (const row of c.policies) assert.ok(row.return <= oracle.return + 1e-6, `${c.scenario}: ${row.policy} beats the oracle`);
  }
  assert.equal(summary.baselines.oracle.pctOfOracle, 100);
  for (const row of summary.roundtrip.policies) assert.ok(row.return <= summary.baselines.oracle.return + 1e-6, `${row.policy} beats the oracle`);
  assert.equal(s.quick, true);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i, 'no network fetches');
  assert.equal((html.match(/<svg /g) ?? []).length, 5, 'the five figures are inline');
  assert.match(html, /<table>/);
  assert.match(progress, /^train: .*steps\/s/m, 'quiet progress lines off a TTY');
  const md = readFileSync(join(out, 'compare.md'), 'utf8');
  assert.match(md, /\| dqn \|/);
  assert.match(md, /\| oracle \| .* \| 100 \|/);
});

// Each of the README's reproduce tables is about one decision model, so `--preset` keeps one: the edge preset must
// train only the edge model's product agent, evaluate only the edge model's test days, and write a summary the
// dashboard's reader accepts without the paper model's fields.
test('reproduce --preset edge trains and evaluates the edge model only, and its summary reads back', async () => {
  const out = mkdtempSync(join(tmpdir(), 'remora-repro-edge-'));
  let progress = '';
  let clock = 0;
  const s = await reproduce({
    out, quick: true, seed: 1, evalSeed: 1000, cwd: process.cwd(), preset: 'edge',
    progress: { write: (t) => void (progress += t), isTTY: false },
    now: () => (clock += 10),
  });
  assert.deepEqual(s.models, ['edge']);
  assert.deepEqual(s.comparisons.map((c) => `${c.model}:${c.scenario}`), ['edge:sr111-edge-roundtrip', 'edge:sr111-edge-test']);
  assert.equal(s.dqn, undefined, 'no paper DQN in an edge-only run');
  assert.deepEqual(Object.keys(s.product), ['edge']);
  for (const c of s.comparisons) assert.ok(c.policies.some((p) => p.policy === 'dqn-edge') && c.policies.some((p) => p.policy === 'lookahead'), c.scenario);
  assert.match(progress, /trained 1 run\(s\) \(1 seed\(s\) × dqn-edge\)/);
  for (const f of ['index.html', 'fig6-edge.svg', 'compare.md', 'summary.json', 'dqn-edge/model.json']) assert.ok(existsSync(join(out, f)), f);
  for (const f of ['fig5a.svg', 'fig6.svg', 'dqn/model.json', 'sarsa/model.json', 'dqn-product/model.json']) assert.ok(!existsSync(join(out, f)), `${f} is the paper model's`);
  const back = readReproduceSummary(join(out, 'summary.json'));
  assert.deepEqual(back.models, ['edge']);
  assert.equal(back.roundtrip, undefined);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.equal((html.match(/<svg /g) ?? []).length, 1, 'only the edge Fig. 6 is inline');
  assert.doesNotMatch(html, /Deep SARSA/);
});
