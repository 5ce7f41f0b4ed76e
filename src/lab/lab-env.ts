/**
 * `LabEnv implements Env`: the paper's second environment, the real cluster (Sec. III-C: "two identical
 * custom environments … the only difference … the real cluster"). Same spaces, same Eq. 8, same episode as the
 * twin's {@link TwinEnv} for a scenario and seed, but every observation is *measured* on the lab:
 * - RTT per node: a real prober PINGs each node's reflector through that node's toxiproxy proxy, and Eq. 1 runs over
 *   the replies (`route/echo-rtt.ts`, the controller's RTT store, `cluster/observe/rtt-table.ts`);
 * - load per node: the kubelet's Summary API (`KubeletSummaryLoad`), while the {@link LoadInjector} replays the
 *   trace's cpu and mem onto the node;
 * - the serving node: where the service pod runs, moved by the controller's {@link RecreateMigrator}.
 *
 * **The route.** A shadow {@link TwinEnv} of the same scenario and seed is the single source of the route: its world
 * gives, each step, the path RTT per node (the twin's Eq. 1 value with its AWGN, from the distance along SR-111 by
 * the twin's own linear model) that becomes each node's toxic latency, and the trace's cpu and mem per node that
 * become the injector's targets. Nothing of the RTT or mobility model is re-implemented here. The shadow steps with
 * the lab's actions (its world does not depend on them) and never terminates (`terminateOnViolation: false` on its
 * copy of the scenario), so the route always runs to its end. `info.twinObservation` is the twin's observation of
 * the same step with the lab's serving node: what a policy would see in the twin (the sim-to-real report's input).
 *
 * **Time.** One step waits out `stepSeconds` of wall time (5 s in the paper). A shorter step compresses the route:
 * one lab step is always one twin step (`spec.stepSeconds` of the car's travel and `traceSecondsPerStep` of the
 * trace), and each node's prober sends `transmissionsPerStep` PINGs per step, as the twin's Eq. 1 does.
 *
 * **Timing of one `step(a)`** (the twin's reading, `src/twin/env.ts`, kept):
 * 1. The action starts: a migration to j begins (it takes ~1 s on the lab; while it runs, only Wait is legal, as in
 *    the twin's timed model). Self-migration is Wait (or the scenario's `penalize`).
 * 2. The reward is the transition kernel's (`core/transition.ts`, `measuredStep`: Eq. 8 minus the traffic cost of a
 *    migration started now, minus the breach penalty), computed from the *measured* observation at t for the node
 *    chosen by the action (the twin's instant model; no modelled spike, a measured RTT carries the real blackout);
 *    the SLA check and termination likewise. So a lab episode's return is comparable with the twin's.
 * 3. The route moves to t+1 (toxics and injector), the step period passes, and the measured observation for t+1
 *    is returned. The serving node in it is the pod's real one: a migration still running shows the source.
 *
 * **Synchronous contract over asynchronous I/O.** `Env.step` is synchronous; the lab is not. The lab I/O runs in
 * a worker thread (`lab-env-worker.ts`); `step` posts a request and blocks in `Atomics.wait` on a shared counter
 * the worker bumps when it replies, then reads the reply with `receiveMessageOnPort`. The main thread is idle
 * while the worker measures, which is what the step period wants anyway. A worker that does not answer within
 * `stepSeconds + timeoutSeconds` fails the call with a one-line error (the worker is then terminated).
 *
 * **checkEnv.** Measured values never repeat to the bit, so {@link LAB_CHECK_ENV} relaxes the two determinism checks
 * to what the seed decides: the route (each step's toxic RTTs and the trace's cpu and mem). Everything else
 * (spaces, finite rewards, flags, masks, raising after the end and on invalid actions) is checked as for the twin.
 *
 * A missing measurement (no PING reply in a step, a kubelet that did not answer) keeps the last measured value, so
 * the observation stays in its Box; `info.missing` says which, and `info.measuredRttMs` keeps the NaN.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { z } from 'zod';
import { EnvStateError, InvalidActionError, InvalidInputError, RemoraError } from '../core/errors.js';
import type { Env, ResetOptions, ResetResult, StepInfo, StepResult } from '../core/env.js';
import type { CheckEnvOptions } from '../core/check-env.js';
import { MAX_LOAD, nodeLoad } from '../core/reward.js';
import { TransitionKernel, transitionParams } from '../core/transition.js';
import type { BoxSpace, DiscreteSpace } from '../core/spaces.js';
import { parseWith } from '../core/validate.js';
import { TwinEnv, type TwinInfo } from '../twin/env.js';
import type { ResolvedScenario } from '../twin/scenario-loader.js';
import { edgeMigrationCosts, RTT_CAP_MS } from '../twin/world.js';
import type { LabState } from './lab-state.js';
import type { LabSessionConfig, MeasuredStep, MigrationRecord, RouteTargets } from './lab-session-types.js';
import type { WorkerReply, WorkerRequest } from './lab-env-worker.js';
import { DEFAULT_LAB_CAPACITY } from './load-injector.js';
import { spawnModuleWorker } from './worker.js';

/** LabEnv's options: zod with defaults, the one config idiom. */
export const LabEnvOptionsSchema = z
  .object({
    /** Wall time of one step, seconds (the paper: 5). Shorter compresses the route: one step is one twin step. */
    stepSeconds: z.number().positive().max(60).default(5),
    /** Cut the episode after this many steps (truncation), before the route ends. Default: the route's end. */
    maxSteps: z.number().int().positive().optional(),
    /** What 100 % of a lab node is (see load-injector.ts for the trace → quota mapping). */
    capacity: z
      .object({ cpuCores: z.number().positive().max(2).default(DEFAULT_LAB_CAPACITY.cpuCores), memBytes: z.number().int().positive().default(DEFAULT_LAB_CAPACITY.memBytes) })
      .strict()
      .default({}),
    /** Uniform jitter each toxic adds, ms. 0: the route's own AWGN (the twin's, in the toxic latency) is the noise. */
    jitterMs: z.number().min(0).default(0),
    /** The prober's own round trip without a toxic, subtracted from each toxic; `auto` measures it at start. */
    overheadMs: z.union([z.number().min(0), z.literal('auto')]).default('auto'),
    /** PING period of the service client that measures each migration's downtime, ms. */
    serviceProbeMs: z.number().int().positive().default(20),
    /** The namespace LabEnv works in (created at start, deleted at close). */
    namespace: z.string().regex(/^[a-z0-9-]{1,63}$/).default('remora-lab-env'),
    /** Seed of toxiproxy's jitter generator. */
    toxiproxySeed: z.number().int().default(1),
    /**
     * Nice value of the measuring path (prober thread, toxiproxy, reflectors); 0 leaves it alone. See lab-session.ts;
     * measured not to help at load ~23 on 2 cores (src/lab/README.md), so off by default.
     */
    probeNice: z.number().int().min(-20).max(19).default(0),
    /** How long past the step period a worker call may take before it fails, seconds (reset places a pod). */
    timeoutSeconds: z.number().positive().default(90),
  })
  .strict();
export type LabEnvOptions = z.infer<typeof LabEnvOptionsSchema>;
export type LabEnvOptionsInput = z.input<typeof LabEnvOptionsSchema>;

/** checkEnv options for a LabEnv (see the module comment: which checks are relaxed, and why). */
export const LAB_CHECK_ENV: Pick<CheckEnvOptions, 'relaxed'> = {
  relaxed: {
    reason: 'observations are measured on the real lab; the seed decides the route and trace the lab is driven by',
    seeded: (info) => {
      const i = info as LabInfo;
      return [...i.routeRttMs, ...i.routeCpu, ...i.routeMem];
    },
  },
};

/** The lab's `info` (fresh arrays each step; nothing here is reused). */
/** The reward terms and the serving values they used, as the twin reports them (one definition, `TwinInfo`). */
type RewardInfo = Pick<TwinInfo, 'rttReward' | 'loadReward' | 'rttPenalty' | 'loadPenalty' | 'rttViolation' | 'loadViolation' | 'servingRttMs' | 'servingLoad' | 'trafficCost'>;

export interface LabInfo extends StepInfo, RewardInfo {
  servingNode: number;
  /** Target (1-based) of the migration in flight after this step, or 0. */
  migrationTarget: number;
  migrations: number;
  migrated: boolean;
  worldSeed: number;
  positionXM: number;
  positionYM: number;
  /** The route this step: toxic RTT per node (ms), trace cpu and mem per node (fractions). Seeded. */
  routeRttMs: number[];
  routeCpu: number[];
  routeMem: number[];
  /** The twin's observation of this step, with the lab's serving node (the paper's layout). */
  twinObservation: Float64Array;
  /** Measured: Eq. 1 RTT (NaN when no reply came), samples, cpu and mem fractions per node. */
  measuredRttMs: number[];
  samples: number[];
  measuredCpu: number[];
  measuredMem: number[];
  /** Components that were missing and hold their last value. */
  missing: string[];
  /** Migrations that finished during the last step (lab-measured durations and downtime). */
  finishedMigrations: MigrationRecord[];
  /** Wall time of the last step and its overrun past the period, ms. */
  stepWallMs: number;
  overrunMs: number;
  /** p99 and max event-loop delay of the lab session's thread during the last step, ms (the prober has its own). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** Where the lab is: what `lab.json` says (a running `remora lab up`, or a {@link Lab} of a test). */
export type LabConnection = Pick<LabState, 'kubeconfig' | 'nodes' | 'images'> & { footprint: Pick<LabState['footprint'], 'dir' | 'cgroupPrefix'> };

export class LabEnv implements Env {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  readonly nodes: number;
  readonly options: LabEnvOptions;
  /** The shadow twin: the route's one source (see the module comment). */
  readonly shadow: TwinEnv;
  /** The prober's own round trip, measured at start, ms. */
  overheadMs = Number.NaN;
  /** Episode cap in steps (truncation), from the options; a change applies from the next reset. */
  maxSteps: number | undefined;

  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal: Int32Array;
  private readonly log: (line: string) => void;
  private obs: Float64Array;
  private lastRtt: Float64Array;
  private lastLoad: Float64Array;
  private info: LabInfo | undefined;
  private active = false;
  private everReset = false;
  private closed = false;
  private migrations = 0;
  private t = 0;
  private lastStep = 0;
  /** The one step kernel every env shares (`core/transition.ts`), and the traffic cost of one migration. */
  private readonly kernel: TransitionKernel;
  private readonly trafficCost: number;
  /** The shadow's info (TwinEnv reuses one object: this always shows its last step). */
  private shadowInfo: TwinInfo | undefined;

  /**
   * Starts the lab session (reflectors, load pods, toxiproxy, probers, injectors) and blocks until it is ready.
   * `toxiproxyBin`: from `ensureToxiproxy`. Throws a one-line error when the scenario does not fit the lab.
   */
  constructor(
    readonly scenario: ResolvedScenario,
    lab: LabConnection,
    toxiproxyBin: string,
    options: LabEnvOptionsInput = {},
    log: (line: string) => void = () => undefined,
  ) {
    this.options = parseWith(LabEnvOptionsSchema, options, 'LabEnv options');
    this.maxSteps = this.options.maxSteps;
    this.log = log;
    const spec = scenario.spec;
    const n = spec.nodes.length;
    if (lab.nodes.length !== n) throw new InvalidInputError({ source: `scenario ${spec.name}`, field: 'nodes', expected: `${lab.nodes.length} nodes, as the lab has (remora lab up --nodes ${n})`, actual: String(n) });
    if (spec.observation.inFlight) throw new InvalidInputError({ source: `scenario ${spec.name}`, field: 'observation.inFlight', expected: "false (LabEnv gives the paper's layout; the in-flight block is not measured yet)", actual: 'true' });
    if (!lab.kubeconfig || !lab.images) throw new InvalidInputError({ source: 'lab.json', field: 'kubeconfig/images', expected: 'a lab that is up', actual: 'missing' });
    this.nodes = n;
    this.kernel = new TransitionKernel(transitionParams(spec));
    this.trafficCost = edgeMigrationCosts(spec).trafficCost;
    this.shadow = new TwinEnv({ ...scenario, spec: { ...spec, terminateOnViolation: false } });
    this.observationSpace = this.shadow.observationSpace;
    this.actionSpace = this.shadow.actionSpace;
    this.obs = new Float64Array(this.observationSpace.low.length);
    this.lastRtt = new Float64Array(n);
    this.lastLoad = new Float64Array(n);

    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.signal = new Int32Array(new SharedArrayBuffer(4));
    this.worker = spawnModuleWorker(import.meta.url, 'lab-env-worker', { port: port2, signal: this.signal }, [port2]);
    const stepMs = this.options.stepSeconds * 1000;
    const config: LabSessionConfig = {
      kubeconfig: lab.kubeconfig,
      labDir: lab.footprint.dir,
      cgroupPrefix: lab.footprint.cgroupPrefix,
      nodes: lab.nodes.map((x) => ({ name: x.name, cgroupRoot: x.cgroupRoot })),
      images: lab.images,
      toxiproxyBin,
      namespace: this.options.namespace,
      stepMs,
      probeIntervalMs: stepMs / spec.rtt.transmissionsPerStep,
      rttWindow: spec.rtt.window,
      serviceProbeMs: this.options.serviceProbeMs,
      jitterMs: this.options.jitterMs,
      overheadMs: this.options.overheadMs,
      capacity: this.options.capacity,
      seed: this.options.toxiproxySeed,
      probeNice: this.options.probeNice,
    };
    try {
      this.overheadMs = (this.call({ op: 'start', config }, 120_000) as { overheadMs: number }).overheadMs;
    } catch (e) {
      void this.worker.terminate();
      throw e;
    }
  }

  /** One request to the worker, blocking until it answers (see the module comment). */
  private call(req: WorkerRequest, timeoutMs: number): unknown {
    const before = Atomics.load(this.signal, 0);
    this.port.postMessage(req);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = receiveMessageOnPort(this.port);
      if (m) {
        const r = m.message as WorkerReply;
        for (const l of r.logs) this.log(l);
        if (!r.ok) throw new RemoraError('E_LAB', `lab ${req.op}: ${r.error}`);
        return r.result;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        void this.worker.terminate();
        this.closed = true;
        throw new RemoraError('E_LAB', `lab ${req.op}: no answer from the lab worker within ${Math.round(timeoutMs / 1000)} s`);
      }
      Atomics.wait(this.signal, 0, before, Math.min(left, 1000));
    }
  }

  private routeTargets(): RouteTargets {
    const w = this.shadow.world;
    return { rttMs: Array.from(w.rttMs), cpu: Array.from(w.cpu), mem: Array.from(w.mem) };
  }

  reset(options: ResetOptions = {}): ResetResult<Float64Array> {
    if (this.closed) throw new EnvStateError('reset() after close()');
    const r = this.shadow.reset(options.seed === undefined ? {} : { seed: options.seed });
    this.shadowInfo = r.info as TwinInfo;
    const serving = r.observation[0]!;
    const targets = this.routeTargets();
    const m = this.call({ op: 'reset', serving: serving - 1, targets }, (2 * this.options.stepSeconds + this.options.timeoutSeconds) * 1000) as MeasuredStep;
    this.t = 0;
    this.lastStep = Math.min(this.shadow.world.lastStep, this.maxSteps ?? Infinity);
    this.migrations = 0;
    this.active = true;
    this.everReset = true;
    this.lastRtt.fill(Number.NaN);
    this.lastLoad.fill(Number.NaN);
    this.info = this.makeInfo(m, targets, false);
    return { observation: this.obs, info: this.info };
  }

  step(action: number): StepResult<Float64Array> {
    if (!this.active) throw new EnvStateError(this.everReset ? 'step() called after the episode ended; call reset() first' : 'step() called before reset()');
    const n = this.nodes;
    if (!Number.isInteger(action) || action < 0 || action > n) throw new InvalidActionError(`action must be an integer in [0, ${n}] (0 = Wait, j = migrate to node j), got ${action}`);
    const prev = this.info!;
    if (prev.actionMask[action] !== 1) throw new InvalidActionError(`action ${action} is masked: a migration to node ${prev.migrationTarget} is in flight`);
    const serving = prev.servingNode;
    const migrating = action !== 0 && action !== serving;
    // The kernel's reward on the measured observation at t (the one the agent acted on), for the node chosen.
    const rtts = this.obs.subarray(1, 1 + n), loads = this.obs.subarray(1 + n, 1 + 2 * n);
    const k = this.kernel;
    const reward = k.measuredStep(serving - 1, action, rtts, loads, n, this.trafficCost);
    const terminated = k.terminatedLast;
    const rtt = k.servingRttMs, load = k.servingLoad;
    const rttViolation = rtt > this.scenario.spec.sla.rttMs.max, loadViolation = load > this.scenario.spec.sla.load.max;
    const terms = { ...k.terms };
    // The shadow follows the lab's actions where its own mask allows them; its world does not depend on them.
    this.shadow.step(migrating && this.shadowInfo!.actionMask[action] === 1 ? action : 0);
    const targets = this.routeTargets();
    if (migrating) this.migrations++;
    const m = this.call({ op: 'step', target: migrating ? action - 1 : undefined, targets }, (this.options.stepSeconds + this.options.timeoutSeconds) * 1000) as MeasuredStep;
    this.t++;
    const truncated = !terminated && this.t >= this.lastStep;
    if (terminated || truncated) this.active = false;
    const info = this.makeInfo(m, targets, migrating);
    Object.assign(info, { rttReward: terms.rtt, loadReward: terms.load, rttPenalty: terms.rttPenalty, loadPenalty: terms.loadPenalty, rttViolation, loadViolation, servingRttMs: rtt, servingLoad: load, trafficCost: migrating ? this.trafficCost : 0 });
    this.info = info;
    return { observation: this.obs, reward, terminated, truncated, info };
  }

  /** Observation and info from a measured step. */
  private makeInfo(m: MeasuredStep, targets: RouteTargets, migrated: boolean): LabInfo {
    const n = this.nodes, spec = this.scenario.spec;
    const missing: string[] = [];
    const obs = (this.obs = new Float64Array(this.obs.length));
    obs[0] = m.serving + 1;
    const w = this.shadow.world;
    for (let j = 0; j < n; j++) {
      const r = m.rttMs[j]!;
      if (Number.isFinite(r)) this.lastRtt[j] = r;
      else missing.push(`rtt node ${j + 1}`);
      const l = nodeLoad(m.cpu[j]!, m.mem[j]!);
      if (Number.isFinite(l)) this.lastLoad[j] = l;
      else missing.push(`load node ${j + 1}`);
      // Never measured yet: the route's value, so the observation is in its Box (said in `missing`).
      const rr = Number.isFinite(this.lastRtt[j]!) ? this.lastRtt[j]! : targets.rttMs[j]!;
      const ll = Number.isFinite(this.lastLoad[j]!) ? this.lastLoad[j]! : w.load[j]!;
      obs[1 + j] = Math.min(RTT_CAP_MS, Math.max(spec.rtt.floorMs, rr));
      obs[1 + n + j] = Math.min(MAX_LOAD, Math.max(1, ll));
    }
    const twin = new Float64Array(obs.length);
    twin[0] = obs[0]!;
    twin.set(w.rttMs, 1);
    twin.set(w.load, 1 + n);
    const mask = new Uint8Array(n + 1);
    mask[0] = 1;
    for (let a = 1; a <= n; a++) mask[a] = m.inFlightTarget < 0 ? 1 : 0;
    return {
      actionMask: mask,
      t: this.t,
      servingNode: m.serving + 1,
      migrationTarget: m.inFlightTarget + 1,
      migrations: this.migrations,
      migrated,
      worldSeed: this.shadowInfo!.worldSeed,
      positionXM: w.position[0]!,
      positionYM: w.position[1]!,
      routeRttMs: targets.rttMs,
      routeCpu: targets.cpu,
      routeMem: targets.mem,
      twinObservation: twin,
      measuredRttMs: m.rttMs,
      samples: m.samples,
      measuredCpu: m.cpu,
      measuredMem: m.mem,
      missing,
      rttReward: 0,
      loadReward: 0,
      rttPenalty: 0,
      loadPenalty: 0,
      rttViolation: false,
      loadViolation: false,
      servingRttMs: obs[m.serving + 1]!,
      servingLoad: obs[1 + n + m.serving]!,
      trafficCost: 0,
      finishedMigrations: m.finished,
      stepWallMs: m.wallMs,
      overrunMs: m.overrunMs,
      loopDelayP99Ms: m.loopDelayP99Ms,
      loopDelayMaxMs: m.loopDelayMaxMs,
    };
  }

  /** Removes everything the session made (pods, namespace, toxiproxy, injector processes); blocks until done. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.active = false;
    try {
      this.call({ op: 'stop' }, 60_000);
    } finally {
      void this.worker.terminate();
      this.port.close();
    }
  }
}
