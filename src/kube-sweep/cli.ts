/**
 * The flags of `remora sweep --on kubernetes` and the trainer they build, so the sweep command only spreads
 * {@link kubeSweepFlags} and calls {@link kubeTrainerFromFlags}.
 */
import { resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { InvalidInputError, RemoraError } from '../core/errors.js';
import type { SweepTrainer } from '../experiments/sweep.js';
import { scenarioNames } from '../twin/index.js';
import { HttpKubeClient } from '../cluster/kube/client.js';
import { kubeTrainer } from './run-job.js';
import type { JobOptions } from './job.js';

const SOURCE = 'remora sweep';

export const kubeSweepFlags = {
  on: { type: 'string', description: 'Where the runs train: local worker threads, or one Indexed Job on a Kubernetes cluster', choices: ['local', 'kubernetes'], default: 'local' },
  kubeconfig: { type: 'string', description: '--on kubernetes: kubeconfig file (default: in-cluster, else ~/.kube/config)', placeholder: '<file>' },
  namespace: { type: 'string', description: '--on kubernetes: namespace of the Job', default: 'default' },
  image: { type: 'string', description: '--on kubernetes: the Remora image (scripts/build-sweep-image.sh, or deploy/sweep/Dockerfile)', placeholder: '<ref>' },
  'image-pull-policy': { type: 'string', description: '--on kubernetes: pull policy (Never for an image imported into containerd)', choices: ['Never', 'IfNotPresent', 'Always'], default: 'IfNotPresent' },
  parallelism: { type: 'integer', description: '--on kubernetes: pods training at once', default: 4 },
  'backoff-limit-per-index': { type: 'integer', description: '--on kubernetes: retries of a failed index', default: 2 },
  'pod-cpu': { type: 'string', description: '--on kubernetes: CPU per pod (request = limit), e.g. 1', placeholder: '<qty>' },
  'pod-memory': { type: 'string', description: '--on kubernetes: memory per pod (request = limit), e.g. 1Gi', placeholder: '<qty>' },
  'host-path': { type: 'string', description: '--on kubernetes: the nodes see --out at this hostPath (default: --out itself; single-machine clusters)', placeholder: '<dir>' },
  pvc: { type: 'string', description: '--on kubernetes: a ReadWriteMany PVC holding the runs instead of a hostPath; --out is where it is mounted here', placeholder: '<name>' },
  'pvc-path': { type: 'string', description: '--on kubernetes: the folder inside the PVC that --out shows', placeholder: '<dir>' },
  'evict-after': { type: 'integer', description: '--on kubernetes: seconds before a pod on a NotReady node is evicted and its index retried', default: 30 },
} as const;

interface KubeFlagValues {
  on: string;
  kubeconfig?: string;
  namespace: string;
  image?: string;
  'image-pull-policy': string;
  parallelism: number;
  'backoff-limit-per-index': number;
  'pod-cpu'?: string;
  'pod-memory'?: string;
  'host-path'?: string;
  pvc?: string;
  'pvc-path'?: string;
  'evict-after': number;
}

function bad(field: string, expected: string, actual: unknown): never {
  throw new InvalidInputError({ source: SOURCE, field, expected, actual: typeof actual === 'string' ? JSON.stringify(actual) : String(actual) });
}

/** The pods train built-in scenarios only: a scenario file on this machine is not in the image. */
export function checkPodScenarios(scenarios: readonly string[]): void {
  const known = new Set(scenarioNames());
  for (const s of scenarios.flatMap((x) => x.split(','))) if (!known.has(s)) bad('--scenario', `a built-in scenario with --on kubernetes (the pods do not see this machine's files): ${[...known].join(', ')}`, s);
}

/** The trainer for `--on kubernetes`, or undefined for a local sweep. */
export function kubeTrainerFromFlags(flags: KubeFlagValues, ctx: { cwd: string; out: string; env: Record<string, string | undefined>; log: (line: string) => void; scenarios: readonly string[] }): SweepTrainer | undefined {
  if (flags.on !== 'kubernetes') return undefined;
  if (!flags.image) bad('--image', 'an image reference with --on kubernetes', 'none');
  if (flags.parallelism < 1) bad('--parallelism', 'an integer >= 1', flags.parallelism);
  if (flags['backoff-limit-per-index'] < 0) bad('--backoff-limit-per-index', 'an integer >= 0', flags['backoff-limit-per-index']);
  if (flags['evict-after'] < 0) bad('--evict-after', 'an integer >= 0', flags['evict-after']);
  if (flags.pvc && flags['host-path']) bad('--pvc', 'either --pvc or --host-path, not both', flags.pvc);
  checkPodScenarios(ctx.scenarios);
  const kc = new KubeConfig();
  let client: HttpKubeClient;
  try {
    if (flags.kubeconfig) kc.loadFromFile(resolve(ctx.cwd, flags.kubeconfig));
    else if (ctx.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else kc.loadFromDefault();
    client = new HttpKubeClient(kc);
  } catch (e) {
    throw new RemoraError('E_KUBE', `sweep --on kubernetes: no cluster configured (${flags.kubeconfig ?? 'default kubeconfig'}: ${(e as Error).message.split('\n')[0]})`);
  }
  const out = resolve(ctx.cwd, ctx.out);
  const volume: JobOptions['volume'] = flags.pvc ? { pvc: flags.pvc, ...(flags['pvc-path'] ? { subPath: flags['pvc-path'] } : {}) } : { hostPath: resolve(ctx.cwd, flags['host-path'] ?? out) };
  return kubeTrainer({
    client,
    namespace: flags.namespace,
    image: flags.image,
    imagePullPolicy: flags['image-pull-policy'] as JobOptions['imagePullPolicy'],
    parallelism: flags.parallelism,
    backoffLimitPerIndex: flags['backoff-limit-per-index'],
    resources: { ...(flags['pod-cpu'] ? { cpu: flags['pod-cpu'] } : {}), ...(flags['pod-memory'] ? { memory: flags['pod-memory'] } : {}) },
    volume,
    evictAfterS: flags['evict-after'],
    out,
    log: ctx.log,
  });
}
