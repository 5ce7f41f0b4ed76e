// Chromium tier (npm run test:browser): the dashboard driven through a real browser, at 1,280 and 1,920 px.
// Screenshots go to $REMORA_SCREENSHOTS (default <tmp>/remora-dashboard-screens) so a person can look at them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PALETTE } from '../experiments/report/plots.js';
import { browserRequired, countColor, decodePng, hexToRgb, launchChromium } from '../experiments/testing/browser.js';
import { LiveFeed } from '../core/live-feed.js';
import { Dashboard } from './dashboard.js';
import { withRunsTree } from './testing/dashboard-fixture.js';

const SHOTS = process.env.REMORA_SCREENSHOTS ?? join(tmpdir(), 'remora-dashboard-screens');
const WIDTHS = [1280, 1920] as const;

async function shot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(SHOTS, { recursive: true });
  const png = await page.screenshot({ fullPage: true });
  writeFileSync(join(SHOTS, `${name}.png`), png);
  return png;
}

/** Every `.fit` table wrapper, and the page itself, whose content is wider than its box. */
async function overflowing(page: Page): Promise<string[]> {
  return page.$$eval('.fit, main, body', (els) =>
    els.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}: scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth} (${(el.textContent ?? '').slice(0, 40)})`),
  );
}

async function withBrowser(t: { skip(m: string): void }, fn: (b: Browser) => Promise<void>): Promise<void> {
  const browser = await launchChromium();
  if (!browser) {
    if (browserRequired) assert.fail('Chromium is required under CI (apt-get install chromium)');
    console.error('\n*** SKIPPING dashboard browser test: /usr/bin/chromium not installed ***\n');
    t.skip('no chromium');
    return;
  }
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

test('dashboard in Chromium: nested runs, the sweep page, tables that fit, live SSE curves, the map step by step', async (t) => {
  await withBrowser(t, (browser) =>
    withRunsTree(
      async (url, runs, dash) => {
        for (const width of WIDTHS) {
          const page = await browser.newPage({ viewport: { width, height: 900 } });
          // Runs: every run and sweep, nested ones under their parent.
          await page.goto(url);
          const listed = await page.$$eval('#runs tr[data-run]', (rows) => rows.map((r) => `${r.getAttribute('data-run')}:${r.getAttribute('data-kind')}`));
          for (const want of ['reproduce:reproduce', 'reproduce/dqn:train', 'reproduce/dqn-edge:train', 'sweeps:group', 'sweeps/smoke:sweep', 'sweeps/smoke/seed-1:train', 'sweeps/smoke/seed-2:train', 'sarsa-quick:train']) {
            assert.ok(listed.includes(want), `${want} listed (${listed.join(', ')})`);
          }
          const indent = Number(await page.evaluate("parseFloat(getComputedStyle(document.querySelector('tr[data-run=\"sweeps/smoke/seed-1\"] td')).paddingLeft)"));
          assert.ok(indent >= 40, `a seed is indented under its sweep (${indent} px)`);
          assert.deepEqual(await overflowing(page), [], `runs page at ${width} px`);
          await shot(page, `runs-${width}`);

          // The sweep: per-seed points, IQM diamond and CI bar for every policy of every scenario.
          await page.click('a[href="/run/sweeps/smoke"]');
          assert.match(await page.title(), /Sweep sweeps\/smoke/);
          const panels = await page.$$eval('#sweep-figure svg text[font-weight="bold"]', (els) => els.map((x) => x.textContent ?? ''));
          for (const sc of ['sr111-roundtrip', 'sr111-test']) assert.ok(panels.some((p) => p.startsWith(sc)), `panel for ${sc}: ${panels.join(' | ')}`);
          const points = await page.$$eval('#sweep-figure svg circle[fill="none"]', (els) => els.length);
          assert.ok(points >= 2 * 2 + 2 * 7, `per-seed points drawn (${points})`);
          const cis = await page.$$eval(`#sweep-figure svg line[stroke="${PALETTE[0]}"][stroke-width="3"]`, (els) => els.length);
          assert.equal(cis, 2, 'the agent has a CI bar in each scenario');
          const keyFirst = await page.$$eval('#sweep-matrix th', (ths) => ths.map((th) => th.textContent));
          assert.equal(keyFirst[1], 'all scenarios IQM', 'the key column comes right after the policy');
          assert.deepEqual(await overflowing(page), [], `sweep page at ${width} px`);
          await shot(page, `sweep-${width}`);

          // A reproduce output: every comparison table fits, pctOfOracle first.
          await page.goto(`${url}/run/reproduce`);
          const heads = await page.$$eval('.fit table thead tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.getAttribute('title') ?? c.textContent)));
          assert.ok(heads.filter((h) => h[1] === 'pctOfOracle').length >= 4, `pctOfOracle first in the comparison tables (${JSON.stringify(heads.slice(0, 2))})`);
          assert.deepEqual(await overflowing(page), [], `reproduce page at ${width} px`);
          await shot(page, `reproduce-${width}`);
          await page.close();
        }

        // Live curves: a run being trained, whose metrics.jsonl a fixture appends to (lines of a real run).
        const lines = readFileSync(join(runs, 'sarsa-quick', 'metrics.jsonl'), 'utf8').trimEnd().split('\n');
        const live = join(runs, 'live-train');
        mkdirSync(live);
        writeFileSync(join(live, 'config.json'), JSON.stringify({ agent: 'sarsa', scenario: 'sr111', steps: 3000, seed: 2 }));
        writeFileSync(join(live, 'metrics.jsonl'), lines.slice(0, 5).join('\n') + '\n');
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await page.goto(`${url}/run/live-train`);
        await page.waitForSelector('body[data-stream="open"]', { state: 'attached', timeout: 10_000 });
        const count = () => page.$$eval('#run-curves svg polyline', (ps) => Math.max(0, ...ps.map((p) => (p.getAttribute('points') ?? '').trim().split(/\s+/).length)));
        const before = await count();
        const third = Math.floor(lines.length / 3);
        appendFileSync(join(live, 'metrics.jsonl'), lines.slice(5, third).join('\n') + '\n');
        await page.waitForFunction(`Number(document.body.dataset.episodes) >= ${third}`, undefined, { timeout: 10_000 });
        const mid = await count();
        assert.ok(mid > before, `the curve gained points (${before} → ${mid})`);
        await shot(page, 'live-curves-1280');
        appendFileSync(join(live, 'metrics.jsonl'), lines.slice(third).join('\n') + '\n');
        await page.waitForFunction(`Number(document.body.dataset.episodes) === ${lines.length}`, undefined, { timeout: 10_000 });
        writeFileSync(join(live, 'model.json'), '{}');
        await page.waitForSelector('body[data-stream="done"]', { state: 'attached', timeout: 10_000 });
        assert.match(await page.textContent('#run-progress') ?? '', new RegExp(`${lines.length} episodes`));
        await page.close();
        for (let i = 0; i < 50 && dash.curves.following > 0; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal(dash.curves.following, 0, 'the watcher is closed once the page has gone');

        // The map: the user marker moves and the serving node changes as the step changes.
        for (const width of WIDTHS) {
          const p = await browser.newPage({ viewport: { width, height: 1000 } });
          await p.goto(`${url}/episode?scenario=sr111-roundtrip&policy=oracle&seed=1000`);
          assert.match(await p.title(), /oracle on sr111-roundtrip/);
          const state = async () => ({ cx: await p.getAttribute('#episode-map g.ue circle', 'cx'), serving: (await p.$('#episode-map g.node.serving')) ? await p.getAttribute('#episode-map g.node.serving', 'data-node') : undefined });
          const s0 = await state();
          assert.equal(s0.serving, 'Node 1');
          const max = Number(await p.getAttribute('#episode-map .map-step', 'max'));
          const seen = new Set<string>();
          let moved = false;
          for (const i of [Math.round(max / 4), Math.round(max / 2), Math.round((3 * max) / 4)]) {
            await p.fill('#episode-map .map-step', String(i));
            const s = await state();
            if (s.cx !== s0.cx) moved = true;
            seen.add(s.serving ?? '');
            assert.equal(await p.getAttribute('#episode-map', 'data-step'), String(i));
          }
          assert.ok(moved, 'the user marker moved');
          assert.ok(seen.size >= 2 || !seen.has('Node 1'), `the serving node changed along the trip (${[...seen].join(', ')})`);
          assert.deepEqual(await overflowing(p), [], `episode page at ${width} px`);
          const img = decodePng(await shot(p, `episode-${width}`));
          for (const c of PALETTE.slice(0, 3)) assert.ok(countColor(img, hexToRgb(c)) > 300, `node colour ${c} visible`);
          await p.close();
        }
        t.diagnostic(`screenshots in ${SHOTS}`);
      },
      { reproduce: true, curves: { pollMs: 300, coalesceMs: 50 } },
    ),
  );
});

test('live page in Chromium: the map follows the UE over the stream and highlights the node serving it', async (t) => {
  await withBrowser(t, async (browser) => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const feed = new LiveFeed({ title: 'follow-me on sr111-roundtrip', clock: { nowMs: () => now } });
    const nodes = ['edge-1', 'edge-2', 'edge-3'];
    const host = (on: string) => nodes.map((name) => ({ name, ready: true, workloads: name === on ? ['live/echo'] : [] }));
    feed.batch(() => {
      feed.setNodes(host('edge-1'));
      feed.setRoute({ units: 'metres along SR-111', antennas: nodes.map((node, j) => ({ node, x: 6000 * j, y: 100 })), path: [{ x: 0, y: 0 }, { x: 12000, y: 0 }], ue: { x: 0, y: 0, atMs: now } });
    });
    const d = new Dashboard({ runsDir: mkdtempSync(join(tmpdir(), 'remora-live-')), port: 0, live: feed });
    const url = await d.start();
    try {
      for (const width of WIDTHS) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        await page.goto(`${url}/live`);
        await page.waitForSelector('body[data-stream="open"]', { state: 'attached', timeout: 10_000 });
        const cx0 = await page.getAttribute('#live-map g.ue circle', 'cx');
        assert.equal(await page.getAttribute('#live-map g.node.serving', 'data-node'), 'edge-1');
        // The UE drives towards edge-2 and the workload moves there: the page follows through its stream alone.
        for (let k = 1; k <= 8; k++) {
          now += 1000;
          feed.batch(() => {
            feed.moveUe({ x: 900 * k, y: 0, atMs: now });
            if (k === 5) feed.setNodes(host('edge-2'));
          });
        }
        await page.waitForSelector('#live-map g.node.serving[data-node="edge-2"]', { state: 'attached', timeout: 10_000 });
        const cx1 = await page.getAttribute('#live-map g.ue circle', 'cx');
        assert.ok(Number(cx1) > Number(cx0), `the UE marker moved right (${cx0} → ${cx1})`);
        const trail = await page.$$eval('#live-map g.trail line:not([visibility])', (ls) => ls.map((l) => l.getAttribute('stroke')));
        assert.ok(trail.includes(PALETTE[0]!) && trail.includes(PALETTE[1]!), `the trail shows both serving nodes' colours (${trail.join(', ')})`);
        assert.deepEqual(await overflowing(page), [], `live page at ${width} px`);
        await shot(page, `live-${width}`);
        await page.close();
        feed.batch(() => {
          feed.setNodes(host('edge-1'));
          feed.setRoute({ units: 'metres along SR-111', antennas: nodes.map((node, j) => ({ node, x: 6000 * j, y: 100 })), path: [{ x: 0, y: 0 }, { x: 12000, y: 0 }], ue: { x: 0, y: 0, atMs: now } });
        });
      }
    } finally {
      await d.stop();
    }
  });
});
