import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../core/errors.js';
import { loadControllerConfig, parseControllerConfig } from './config.js';
import { ControllerMetrics } from './metrics.js';
import { jsonLogger } from './log.js';

const minimal = { nodes: ['edge-1', 'edge-2'], observation: { rtt: { source: 'http-json', url: 'http://rtt/{user}' } } };

test('config: defaults fill in; README example parses', () => {
  const c = parseControllerConfig(minimal, 'remora.yaml');
  assert.equal(c.tickMs, 5000);
  assert.equal(c.observation.load.source, 'metrics-server');
  assert.equal(c.migration.kubevirt.mode, 'addedNodeSelector');
  assert.equal(c.migration.pod.backend, 'recreate');
  assert.equal(c.leaderElection.enabled, true);
  const yaml = `
nodes: [edge-1, edge-2, edge-3]
observation:
  load: { source: prometheus, prometheus: { url: "http://prom:9090" } }
  rtt: { source: mec013, url: "http://mec", nodePositions: { edge-1: { latitude: 1, longitude: 2 }, edge-2: { latitude: 1, longitude: 2 }, edge-3: { latitude: 1, longitude: 2 } } }
migration: { pod: { backend: checkpoint }, kubevirt: { mode: labelMove } }
`;
  const c2 = loadControllerConfig(yaml, 'x.yaml');
  assert.equal(c2.observation.rtt.source, 'mec013');
});

function err(raw: unknown): string {
  try {
    parseControllerConfig(raw, 'remora.yaml');
  } catch (e) {
    assert.ok(e instanceof InvalidInputError);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  assert.fail('expected an error');
}

test('config: unknown keys are errors, naming file, field, expected, actual', () => {
  assert.equal(err({ ...minimal, tickMS: 5 }), 'remora.yaml: tickMS: expected no such key (unknown keys are errors), got 5');
  assert.match(err({ ...minimal, migration: { maxConcurent: 3 } }), /^remora\.yaml: migration\.maxConcurent: expected no such key/);
  assert.match(err({ ...minimal, observation: { rtt: { source: 'http-json', url: 'u', timeout: 1 } } }), /observation\.rtt\.timeout: expected no such key/);
  assert.match(err({ ...minimal, observation: { rtt: { source: 'carrier-pigeon' } } }), /observation\.rtt\.source: expected one of "http-json"\|"prometheus"\|"tcp-probe"\|"mec013", got "carrier-pigeon"/);
  assert.match(err({ observation: minimal.observation }), /nodes: expected array, got nothing \(missing\)/);
  assert.match(err({ ...minimal, nodes: ['a', 'a'] }), /nodes: expected node names must be unique/);
  assert.match(err({ ...minimal, observation: { rtt: { source: 'tcp-probe', targets: { 'edge-1': 'h:1' } } } }), /observation\.rtt\.targets\.edge-2: expected an entry for node edge-2/);
  assert.equal(err({ ...minimal, migration: { maxConcurrent: 0 } }), 'remora.yaml: migration.maxConcurrent: expected a number >= 1, got 0');
  assert.throws(() => loadControllerConfig('nodes: [a\n', 'bad.yaml'), /bad\.yaml: \(yaml\): expected valid YAML/);
});

test('metrics render in Prometheus text format; logs are JSON lines', () => {
  const m = new ControllerMetrics();
  m.decisions.inc({ action: 'wait', reason: 'policy' });
  m.migrationDuration.observe({ kind: 'vm', backend: 'kubevirt' }, 3);
  m.observationAge.set({ workload: 'ns/"x"' }, Number.NaN);
  const text = m.registry.render();
  assert.match(text, /# TYPE remora_decisions_total counter\nremora_decisions_total\{action="wait",reason="policy"\} 1/);
  assert.match(text, /remora_migration_duration_seconds_bucket\{kind="vm",backend="kubevirt",le="2"\} 0/);
  assert.match(text, /remora_migration_duration_seconds_bucket\{kind="vm",backend="kubevirt",le="5"\} 1/);
  assert.match(text, /remora_migration_duration_seconds_bucket\{kind="vm",backend="kubevirt",le="\+Inf"\} 1/);
  assert.match(text, /remora_observation_age_seconds\{workload="ns\/\\"x\\""\} NaN/);
  const lines: string[] = [];
  jsonLogger((l) => lines.push(l), { nowMs: () => 0 }, { c: 1 }).child({ w: 'a' }).log('info', 'hi', { v: Number.NaN, e: new Error('bad') });
  assert.deepEqual(JSON.parse(lines[0]!), { time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'hi', c: 1, w: 'a', v: 'NaN', e: 'bad' });
});

test('config: the SLA the rules score with is configurable; the paper\'s by default; bad bounds are one line', async () => {
  const { slaRewardParams } = await import('./config.js');
  const { PAPER_REWARD_PARAMS } = await import('../core/reward.js');
  const { greedyScorer } = await import('./bulk-score.js');
  assert.deepEqual(slaRewardParams(parseControllerConfig(minimal, 'remora.yaml')), { rttSla: { ...PAPER_REWARD_PARAMS.rttSla }, loadSla: { ...PAPER_REWARD_PARAMS.loadSla }, migrationCost: PAPER_REWARD_PARAMS.migrationCost });
  const tight = slaRewardParams(loadControllerConfig(`${JSON.stringify(minimal)}`.replace(/}$/, ', "sla": { "rttMs": { "max": 8 } } }'), 'remora.yaml'));
  assert.deepEqual(tight.rttSla, { min: 1, max: 8 });
  // The scorer ranks against the configured bound: node 2 at 10 ms is inside the paper's SLA and outside 8 ms,
  // so only the tight SLA gives node 1 (7 ms, but loaded) the SLA bonus over node 2.
  const obs = Float64Array.from([2, 7, 10, 11, 2]);
  const masks = Uint8Array.from([1, 1, 1]);
  const best = (p: typeof tight): number => {
    const out = new Float64Array(3);
    greedyScorer(p, true).score(obs, masks, 1, 2, out);
    return out[1]! > out[2]! ? 1 : 2;
  };
  assert.equal(best({ ...PAPER_REWARD_PARAMS }), 2);
  assert.equal(best(tight), 1);
  assert.equal(err({ ...minimal, sla: { rttMs: { min: 30 } } }), 'remora.yaml: sla.rttMs.min: expected a number < sla.rttMs.max (20), got 30');
  assert.equal(err({ ...minimal, sla: { load: { max: 0.5 } } }), 'remora.yaml: sla.load.max: expected a number >= 1, got 0.5');
  assert.match(err({ ...minimal, sla: { rttMS: { max: 8 } } }), /^remora\.yaml: sla\.rttMS: expected no such key/);
});
