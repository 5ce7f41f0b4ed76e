import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withDashboard } from './testing/dashboard-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const getJson = async (u: string): Promise<Json> => (await fetch(u)).json();

test('dashboard JSON API lists runs, replays episodes, and refuses bad parameters with one line', async () => {
  await withDashboard(async (url) => {
    const runs = await getJson(`${url}/api/runs`);
    assert.deepEqual(runs.map((r: { name: string }) => r.name), ['sarsa-quick']);
    assert.equal(runs[0].kind, 'train');
    assert.ok(runs[0].hasModel);
    const ep = await getJson(`${url}/api/episode?scenario=sr111-roundtrip&policy=oracle&seed=1000`);
    assert.equal(ep.trace.length, 166);
    assert.equal(ep.metrics.pctOfOracle, 100);
    const model = await getJson(`${url}/api/episode?scenario=sr111&policy=sarsa-quick&seed=5`);
    assert.ok(model.trace.length >= 1);
    let r = await fetch(`${url}/api/episode?scenario=nope`);
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as Json).error, /^scenario: expected one of sr111, .*got "nope"$/);
    r = await fetch(`${url}/api/episode?seed=-3`);
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as Json).error, /^seed: expected an integer >= 0, got "-3"$/);
    r = await fetch(`${url}/api/episode?policy=..%2Fetc`);
    assert.equal(r.status, 400);
    r = await fetch(`${url}/run/does-not-exist`);
    assert.equal(r.status, 400);
  });
});

test('dashboard shows one error line for a malformed summary.json or metrics.jsonl instead of failing the page', async () => {
  await withDashboard(async (url, runs) => {
    mkdirSync(join(runs, 'bad-summary'));
    writeFileSync(join(runs, 'bad-summary', 'summary.json'), JSON.stringify({ version: '0.1.0', commit: 7 }));
    mkdirSync(join(runs, 'bad-metrics'));
    writeFileSync(join(runs, 'bad-metrics', 'metrics.jsonl'), '{"episode":0,"steps":5,"reward":1,"meanReward":1,"length":5,"epsilon":1}\n{"episode":"one"}\n');
    const list: { name: string; error?: string; episodes?: number }[] = await getJson(`${url}/api/runs`);
    const by = (n: string) => list.find((x) => x.name === n)!;
    assert.equal(by('bad-summary').error, `${join(runs, 'bad-summary', 'summary.json')}: commit: expected string, got 7`);
    assert.equal(by('bad-metrics').error, `${join(runs, 'bad-metrics', 'metrics.jsonl')}: line 2, episode: expected number, got "one"`);
    assert.equal(by('sarsa-quick').error, undefined);
    assert.ok(by('sarsa-quick').episodes! > 0);
    const index = await (await fetch(url)).text();
    assert.match(index, /<td class="err" colspan="2">[^<]*bad-summary[^<]*summary\.json: commit: expected string, got 7<\/td>/);
    for (const name of ['bad-summary', 'bad-metrics']) {
      const r = await fetch(`${url}/run/${name}`);
      assert.equal(r.status, 200, name);
      assert.match(await r.text(), /<p class="err">[^<]*: (commit|line 2, episode): expected/);
    }
  });
});
