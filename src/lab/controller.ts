/**
 * The project's controller on the lab: the same {@link createController} wiring
 * that `remora controller` runs, from the same YAML config validated by the same zod schema, against the lab's
 * kube-apiserver with the admin kubeconfig. What the lab chooses (README, "The controller on the lab"):
 * - RTT: the `http-json` source, pointed at an endpoint the caller controls ({@link RttFeed}, or a real prober
 *   that serves the same format);
 * - load: the `kubelet-summary` source (the lab has no metrics-server; the real kubelets' Summary API is read
 *   through the apiserver's node proxy), with a 20 s staleness budget (its CPU figure refreshes every ~10 s) next
 *   to the RTT's 5 s;
 * - pods: the `recreate` backend, so the move is a real cold restart on the target node;
 * - a 1 s tick, a short lease (4 s) so a restarted controller takes over quickly, metrics on loopback.
 * Every one of these is a field of {@link LabControllerSettings}, written into the YAML, not a code path of its own.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { Policy } from '../core/env.js';
import type { LiveFeed } from '../core/live-feed.js';
import type { ControllerConfigInput } from '../cluster/config.js';
import { createController, HttpKubeClient, jsonLogger, loadControllerConfig, systemClock, type Controller, type ControllerConfig, type KubeClient } from '../cluster/index.js';
import { isAlreadyExists } from '../cluster/kube/client.js';

export interface LabControllerSettings {
  /** Candidate nodes N_1..N_N, in observation order (the lab's node names). */
  nodes: string[];
  /** Namespace of the workloads it manages. */
  workloadNamespace: string;
  /** `http-json` RTT URL template (`{user}` is replaced). */
  rttUrl: string;
  /** Namespace of the controller's Lease (created when missing; default remora-system). */
  namespace?: string;
  tickMs?: number;
  cooldownMs?: number;
  /** In-flight migrations older than this are cancelled. */
  timeoutMs?: number;
  maxAgeMs?: number;
  /** Load staleness budget (default 20 s: the kubelet's CPU figure refreshes every ~10 s). */
  loadMaxAgeMs?: number;
  rttWindow?: number;
  rttTimeoutMs?: number;
  leaseDurationMs?: number;
  renewPeriodMs?: number;
}

/** The controller config for the lab, as the YAML `remora controller --config` reads (before zod's defaults). */
export function labControllerConfig(s: LabControllerSettings): ControllerConfigInput {
  return {
    namespace: s.namespace ?? 'remora-system',
    nodes: s.nodes,
    tickMs: s.tickMs ?? 1000,
    workloads: { namespaces: [s.workloadNamespace], kinds: ['pod'] },
    observation: {
      maxAgeMs: s.maxAgeMs ?? 5000,
      loadMaxAgeMs: s.loadMaxAgeMs ?? 20_000,
      rttWindow: s.rttWindow ?? 1,
      load: { source: 'kubelet-summary', scope: 'containers' }, // kubelets on one host each report the whole machine as node
      rtt: { source: 'http-json', url: s.rttUrl, timeoutMs: s.rttTimeoutMs ?? 500 },
    },
    migration: { maxConcurrent: 1, cooldownMs: s.cooldownMs ?? 3000, timeoutMs: s.timeoutMs ?? 60_000, pod: { backend: 'recreate' } },
    leaderElection: { enabled: true, leaseName: 'remora-lab-controller', leaseDurationMs: s.leaseDurationMs ?? 4000, renewPeriodMs: s.renewPeriodMs ?? 1000 },
    metrics: { port: 0, bindAddress: '127.0.0.1' },
  };
}

/** Write the config as YAML (0600) and read it back through the CLI's loader: what the file says is what runs. */
export function writeLabControllerConfig(path: string, s: LabControllerSettings): ControllerConfig {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, stringify(labControllerConfig(s)), { mode: 0o600 });
  return loadControllerConfig(readFileSync(path, 'utf8'), path);
}

/** The lab's admin client from its kubeconfig file (the controller reads the file, as the CLI does). */
export function clientFromKubeconfig(path: string): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return new HttpKubeClient(kc);
}

/** Create the Lease's namespace when it is missing (a fresh lab has only the defaults). */
export async function ensureNamespace(client: KubeClient, name: string): Promise<void> {
  try {
    await client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

export interface LabControllerOptions {
  kubeconfig: string;
  /** A config file written by {@link writeLabControllerConfig} (or any `remora controller` config). */
  configPath: string;
  /** The policy, from the one registry (the caller resolves it: lab does not import agents). */
  newPolicy: () => Policy | Promise<Policy>;
  observationInFlight?: boolean;
  identity: string;
  feed?: LiveFeed;
  /** JSON log lines (default: kept in {@link RunningLabController.logs} only). */
  log?: (line: string) => void;
}

export interface RunningLabController {
  controller: Controller;
  config: ControllerConfig;
  client: KubeClient;
  /** Every JSON log line so far. */
  logs: string[];
  metricsUrl: string;
  stop(): Promise<void>;
}

/** Start the controller in this process (the CLI's wiring, minus the signal handling). */
export async function startLabController(o: LabControllerOptions): Promise<RunningLabController> {
  const config = loadControllerConfig(readFileSync(o.configPath, 'utf8'), o.configPath);
  const client = clientFromKubeconfig(o.kubeconfig);
  await ensureNamespace(client, config.namespace);
  const logs: string[] = [];
  const logger = jsonLogger(
    (l) => {
      logs.push(l);
      o.log?.(l);
    },
    systemClock,
    { component: 'remora-controller' },
  );
  const controller = createController({ config, client, clock: systemClock, logger, newPolicy: o.newPolicy, observationInFlight: o.observationInFlight ?? false, identity: o.identity, ...(o.feed ? { feed: o.feed } : {}) });
  await controller.start();
  return { controller, config, client, logs, metricsUrl: `http://127.0.0.1:${controller.metricsPort}/metrics`, stop: () => controller.stop() };
}
