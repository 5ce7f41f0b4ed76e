import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario, OraclePolicy } from '../../twin/index.js';
import { evaluatePolicy } from '../evaluate/evaluate.js';
import { fig5a, fig6 } from './figures.js';
import { PALETTE, niceTicks, movingAverage } from './plots.js';
import { browserRequired, countColor, decodePng, hexToRgb, launchChromium } from '../testing/browser.js';

test('niceTicks and movingAverage', () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(0.3, 61, 6), [10, 20, 30, 40, 50, 60]);
  assert.deepEqual(movingAverage([1, 2, 3, 4], 2), [1, 1.5, 2.5, 3.5]);
});

function fig6Svg(): { svg: string; migrations: number } {
  const sc = loadScenario('sr111-roundtrip');
  const ev = evaluatePolicy(new OraclePolicy(sc), sc, { episodes: 1, seed: 1000, recordFirstEpisode: true });
  const trace = ev.trace!;
  const migrations = trace.filter((s, i) => s.servingAfter !== (i === 0 ? s.node : trace[i - 1]!.servingAfter)).length;
  return { svg: fig6(trace, { policy: 'oracle', stepSeconds: sc.spec.stepSeconds, rttMaxMs: 20, loadMax: 12, nodes: 3 }), migrations };
}

test('Fig. 6 SVG names its axes, units, thresholds and marks every migration', () => {
  const { svg, migrations } = fig6Svg();
  for (const s of ['RTT [ms]', 'Time [s]', 'R_max = 20 ms', 'L_max = 12', 'Node 1', 'Node 2', 'Node 3', 'Service node']) assert.ok(svg.includes(s), s);
  assert.ok(migrations >= 2);
  assert.equal((svg.match(/: → node \d/g) ?? []).length, migrations);
});

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
    const { svg } = fig6Svg();
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
