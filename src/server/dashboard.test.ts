import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dashboard } from './dashboard.js';
import { runTraining } from '../experiments/train/train.js';
import { PALETTE } from '../experiments/report/plots.js';
import { browserRequired, countColor, decodePng, hexToRgb, launchChromium } from '../experiments/testing/browser.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const getJson = async (u: string): Promise<Json> => (await fetch(u)).json();

async function withDashboard(fn: (url: string, runs: string) => Promise<void>): Promise<void> {
  const runs = mkdtempSync(join(tmpdir(), 'remora-dash-'));
  runTraining({ agent: 'sarsa', scenario: 'sr111', steps: 3000, seed: 2, out: join(runs, 'sarsa-quick'), config: {}, cwd: process.cwd() });
  const d = new Dashboard({ runsDir: runs, port: 0 });
  const url = await d.start();
  try {
    await fn(url, runs);
  } finally {
    await d.stop();
  }
}

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

test('dashboard in real Chromium: runs page, training curves, and an episode timeline chosen through the form', async (t) => {
  const browser = await launchChromium();
  if (!browser) {
    if (browserRequired) assert.fail('Chromium is required under CI (apt-get install chromium)');
    console.error('\n*** SKIPPING dashboard browser test: /usr/bin/chromium not installed ***\n');
    t.skip('no chromium');
    return;
  }
  try {
    await withDashboard(async (url) => {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.goto(url);
      assert.match(await page.textContent('body') ?? '', /sarsa-quick/);
      await page.click('text=sarsa-quick');
      await page.waitForSelector('svg');
      assert.match(await page.title(), /Run sarsa-quick/);
      const curves = decodePng(await page.screenshot({ fullPage: true }));
      assert.ok(countColor(curves, hexToRgb(PALETTE[0]!)) > 150, 'the training curve is drawn');
      await page.goto(`${url}/episode`);
      await page.selectOption('select[name=scenario]', 'sr111-roundtrip');
      await page.selectOption('select[name=policy]', 'oracle');
      await page.fill('input[name=seed]', '1000');
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      assert.match(await page.title(), /oracle on sr111-roundtrip/);
      const decisions = await page.$$eval('h2 + table tbody tr', (rows) => rows.length);
      assert.ok(decisions >= 3, `decision rows ${decisions}`);
      const img = decodePng(await page.screenshot({ fullPage: true }));
      for (const c of PALETTE.slice(0, 3)) assert.ok(countColor(img, hexToRgb(c)) > 300, `node colour ${c} visible`);
      await page.goto(`${url}/episode?seed=abc`);
      assert.match(await page.textContent('.err') ?? '', /seed: expected an integer >= 0, got "abc"/);
    });
  } finally {
    await browser.close();
  }
});
