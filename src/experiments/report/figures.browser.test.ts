// Chromium screenshot tier (npm run test:browser): the figures as a browser draws them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fig5a } from './figures.js';
import { PALETTE } from './plots.js';
import { browserRequired, countColor, decodePng, hexToRgb, launchChromium } from '../testing/browser.js';
import { oracleFig6Svg } from '../testing/figure-fixtures.js';

test('figures render in real Chromium: the screenshot shows each node colour and the threshold line', async (t) => {
  const browser = await launchChromium();
  if (!browser) {
    if (browserRequired) assert.fail('Chromium is required under CI (apt-get install chromium)');
    console.error('\n*** SKIPPING Chromium screenshot test: /usr/bin/chromium not installed ***\n');
    t.skip('no chromium');
    return;
  }
  try {
    const page = await browser.newPage({ viewport: { width: 980, height: 760 } });
    const { svg } = oracleFig6Svg();
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    const img = decodePng(await page.screenshot({ fullPage: true }));
    assert.ok(img.width >= 960 && img.height >= 700, `${img.width}x${img.height}`);
    // Each node's line is drawn in its palette colour; the R_max/L_max lines are red dashes.
    for (const c of PALETTE.slice(0, 3)) assert.ok(countColor(img, hexToRgb(c)) > 300, `colour ${c} visible`);
    // Not a blank page: plenty of non-white pixels, but mostly background.
    const white = countColor(img, [255, 255, 255], 6);
    assert.ok(white > img.width * img.height * 0.3 && white < img.width * img.height * 0.97);
    const curves = [{ name: 'DQN', points: Array.from({ length: 200 }, (_, i) => ({ episode: i, steps: 50 * i, reward: Math.log(i + 1), meanReward: Math.log(i + 1), length: i % 50, epsilon: 1 - i / 200 })) }];
    await page.setContent(`<html><body style="margin:0">${fig5a(curves)}</body></html>`);
    const img2 = decodePng(await page.screenshot({ fullPage: true }));
    assert.ok(countColor(img2, hexToRgb(PALETTE[0]!)) > 200, 'DQN curve visible');
  } finally {
    await browser.close();
  }
});
