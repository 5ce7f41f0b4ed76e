// The dashboard's page of a fleet sweep (`remora sweep --fleet`): listed as its own kind, its figure and one table
// per fleet drawn from what sweep-fleet.json holds, and a malformed file shown as one line, not a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetTrainConfigSchema } from '../experiments/fleet/fleet-train.js';
import { sweepFleet } from '../experiments/fleet/sweep-fleet.js';
import { readFleetSweepSummary } from '../experiments/fleet/sweep-fleet-summary.js';
import { serve } from './testing/dashboard-fixture.js';

test('a fleet sweep has its own page: the figure, the agent beside every heuristic per fleet, the seeds', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'dash-fleet-'));
  const config = FleetTrainConfigSchema.parse({ train: ['sr111-traffic'], validation: ['sr111-traffic-validation'], iterations: 1, episodesPerIteration: 1, updatesPerIteration: 100, margins: [0], priorities: ['gain'], socials: [4] });
  sweepFleet({ seeds: [1, 2], eval: [{ scenario: 'sr111-traffic-rush', episodes: 1, role: 'held-out' }], config, heuristics: ['follow-me', 'sla-greedy+social'], evalSeed: 1000, cwd: process.cwd(), out: join(runs, 'fleet') });
  mkdirSync(join(runs, 'broken'));
  writeFileSync(join(runs, 'broken', 'sweep-fleet.json'), '{"seeds": "1-5"}');
  await serve(runs, async (url) => {
    const list = (await (await fetch(`${url}/api/runs`)).json()) as { name: string; kind: string; note?: string; error?: string }[];
    const fleet = list.find((r) => r.name === 'fleet')!;
    assert.equal(fleet.kind, 'fleet-sweep');
    assert.equal(fleet.note, 'fleet agent on sr111-traffic: 2 seeds, 1 fleet(s)');
    const s = readFleetSweepSummary(join(runs, 'fleet', 'sweep-fleet.json'));
    const html = await (await fetch(`${url}/run/fleet`)).text();
    assert.match(html, /<section id="fleet-sweep-figure"><svg/);
    assert.match(html, /<h3>sr111-traffic-rush <span class="tag">held-out<\/span>/);
    const sc = s.scenarios[0]!;
    assert.ok(html.includes(`${sc.agentReturn.iqm.toFixed(1)} [${sc.agentReturn.ci[0].toFixed(1)}, ${sc.agentReturn.ci[1].toFixed(1)}]`), 'the agent row holds the IQM and CI of the file');
    for (const h of sc.heuristics) assert.ok(html.includes(`<td>${h.policy}</td>`), h.policy);
    assert.match(html, /<td>seed 2<\/td>/);
    const broken = list.find((r) => r.name === 'broken')!;
    assert.equal(broken.kind, 'fleet-sweep');
    assert.match(broken.error!, /broken\/sweep-fleet\.json: seeds: expected/);
    const page = await (await fetch(`${url}/run/broken`)).text();
    assert.match(page, /<p class="err">[^<]*sweep-fleet\.json: seeds: expected/);
    assert.doesNotMatch(page, /\n\s+at /, 'no stack trace');
  }, {});
});
