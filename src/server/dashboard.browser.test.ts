// Chromium tier (npm run test:browser): the dashboard driven through a real browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PALETTE } from '../experiments/report/plots.js';
import { browserRequired, countColor, decodePng, hexToRgb, launchChromium } from '../experiments/testing/browser.js';
import { withDashboard } from './testing/dashboard-fixture.js';

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
