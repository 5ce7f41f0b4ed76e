// `lookahead` on the twin, relative to the oracle and the best one-step rule, on the validation days only (the test
// days choose nothing, not even a test's threshold): fixed episodes (eval seed 1000), so the comparison is exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../twin/index.js';
import { evaluatePolicy } from './evaluate/evaluate.js';
import { contextFor, migrationModelOf, twinRegistry } from './policies.js';

function pctOf(policy: string, scenario: string, episodes: number): { pct: number; migrations: number } {
  const sc = loadScenario(scenario);
  const m = evaluatePolicy(twinRegistry.resolve(policy, contextFor(sc, 1), '.'), sc, { episodes, seed: 1000 }).metrics;
  return { pct: m.pctOfOracle, migrations: m.migrations };
}

test('on the edge round trip of the validation days, lookahead beats or ties sla-greedy, within 10 % of the oracle, without more migrations', () => {
  const la = pctOf('lookahead', 'sr111-edge-validation-roundtrip', 10);
  const sg = pctOf('sla-greedy', 'sr111-edge-validation-roundtrip', 10);
  assert.ok(la.pct >= sg.pct, `lookahead ${la.pct} % of the oracle, sla-greedy ${sg.pct} %`);
  assert.ok(la.pct >= 90, `lookahead ${la.pct} % of the oracle`);
  assert.ok(la.migrations <= sg.migrations, `lookahead ${la.migrations} migrations, sla-greedy ${sg.migrations}`);
});

test("the twin gives lookahead the scenario's own migration model: pre-copy steps, spike, traffic and breach terms", () => {
  const edge = migrationModelOf(loadScenario('sr111-edge-validation').spec);
  // The edge overlay's pod: 6 s median pre-copy over 5 s steps, a 1.5 s blackout, 0.25 GiB at 2 per GiB, penalty 2.
  assert.deepEqual(edge, { durationSteps: 2, spikeMs: 225, trafficCost: 0.5, violationPenalty: 2, terminateOnViolation: false });
  assert.deepEqual(migrationModelOf(loadScenario('sr111-validation').spec), { durationSteps: 0, spikeMs: 0, trafficCost: 0, violationPenalty: 0, terminateOnViolation: true });
});
