// `sweep` end to end at smoke size (2 seeds × 1500 steps, an MLP Q-network, 2 evaluation scenarios, 2 episodes):
// sweep.json's shape, one perSeed entry per heuristic and one per seed for the agent, the model files, the role
// tags, the best-heuristic comparison, a well-formed SVG and the markdown tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xmlWellFormedError } from './testing/xml.js';
import { compareWithBest, defaultSweepPolicies, evalRole, sweep, type SweepSummary } from './sweep.js';

test('evalRole: as given, else train for the training scenario and test otherwise', () => {
  assert.equal(evalRole('sr111', 'sr111'), 'train');
  assert.equal(evalRole('sr111-roundtrip', 'sr111'), 'test');
  assert.equal(evalRole({ scenario: 'sr111-timed', role: 'validation' }, 'sr111'), 'validation');
});

test('compareWithBest ignores the oracle and compares the CI lower bound strictly', () => {
  const r = {
    dqn: { kind: 'agent' as const, iqm: 95, ci95: [90, 97] as [number, number] },
    greedy: { kind: 'heuristic' as const, iqm: 89, ci95: [89, 89] as [number, number] },
    never: { kind: 'heuristic' as const, iqm: 10, ci95: [10, 10] as [number, number] },
    oracle: { kind: 'oracle' as const, iqm: 100, ci95: [100, 100] as [number, number] },
  };
  assert.deepEqual(compareWithBest('dqn', r), { agent: 'dqn', bestHeuristic: 'greedy', bestHeuristicIqm: 89, agentIqm: 95, agentCi95: [90, 97], ciLowerAboveBest: true });
  assert.equal(compareWithBest('dqn', { ...r, greedy: { ...r.greedy, iqm: 90 } }).ciLowerAboveBest, false);
});

test('the XML check rejects what a careless SVG writer produces', () => {
  assert.equal(xmlWellFormedError('<svg a="1"><g><text>x &amp; y</text></g></svg>\n'), null);
  assert.match(xmlWellFormedError('<svg><g></svg>')!, /closes <g>/);
  assert.match(xmlWellFormedError('<svg><text>a & b</text></svg>')!, /bare '&'/);
  assert.match(xmlWellFormedError('<svg x=1/>')!, /bad attribute/);
  assert.match(xmlWellFormedError('<svg a="1" a="2"/>')!, /duplicate attribute/);
  assert.match(xmlWellFormedError('<svg/><svg/>')!, /second root/);
});

test('sweep: 2 seeds × 1500 steps, 2 eval scenarios → sweep.json, sweep.svg, sweep.md', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'remora-sweep-'));
  const logs: string[] = [];
  let t = 0;
  const s = await sweep({
    agent: 'dqn',
    trainScenario: 'sr111',
    seeds: [1, 2],
    steps: 1500,
    config: { dqn: { network: { kind: 'mlp', hidden: [16] }, warmupSteps: 200 } },
    evalScenarios: ['sr111-roundtrip', 'sr111'],
    episodes: 2,
    evalSeed: 1000,
    out: 'sw',
    workers: 2,
    bootstrapReps: 500,
    cwd,
    progress: { write: (x) => void logs.push(x), isTTY: false },
    now: () => (t += 10),
  });
  const out = join(cwd, 'sw');
  const json = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as SweepSummary;
  assert.deepEqual(json, JSON.parse(JSON.stringify(s)));
  assert.equal(json.agent, 'dqn');
  assert.equal(json.trainScenario, 'sr111');
  assert.deepEqual(json.seeds, [1, 2]);
  assert.deepEqual(Object.keys(json.scenarios), ['sr111-roundtrip', 'sr111']);
  assert.deepEqual(json.roles, { 'sr111-roundtrip': 'test', sr111: 'train' });
  const policies = defaultSweepPolicies();
  assert.ok(policies.includes('oracle') && policies.includes('follow-me'));
  for (const [name, results] of Object.entries(json.scenarios)) {
    assert.deepEqual(Object.keys(results), ['dqn', ...policies], name);
    for (const [p, r] of Object.entries(results)) {
      for (const k of ['perSeed', 'iqm', 'ci95', 'violations', 'migrations', 'modelPaths'] as const) assert.ok(k in r, `${name}/${p}.${k}`);
      assert.equal(r.ci95.length, 2);
      assert.ok(r.ci95[0] <= r.iqm && r.iqm <= r.ci95[1], `${name}/${p}: ${r.ci95} ∌ ${r.iqm}`);
      if (p === 'dqn') {
        assert.equal(r.perSeed.length, 2);
        assert.equal(r.modelPaths.length, 2);
        for (const m of r.modelPaths) assert.ok(existsSync(m) && m.endsWith('model.json'), m);
      } else {
        assert.equal(r.perSeed.length, 1, `${name}/${p}`);
        assert.deepEqual(r.ci95, [r.iqm, r.iqm]);
        assert.deepEqual(r.modelPaths, []);
      }
    }
    assert.equal(results.oracle!.iqm, 100);
    const c = json.comparisons[name]!;
    assert.ok(c.bestHeuristic !== null && c.bestHeuristic !== 'oracle');
    assert.equal(c.ciLowerAboveBest, c.agentCi95[0] > c.bestHeuristicIqm);
  }
  for (const seed of [1, 2]) for (const f of ['model.json', 'model.bin', 'metrics.jsonl', 'config.json']) assert.ok(existsSync(join(out, `seed-${seed}`, f)), f);
  assert.ok(json.overall.dqn && json.overall.oracle!.iqm === 100);

  const svg = readFileSync(join(out, 'sweep.svg'), 'utf8');
  assert.equal(xmlWellFormedError(svg), null);
  for (const label of ['sr111-roundtrip (test)', 'sr111 (train)', '% of oracle', 'follow-me', 'best heuristic']) assert.ok(svg.includes(label), label);
  const md = readFileSync(join(out, 'sweep.md'), 'utf8');
  assert.match(md, /## sr111-roundtrip \(test\)\n\n\| policy \| IQM \| 95 % CI \| per seed \| violations \| migrations \|/);
  assert.match(md, /^\| dqn \| [-\d.]+ \| \[[-\d.]+, [-\d.]+\] \| [-\d.]+, [-\d.]+ \|/m);
  assert.ok(!logs.join('').includes('\r'), 'no redrawn bar off a TTY');
});
