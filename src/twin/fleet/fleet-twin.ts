/**
 * The fleet twin: many users sharing the edge, as a {@link FleetEnv}. Beyond the paper, which follows one UE over
 * an exogenous load: here the users' services *are* load (`hosted-load.ts`). This file keeps the population (rows
 * joining and leaving) and the tick's order; each concern has its own file: arrivals (`arrivals.ts`), motion
 * (`user-motion.ts`), RTT noise (`rtt-noise.ts`), hosted load (`hosted-load.ts`), caps and admission
 * (`caps-admission.ts`), moves in flight (`moves-in-flight.ts`) and the tick's counts (`fleet-metrics.ts`). Each
 * user's step (action, migration state machine, reward, violation, termination) is the transition kernel's
 * (`core/transition.ts`), the same one the single-user twin runs.
 *
 * Timing of one `step(actions)` at tick t (the single-user twin's, `env.ts`, applied per user):
 * 1. Actions are applied in row order (the order users joined): a migration needs the source under its
 *    outbound cap, the cluster under its cap and room on the target; otherwise it is refused and the user waits.
 *    This is an uncoordinated cluster: first come, first served. Coordinated policies plan within the same rules.
 * 2. Each user's reward is the kernel's from the values observed at t, for the node serving after the action (a
 *    pre-copy migration serves from the source until its switch-over step, which sees the blackout as extra RTT).
 *    Its migration cost uses the user's own state size.
 * 3. The world advances: background load, mobility, switch-overs; users whose trip or session ended, or whose
 *    MDP terminated, leave (their services are deleted); arrivals join (placed by `users.placement`); node loads
 *    are recomputed; the observation for t + 1 is written for every row.
 */
import { EnvStateError, InvalidActionError, InvalidInputError } from '../../core/errors.js';
import type { FleetEnv, FleetResetOptions, FleetStep } from '../../core/fleet-env.js';
import type { MigrationCaps } from '../../core/migration-caps.js';
import { Rng } from '../../core/rng.js';
import type { BoxSpace, DiscreteSpace } from '../../core/spaces.js';
import { migrationCosts, TransitionKernel, transitionParams, type StepInputs } from '../../core/transition.js';
import { TransitionRows } from '../../core/transition-rows.js';
import { TwinEnv } from '../env.js';
import type { ResolvedScenario } from '../scenario-loader.js';
import type { FleetUsers, Scenario } from '../scenario-schema.js';
import { World } from '../world.js';
import { classWeights, drawArrival, fleetUsersOf, initialArrivals, tickArrivals, type ArrivalDraw } from './arrivals.js';
import { Admission } from './caps-admission.js';
import { clearTickStats, newTickStats, type FleetTickStats } from './fleet-metrics.js';
import { HostedLoad, type FleetNodes } from './hosted-load.js';
import { MovesInFlight } from './moves-in-flight.js';
import { rowKey, RttField, writeObservations } from './rtt-noise.js';
import { UserMotion } from './user-motion.js';

export { fleetUsersOf, poisson } from './arrivals.js';
export type { FleetTickStats } from './fleet-metrics.js';
export { noiseAt, rowKey } from './rtt-noise.js';

/** Per-user constants of one service class. */
interface ServiceClass {
  kindVm: boolean;
  downtimeS: number;
  spikeMs: number;
}

export interface FleetTwinOptions {
  /** Replace the population of a `fixed` arrival process (bench: the goal's 10k users). */
  population?: number;
}

export class FleetTwin implements FleetEnv {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  readonly nodes: number;
  readonly maxUsers: number;
  readonly caps: MigrationCaps;
  readonly users: FleetUsers;
  readonly spec: Scenario;
  /** The background world (the single-user twin's traces, noise and surges; its own UE is not used). */
  readonly world: World;
  readonly stats: FleetTickStats;
  /** Observation length D and action count A. */
  readonly D: number;
  readonly A: number;
  /** Node capacity, reference nodes. */
  readonly capacity: Float64Array;
  /** Key of this episode's RTT noise ({@link rowKey}). */
  episodeKey = 0;
  done = false;
  result: FleetStep & { ids: Int32Array; observations: Float64Array; actionMasks: Uint8Array; rewards: Float64Array; terminated: Uint8Array; truncated: Uint8Array; joined: Uint8Array };

  private readonly rng: Rng;
  /** Arrival stream: independent of the actions, so every policy sees the same users. */
  private readonly arrivalRng = new Rng(0);
  private readonly classes: ServiceClass[];
  private readonly weights: { weights: number[]; sum: number };
  private readonly population: number;
  private readonly hosted: HostedLoad;
  private readonly admission: Admission;
  private readonly moves: MovesInFlight;
  private readonly motion: UserMotion;
  private readonly field: RttField;
  private readonly kernel: TransitionKernel;
  private readonly inputs: StepInputs;
  private readonly draw: ArrivalDraw = { cls: 0, cpuD: 0, memD: 0, giB: 0, px: 0, py: 0, vx: 0, endX: 0, wx: 0, wy: 0, speed: 0, endTick: -1, tripS: 0, trip: undefined };
  private readonly tmp = new Float64Array(2);
  private nextId = 0;
  private everReset = false;
  private t = 0;

  // Per-row state (structure of arrays, grown by doubling): the kernel's rows, plus the user's identity.
  private cap = 0;
  private rows = 0;
  /** The kernel's rows: serving, target, remaining, RTT bounds and the last step's outputs. */
  readonly k = new TransitionRows(0);
  id = new Int32Array(0);
  cls = new Uint8Array(0);
  stateGiB = new Float64Array(0);
  traffic = new Float64Array(0);

  constructor(readonly scenario: ResolvedScenario, seed = 0, options: FleetTwinOptions = {}) {
    this.users = fleetUsersOf(scenario);
    const spec = scenario.spec;
    this.spec = spec;
    const probe = new TwinEnv(scenario); // the single-user spaces: every fleet row reads as a single-user observation
    this.observationSpace = probe.observationSpace;
    this.actionSpace = probe.actionSpace;
    const n = probe.nodes;
    this.nodes = n;
    this.D = this.observationSpace.low.length;
    this.A = n + 1;
    this.world = new World(scenario);
    this.rng = new Rng(seed);
    this.caps = this.users.migrationCaps;
    this.maxUsers = this.users.maxUsers;
    const arr = this.users.arrivals;
    this.population = arr.kind === 'fixed' ? (options.population ?? arr.count) : 0;
    if (options.population !== undefined && arr.kind !== 'fixed') throw new InvalidInputError({ source: scenario.source, field: 'users.arrivals.kind', expected: 'fixed (a population can be replaced only there)', actual: arr.kind });
    this.capacity = Float64Array.from(spec.nodes, (nd) => nd.capacity ?? 1);
    const probeSpacing = spec.stepSeconds / spec.rtt.transmissionsPerStep;
    this.classes = this.users.services.map((c) => {
      const downtimeS = spec.migration.downtimeSeconds[c.kind];
      return { kindVm: c.kind === 'vm', downtimeS, spikeMs: migrationCosts(downtimeS, probeSpacing, spec.rtt.window, 0, 0).spikeMs };
    });
    this.weights = classWeights(this.users);
    this.stats = newTickStats(n);
    this.hosted = new HostedLoad(this.world, this.capacity);
    this.admission = new Admission(this.hosted, this.users, scenario.nodeX, scenario.nodeY);
    this.moves = new MovesInFlight(spec, this.hosted, this.admission, this.stats, { userId: (i) => this.id[i]!, stateGiB: (i) => this.stateGiB[i]!, kindVm: (i) => this.classes[this.cls[i]!]!.kindVm });
    this.motion = new UserMotion(scenario, this.users, spec.stepSeconds);
    this.field = new RttField(spec.rtt, scenario.nodeX, scenario.nodeY);
    this.kernel = new TransitionKernel(transitionParams(spec));
    this.inputs = { rtts: new Float64Array(0), rttStride: this.D, rttOffset: 1, loads: this.hosted.load, loadMin: 0, loadMax: 0 };
    this.result = { rows: 0, t: 0, ids: this.id, observations: new Float64Array(0), actionMasks: new Uint8Array(0), rewards: new Float64Array(0), terminated: new Uint8Array(0), truncated: new Uint8Array(0), joined: new Uint8Array(0) };
    this.grow(Math.max(64, this.population + 16));
  }

  /** The number of rows of the last result. */
  get rowCount(): number {
    return this.rows;
  }
  /** Current tick. */
  get tick(): number {
    return this.t;
  }
  /** Node load (Eq. 2 on the totals) at the current tick. */
  get load(): Float64Array {
    return this.hosted.load;
  }
  get nodeState(): FleetNodes {
    return this.hosted.nodeState;
  }
  /** Per row: serving node (0-based), in-flight target (−1 when idle) and steps to its switch-over. */
  get serving(): Int32Array {
    return this.k.serving;
  }
  get target(): Int32Array {
    return this.k.target;
  }
  get remaining(): Int32Array {
    return this.k.remaining;
  }
  /** Per row of the last result: the step was an SLA violation / started a migration. */
  get violated(): Uint8Array {
    return this.k.violated;
  }
  get migrated(): Uint8Array {
    return this.k.started;
  }
  /** Per row: the user's position, metres. */
  get x(): Float64Array {
    return this.motion.x;
  }
  get y(): Float64Array {
    return this.motion.y;
  }

  private grow(want: number): void {
    if (want <= this.cap) return;
    let c = Math.max(64, this.cap);
    while (c < want) c *= 2;
    const f64 = (a: Float64Array) => { const b = new Float64Array(c); b.set(a); return b; };
    const i32 = (a: Int32Array) => { const b = new Int32Array(c); b.set(a); return b; };
    const u8 = (a: Uint8Array) => { const b = new Uint8Array(c); b.set(a); return b; };
    this.id = i32(this.id); this.cls = u8(this.cls); this.stateGiB = f64(this.stateGiB); this.traffic = f64(this.traffic);
    this.k.grow(c);
    this.motion.grow(c);
    this.hosted.grow(c);
    // The result object stays the same (callers may hold it); its arrays are replaced.
    const r = this.result;
    const obs = new Float64Array(c * this.D); obs.set(r.observations);
    const masks = new Uint8Array(c * this.A); masks.set(r.actionMasks);
    Object.assign(r, { ids: this.id, observations: obs, actionMasks: masks, rewards: f64(r.rewards), terminated: u8(r.terminated), truncated: u8(r.truncated), joined: u8(r.joined) });
    this.cap = c;
  }

  reset(options: FleetResetOptions = {}): FleetStep {
    if (options.seed !== undefined) this.rng.seed(options.seed);
    this.world.reset(this.rng.deriveSeed());
    this.arrivalRng.seed(this.rng.deriveSeed());
    this.episodeKey = this.rng.nextU32() | 0;
    const w = this.world, W = this.spec.rtt.window;
    for (let j = 0; j < this.nodes; j++) this.field.sigmaMean[j] = w.sigmaMs[j]! / Math.sqrt(W);
    this.t = 0;
    this.rows = 0;
    this.nextId = 0;
    this.done = false;
    this.everReset = true;
    const ns = this.hosted.nodeState;
    ns.outboundInFlight.fill(0);
    ns.clusterInFlight = 0;
    clearTickStats(this.stats);
    this.recomputeNodes();
    initialArrivals(this.scenario, this.users, this.population, this.arrivalRng, (dir, along) => this.arrive(dir, along));
    const r = this.result; // arrivals may have grown the buffers
    for (let i = 0; i < this.rows; i++) r.joined[i] = 1;
    r.rewards.fill(0, 0, this.rows);
    r.terminated.fill(0, 0, this.rows);
    r.truncated.fill(0, 0, this.rows);
    this.k.violated.fill(0, 0, this.rows);
    this.k.started.fill(0, 0, this.rows);
    this.recomputeNodes();
    this.writeObservations(0);
    r.rows = this.rows;
    r.t = 0;
    return r;
  }

  /**
   * A new user joins now (tick `this.t`), or is refused and counted. Every arrival consumes an id, admitted or not,
   * so ids name the same users under every policy; everything is drawn before admission, so the arrival stream does
   * not depend on the load (i.e. on the policy).
   */
  private arrive(dir: 1 | -1 = 1, along = 0): void {
    const id = this.nextId++;
    this.stats.arrivals++;
    const a = drawArrival(this.scenario, this.users, this.weights, this.arrivalRng, this.t, dir, along, this.tmp, this.draw);
    if (id >= this.maxUsers) {
      this.stats.arrivalsRefused++;
      return;
    }
    const node = this.admission.place(a.px, a.py, a.cpuD, a.memD);
    if (node < 0) {
      this.stats.arrivalsRefused++;
      return;
    }
    this.grow(this.rows + 1);
    const i = this.rows++;
    this.id[i] = id;
    this.k.place(i, node);
    this.cls[i] = a.cls;
    this.stateGiB[i] = a.giB;
    this.traffic[i] = migrationCosts(0, 1, 1, a.giB, this.spec.reward.trafficCostPerGiB).trafficCost;
    this.hosted.setRow(i, a.cpuD, a.memD);
    this.motion.set(i, a);
    this.hosted.addDemand(node, a.cpuD, a.memD, 1);
    const r = this.result;
    r.joined[i] = 1;
    r.rewards[i] = 0;
    r.terminated[i] = 0;
    r.truncated[i] = 0;
  }

  private recomputeNodes(): void {
    this.hosted.recompute(this.rows, this.k.serving, this.k.target);
  }

  step(actions: ArrayLike<number>): FleetStep {
    if (!this.everReset) throw new EnvStateError('step() called before reset()');
    if (this.done) throw new EnvStateError('step() called after the episode ended; call reset() first');
    const rows = this.rows, A = this.A, n = this.nodes, r = this.result, spec = this.spec, k = this.k;
    if (actions.length < rows) throw new InvalidActionError(`actions: expected one per row (${rows}), got ${actions.length}`);
    // Validate every action before anything changes, so a bad one leaves the fleet as it was.
    for (let i = 0; i < rows; i++) {
      if (r.terminated[i] || r.truncated[i]) continue;
      const a = actions[i]!;
      if (!Number.isInteger(a) || a < 0 || a > n) throw new InvalidActionError(`user ${this.id[i]} (row ${i}): action must be an integer in [0, ${n}] (0 = Wait, j = migrate to node j), got ${a}`);
      if (r.actionMasks[i * A + a] !== 1) throw new InvalidActionError(`user ${this.id[i]} (row ${i}): action ${a} is masked: a migration to node ${k.target[i]! + 1} is in flight (${k.remaining[i]} step(s) left)`);
    }
    const stats = this.stats, t = this.t, load = this.hosted.load;
    clearTickStats(stats);
    stats.hostedAtStart.fill(0);
    for (let i = 0; i < rows; i++) if (!(r.terminated[i] || r.truncated[i])) stats.hostedAtStart[k.serving[i]!]++;
    for (let j = 0; j < n; j++) if (load[j]! > spec.sla.load.max) stats.overloadedNodes++;
    const x = this.inputs, moves = this.moves, kernel = this.kernel;
    x.rtts = r.observations;
    x.loadMin = this.hosted.loadMin;
    x.loadMax = this.hosted.loadMax;
    moves.t = t;
    moves.episodeKey = this.episodeKey;
    // 1-2: actions in row order under the caps and admission, then each user's reward from the values at t (the
    // observation rows of the last result). Rows that ended there are skipped and dropped below.
    for (let i = 0; i < rows; i++) {
      if (r.terminated[i] || r.truncated[i]) continue;
      const cl = this.classes[this.cls[i]!]!;
      kernel.step(k, i, actions[i]!, x, moves, cl.spikeMs, this.traffic[i]!);
      stats.userSteps++;
      if (k.violated[i]) stats.violations++;
      if (k.switching[i]) stats.downtimeSeconds += cl.downtimeS;
      stats.rewardSum += k.reward[i]!;
    }
    // Drop the rows that ended in the last result (their users have left).
    let kept = 0;
    for (let i = 0; i < rows; i++) {
      if (r.terminated[i] || r.truncated[i]) continue;
      if (kept !== i) this.moveRow(i, kept);
      kept++;
    }
    this.rows = kept;
    // 3: the world moves on.
    this.world.advance();
    this.t = t + 1;
    const last = this.t >= spec.maxSteps;
    for (let i = 0; i < kept; i++) {
      const src = kernel.advance(k, i);
      if (src >= 0) moves.release(i, src);
      const left = this.motion.move(i, this.t, this.arrivalRng);
      r.rewards[i] = k.reward[i]!;
      r.terminated[i] = k.terminated[i]!;
      r.truncated[i] = !k.terminated[i] && (left || last) ? 1 : 0;
      r.joined[i] = 0;
    }
    // Departures: services of ended users are deleted; an in-flight migration of theirs is cancelled.
    const ns = this.hosted.nodeState;
    for (let i = 0; i < kept; i++) {
      if (!(r.terminated[i] || r.truncated[i])) continue;
      stats.departures++;
      if (k.target[i]! >= 0) {
        ns.outboundInFlight[k.serving[i]!]--;
        ns.clusterInFlight--;
      }
    }
    // Arrivals (none at the last tick: the episode ends there). Node loads include everything still placed.
    this.recomputeNodesExcludingEnded();
    if (!last) {
      const before = this.rows;
      let ended = 0;
      for (let i = 0; i < before; i++) if (r.terminated[i] || r.truncated[i]) ended++;
      tickArrivals(this.users, spec.stepSeconds, ended, this.arrivalRng, (dir) => this.arrive(dir, 0));
      for (let i = before; i < this.rows; i++) this.result.joined[i] = 1;
    }
    this.recomputeNodesExcludingEnded();
    this.writeObservations(this.t);
    const res = this.result; // arrivals may have grown the buffers
    res.rows = this.rows;
    res.t = this.t;
    if (last) this.done = true;
    return res;
  }

  /** Copy row `from`'s state into row `to` (compaction; observations are rewritten for every row each tick). */
  private moveRow(from: number, to: number): void {
    this.id[to] = this.id[from]!; this.cls[to] = this.cls[from]!; this.stateGiB[to] = this.stateGiB[from]!; this.traffic[to] = this.traffic[from]!;
    this.k.moveRow(from, to);
    this.motion.moveRow(from, to);
    this.hosted.moveRow(from, to);
  }

  /** Like {@link recomputeNodes}, with the rows that just ended left out (their services are gone). */
  private recomputeNodesExcludingEnded(): void {
    const r = this.result, ns = this.hosted.nodeState, rows = this.rows;
    // Ended rows stay in the result (their final observation) but hold no demand from now on.
    for (let i = 0; i < rows; i++) {
      if (r.terminated[i] || r.truncated[i]) {
        if (ns.cpuDemand[i] !== 0 || ns.memDemand[i] !== 0) {
          ns.cpuDemand[i] = ns.memDemand[i] = ns.demand[i] = 0;
          this.k.target[i] = -1;
          this.k.remaining[i] = 0;
          ns.busy[i] = 0;
        }
      }
    }
    this.recomputeNodes();
  }

  /** RTT (ms) of user `id` at (px, py) to node j at tick t (the fleet's Eq. 1 reading; see `rtt-noise.ts`). */
  rttMsAt(id: number, t: number, j: number, px: number, py: number): number {
    return this.field.at(rowKey(this.episodeKey, id, t), j, px, py);
  }

  /** Observations and masks of every row at tick t; per-row RTT bounds for the next reward. */
  private writeObservations(t: number): void {
    const r = this.result;
    writeObservations({ rows: this.rows, t, D: this.D, A: this.A, inFlight: this.spec.observation.inFlight, stepSeconds: this.spec.stepSeconds, episodeKey: this.episodeKey, ids: this.id, x: this.motion.x, y: this.motion.y, load: this.hosted.load, field: this.field, k: this.k, obs: r.observations, masks: r.actionMasks });
  }

  close(): void {
    this.done = true;
  }
}
