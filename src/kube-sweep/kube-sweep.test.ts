/**
 * The pure parts of `sweep --on kubernetes`: the Indexed Job it creates, and the one-line errors. The Job running on
 * real kubelets is test/lab/sweep-job.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { HttpKubeClient, KubeApiError } from '../cluster/kube/client.js';
import { RemoraError } from '../core/errors.js';
import { checkPodScenarios } from './cli.js';
import { buildIndexedJob, sweepId } from './job.js';
import { describeKubeError, fatalPodReason, trainOnKubernetes } from './run-job.js';
import { writeJsonAtomic } from './volume.js';

const opts = { namespace: 'ns', image: 'remora:1', imagePullPolicy: 'Never' as const, parallelism: 4, backoffLimitPerIndex: 2, resources: { cpu: '1' }, volume: { hostPath: '/data/sweep' }, evictAfterS: 5 };

test('one Indexed Job: an index per pending run, retries per index, short eviction, the volume at /out', () => {
  const job = buildIndexedJob('abc', [1, 3, 4], opts) as { metadata: { name: string; annotations: Record<string, string> }; spec: Record<string, any> };
  assert.equal(job.metadata.name, 'remora-sweep-abc');
  assert.equal(job.metadata.annotations['remora.io/pending'], '1,3,4');
  assert.equal(job.spec.completionMode, 'Indexed');
  assert.equal(job.spec.completions, 3);
  assert.equal(job.spec.parallelism, 3, 'never more pods than indices');
  assert.equal(job.spec.backoffLimitPerIndex, 2);
  assert.equal(job.spec.podFailurePolicy, undefined, 'a pod terminating on a dead node must be replaced at once');
  const pod = job.spec.template.spec;
  assert.equal(pod.restartPolicy, 'Never');
  assert.deepEqual(pod.tolerations.map((t: { key: string; tolerationSeconds: number }) => [t.key, t.tolerationSeconds]), [['node.kubernetes.io/not-ready', 5], ['node.kubernetes.io/unreachable', 5]]);
  const c = pod.containers[0];
  assert.deepEqual(c.command, ['node', 'dist/kube-sweep/pod-main.js']);
  assert.deepEqual(c.resources, { requests: { cpu: '1' }, limits: { cpu: '1' } });
  assert.deepEqual(c.volumeMounts, [{ name: 'out', mountPath: '/out' }]);
  assert.deepEqual(pod.volumes, [{ name: 'out', hostPath: { path: '/data/sweep', type: 'Directory' } }]);
  const pvc = buildIndexedJob('abc', [0], { ...opts, volume: { pvc: 'runs', subPath: 'a/b' } }) as { spec: Record<string, any> };
  assert.deepEqual(pvc.spec.template.spec.volumes, [{ name: 'out', persistentVolumeClaim: { claimName: 'runs' } }]);
  assert.equal(pvc.spec.template.spec.containers[0].volumeMounts[0].subPath, 'a/b');
});

test('the sweep id names the runs, not which are pending: a re-run finds its Job again', () => {
  const runs = [1, 2].map((seed) => ({ agent: 'dqn' as const, scenario: 'sr111', steps: 10, seed, config: {}, out: `seed-${seed}` }));
  assert.equal(sweepId(runs), sweepId(JSON.parse(JSON.stringify(runs))));
  assert.notEqual(sweepId(runs), sweepId([runs[0]!]));
});

test('a pod that cannot succeed by retrying is one line: image not pullable, volume full', () => {
  const pod = (state: object) => ({ metadata: { name: 'p-0' }, spec: { nodeName: 'edge-1' }, status: { containerStatuses: [{ state }] } });
  for (const reason of ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']) {
    const line = fatalPodReason(pod({ waiting: { reason, message: 'Container image "x" is not present with pull policy of Never\nmore' } }), 'x');
    assert.match(line ?? '', new RegExp(`^sweep --on kubernetes: image x cannot be used on node edge-1: ${reason} \\(Container image "x" is not present with pull policy of Never\\)$`));
  }
  assert.equal(fatalPodReason(pod({ waiting: { reason: 'ContainerCreating' } }), 'x'), undefined);
  assert.equal(fatalPodReason(pod({ terminated: { exitCode: 1, message: 'run 2 (seed 3): out of memory' } }), 'x'), undefined, 'other failures are retried');
  assert.equal(fatalPodReason(pod({ terminated: { exitCode: 1, message: 'run 2 (seed 3): ENOSPC: the volume is full (/out/.kube/tmp/2-p-0/model.bin)' } }), 'x'), 'sweep --on kubernetes: the volume is full: pod p-0: run 2 (seed 3): ENOSPC: the volume is full (/out/.kube/tmp/2-p-0/model.bin)');
});

test('RBAC forbidden and an apiserver error are one line each', () => {
  const e = new KubeApiError(403, 'Forbidden', 'jobs.batch is forbidden: User "u" cannot create resource "jobs" in API group "batch" in the namespace "ns"', 'POST', '/apis/batch/v1/namespaces/ns/jobs');
  assert.equal(describeKubeError(e, 'create jobs', 'https://x', 'ns'), 'sweep --on kubernetes: forbidden to create jobs in namespace ns (RBAC): jobs.batch is forbidden: User "u" cannot create resource "jobs" in API group "batch" in the namespace "ns"');
});

test('no cluster: a real connection refused is one line, and no Job state is written', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  const out = mkdtempSync(join(tmpdir(), 'remora-kube-sweep-'));
  try {
    const run = { agent: 'dqn' as const, scenario: 'sr111', steps: 10, seed: 1, config: {}, cwd: out, out: join(out, 'seed-1') };
    await assert.rejects(trainOnKubernetes({ ...opts, client: new HttpKubeClient(kc), out, log: () => undefined }, [run], () => undefined), (e: unknown) => {
      assert.ok(e instanceof RemoraError);
      assert.equal(e.message, `sweep --on kubernetes: no cluster reachable at https://127.0.0.1:${port} (ECONNREFUSED); check --kubeconfig and that the apiserver runs`);
      return true;
    });
    assert.deepEqual(readdirSync(join(out, '.kube')), []);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('pods see only built-in scenarios; a file on this machine is refused up front', () => {
  checkPodScenarios(['sr111', 'sr111-validation,sr111-validation-roundtrip']);
  assert.throws(() => checkPodScenarios(['my-scenario.yaml']), /--scenario.*built-in scenario with --on kubernetes/);
});

test('atomic JSON writes leave no temporary file', () => {
  const d = mkdtempSync(join(tmpdir(), 'remora-kube-sweep-'));
  writeJsonAtomic(join(d, 'a', 'b.json'), { x: 1 });
  assert.deepEqual(readdirSync(join(d, 'a')), ['b.json']);
  rmSync(d, { recursive: true, force: true });
});
