// The sim-to-real report's arithmetic and the stacked Fig. 6, on hand-made steps (the lab-tier test runs them on
// a real lab).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadScenario } from '../twin/scenario-loader.js';
import { stackSvgs } from './lab-run.js';
import { errorStats, simToReal, simToRealMarkdown, type LabStepRecord } from './sim-to-real.js';

function step(t: number, o: Partial<LabStepRecord>): LabStepRecord {
  return {
    t, node: 1, servingAfter: 1, action: 0, twinAction: 0, reward: 1, rttMs: [5, 10], load: [1, 2], twinRttMs: [4, 10], twinLoad: [1, 2],
    cpu: [0.1, 0.2], mem: [0.1, 0.2], traceCpu: [0.1, 0.2], traceMem: [0.1, 0.2], samples: [5, 5], violation: false, missing: [], stepWallMs: 1000, overrunMs: 0, loopDelayP99Ms: 1, migrations: [], ...o,
  };
}

test('errorStats: mean and p95 of |measured - reference|, signed bias, NaN pairs skipped', () => {
  const e = errorStats([1, 2, 3, Number.NaN, 10], [0, 2, 5, 1, 0]);
  assert.equal(e.n, 4);
  assert.equal(e.meanAbs, (1 + 0 + 2 + 10) / 4);
  assert.equal(e.bias, (1 + 0 - 2 + 10) / 4);
  assert.equal(e.p95Abs, 10);
});

test('simToReal: agreement per step and against the twin episode, migrations, RTT error, timing', () => {
  const sc = loadScenario('sr111-roundtrip').spec;
  const steps = [
    step(0, { action: 2, twinAction: 2, node: 1, servingAfter: 1 }),
    step(1, { action: 0, twinAction: 1, node: 1, servingAfter: 2, overrunMs: 40, migrations: [{ id: 'm1', from: 0, to: 1, state: 'succeeded', wallMs: 1200, podReadyMs: 1000, downtimeMs: 60 }] }),
    step(2, { action: 0, twinAction: 0, node: 2, servingAfter: 2, rttMs: [8, 10], overrunMs: 10 }),
    step(3, { action: 2, twinAction: 2, node: 2, servingAfter: 2 }), // self-move: not a migration
  ];
  const r = simToReal({ scenario: sc, policy: 'p', seed: 1, stepSeconds: 1, steps, twin: { actions: [2, 0, 1, 0], migrations: 2, return: 3 }, proberOverheadMs: 1 });
  assert.equal(r.decisions.stepAgreement, 3 / 4);
  assert.equal(r.decisions.episodeAgreement, 2 / 4);
  assert.equal(r.decisions.labMigrations, 1);
  assert.equal(r.decisions.twinMigrations, 2);
  assert.equal(r.rttErrorMs.n, 8);
  assert.equal(r.rttErrorMs.meanAbs, (1 + 1 + 4 + 1) / 8);
  assert.equal(r.migration.lab.succeeded, 1);
  assert.equal(r.migration.lab.meanWallMs, 1200);
  assert.equal(r.migration.lab.meanDowntimeMs, 60);
  assert.equal(r.migration.twin.model, 'instant');
  assert.equal(r.timing.meanOverrunMs, 12.5);
  assert.equal(r.returns.lab, 4);
  const md = simToRealMarkdown(r);
  assert.match(md, /agreement 75\.0 %/);
  assert.match(md, /\| migrations started \| 1 \| 2 \| \|/);
});

test('stackSvgs: one SVG as tall as both, each kept whole and placed below the other', () => {
  const a = '<svg xmlns="http://www.w3.org/2000/svg" width="960" height="300" viewBox="0 0 960 300"><rect/></svg>';
  const b = '<svg xmlns="http://www.w3.org/2000/svg" width="960" height="200" viewBox="0 0 960 200"><circle/></svg>';
  const s = stackSvgs([a, b]);
  assert.match(s, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="960" height="500"/);
  assert.match(s, /<svg y="0" width="960" height="300"[^>]*><rect\/><\/svg>/);
  assert.match(s, /<svg y="300" width="960" height="200"[^>]*><circle\/><\/svg>/);
  assert.throws(() => stackSvgs(['<svg/>']), /without width and height/);
});
