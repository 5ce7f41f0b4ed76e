/**
 * `remora controller`: runs the Kubernetes controller (src/cluster) against a cluster, from a kubeconfig or
 * in-cluster with the pod's service-account token. Wiring only.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Policy } from '../../core/env.js';
import { LiveFeed } from '../../core/live-feed.js';
import { Dashboard } from '../../server/dashboard.js';
import { InvalidInputError } from '../../core/errors.js';
import { PAPER_REWARD_PARAMS, type RewardParams } from '../../core/reward.js';
import { baselineRegistry, isModelPath } from '../../agents/registry.js';
import { NeverPolicy } from '../../agents/baselines/simple.js';
import { isFleetModelFile } from '../../agents/fleet/move-model.js';
import { createController, HttpKubeClient, jsonLogger, loadControllerConfig, systemClock } from '../../cluster/index.js';
import { slaRewardParams } from '../../cluster/config.js';
import { bulkScorerFor } from '../../cluster/bulk-score.js';
import { defineCommand } from '../command.js';

/**
 * `--policy`: any name of the one policy registry (src/agents/registry.ts) or a trained `model.json`, checked now
 * against the controller's observations (N = the config's node count), so a bad or mismatched model fails before
 * the controller touches the cluster. A model trained in the edge model gets observations with the in-flight block
 * (the controller asks a policy only when nothing is in flight, so the block is zeros). The SLA bands the greedy
 * rules score with are the config's `sla` (the paper's by default: R 1-20 ms, L 1-12, migration cost 2).
 */
export function resolvePolicy(spec: string, cwd: string, nodes: number, reward: RewardParams = PAPER_REWARD_PARAMS): () => Policy {
  const ctx = { layout: { nodes, inFlight: false }, eitherInFlight: true, reward, seed: 1 };
  return baselineRegistry().factoryFor(spec, ctx, cwd);
}

/**
 * The replicas this process runs: one unsharded; sharded, the one of `--shard-index` (else `REMORA_SHARD_INDEX`,
 * else the StatefulSet ordinal ending the pod name, `remora-2` → 2), or, with no index anywhere, all N (tests,
 * a single machine).
 */
export function shardReplicas(shards: number | undefined, index: number | undefined, env: Readonly<Record<string, string | undefined>>, identity: string): { identity: string; shard?: { count: number; index: number } }[] {
  if (shards === undefined) {
    if (index !== undefined) throw new InvalidInputError({ source: 'remora controller', field: '--shard-index', expected: 'only together with --shards N', actual: String(index) });
    return [{ identity }];
  }
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024) throw new InvalidInputError({ source: 'remora controller', field: '--shards', expected: 'an integer in [1, 1024]', actual: String(shards) });
  const fromEnv = env.REMORA_SHARD_INDEX ?? /-(\d+)$/.exec(env.POD_NAME ?? '')?.[1];
  const i = index ?? (fromEnv !== undefined ? Number(fromEnv) : undefined);
  if (i === undefined) return Array.from({ length: shards }, (_, k) => ({ identity: `${identity}-s${k}`, shard: { count: shards, index: k } }));
  if (!Number.isInteger(i) || i < 0 || i >= shards) throw new InvalidInputError({ source: 'remora controller', field: index !== undefined ? '--shard-index' : 'REMORA_SHARD_INDEX', expected: `an integer in [0, ${shards})`, actual: index !== undefined ? String(index) : String(fromEnv) });
  return [{ identity, shard: { count: shards, index: i } }];
}

export const controllerCommand = defineCommand({
  name: 'controller',
  summary: 'Run the Kubernetes migration controller (observe, decide with a policy, migrate)',
  usage: '--config <remora.yaml> --policy <model.json|baseline> [--kubeconfig <file>] [--dry-run] [--live-port <port>] [--shards N [--shard-index i]]',
  details: `Without --kubeconfig it uses the in-cluster service account when KUBERNETES_SERVICE_HOST is set, else ~/.kube/config.
Policies: ${baselineRegistry().names().join(', ')}, or a model.json. Logs are JSON lines on stdout. SIGTERM/SIGINT stop gracefully
(the tick in progress finishes, the lease is released; in-flight migrations are adopted by the next leader).
Sharded (--shards N): each replica owns the workloads whose key hashes into its shard's range and holds that
shard's Lease; survivors take over a dead replica's range when its Lease expires; the caps stay global. One replica
per process: --shard-index i (or REMORA_SHARD_INDEX, or the StatefulSet ordinal ending the pod name); without an
index, this process runs all N replicas.
See src/cluster/README.md for the config reference.`,
  flags: {
    kubeconfig: { type: 'string', description: 'Kubeconfig file (default: in-cluster, else ~/.kube/config)', placeholder: '<file>' },
    config: { type: 'string', description: 'Controller config (YAML)', placeholder: '<remora.yaml>', required: true },
    policy: { type: 'string', description: 'Policy: model.json from training, or a baseline', placeholder: '<model.json|baseline>', required: true },
    'dry-run': { type: 'boolean', description: 'Decide and record Events, but never migrate', default: false },
    identity: { type: 'string', description: 'Leader-election identity (default: hostname + random suffix)', placeholder: '<id>' },
    'log-level': { type: 'string', description: 'Minimum log level', choices: ['debug', 'info', 'warn', 'error'], default: 'info' },
    shards: { type: 'integer', description: 'Shard the workloads over N replicas (each with its own Lease; caps shared)', placeholder: '<N>' },
    'shard-index': { type: 'integer', description: 'This replica\'s shard in [0, N) (default: REMORA_SHARD_INDEX, or the pod name\'s ordinal; none: run all N here)', placeholder: '<i>' },
    'live-port': { type: 'integer', description: 'Serve the dashboard with this controller\'s live page (/live) on 127.0.0.1:<port> (0 = any free port)', placeholder: '<port>' },
  },
  async run(args, io) {
    const configPath = resolve(io.cwd, args.flags.config);
    const policySpec = args.flags.policy;
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (e) {
      throw new InvalidInputError({ source: 'remora controller', field: '--config', expected: 'a readable YAML file', actual: `${configPath} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})` });
    }
    const config = loadControllerConfig(text, configPath);
    if (args.flags['dry-run']) config.migration.dryRun = true;
    const reward = slaRewardParams(config);
    // The fleet agent (remora train --fleet) decides for the whole fleet at once: it has no per-workload form.
    const fleetAgent = isModelPath(policySpec) && isFleetModelFile(resolve(io.cwd, policySpec));
    if (fleetAgent && !config.fleet.enabled) throw new InvalidInputError({ source: configPath, field: 'fleet.enabled', expected: `true to run the fleet agent ${policySpec} (it scores every workload of a tick together)`, actual: 'false' });
    const newPolicy: () => Policy = fleetAgent ? () => new NeverPolicy() : resolvePolicy(policySpec, io.cwd, config.nodes.length, reward);
    // The fleet path scores every workload in one batched pass: the same spec, in its batch form (bulk-score.ts).
    const scorer = config.fleet.enabled ? bulkScorerFor(policySpec, baselineRegistry(), { nodes: config.nodes.length, reward, batchRows: config.fleet.batchRows, cwd: io.cwd }) : undefined;

    const kc = new KubeConfig();
    const kubeconfig = args.flags.kubeconfig;
    if (kubeconfig) kc.loadFromFile(resolve(io.cwd, kubeconfig));
    else if (io.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else kc.loadFromDefault();
    const client = new HttpKubeClient(kc);
    const identity = args.flags.identity ?? `${io.env.POD_NAME ?? hostname()}-${randomBytes(4).toString('hex')}`;
    const logger = jsonLogger((l) => io.out(l), systemClock, { component: 'remora-controller' }, args.flags['log-level']);
    const livePort = args.flags['live-port'];
    const feed = livePort !== undefined ? new LiveFeed({ title: `controller ${identity} (${policySpec})`, clock: systemClock }) : undefined;
    const replicas = shardReplicas(args.flags.shards, args.flags['shard-index'], io.env, identity);
    const make = (r: { identity: string; shard?: { count: number; index: number } }, metricsPort?: number) =>
      createController({ config: metricsPort === undefined ? config : { ...config, metrics: { ...config.metrics, port: metricsPort } }, client, clock: systemClock, logger, newPolicy, observationInFlight: newPolicy().needsInFlight === true, identity: r.identity, ...(r.shard ? { shard: r.shard } : {}), ...(feed ? { feed } : {}), ...(scorer ? { scorer: replicas.length > 1 ? bulkScorerFor(policySpec, baselineRegistry(), { nodes: config.nodes.length, reward, batchRows: config.fleet.batchRows, cwd: io.cwd }) : scorer } : {}) });
    // Several replicas in one process share the config's metrics port only for the first; the others take any.
    const controllers = replicas.map((r, i) => make(r, i === 0 ? undefined : 0));
    logger.log('info', 'starting', { server: client.server, identity, policy: policySpec, nodes: config.nodes, dryRun: config.migration.dryRun, ...(args.flags.shards !== undefined ? { shards: replicas.map((r) => r.shard) } : {}) });
    for (const c of controllers) await c.start();
    const controller = { stop: () => Promise.all(controllers.map((c) => c.stop())) };
    logger.log('info', 'metrics listening', { port: controllers[0]!.metricsPort });
    // The live page binds to loopback only: it shows the cluster's workloads and decisions.
    const dashboard = feed ? new Dashboard({ runsDir: resolve(io.cwd, 'runs'), port: livePort!, host: '127.0.0.1', live: feed }) : undefined;
    if (dashboard) logger.log('info', 'live page listening', { url: `${await dashboard.start()}/live` });
    await new Promise<void>((done) => {
      const onSignal = (sig: string): void => {
        logger.log('info', 'shutting down', { signal: sig });
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        void controller
          .stop()
          .then(() => dashboard?.stop())
          .then(done);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    return 0;
  },
});
