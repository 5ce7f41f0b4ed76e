/**
 * What crosses between the main thread's LabEnv (lab-env.ts) and the lab session in its worker thread: the session's
 * config, the route's targets for a step, and what a step measured. All of it is plain data (structured-cloned
 * across the thread boundary); apart from lab-session.ts so the main thread imports these types without the
 * session's Kubernetes, toxiproxy and cgroup I/O.
 */
import type { LabCapacity } from './load-injector.js';

export interface SessionNode {
  name: string;
  /** The kubelet's cgroupRoot (the load container's cgroup is found below it). */
  cgroupRoot: string;
}

/** Everything the session needs, all serialisable (it crosses into the worker). */
export interface LabSessionConfig {
  kubeconfig: string;
  /** The lab folder (toxiproxy's config and log; named on the injector's command lines). */
  labDir: string;
  cgroupPrefix: string;
  nodes: SessionNode[];
  images: { pause: string; echo: string };
  toxiproxyBin: string;
  namespace: string;
  stepMs: number;
  /** PING period of each node's prober: `stepMs / transmissionsPerStep` (the twin's Eq. 1 transmissions). */
  probeIntervalMs: number;
  /** Eq. 1 window (samples). */
  rttWindow: number;
  /** PING period of the service client that measures downtime. */
  serviceProbeMs: number;
  /** Uniform jitter added by each toxic, ms (0: the route's own AWGN is the only noise). */
  jitterMs: number;
  /**
   * Subtracted from each toxic's latency: the prober's own round trip without a toxic (loopback, toxiproxy, the
   * reflector), ms. `'auto'` measures it at start (median of ~1 s of PINGs at zero latency).
   */
  overheadMs: number | 'auto';
  capacity: LabCapacity;
  seed: number;
  /**
   * Nice value of the measuring path: the prober's thread, toxiproxy and the reflectors' processes (0: leave
   * alone). On a shared, saturated 2-core machine a process waiting for a CPU adds its run-queue wait to every
   * PING's round trip, several times per round trip; that is the testbed, not the network the RTT stands for.
   * The load injector's processes keep nice 0 (their CFS quota is the load). Measured, it did not help (README).
   */
  probeNice: number;
}

/** What the route asks for the coming step. */
export interface RouteTargets {
  /** Path RTT per node (ms): each node's toxic latency. */
  rttMs: number[];
  /** Trace cpu and mem per node (fractions): the injector's targets. */
  cpu: number[];
  mem: number[];
}

export interface MeasuredStep {
  /** Eq. 1 over the measured samples of the step, per node (NaN when none arrived). */
  rttMs: number[];
  /** Samples per node this step. */
  samples: number[];
  /** Measured utilisation (fractions of capacity) and Eq. 2 load per node (NaN when the kubelet did not answer). */
  cpu: number[];
  mem: number[];
  /** Index of the node whose pod serves now (0-based). */
  serving: number;
  /** Target (0-based) of a migration in flight, or -1. */
  inFlightTarget: number;
  /** Migrations that finished during this step. */
  finished: MigrationRecord[];
  /** Wall time of the step, and how far past the period it ran (lab I/O overhead), ms. */
  wallMs: number;
  overrunMs: number;
  /**
   * p99 and max of the session thread's event-loop delay during the step, ms: how busy (or starved of CPU) the
   * lab I/O was. The prober runs in a thread of its own (`route/prober-thread.ts`), away from this one.
   */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface MigrationRecord {
  id: string;
  from: number;
  to: number;
  state: 'succeeded' | 'failed';
  reason?: string;
  /** `start()` → `succeeded` by the session's clock, ms. */
  wallMs: number;
  /** Target pod created → Ready (the pod's conditions, 1 s resolution), ms. */
  podReadyMs: number;
  /** Longest gap between two replies of the service client across the switch-over, ms (NaN if not seen). */
  downtimeMs: number;
}
