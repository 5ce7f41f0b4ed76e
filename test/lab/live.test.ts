/**
 * Lab tier: the dashboard's live page in real Chromium, against a running lab
 * with the project's Controller in charge. The UE drives SR-111 as the twin replays it (sr111-roundtrip, world
 * seed 1000, time-compressed to 0.25 s a step): each step the twin's RTT per node is what the controller's
 * http-json source reads (RttFeed), and the UE's position moves on the page's map. follow-me moves the echo pod
 * for real when another antenna becomes the nearest. The page must follow through its SSE stream alone: a
 * decision row to migrate appears, a migration row goes in-flight -> succeeded, the UE moves, the timelines grow.
 * A screenshot must show the nodes' colours (non-blank).
 *
 * Skips (or fails with REQUIRE_LAB=1) like lab.test.ts when a lab precondition is missing, and when Chromium is
 * missing (fails under CI=true or REQUIRE_BROWSER=1, like the browser tier).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { resolvePolicy } from '../../src/cli/commands/controller.js';
import { LiveFeed } from '../../src/core/live-feed.js';
import { listAll } from '../../src/cluster/kube/client.js';
import { isPodReady, LABELS, type PodObject } from '../../src/cluster/kube/resources.js';
import { systemClock } from '../../src/cluster/observe/types.js';
import { REPO_ROOT } from '../../src/cluster/testing/control-plane.js';
import { PALETTE } from '../../src/experiments/report/plots.js';
import { browserRequired, countColor, decodePng, hexToRgb, launchChromium } from '../../src/experiments/testing/browser.js';
import { startLabController, writeLabControllerConfig, type RunningLabController } from '../../src/lab/controller.js';
import { describeLeftovers, isClean } from '../../src/lab/host.js';
import { Lab } from '../../src/lab/lab.js';
import { RttFeed } from '../../src/lab/rtt-feed.js';
import { labRequired, missingLab, startTestLab, waitFor } from '../../src/lab/testing/lab-fixture.js';
import { Dashboard } from '../../src/server/dashboard.js';
import { loadScenario } from '../../src/twin/index.js';
import { recordWorld } from '../../src/twin/world.js';

const REQUIRE = labRequired();
const NS = 'live';
const STEP_MS = 250;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let unavailable: string | undefined;
let lab: Lab | undefined;
let browser: Browser | undefined;

before(async () => {
  unavailable = missingLab() || undefined;
  if (!unavailable) {
    browser = await launchChromium();
    if (!browser) unavailable = 'Chromium is not installed (/usr/bin/chromium or CHROMIUM_PATH)';
  }
  if (unavailable) {
    process.stderr.write(`\n!! LAB LIVE-PAGE TEST ${REQUIRE || browserRequired ? 'FAILS' : 'SKIPPED'}: ${unavailable}\n`);
    return;
  }
  lab = await startTestLab('remora-lab-live-', { nodes: 3 });
});

after(async () => {
  await browser?.close();
  if (lab) {
    const left = await lab.stop();
    assert.ok(isClean(left), `left behind: ${describeLeftovers(left)}`);
  }
});

test('live page in real Chromium follows the controller on the lab: decision, migration in-flight -> succeeded, UE on the map', async (t) => {
  if (unavailable) {
    if (REQUIRE || browserRequired) assert.fail(`REQUIRE_LAB/CI but ${unavailable}`);
    t.skip(unavailable);
    return;
  }
  const l = lab!;
  const sc = loadScenario('sr111-roundtrip');
  const world = recordWorld(sc, 1000);
  const nodes = l.snapshot().nodes.map((n) => n.name);
  assert.equal(nodes.length, world.n, 'one lab node per antenna of the scenario');
  const rttAt = (step: number): Record<string, number> => Object.fromEntries(nodes.map((n, j) => [n, world.rttMs[step * world.n + j]!]));

  // The workload starts on the antenna nearest the UE's start, as the twin's episodes do.
  await l.admin.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
  const first = rttAt(0);
  const home = nodes.reduce((a, b) => (first[b]! < first[a]! ? b : a));
  await l.admin.request('POST', `/api/v1/namespaces/${NS}/pods`, {
    body: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'echo-0', namespace: NS, labels: { app: 'echo', [LABELS.workload]: 'echo', 'remora.io/managed': 'true' }, annotations: { 'remora.io/user': 'ue-1' } },
      spec: {
        nodeName: home,
        enableServiceLinks: false,
        terminationGracePeriodSeconds: 2,
        containers: [{ name: 'echo', image: l.images.echo, imagePullPolicy: 'Never', ports: [{ containerPort: 7000 }], readinessProbe: { tcpSocket: { port: 7000 }, initialDelaySeconds: 1, periodSeconds: 1 } }],
      },
    },
  });
  await waitFor('echo-0 Ready', 60_000, async () => {
    const p = (await listAll<PodObject>(l.admin, `/api/v1/namespaces/${NS}/pods`)).items[0];
    return p && isPodReady(p) ? true : undefined;
  });

  const rtt = new RttFeed(() => Date.now());
  rtt.set(first);
  const feed = new LiveFeed({ title: `lab ${l.id}: follow-me on sr111-roundtrip`, clock: systemClock });
  const path = Array.from(world.xM, (x, i) => ({ x, y: world.yM[i]! }));
  feed.setRoute({ units: 'metres along SR-111 (the twin’s geometry)', antennas: nodes.map((node, j) => ({ node, x: sc.nodeX[j]!, y: sc.nodeY[j]! })), path, ue: { ...path[0]!, atMs: Date.now() } });
  const dir = mkdtempSync(join(tmpdir(), 'remora-live-'));
  const configPath = join(dir, 'controller.yaml');
  let ctl: RunningLabController | undefined;
  const dash = new Dashboard({ runsDir: dir, port: 0, live: feed });
  const url = await dash.start();
  let driving = true;
  let step = 0;
  const drive = (async () => {
    while (driving && step < world.lastStep) {
      await sleep(STEP_MS);
      step++;
      rtt.set(rttAt(step));
      feed.moveUe({ ...path[step]!, atMs: Date.now() });
    }
  })();
  try {
    const rttUrl = await rtt.start();
    const config = writeLabControllerConfig(configPath, { nodes, workloadNamespace: NS, rttUrl, tickMs: 1000, cooldownMs: 3000 });
    ctl = await startLabController({ kubeconfig: l.kubeconfig, configPath, newPolicy: resolvePolicy('follow-me', REPO_ROOT, config.nodes.length), identity: 'lab-live', feed });

    const page = await browser!.newPage({ viewport: { width: 1100, height: 1400 } });
    await page.goto(`${url}/live`);
    assert.match(await page.title(), /Live: lab .*follow-me on sr111-roundtrip/);
    await page.waitForSelector('body[data-stream="open"]', { state: 'attached', timeout: 10_000 });
    const ueX0 = await page.getAttribute('#live-map g.ue circle', 'cx');
    await page.waitForSelector(`#live-nodes tr[data-node="${home}"] td.workloads:has-text("live/echo")`, { timeout: 15_000 });

    // A decision to migrate appears, and its migration goes in flight, then succeeds, all through the stream.
    const decision = await page.waitForSelector('#live-decisions tr[data-reason="policy"]:not([data-action="0"])', { timeout: 30_000 });
    const decisionText = (await decision.textContent()) ?? '';
    assert.match(decisionText, /migrate to edge-\d/);
    assert.match(decisionText, /all gates passed/);
    const inFlight = await page.waitForSelector('#live-migrations tr[data-state="in-flight"]', { timeout: 15_000 });
    const id = (await inFlight.getAttribute('data-migration'))!;
    const inFlightText = (await inFlight.textContent()) ?? '';
    await page.waitForSelector(`#live-migrations tr[data-migration="${id}"][data-state="succeeded"]`, { timeout: 30_000 });
    driving = false; // the UE stops here: no further move races the checks below
    const to = /→ (edge-\d)/.exec(inFlightText)![1]!;
    await page.waitForSelector(`#live-nodes tr[data-node="${to}"] td.workloads:has-text("live/echo")`, { timeout: 10_000 });
    const ueX1 = await page.getAttribute('#live-map g.ue circle', 'cx');
    assert.notEqual(ueX1, ueX0, 'the UE moved on the map');
    const lines = await page.$$eval('#live-timeline svg polyline, #live-timeline svg path', (els) => els.length);
    assert.ok(lines >= 2 * nodes.length, `RTT and load timelines drawn per node (${lines} lines)`);
    const seq = Number(await page.getAttribute('body', 'data-seq'));
    assert.ok(seq > 0, 'the page is on a streamed update');

    const png = await page.screenshot({ fullPage: true });
    writeFileSync(join(dir, 'live.png'), png);
    const img = decodePng(png);
    for (const c of PALETTE.slice(0, nodes.length)) assert.ok(countColor(img, hexToRgb(c)) > 200, `node colour ${c} visible (antenna, timelines)`);
    t.diagnostic(`live page followed ${id} (${inFlightText.replace(/\s+/g, ' ').trim()}) to succeeded at step ${step} of the route; decision "${decisionText.replace(/\s+/g, ' ').trim()}"; stream seq ${seq}; screenshot ${join(dir, 'live.png')}`);
    const served = (await listAll<PodObject>(l.admin, `/api/v1/namespaces/${NS}/pods`)).items.filter((p) => !p.metadata.deletionTimestamp);
    assert.ok(served.some((p) => p.metadata.name === id && p.spec.nodeName === to), 'what the page showed is what the cluster did');
  } finally {
    driving = false;
    await drive;
    await ctl?.stop();
    await dash.stop();
    await rtt.stop();
  }
});
