/**
 * `LabEnv` on a real lab: three real kubelets, the route along SR-111 driving each node's toxiproxy
 * latency, the trace's load replayed into each node's cgroup, RTT and load measured, the service moved for real by
 * the controller's RecreateMigrator. A short, time-compressed episode (0.5 s steps) with a heuristic (follow-me)
 * and with a model trained in-test on the twin, then checkEnv (relaxed), then teardown.
 *
 * The test scenario is `sr111-roundtrip` with the car starting 2.6 km from node 1 (just before the midpoint to
 * node 2), so that follow-me has a reason to move within the first steps.
 *
 * Preconditions as in lab.test.ts (root, containerd, runc, CNI plugins, cgroup v1, Go for the builds, and
 * toxiproxy built by scripts/build-toxiproxy.sh): missing ones skip, or fail with REQUIRE_LAB=1.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { checkEnv } from '../../src/core/check-env.js';
import { Rng } from '../../src/core/rng.js';
import { DEFAULT_DQN_CONFIG, DqnAgent } from '../../src/agents/dqn.js';
import { saveAgent } from '../../src/agents/factory.js';
import { trainAgent } from '../../src/agents/trainer.js';
import { contextFor, twinRegistry } from '../../src/experiments/policies.js';
import { REPO_ROOT } from '../../src/cluster/testing/control-plane.js';
import { isPodReady, type PodObject } from '../../src/cluster/kube/resources.js';
import { describeLeftovers, isClean, labProcesses } from '../../src/lab/host.js';
import { Lab } from '../../src/lab/lab.js';
import { LAB_CHECK_ENV, LabEnv } from '../../src/lab/lab-env.js';
import { runLabEpisode, writeLabRun, type LabRunResult } from '../../src/lab/lab-run.js';
import { ensureToxiproxy } from '../../src/lab/route/toxiproxy.js';
import { labAvailable, labRequired, missingLab, startTestLab } from '../../src/lab/testing/lab-fixture.js';
import { TwinEnv } from '../../src/twin/env.js';
import { loadScenario, resolveScenario, type ResolvedScenario } from '../../src/twin/scenario-loader.js';

const REQUIRE = labRequired();
const SEED = 3;
const STEPS = 12;

let lab: Lab | undefined;
let env: LabEnv | undefined;
let unavailable = '';
let toxiproxyBin = '';
let stopped = false;

function need(t: TestContext): LabEnv | undefined {
  return labAvailable(t, unavailable) ? env! : undefined;
}

/** sr111-roundtrip with the car starting at x = 2.6 km (node 1 at 0, node 2 at 6 km). */
function testScenario(): ResolvedScenario {
  const sc = loadScenario('sr111-roundtrip');
  const m = sc.spec.mobility;
  assert.equal(m.kind, 'highway');
  // Re-resolved, not patched: the road (and every derived geometry) is built from the spec at load time.
  return resolveScenario({ ...sc.spec, mobility: { ...m, fromXM: 2600 } }, `${sc.source}@2.6km`, { cwd: process.cwd() });
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length, mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('LabEnv: the route drives real latency, the agent moves a real pod', () => {
  before(async () => {
    unavailable = missingLab();
    if (!unavailable) {
      const tp = ensureToxiproxy(REPO_ROOT);
      if ('error' in tp) unavailable = `toxiproxy unavailable: ${tp.error}`;
      else toxiproxyBin = tp.bin;
    }
    if (unavailable) {
      process.stderr.write(`\n!! LAB-ENV TESTS ${REQUIRE ? 'FAIL' : 'SKIPPED'}: ${unavailable}\n`);
      return;
    }
    lab = await startTestLab('remora-lab-env-', { nodes: 3 });
    try {
      const t0 = Date.now();
      env = new LabEnv(testScenario(), lab.snapshot(), toxiproxyBin, { stepSeconds: 0.5, maxSteps: STEPS }, (l) => process.stderr.write(`lab-env: ${l}\n`));
      process.stderr.write(`lab-env: session up in ${Date.now() - t0} ms, prober overhead ${env.overheadMs.toFixed(2)} ms\n`);
    } catch (e) {
      env?.close();
      await lab.stop().catch(() => undefined);
      stopped = true;
      throw e;
    }
  });

  after(async () => {
    if (stopped) return;
    try {
      env?.close();
    } finally {
      await lab?.stop();
    }
  });

  let followMe: LabRunResult | undefined;
  test('(a) follow-me: measured RTT tracks the twin along the route, a real migration happens, rewards are finite', async (t) => {
    const e = need(t);
    if (!e) return;
    const ctx = contextFor(e.scenario, SEED);
    const r = runLabEpisode({ env: e, policy: twinRegistry.factoryFor('follow-me', ctx, REPO_ROOT), policyName: 'follow-me', seed: SEED });
    followMe = r;
    assert.equal(r.steps.length, STEPS);
    for (const s of r.steps) assert.ok(Number.isFinite(s.reward), `reward at t=${s.t} is ${s.reward}`);

    // The route: the twin's RTT per node changes along the way, and what the prober measures follows it.
    const measured = r.steps.flatMap((s) => s.rttMs), twin = r.steps.flatMap((s) => s.twinRttMs);
    const rep = r.report.rttErrorMs;
    const corr = pearson(measured, twin);
    t.diagnostic(`RTT measured vs twin: mean abs ${rep.meanAbs.toFixed(2)} ms, p95 abs ${rep.p95Abs.toFixed(2)} ms, bias ${rep.bias.toFixed(2)} ms, correlation ${corr.toFixed(3)} over ${rep.n} (step, node) pairs`);
    assert.ok(corr > 0.85, `measured RTT correlates with the twin's (${corr.toFixed(3)})`);
    const sorted = r.steps.flatMap((s) => s.rttMs.map((x, j) => Math.abs(x - s.twinRttMs[j]!))).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    // Tolerances for a shared 2-core machine: delays only add (scheduling of the prober, toxiproxy, the reflector),
    // so the error is a positive bias of a few ms; a route that did not reach the toxics would be off by tens of ms.
    assert.ok(median < 8, `median |measured - twin| RTT ${median.toFixed(2)} ms < 8 ms`);
    assert.ok(rep.meanAbs < 12, `mean |measured - twin| RTT ${rep.meanAbs.toFixed(2)} ms < 12 ms`);
    // The prober waits one interval after each reply, so a slow round trip means fewer PINGs per step; none at all is a broken path.
    for (const s of r.steps) assert.ok(s.samples.every((k) => k >= 1), `a probe reply per node in every step (t=${s.t}: ${s.samples.join(',')})`);
    const perStep = r.steps.flatMap((s) => s.samples).reduce((a, b) => a + b, 0) / (r.steps.length * 3);
    assert.ok(perStep >= 2.5, `at least half of the twin's 5 transmissions per step arrive (${perStep.toFixed(2)} on average)`);

    // The load: the kubelet's measured cpu follows the trace that the injector replays.
    const cpu = r.report.cpuError;
    t.diagnostic(`cpu fraction measured vs trace: mean abs ${cpu.meanAbs.toFixed(3)}, bias ${cpu.bias.toFixed(3)}; mem mean abs ${r.report.memError.meanAbs.toFixed(3)}; load mean abs ${r.report.loadError.meanAbs.toFixed(3)}`);
    assert.ok(cpu.meanAbs < 0.15, `cpu within 0.15 of the trace on average (${cpu.meanAbs.toFixed(3)})`);
    assert.ok(r.report.memError.meanAbs < 0.15, `mem within 0.15 of the trace on average (${r.report.memError.meanAbs.toFixed(3)})`);

    // A real migration: follow-me moved the service, the pod now runs on the node the episode says.
    const moved = r.steps.flatMap((s) => s.migrations).filter((m) => m.state === 'succeeded');
    assert.ok(moved.length >= 1, `at least one migration succeeded (${JSON.stringify(r.steps.flatMap((s) => s.migrations))})`);
    for (const m of moved) {
      t.diagnostic(`migration node ${m.from + 1} -> ${m.to + 1}: ${m.wallMs} ms start -> succeeded, client downtime ${m.downtimeMs} ms`);
      assert.ok(m.downtimeMs > 0 && m.downtimeMs < 5000, `downtime measured by the service client (${m.downtimeMs} ms)`);
    }
    const last = r.steps.at(-1)!;
    const pods = await lab!.admin.request<{ items: PodObject[] }>('GET', `/api/v1/namespaces/${e.options.namespace}/pods`, { query: { labelSelector: 'app=svc' } });
    const serving = pods.items.filter((p) => isPodReady(p) && !p.metadata.deletionTimestamp);
    assert.equal(serving.length, 1, `one Ready service pod (${pods.items.map((p) => p.metadata.name).join(', ')})`);
    assert.equal(serving[0]!.spec.nodeName, `edge-${last.servingAfter}`, 'the service runs where the episode says');
    assert.equal(r.report.decisions.labMigrations, r.steps.filter((s) => s.action !== 0 && s.action !== s.node).length);
    t.diagnostic(`decision agreement lab vs twin: ${(100 * r.report.decisions.stepAgreement).toFixed(1)} % per step, ${(100 * r.report.decisions.episodeAgreement).toFixed(1)} % vs the twin's episode; step overrun mean ${r.report.timing.meanOverrunMs.toFixed(0)} ms, p95 ${r.report.timing.p95OverrunMs.toFixed(0)} ms`);
    assert.ok(r.report.decisions.stepAgreement >= 0.5, 'follow-me decides mostly alike on measured and twin observations');
  });

  test('(b) a model trained on the twin drives the lab; the run writes fig6-lab.svg, lab-run.jsonl and the sim-to-real report', async (t) => {
    const e = need(t);
    if (!e) return;
    // A tiny DQN trained in-test on the twin of the same scenario (seconds), saved and loaded back through the registry.
    const dir = mkdtempSync(join(tmpdir(), 'remora-lab-env-model-'));
    const agent = new DqnAgent({ ...DEFAULT_DQN_CONFIG, warmupSteps: 100, network: { kind: 'mlp', window: 1, hidden: [16] } }, 3, 800, new Rng(1));
    trainAgent(agent, new TwinEnv(e.scenario), { steps: 800, seed: 5 });
    const model = saveAgent(dir, agent, { scenario: 'sr111-roundtrip@2.6km', seed: 1, steps: 800, episodes: 1, updates: 1, meanReward: 0, config: {} });
    const factory = twinRegistry.factoryFor(model, contextFor(e.scenario, SEED), REPO_ROOT);
    const r = runLabEpisode({ env: e, policy: factory, policyName: 'dqn (in-test)', seed: SEED });
    assert.equal(r.steps.length, STEPS);
    for (const s of r.steps) {
      assert.ok(Number.isFinite(s.reward));
      assert.ok(Number.isInteger(s.action) && s.action >= 0 && s.action <= 3);
    }
    assert.ok(Number.isFinite(r.report.decisions.stepAgreement) && Number.isFinite(r.report.rttErrorMs.meanAbs));
    t.diagnostic(`model: agreement ${(100 * r.report.decisions.stepAgreement).toFixed(1)} %, migrations lab ${r.report.decisions.labMigrations} vs twin ${r.report.decisions.twinMigrations}, RTT mean abs ${r.report.rttErrorMs.meanAbs.toFixed(2)} ms`);

    const out = mkdtempSync(join(tmpdir(), 'remora-lab-run-'));
    const files = writeLabRun(out, followMe ?? r, e);
    for (const f of files) assert.ok(existsSync(f), f);
    const svg = readFileSync(join(out, 'fig6-lab.svg'), 'utf8');
    assert.match(svg, /\(lab, measured\)/);
    assert.match(svg, /\(twin, predicted\)/);
    const lines = readFileSync(join(out, 'lab-run.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, STEPS);
    const rep = JSON.parse(readFileSync(join(out, 'sim-to-real.json'), 'utf8')) as { decisions: { stepAgreement: number } };
    assert.ok(rep.decisions.stepAgreement >= 0 && rep.decisions.stepAgreement <= 1);
    assert.match(readFileSync(join(out, 'sim-to-real.md'), 'utf8'), /\| RTT per node and step \(Eq\. 1\), ms \| measured \| route \| mean abs/);
  });

  test('(c) checkEnv passes with the determinism checks relaxed to the seeded route', (t) => {
    const e = need(t);
    if (!e) return;
    e.maxSteps = 3;
    try {
      const rep = checkEnv(e, { ...LAB_CHECK_ENV, seed: 11 });
      assert.equal(rep.steps, 3);
      assert.ok(rep.passed.some((p) => p.startsWith('same seed, same seeded values (relaxed')), rep.passed.join(', '));
      assert.ok(rep.passed.includes('invalid actions raise'));
    } finally {
      e.maxSteps = STEPS;
    }
  });

  test('(d) close removes the session (pods, namespace, toxiproxy, load processes); lab stop leaves nothing', async (t) => {
    const e = need(t);
    if (!e) return;
    const l = lab!;
    const before = labProcesses(l.footprint).filter((p) => ['toxiproxy-server', 'sh', 'python3'].includes(p.cmd));
    assert.ok(before.some((p) => p.cmd === 'toxiproxy-server') && before.some((p) => p.cmd === 'sh'), `toxiproxy and the injector run in the lab's cgroups (${before.map((p) => p.cmd).join(', ')})`);
    e.close();
    const left = labProcesses(l.footprint).filter((p) => ['toxiproxy-server', 'sh', 'python3'].includes(p.cmd));
    assert.deepEqual(left, [], 'no toxiproxy or injector process after close');
    const pods = await l.admin.request<{ items: PodObject[] }>('GET', `/api/v1/namespaces/${e.options.namespace}/pods`);
    assert.equal(pods.items.length, 0, 'no pod of the session left');
    const rest = await l.stop();
    stopped = true;
    assert.ok(isClean(rest), `left behind: ${describeLeftovers(rest)}`);
  });
});
