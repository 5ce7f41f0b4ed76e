/**
 * `sweep --on kubernetes` on the lab's real kubelets: six seeds as the six indices of one Indexed Job on three
 * nodes, the Remora image (scripts/build-sweep-image.sh) imported into each node's containerd, the sweep folder a
 * hostPath every node sees (one machine). Against a local sweep of the same seeds on the plain kernels:
 *
 * (a) the same model bytes per seed and the same sweep.json, over its deterministic content: `timing` is wall time,
 *     and the model paths name each sweep's own folder, so they are compared relative to it; all else bit for bit.
 *     Mid-sweep the kubelet of a node running an index is SIGKILLed: its pod is evicted once the node goes
 *     NotReady, the Job retries that index elsewhere (its failure count rises), and nothing is lost.
 * (b) a second run resumes: with two runs' markers and folders removed it trains only those two, and with all
 *     present it creates no Job at all.
 * (c) one line each for an image the kubelets do not have, and for a user without RBAC rights; nothing written is
 *     lost (the markers of (a) and (b) stay).
 * (d) a full volume (a 64 KiB tmpfs as the hostPath): the pod's ENOSPC comes back as one line from its termination
 *     message.
 *
 * Preconditions as in lab.test.ts (a missing one skips and names it; REQUIRE_LAB=1 fails instead).
 * Run: REQUIRE_LAB=1 flock /tmp/remora-lab.lock npx tsx --test test/lab/sweep-job.test.ts
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test, type TestContext } from 'node:test';
import { REPO_ROOT } from '../../src/cluster/testing/control-plane.js';
import { sweep, type SweepOptions, type SweepSummary } from '../../src/experiments/sweep.js';
import { jobName, sweepId } from '../../src/kube-sweep/job.js';
import { kubeTrainer, type KubeSweepOptions } from '../../src/kube-sweep/run-job.js';
import { markerPath, type DoneMarker } from '../../src/kube-sweep/volume.js';
import { KubeConfig } from '@kubernetes/client-node';
import { HttpKubeClient } from '../../src/cluster/kube/client.js';
import { RemoraError } from '../../src/core/errors.js';
import { Lab } from '../../src/lab/lab.js';
import { ensureLabBinaries } from '../../src/lab/preconditions.js';

const REQUIRE = process.env.REQUIRE_LAB === '1';
const SEEDS = [1, 2, 3, 4, 5, 6];
/** Small enough that a run trains in seconds, large enough that a pod is still training when its kubelet dies. */
const STEPS = 6000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let lab: Lab | undefined;
let unavailable = '';
let image = '';
const tmp = mkdtempSync(join(process.env.REMORA_TEST_TMP ?? tmpdir(), 'remora-sweep-job-'));

function need(t: TestContext): Lab | undefined {
  if (unavailable) {
    if (REQUIRE) assert.fail(`REQUIRE_LAB=1 but ${unavailable}`);
    t.skip(unavailable);
    return undefined;
  }
  return lab!;
}

const sweepOptions = (out: string): SweepOptions => ({
  agent: 'dqn', trainScenario: 'sr111', seeds: SEEDS, steps: STEPS, config: {}, evalScenarios: ['sr111'], episodes: 2, evalSeed: 1000,
  policies: ['follow-me', 'never'], out, workers: 2, bootstrapReps: 500, cwd: REPO_ROOT, progress: { write: () => undefined, isTTY: false }, now: () => performance.now(),
});

function kubeOptions(l: Lab, out: string, log: string[]): KubeSweepOptions {
  return {
    client: l.admin, namespace: 'default', image, imagePullPolicy: 'Never', parallelism: 3, backoffLimitPerIndex: 2, resources: {},
    volume: { hostPath: out }, evictAfterS: 1, out, pollMs: 500, log: (line) => log.push(line.trim()),
  };
}

/** sweep.json without what is not a result: wall times, and the sweep's own folder in the model paths. */
function deterministic(s: SweepSummary, out: string): unknown {
  const rel = (p: string): string => relative(out, p);
  const { timing: _timing, ...rest } = s;
  return JSON.parse(JSON.stringify(rest, (k, v: unknown) => (k === 'modelPath' && typeof v === 'string' ? rel(v) : k === 'modelPaths' && Array.isArray(v) ? v.map((p) => rel(p as string)) : v)));
}

const modelBytes = (out: string, seed: number): Buffer[] => ['model.json', 'model.bin'].map((f) => readFileSync(join(out, `seed-${seed}`, f)));

describe('lab: sweep --on kubernetes, an Indexed Job on real kubelets', () => {
  let local: SweepSummary;
  const localOut = join(tmp, 'local');
  const kubeOut = join(tmp, 'kube');

  before(async () => {
    const missing = Lab.preconditions();
    if (missing.length) unavailable = `lab preconditions missing: ${missing.join('; ')}`;
    else {
      const bins = ensureLabBinaries(REPO_ROOT);
      if (typeof bins === 'string') unavailable = `lab binaries unavailable: ${bins}`;
    }
    if (!unavailable) {
      const t0 = Date.now();
      const r = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'build-sweep-image.sh')], { encoding: 'utf8', timeout: 15 * 60_000 });
      if (r.status !== 0) unavailable = `scripts/build-sweep-image.sh failed (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}`;
      else process.stderr.write(`sweep image: ${r.stderr.trim().split('\n').pop()} (${Date.now() - t0} ms)\n`);
      const dir = r.stdout?.trim().split('\n').pop() ?? '';
      image = /REMORA_IMAGE=(\S+)/.exec(unavailable ? '' : readFileSync(join(dir, 'image.env'), 'utf8'))?.[1] ?? '';
      if (!unavailable) {
        // A short grace period: the node of a killed kubelet goes NotReady in 20 s instead of 50 s.
        lab = new Lab({ dir: join(tmp, 'lab'), nodes: 3, nodeMonitorGracePeriodS: 20, log: (l) => process.stderr.write(`lab: ${l}\n`) });
        await lab.start();
        const t1 = Date.now();
        for (const n of lab.nodes) {
          const imp = spawnSync('ctr', ['--address', n.socket, '-n', 'k8s.io', 'images', 'import', join(dir, 'remora.tar')], { encoding: 'utf8', timeout: 300_000 });
          assert.equal(imp.status, 0, `ctr import on ${n.spec.name}: ${imp.stderr}`);
        }
        process.stderr.write(`sweep image imported into ${lab.nodes.length} containerds in ${Date.now() - t1} ms\n`);
      }
    }
    if (unavailable) process.stderr.write(`\n!! LAB TESTS ${REQUIRE ? 'FAIL' : 'SKIPPED'}: ${unavailable}\n`);
  });

  after(async () => {
    await lab?.stop();
    if (process.env.REMORA_KEEP_LAB !== '1') rmSync(tmp, { recursive: true, force: true });
  });

  test('(a) 6 indices on 3 nodes, a kubelet killed mid-sweep: same model bytes and sweep.json as the local sweep', async (t) => {
    const l = need(t);
    if (!l) return;
    local = await sweep(sweepOptions(localOut));
    const log: string[] = [];
    let markers: DoneMarker[] = [];
    const o = { ...kubeOptions(l, kubeOut, log), onDone: (m: DoneMarker[]) => (markers = m) };
    const name = jobName(sweepId(SEEDS.map((seed) => ({ agent: 'dqn' as const, scenario: 'sr111', steps: STEPS, seed, config: {}, out: `seed-${seed}`, progressEvery: 500 }))));
    // Kill the kubelet of the first node that runs an index, once that pod is Running (training).
    let killed = '';
    const killer = (async () => {
      for (let i = 0; i < 600 && !killed; i++) {
        const pods = await l.admin.request<{ items: { spec: { nodeName?: string }; status?: { phase?: string } }[] }>('GET', '/api/v1/namespaces/default/pods', { query: { labelSelector: `batch.kubernetes.io/job-name=${name}` } }).catch(() => ({ items: [] }));
        const running = pods.items.find((p) => p.status?.phase === 'Running' && p.spec.nodeName);
        if (running) {
          killed = running.spec.nodeName!;
          await l.killKubelet(killed);
          t.diagnostic(`killed the kubelet of ${killed} while an index ran there`);
        } else await sleep(200);
      }
    })();
    const t0 = Date.now();
    const kube = await sweep({ ...sweepOptions(kubeOut), train: kubeTrainer(o) });
    await killer;
    t.diagnostic(`kube sweep: ${Date.now() - t0} ms; log:\n${log.join('\n')}`);
    assert.ok(killed, 'a kubelet was killed mid-sweep');
    const job = await l.admin.request<{ status: { completedIndexes?: string } }>('GET', `/apis/batch/v1/namespaces/default/jobs/${name}`);
    const pods = await l.admin.request<{ items: { metadata: { name: string; creationTimestamp: string; annotations?: Record<string, string> }; spec: { nodeName?: string } }[] }>('GET', '/api/v1/namespaces/default/pods', { query: { labelSelector: `batch.kubernetes.io/job-name=${name}` } });
    const retried = pods.items.filter((p) => Number(p.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count'] ?? 0) >= 1);
    assert.ok(retried.length >= 1, `an index was retried after the kubelet died: ${pods.items.map((p) => `${p.metadata.name}@${p.spec.nodeName}`).join(', ')}`);
    assert.ok(retried.every((p) => p.spec.nodeName !== killed), 'the retry ran on a live node');
    assert.equal(job.status.completedIndexes, '0-5');
    assert.deepEqual(new Set(markers.map((m) => m.node)).size >= 2, true, 'the indices ran on several nodes');
    for (const seed of SEEDS) assert.deepEqual(modelBytes(kubeOut, seed), modelBytes(localOut, seed), `seed ${seed}: the same model bytes`);
    assert.deepEqual(deterministic(kube, kubeOut), deterministic(local, localOut));
    assert.equal(readFileSync(join(kubeOut, 'sweep.md'), 'utf8'), readFileSync(join(localOut, 'sweep.md'), 'utf8'));
    // Overhead per index: the pod's Node process start → training start (ms clock inside the pod), and pod
    // creation (the apiserver's timestamp, whole seconds) → training start.
    const created = new Map(pods.items.map((p) => [p.metadata.name, Date.parse(p.metadata.creationTimestamp)]));
    const inPod = markers.map((m) => m.trainStartMs - m.processStartMs);
    const fromCreate = markers.filter((m) => created.has(m.pod)).map((m) => m.trainStartMs - created.get(m.pod)!);
    t.diagnostic(`overhead process start → training start (ms): ${inPod.join(', ')}; pod created → training start (ms, ±1000): ${fromCreate.join(', ')}; retried: ${retried.map((p) => p.metadata.name).join(', ')}`);
    l.restartKubelet(killed);
  });

  test('(b) a second run resumes: it trains only the runs without a marker, and none when all have one', async (t) => {
    const l = need(t);
    if (!l) return;
    assert.ok(local, 'needs (a)');
    for (const run of [1, 4]) {
      rmSync(markerPath(kubeOut, run), { force: true });
      rmSync(join(kubeOut, `seed-${SEEDS[run]}`), { recursive: true, force: true });
    }
    const log: string[] = [];
    const again = await sweep({ ...sweepOptions(kubeOut), train: kubeTrainer(kubeOptions(l, kubeOut, log)) });
    t.diagnostic(log.join('\n'));
    assert.ok(log.some((x) => x.includes('4 of 6 run(s) already complete')), log.join('\n'));
    assert.ok(log.some((x) => x.includes(': 2 index(es)')), 'the new Job trains the two missing runs only');
    assert.deepEqual(deterministic(again, kubeOut), deterministic(local, localOut));
    for (const seed of SEEDS) assert.deepEqual(modelBytes(kubeOut, seed), modelBytes(localOut, seed), `seed ${seed}: the same model bytes`);
    const log2: string[] = [];
    await sweep({ ...sweepOptions(kubeOut), train: kubeTrainer(kubeOptions(l, kubeOut, log2)) });
    assert.ok(log2.some((x) => x.includes('6 of 6 run(s) already complete')) && !log2.some((x) => x.includes('index(es)')), log2.join('\n'));
  });

  test('(c) a wrong image and a user without rights are one line each; the finished runs stay', async (t) => {
    const l = need(t);
    if (!l) return;
    const out = join(tmp, 'errors');
    const one = { ...sweepOptions(out), seeds: [7] };
    const wrong = { ...kubeOptions(l, out, []), image: 'remora.local/lab/no-such-image:1' };
    await assert.rejects(sweep({ ...one, train: kubeTrainer(wrong) }), (e: unknown) => {
      assert.ok(e instanceof RemoraError && !e.message.includes('\n'), String(e));
      assert.match(e.message, /^sweep --on kubernetes: image remora\.local\/lab\/no-such-image:1 cannot be used on node edge-\d: ErrImageNeverPull/);
      t.diagnostic(e.message);
      return true;
    });
    // A service account with no role: its token, the lab's cluster and CA.
    await l.admin.request('POST', '/api/v1/namespaces/default/serviceaccounts', { body: { metadata: { name: 'nobody' } } });
    const tr = await l.admin.request<{ status: { token: string } }>('POST', '/api/v1/namespaces/default/serviceaccounts/nobody/token', { body: { spec: { expirationSeconds: 600 } } });
    const admin = new KubeConfig();
    admin.loadFromFile(l.kubeconfig);
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: admin.clusters, users: [{ name: 'nobody', token: tr.status.token }], contexts: [{ name: 'n', cluster: admin.clusters[0]!.name, user: 'nobody' }], currentContext: 'n' });
    await assert.rejects(sweep({ ...one, train: kubeTrainer({ ...kubeOptions(l, out, []), client: new HttpKubeClient(kc) }) }), (e: unknown) => {
      assert.ok(e instanceof RemoraError && !e.message.includes('\n'), String(e));
      assert.match(e.message, /^sweep --on kubernetes: forbidden to get jobs in namespace default \(RBAC\): .*system:serviceaccount:default:nobody/);
      t.diagnostic(e.message);
      return true;
    });
    for (const seed of SEEDS) assert.deepEqual(modelBytes(kubeOut, seed), modelBytes(localOut, seed), `seed ${seed} is still there`);
  });

  test('(d) a full volume: the pod\'s ENOSPC is one line, read from its termination message', async (t) => {
    const l = need(t);
    if (!l) return;
    const out = join(tmp, 'full');
    mkdirSync(out);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', out], { encoding: 'utf8' });
    assert.equal(m.status, 0, `mount a 64 KiB tmpfs: ${m.stderr}`);
    try {
      await assert.rejects(sweep({ ...sweepOptions(out), seeds: [8], train: kubeTrainer(kubeOptions(l, out, [])) }), (e: unknown) => {
        assert.ok(e instanceof RemoraError && !e.message.includes('\n'), String(e));
        assert.match(e.message, /^sweep --on kubernetes: the volume is full: pod remora-sweep-\S+: run 0 \(seed 8\): ENOSPC/);
        t.diagnostic(e.message);
        return true;
      });
    } finally {
      spawnSync('umount', ['-l', out]);
    }
  });
});
