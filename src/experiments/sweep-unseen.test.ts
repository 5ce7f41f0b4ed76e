// The unseen families' table of `sweep`: one column per family, the agent's IQM with its CI and worst seed, and
// nothing of the test days in it; `*-unseen-*` scenarios are tagged unseen without being told.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalRole } from './sweep.js';
import { unseenMarkdown, type UnseenTableInput } from './sweep-unseen.js';

const row = (kind: string, perSeed: number[], migrations: number) => ({ kind, iqm: perSeed[0]!, ci95: [Math.min(...perSeed), Math.max(...perSeed)] as [number, number], perSeed, migrations });

test('unseen families get a table of their own, apart from the test days', () => {
  const s: UnseenTableInput = {
    episodes: 20,
    roles: { 'sr111-edge-test': 'test', 'sr111-edge-unseen-bursty': 'unseen', 'sr111-edge-unseen-gps': 'unseen' },
    scenarios: {
      'sr111-edge-test': { dqn: row('agent', [90, 80], 40), lookahead: row('heuristic', [99], 40) },
      'sr111-edge-unseen-bursty': { dqn: row('agent', [70, 60, 75], 50), lookahead: row('heuristic', [77.5], 46) },
      'sr111-edge-unseen-gps': { dqn: row('agent', [95, 91, 96], 44), lookahead: row('heuristic', [98.9], 40) },
    },
    comparisons: { 'sr111-edge-unseen-bursty': { bestHeuristic: 'lookahead', bestHeuristicIqm: 77.5 }, 'sr111-edge-unseen-gps': { bestHeuristic: 'lookahead', bestHeuristicIqm: 98.9 }, 'sr111-edge-test': { bestHeuristic: 'lookahead', bestHeuristicIqm: 99 } },
  };
  const md = unseenMarkdown(s);
  assert.match(md, /^## Unseen families/);
  assert.match(md, /\| policy \| `sr111-edge-unseen-bursty` \| `sr111-edge-unseen-gps` \|/);
  assert.match(md, /\| dqn \| 70 \[60, 75\]; worst 60; 2\.5 mig\. \| 95 \[91, 96\]; worst 91; 2\.2 mig\. \|/);
  assert.match(md, /\| lookahead \| 77\.5; 2\.3 mig\. \| 98\.9; 2 mig\. \|/);
  assert.doesNotMatch(md, /sr111-edge-test/);
  assert.equal(unseenMarkdown({ ...s, roles: { ...s.roles, 'sr111-edge-unseen-bursty': 'test', 'sr111-edge-unseen-gps': 'test' } }), '');
});

test('a *-unseen-* scenario is tagged unseen unless a role is given', () => {
  assert.equal(evalRole('sr111-unseen-ramp', 'sr111-train'), 'unseen');
  assert.equal(evalRole({ scenario: 'sr111-unseen-ramp', role: 'test' }, 'sr111-train'), 'test');
  assert.equal(evalRole('sr111-test', 'sr111-train'), 'test');
});
