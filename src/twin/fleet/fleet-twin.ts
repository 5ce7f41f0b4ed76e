/**
 * The fleet twin: many users sharing the edge, as a {@link FleetEnv}. Beyond the paper, which follows
 * one UE over an exogenous load: here the users' services *are* load. Per node:
 *
 *   cpu_j = background cpu_j (the single-user twin's trace + noise + surges, `World`) + Σ hosted cpu demand / capacity_j
 *   mem_j likewise;  L_j = Eq. 2 (`nodeLoad`) of the totals.
 *
 * A service in flight counts on both ends (pre-copy keeps the source running while the target fills). Migrations
 * are capped per node and per cluster (`users.migrationCaps`, KubeVirt's 2/5; `users.enforceCaps: false` models a
 * cluster without limits); a node is full when a service would
 * take its cpu or memory past `users.admissionCeiling`. Refused arrivals and migrations are counted in
 * {@link FleetTwin.stats}, never silent.
 *
 * Timing of one `step(actions)` at tick t (the single-user twin's, `env.ts`, applied per user):
 * 1. Actions are applied in row order (the order users joined): a migration needs the source under its
 *    outbound cap, the cluster under its cap and room on the target; otherwise it is refused and the user waits.
 *    This is an uncoordinated cluster: first come, first served. Coordinated policies plan within the same rules.
 * 2. Each user's reward is Eq. 8 (+ the scenario's edge-model terms) from the values observed at t, for the node
 *    serving after the action (a pre-copy migration serves from the source until its switch-over step, which sees
 *    the blackout as extra RTT, `switchoverRttMs`). Its migration cost uses the user's own state size.
 * 3. The world advances: background load, mobility, switch-overs; users whose trip or session ended, or whose
 *    MDP terminated, leave (their services are deleted); arrivals join (placed by `users.placement`); node loads
 *    are recomputed; the observation for t + 1 is written for every row.
 *
 * RTT at fleet scale (a documented reading, beyond the paper's single UE): RTT_ij = base + slope · d_ij + ε_ij,
 * the twin's linear model, with d_ij the distance at the observation's tick. Eq. 1 averages the last W
 * transmissions; the mean of W i.i.d. N(0, σ_j²) samples is N(0, σ_j²/W), so the fleet draws that mean directly,
 * once per user, node and tick, from a counter-based generator keyed by (episode, user id, tick, node): a table of
 * 2¹² standard normals (32 KB, small enough to stay in the L1 cache, which a 2¹⁶ table did not) indexed by
 * 12 bits of a 32-bit hash (one hash per pair of nodes). σ_j is the single-user world's per-route sigma of node j, shared by
 * the users of node j. The key makes every user's RTT trajectory replayable from its positions alone, which the
 * relaxed bound (`src/experiments/fleet/bound.ts`) relies on, and costs a few ns per pair (a 10k × 100 tick writes
 * one million RTTs).
 */
import { EnvStateError, InvalidActionError, InvalidInputError } from '../../core/errors.js';
import type { FleetEnv, FleetNodeState, FleetResetOptions, FleetStep } from '../../core/fleet-env.js';
import type { MigrationCaps } from '../../core/migration-caps.js';
import { migrationTrafficCost, nodeLoad, reward, slaViolationPenalty, switchoverRttMs } from '../../core/reward.js';
import { Rng } from '../../core/rng.js';
import type { BoxSpace, DiscreteSpace } from '../../core/spaces.js';
import { TwinEnv } from '../env.js';
import type { ResolvedScenario } from '../scenario-loader.js';
import type { FleetUsers, Scenario } from '../scenario-schema.js';
import { GpsTrip, pointAlong } from '../mobility.js';
import { RTT_CAP_MS, sampleDuration, World } from '../world.js';

const KMH_TO_MS = 1 / 3.6;
const NORMAL_TABLE_BITS = 12;
/** Standard normals for the counter-based RTT noise, filled once from a fixed seed (the per-episode key varies). */
const NORMALS = (() => {
  const r = new Rng(0x5eed_f1ee);
  const t = new Float64Array(1 << NORMAL_TABLE_BITS);
  for (let i = 0; i < t.length; i++) t[i] = r.normal();
  return t;
})();
const NORMAL_MASK = (1 << NORMAL_TABLE_BITS) - 1;

/** 32-bit key of (episode, user, tick); mixed with the node in {@link noiseAt}. */
export function rowKey(episodeKey: number, userId: number, t: number): number {
  return (episodeKey ^ Math.imul(userId + 1, 0x9e3779b1) ^ Math.imul(t + 1, 0x85ebca6b)) | 0;
}

/** 32 mixed bits for (row key, node pair): one hash serves two nodes (16 bits each). */
function pairBits(key: number, pair: number): number {
  let x = key ^ Math.imul(pair + 1, 0xc2b2ae35);
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  return x ^ (x >>> 16);
}

/** A standard normal for (row key, node): counter-based, so any user's noise can be replayed. */
export function noiseAt(key: number, node: number): number {
  const x = pairBits(key, node >> 1);
  return NORMALS[((node & 1) === 0 ? x : x >>> 16) & NORMAL_MASK]!;
}

/** The `users` block of a fleet scenario, or a one-line error naming the scenario. */
export function fleetUsersOf(scenario: ResolvedScenario): FleetUsers {
  const u = scenario.spec.users;
  if (!u) throw new InvalidInputError({ source: scenario.source, field: 'users', expected: 'a fleet scenario (a `users` block: arrivals, services)', actual: 'none (a single-user scenario)' });
  if (u.arrivals.kind === 'poisson-highway' && scenario.spec.mobility.kind !== 'highway') {
    throw new InvalidInputError({ source: scenario.source, field: 'users.arrivals.kind', expected: 'fixed (random-waypoint) when mobility is not a highway', actual: 'poisson-highway' });
  }
  if (u.arrivals.kind === 'gps-pool' && !scenario.fleetTracks) {
    throw new InvalidInputError({ source: scenario.source, field: 'users.arrivals.tracks', expected: 'the pool loaded with the scenario (resolve it with loadScenario)', actual: 'no tracks' });
  }
  return u;
}

/** Per-user constants of one service class. */
interface ServiceClass {
  weight: number;
  kindVm: boolean;
  downtimeS: number;
  spikeMs: number;
}

/** Inputs of one user's reward at one tick (see {@link userStepReward}). */
export interface UserStepInputs {
  /** RTT of the serving node (ms, without the blackout) and whether the switch-over falls in this step. */
  rttMs: number;
  spikeMs: number;
  /** Min, second-min (excluding the argmin) and max of the user's RTTs this tick, and whether the serving node is the argmin. */
  rttMin: number;
  rttMin2: number;
  rttMax: number;
  servingIsMin: boolean;
  load: number;
  /** Min and max of the node loads this tick. */
  loadMin: number;
  loadMax: number;
  /** Traffic cost charged this step (a migration started), reward units. */
  traffic: number;
}

const rttPair = new Float64Array(2);
const loadPair = new Float64Array(2);

/** Output of {@link userStepReward} (reused; no allocation per user). */
export interface UserStepOutcome {
  reward: number;
  /** The path's breach: RTT above R_max or load above L_max (a blackout is downtime, not a breach). */
  violated: boolean;
}

/**
 * One user's reward for one tick: Eq. 8 (`reward`, core/reward.ts) with the spiked RTT in the candidate list as the
 * single-user twin does, minus the traffic cost and the breach penalty of the edge model. Eq. 4-7 read the candidate
 * lists only through their min and max, so the lists are passed as [min, max] pairs: O(1) per user, the same value.
 */
export function userStepReward(spec: Scenario, x: UserStepInputs, out: UserStepOutcome): UserStepOutcome {
  const rtt = x.rttMs + x.spikeMs;
  const min = x.servingIsMin ? Math.min(rtt, x.rttMin2) : x.rttMin;
  rttPair[0] = min;
  rttPair[1] = rtt > x.rttMax ? rtt : x.rttMax;
  loadPair[0] = x.loadMin;
  loadPair[1] = x.loadMax;
  const violated = x.rttMs > spec.sla.rttMs.max || x.load > spec.sla.load.max;
  const r = reward({ rttMs: rtt, rttsMs: rttPair, load: x.load, loads: loadPair, rttSla: spec.sla.rttMs, loadSla: spec.sla.load, migrationCost: spec.reward.migrationCost });
  out.reward = r - x.traffic - slaViolationPenalty(violated, spec.reward.violationPenalty);
  out.violated = violated;
  return out;
}

/** What happened in the last tick (counts; per-node arrays indexed by node). Overwritten by every step. */
export interface FleetTickStats {
  /** Migrations started this tick, and per source node. */
  migrationsStarted: number;
  readonly startedFrom: Int32Array;
  /** Services hosted per node at the start of the tick (a service in flight counts on its source). */
  readonly hostedAtStart: Int32Array;
  /** Migrations refused by the caps, and by a full target (admission). */
  refusedByCaps: number;
  refusedFull: number;
  /** Arrivals, arrivals refused (full node or `maxUsers`), departures (users that ended). */
  arrivals: number;
  arrivalsRefused: number;
  departures: number;
  /** Nodes whose load (Eq. 2) at the tick's observation exceeded L_max. */
  overloadedNodes: number;
  /** Users that acted this tick, their SLA-violating steps and their switch-over blackout seconds. */
  userSteps: number;
  violations: number;
  downtimeSeconds: number;
  /** Sum of the rewards of this tick. */
  rewardSum: number;
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
  /** Node load (Eq. 2 on the totals) at the current tick. */
  readonly load: Float64Array;
  /** Node capacity, reference nodes. */
  readonly capacity: Float64Array;
  /** Key of this episode's RTT noise ({@link rowKey}). */
  episodeKey = 0;
  done = false;

  private readonly rng: Rng;
  /** Arrival stream: independent of the actions, so every policy sees the same users. */
  private readonly arrivalRng = new Rng(0);
  private readonly durationRng = new Rng(0);
  private readonly classes: ServiceClass[];
  private readonly classWeightSum: number;
  private readonly nodeX: Float64Array;
  private readonly nodeY: Float64Array;
  private readonly sigmaMean: Float64Array;
  private readonly hostedCpu: Float64Array;
  private readonly hostedMem: Float64Array;
  private readonly population: number;
  private nextId = 0;
  private everReset = false;
  private t = 0;

  // Per-row state (structure of arrays, grown by doubling).
  private cap = 0;
  private rows = 0;
  id = new Int32Array(0);
  serving = new Int32Array(0);
  target = new Int32Array(0);
  remaining = new Int32Array(0);
  cls = new Uint8Array(0);
  stateGiB = new Float64Array(0);
  traffic = new Float64Array(0);
  x = new Float64Array(0);
  y = new Float64Array(0);
  private vx = new Float64Array(0);
  private endX = new Float64Array(0);
  private wx = new Float64Array(0);
  private wy = new Float64Array(0);
  private speed = new Float64Array(0);
  private pause = new Float64Array(0);
  private endTick = new Int32Array(0);
  /** gps-pool: each row's trip and its seconds into the track. */
  private trips: (GpsTrip | undefined)[] = [];
  private tripS = new Float64Array(0);
  private readonly tmp = new Float64Array(2);
  private rttMin = new Float64Array(0);
  private rttMin2 = new Float64Array(0);
  private rttMax = new Float64Array(0);
  private argMin = new Int32Array(0);
  private rew = new Float64Array(0);
  private term = new Uint8Array(0);
  private leaving = new Uint8Array(0);
  /** Per row of the last result: the step was an SLA violation / started a migration. */
  violated = new Uint8Array(0);
  migrated = new Uint8Array(0);
  nodeState: FleetNodeState & { demand: Float64Array; cpuDemand: Float64Array; memDemand: Float64Array; busy: Uint8Array };
  result: FleetStep & { ids: Int32Array; observations: Float64Array; actionMasks: Uint8Array; rewards: Float64Array; terminated: Uint8Array; truncated: Uint8Array; joined: Uint8Array };
  private loadMin = 0;
  private loadMax = 0;

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
    this.nodeX = scenario.nodeX;
    this.nodeY = scenario.nodeY;
    this.capacity = Float64Array.from(spec.nodes, (nd) => nd.capacity ?? 1);
    this.load = new Float64Array(n);
    this.sigmaMean = new Float64Array(n);
    this.hostedCpu = new Float64Array(n);
    this.hostedMem = new Float64Array(n);
    const probeSpacing = spec.stepSeconds / spec.rtt.transmissionsPerStep;
    this.classes = this.users.services.map((c) => {
      const downtimeS = spec.migration.downtimeSeconds[c.kind];
      return { weight: c.weight, kindVm: c.kind === 'vm', downtimeS, spikeMs: switchoverRttMs(downtimeS, probeSpacing, spec.rtt.window) };
    });
    this.classWeightSum = this.classes.reduce((a, c) => a + c.weight, 0);
    this.stats = {
      migrationsStarted: 0, startedFrom: new Int32Array(n), hostedAtStart: new Int32Array(n), refusedByCaps: 0, refusedFull: 0,
      arrivals: 0, arrivalsRefused: 0, departures: 0, overloadedNodes: 0, userSteps: 0, violations: 0, downtimeSeconds: 0, rewardSum: 0,
    };
    this.nodeState = {
      used: new Float64Array(n), capacity: Float64Array.from(this.capacity, (c) => 100 * c), outboundInFlight: new Int32Array(n), clusterInFlight: 0,
      cpu: new Float64Array(n), mem: new Float64Array(n), demand: new Float64Array(0), cpuDemand: new Float64Array(0), memDemand: new Float64Array(0), busy: new Uint8Array(0),
    };
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

  private grow(want: number): void {
    if (want <= this.cap) return;
    let c = Math.max(64, this.cap);
    while (c < want) c *= 2;
    const f64 = (a: Float64Array) => { const b = new Float64Array(c); b.set(a); return b; };
    const i32 = (a: Int32Array) => { const b = new Int32Array(c); b.set(a); return b; };
    const u8 = (a: Uint8Array) => { const b = new Uint8Array(c); b.set(a); return b; };
    this.id = i32(this.id); this.serving = i32(this.serving); this.target = i32(this.target); this.remaining = i32(this.remaining);
    this.cls = u8(this.cls); this.stateGiB = f64(this.stateGiB); this.traffic = f64(this.traffic);
    this.x = f64(this.x); this.y = f64(this.y); this.vx = f64(this.vx); this.endX = f64(this.endX); this.wx = f64(this.wx); this.wy = f64(this.wy);
    this.speed = f64(this.speed); this.pause = f64(this.pause); this.endTick = i32(this.endTick); this.tripS = f64(this.tripS);
    this.rttMin = f64(this.rttMin); this.rttMin2 = f64(this.rttMin2); this.rttMax = f64(this.rttMax); this.argMin = i32(this.argMin);
    this.rew = f64(this.rew); this.term = u8(this.term); this.leaving = u8(this.leaving);
    this.violated = u8(this.violated); this.migrated = u8(this.migrated);
    // The result and node-state objects stay the same (callers may hold them); their arrays are replaced.
    const ns = this.nodeState;
    Object.assign(ns, { demand: f64(ns.demand), cpuDemand: f64(ns.cpuDemand), memDemand: f64(ns.memDemand), busy: u8(ns.busy) });
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
    for (let j = 0; j < this.nodes; j++) this.sigmaMean[j] = w.sigmaMs[j]! / Math.sqrt(W);
    this.t = 0;
    this.rows = 0;
    this.nextId = 0;
    this.done = false;
    this.everReset = true;
    const ns = this.nodeState;
    ns.outboundInFlight.fill(0);
    ns.clusterInFlight = 0;
    this.clearStats();
    this.recomputeNodes();
    const arr = this.users.arrivals;
    if (arr.kind === 'fixed') {
      for (let k = 0; k < this.population; k++) this.arrive();
    } else if (arr.kind === 'gps-pool') {
      const tracks = this.scenario.fleetTracks!;
      const meanS = tracks.reduce((a, tr) => a + tr.tS[tr.tS.length - 1]!, 0) / tracks.length;
      const count = poisson(this.arrivalRng, (arr.perMinute / 60) * meanS);
      for (let k = 0; k < count; k++) this.arrive(1, this.arrivalRng.uniform());
    } else {
      const m = this.spec.mobility as Extract<Scenario['mobility'], { kind: 'highway' }>;
      const lengthM = this.scenario.road!.lengthM;
      const { min, max } = m.speedKmh;
      // Stationary count per direction: rate × mean crossing time, E[L / v] with v ~ U(min, max).
      const meanInvSpeed = max > min ? Math.log(max / min) / ((max - min) * KMH_TO_MS) : 1 / (min * KMH_TO_MS);
      for (const dir of this.directions()) {
        const count = poisson(this.arrivalRng, (arr.perMinute / 60) * lengthM * meanInvSpeed);
        for (let k = 0; k < count; k++) this.arrive(dir, this.arrivalRng.uniform());
      }
    }
    const r = this.result; // arrivals may have grown the buffers
    for (let i = 0; i < this.rows; i++) r.joined[i] = 1;
    r.rewards.fill(0, 0, this.rows);
    r.terminated.fill(0, 0, this.rows);
    r.truncated.fill(0, 0, this.rows);
    this.violated.fill(0, 0, this.rows);
    this.migrated.fill(0, 0, this.rows);
    this.recomputeNodes();
    this.writeObservations(0);
    r.rows = this.rows;
    r.t = 0;
    return r;
  }

  private directions(): (1 | -1)[] {
    const a = this.users.arrivals;
    if (a.kind !== 'poisson-highway') return [];
    return a.directions === 'both' ? [1, -1] : a.directions === 'forward' ? [1] : [-1];
  }

  private clearStats(): void {
    const s = this.stats;
    s.migrationsStarted = s.refusedByCaps = s.refusedFull = s.arrivals = s.arrivalsRefused = s.departures = 0;
    s.overloadedNodes = s.userSteps = s.violations = s.downtimeSeconds = s.rewardSum = 0;
    s.startedFrom.fill(0);
  }

  /**
   * A new user joins now (tick `this.t`), or is refused and counted. `dir`/`along` place a highway user (along =
   * fraction of the road already driven, for the initial population); fixed populations start anywhere in the area.
   * Every arrival consumes an id, admitted or not, so ids name the same users under every policy.
   */
  private arrive(dir: 1 | -1 = 1, along = 0): void {
    const rng = this.arrivalRng, spec = this.spec, users = this.users;
    const id = this.nextId++;
    this.stats.arrivals++;
    // Draw everything before admission, so the arrival stream does not depend on the load (i.e. on the policy).
    let u = rng.uniform() * this.classWeightSum, c = 0;
    while (c < this.classes.length - 1 && u >= this.classes[c]!.weight) u -= this.classes[c++]!.weight;
    const sc = users.services[c]!;
    const cpuD = rng.uniformIn(sc.cpuPct.min, sc.cpuPct.max) / 100;
    const memD = rng.uniformIn(sc.memPct.min, sc.memPct.max) / 100;
    const refGiB = spec.migration.stateGiB[sc.kind];
    const giB = sc.stateGiB ? rng.uniformIn(sc.stateGiB.min, sc.stateGiB.max) : refGiB;
    let px: number, py: number, vx = 0, endX = 0, wx = 0, wy = 0, speed = 0, endTick = -1, tripS = 0;
    let trip: GpsTrip | undefined;
    const a = users.arrivals;
    if (a.kind === 'poisson-highway') {
      const m = spec.mobility as Extract<Scenario['mobility'], { kind: 'highway' }>;
      // Along the scenario's road (a straight highway or a route's polyline), by arc length: `vx` holds the signed
      // speed (+ in the waypoints' order), `endX` the arc position.
      const road = this.scenario.road!;
      speed = rng.uniformIn(m.speedKmh.min, m.speedKmh.max) * KMH_TO_MS;
      const s0 = along * road.lengthM;
      pointAlong(dir === 1 ? road.forward : road.backward, s0, this.tmp);
      px = this.tmp[0]!;
      py = this.tmp[1]!;
      vx = dir * speed;
      endX = s0;
    } else if (a.kind === 'gps-pool') {
      const tracks = this.scenario.fleetTracks!;
      trip = new GpsTrip(tracks[rng.int(tracks.length)]!);
      tripS = along * trip.durationS;
      trip.positionAt(tripS, this.tmp);
      px = this.tmp[0]!;
      py = this.tmp[1]!;
    } else {
      const mo = a.motion;
      px = rng.uniformIn(mo.xM.min, mo.xM.max);
      py = rng.uniformIn(mo.yM.min, mo.yM.max);
      wx = rng.uniformIn(mo.xM.min, mo.xM.max);
      wy = rng.uniformIn(mo.yM.min, mo.yM.max);
      speed = rng.uniformIn(mo.speedKmh.min, mo.speedKmh.max) * KMH_TO_MS;
      if (a.sessionMinutes !== undefined) endTick = this.t + Math.max(1, Math.ceil((-Math.log(1 - rng.uniform()) * a.sessionMinutes * 60) / spec.stepSeconds));
    }
    if (id >= this.maxUsers) {
      this.stats.arrivalsRefused++;
      return;
    }
    const node = this.place(px, py, cpuD, memD);
    if (node < 0) {
      this.stats.arrivalsRefused++;
      return;
    }
    this.grow(this.rows + 1);
    const i = this.rows++;
    this.id[i] = id;
    this.serving[i] = node;
    this.target[i] = -1;
    this.remaining[i] = 0;
    this.cls[i] = c;
    this.stateGiB[i] = giB;
    this.traffic[i] = migrationTrafficCost(giB, spec.reward.trafficCostPerGiB);
    const ns = this.nodeState;
    ns.cpuDemand[i] = cpuD;
    ns.memDemand[i] = memD;
    ns.demand[i] = 100 * Math.max(cpuD, memD);
    ns.busy[i] = 0;
    this.x[i] = px; this.y[i] = py; this.vx[i] = vx; this.endX[i] = endX; this.wx[i] = wx; this.wy[i] = wy;
    this.speed[i] = speed; this.pause[i] = 0; this.endTick[i] = endTick;
    this.trips[i] = trip;
    this.tripS[i] = tripS;
    this.addDemand(node, cpuD, memD, 1);
    const r = this.result;
    r.joined[i] = 1;
    r.rewards[i] = 0;
    r.terminated[i] = 0;
    r.truncated[i] = 0;
    this.violated[i] = 0;
    this.migrated[i] = 0;
  }

  /** The node an arrival at (x, y) is placed on, or -1 when refused (see `users.placement`). */
  private place(px: number, py: number, cpuD: number, memD: number): number {
    const n = this.nodes;
    // Nearest by distance = lowest mean RTT (RTT is linear in distance).
    let best = -1, bestD = Infinity;
    const withRoom = this.users.placement === 'nearest-with-room';
    for (let j = 0; j < n; j++) {
      if (withRoom && !this.hasRoom(j, cpuD, memD)) continue;
      const dx = px - this.nodeX[j]!, dy = py - this.nodeY[j]!;
      const d = dx * dx + dy * dy;
      if (d < bestD) [best, bestD] = [j, d];
    }
    if (best >= 0 && !withRoom && !this.hasRoom(best, cpuD, memD)) return -1;
    return best;
  }

  private hasRoom(j: number, cpuD: number, memD: number): boolean {
    const c = this.capacity[j]!, ceil = this.users.admissionCeiling, ns = this.nodeState;
    return ns.cpu[j]! + cpuD / c <= ceil && ns.mem[j]! + memD / c <= ceil;
  }

  /** Add (sign 1) or remove (-1) a service's demand on node j, keeping cpu/mem/used current within the tick. */
  private addDemand(j: number, cpuD: number, memD: number, sign: 1 | -1): void {
    this.hostedCpu[j] += sign * cpuD;
    this.hostedMem[j] += sign * memD;
    const ns = this.nodeState, c = this.capacity[j]!;
    ns.cpu[j] = this.world.cpu[j]! + this.hostedCpu[j]! / c;
    ns.mem[j] = this.world.mem[j]! + this.hostedMem[j]! / c;
    ns.used[j] = 100 * c * Math.max(ns.cpu[j]!, ns.mem[j]!);
  }

  /** Node utilisation and Eq. 2 load from the background and every hosted and in-flight service (from scratch). */
  private recomputeNodes(): void {
    const n = this.nodes, ns = this.nodeState;
    this.hostedCpu.fill(0);
    this.hostedMem.fill(0);
    for (let i = 0; i < this.rows; i++) {
      const cd = ns.cpuDemand[i]!, md = ns.memDemand[i]!;
      this.hostedCpu[this.serving[i]!] += cd;
      this.hostedMem[this.serving[i]!] += md;
      const g = this.target[i]!;
      if (g >= 0) {
        this.hostedCpu[g] += cd;
        this.hostedMem[g] += md;
      }
    }
    let lo = Infinity, hi = -Infinity;
    for (let j = 0; j < n; j++) {
      const c = this.capacity[j]!;
      ns.cpu[j] = this.world.cpu[j]! + this.hostedCpu[j]! / c;
      ns.mem[j] = this.world.mem[j]! + this.hostedMem[j]! / c;
      ns.used[j] = 100 * c * Math.max(ns.cpu[j]!, ns.mem[j]!);
      const L = nodeLoad(ns.cpu[j]!, ns.mem[j]!); // Eq. 2 applies to the total
      this.load[j] = L;
      if (L < lo) lo = L;
      if (L > hi) hi = L;
    }
    this.loadMin = lo;
    this.loadMax = hi;
  }

  step(actions: ArrayLike<number>): FleetStep {
    if (!this.everReset) throw new EnvStateError('step() called before reset()');
    if (this.done) throw new EnvStateError('step() called after the episode ended; call reset() first');
    const rows = this.rows, A = this.A, D = this.D, n = this.nodes, r = this.result, spec = this.spec;
    if (actions.length < rows) throw new InvalidActionError(`actions: expected one per row (${rows}), got ${actions.length}`);
    // Validate every action before anything changes, so a bad one leaves the fleet as it was.
    for (let i = 0; i < rows; i++) {
      if (r.terminated[i] || r.truncated[i]) continue;
      const a = actions[i]!;
      if (!Number.isInteger(a) || a < 0 || a > n) throw new InvalidActionError(`user ${this.id[i]} (row ${i}): action must be an integer in [0, ${n}] (0 = Wait, j = migrate to node j), got ${a}`);
      if (r.actionMasks[i * A + a] !== 1) throw new InvalidActionError(`user ${this.id[i]} (row ${i}): action ${a} is masked: a migration to node ${this.target[i]! + 1} is in flight (${this.remaining[i]} step(s) left)`);
    }
    const stats = this.stats, ns = this.nodeState, caps = this.caps, t = this.t;
    this.clearStats();
    stats.hostedAtStart.fill(0);
    for (let i = 0; i < rows; i++) if (!(r.terminated[i] || r.truncated[i])) stats.hostedAtStart[this.serving[i]!]++;
    for (let j = 0; j < n; j++) if (this.load[j]! > spec.sla.load.max) stats.overloadedNodes++;
    const penalizeSelf = spec.reward.selfMigration === 'penalize';
    const enforceCaps = this.users.enforceCaps;
    const outcome: UserStepOutcome = { reward: 0, violated: false };
    const x: UserStepInputs = { rttMs: 0, spikeMs: 0, rttMin: 0, rttMin2: 0, rttMax: 0, servingIsMin: false, load: 0, loadMin: this.loadMin, loadMax: this.loadMax, traffic: 0 };
    // 1-2: actions in row order under the caps and admission, then each user's reward from the values at t (the
    // observation rows of the last result). Rows that ended there are skipped and dropped below.
    for (let i = 0; i < rows; i++) {
      if (r.terminated[i] || r.truncated[i]) continue;
      const a = actions[i]!;
      let started = false, instant = false, selfPenalty = false;
      const src = this.serving[i]!;
      if (a !== 0 && a - 1 === src) selfPenalty = penalizeSelf;
      else if (a !== 0) {
        const g = a - 1;
        const cd = ns.cpuDemand[i]!, md = ns.memDemand[i]!;
        if (enforceCaps && (ns.outboundInFlight[src]! >= caps.parallelOutboundMigrationsPerNode || ns.clusterInFlight >= caps.parallelMigrationsPerCluster)) stats.refusedByCaps++;
        else if (!this.hasRoom(g, cd, md)) stats.refusedFull++;
        else {
          started = true;
          stats.migrationsStarted++;
          stats.startedFrom[src]++;
          const d = this.durationSteps(i, t);
          if (d === 0) {
            instant = true;
            this.serving[i] = g;
            this.addDemand(src, cd, md, -1);
            this.addDemand(g, cd, md, 1);
          } else {
            this.target[i] = g;
            this.remaining[i] = d;
            ns.busy[i] = 1;
            ns.outboundInFlight[src]++;
            ns.clusterInFlight++;
            this.addDemand(g, cd, md, 1); // in flight: on both ends
          }
        }
      }
      const sv = this.serving[i]!;
      const switching = instant || this.remaining[i] === 1;
      const cl = this.classes[this.cls[i]!]!;
      x.rttMs = r.observations[i * D + 1 + sv]!;
      x.spikeMs = switching ? cl.spikeMs : 0;
      x.rttMin = this.rttMin[i]!;
      x.rttMin2 = this.rttMin2[i]!;
      x.rttMax = this.rttMax[i]!;
      x.servingIsMin = this.argMin[i] === sv;
      x.load = this.load[sv]!;
      x.traffic = started ? this.traffic[i]! : 0;
      const out = userStepReward(spec, x, outcome);
      if (selfPenalty) {
        this.rew[i] = spec.reward.selfMigrationReward;
        this.term[i] = 1;
      } else {
        this.rew[i] = out.reward;
        this.term[i] = spec.terminateOnViolation && out.violated ? 1 : 0;
      }
      this.violated[i] = out.violated ? 1 : 0;
      this.migrated[i] = started ? 1 : 0;
      stats.userSteps++;
      if (out.violated) stats.violations++;
      if (switching) stats.downtimeSeconds += cl.downtimeS;
      stats.rewardSum += this.rew[i]!;
    }
    // Drop the rows that ended in the last result (their users have left).
    let k = 0;
    for (let i = 0; i < rows; i++) {
      if (r.terminated[i] || r.truncated[i]) continue;
      if (k !== i) this.moveRow(i, k);
      k++;
    }
    this.rows = k;
    // 3: the world moves on.
    this.world.advance();
    this.t = t + 1;
    const last = this.t >= spec.maxSteps;
    for (let i = 0; i < k; i++) {
      if (this.remaining[i]! > 0 && --this.remaining[i]! === 0) {
        const src = this.serving[i]!;
        this.serving[i] = this.target[i]!;
        this.target[i] = -1;
        ns.busy[i] = 0;
        ns.outboundInFlight[src]--;
        ns.clusterInFlight--;
      }
      const left = this.move(i);
      this.leaving[i] = left ? 1 : 0;
      r.rewards[i] = this.rew[i]!;
      r.terminated[i] = this.term[i]!;
      r.truncated[i] = !this.term[i] && (left || last) ? 1 : 0;
      r.joined[i] = 0;
    }
    // Departures: services of ended users are deleted; an in-flight migration of theirs is cancelled.
    for (let i = 0; i < k; i++) {
      if (!(r.terminated[i] || r.truncated[i])) continue;
      stats.departures++;
      if (this.target[i]! >= 0) {
        ns.outboundInFlight[this.serving[i]!]--;
        ns.clusterInFlight--;
      }
    }
    // Arrivals (none at the last tick: the episode ends there). Node loads include everything still placed.
    this.recomputeNodesExcludingEnded();
    if (!last) this.arrivals();
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
    this.id[to] = this.id[from]!; this.serving[to] = this.serving[from]!; this.target[to] = this.target[from]!; this.remaining[to] = this.remaining[from]!;
    this.cls[to] = this.cls[from]!; this.stateGiB[to] = this.stateGiB[from]!; this.traffic[to] = this.traffic[from]!;
    this.x[to] = this.x[from]!; this.y[to] = this.y[from]!; this.vx[to] = this.vx[from]!; this.endX[to] = this.endX[from]!;
    this.wx[to] = this.wx[from]!; this.wy[to] = this.wy[from]!; this.speed[to] = this.speed[from]!; this.pause[to] = this.pause[from]!; this.endTick[to] = this.endTick[from]!;
    this.trips[to] = this.trips[from]; this.tripS[to] = this.tripS[from]!;
    this.rttMin[to] = this.rttMin[from]!; this.rttMin2[to] = this.rttMin2[from]!; this.rttMax[to] = this.rttMax[from]!; this.argMin[to] = this.argMin[from]!;
    const ns = this.nodeState;
    ns.cpuDemand[to] = ns.cpuDemand[from]!; ns.memDemand[to] = ns.memDemand[from]!; ns.demand[to] = ns.demand[from]!; ns.busy[to] = ns.busy[from]!;
    this.rew[to] = this.rew[from]!; this.term[to] = this.term[from]!; this.violated[to] = this.violated[from]!; this.migrated[to] = this.migrated[from]!;
  }

  /** Like {@link recomputeNodes}, with the rows that just ended left out (their services are gone). */
  private recomputeNodesExcludingEnded(): void {
    const r = this.result, ns = this.nodeState, k = this.rows;
    // Ended rows stay in the result (their final observation) but hold no demand from now on.
    for (let i = 0; i < k; i++) {
      if (r.terminated[i] || r.truncated[i]) {
        if (ns.cpuDemand[i] !== 0 || ns.memDemand[i] !== 0) {
          ns.cpuDemand[i] = ns.memDemand[i] = ns.demand[i] = 0;
          this.target[i] = -1;
          this.remaining[i] = 0;
          ns.busy[i] = 0;
        }
      }
    }
    this.recomputeNodes();
  }

  /** Poisson arrivals for one tick per direction, or the replacements of ended sessions. */
  private arrivals(): void {
    const a = this.users.arrivals;
    const before = this.rows;
    if (a.kind === 'poisson-highway') {
      const lambda = (a.perMinute / 60) * this.spec.stepSeconds;
      for (const dir of this.directions()) {
        const count = poisson(this.arrivalRng, lambda);
        for (let c = 0; c < count; c++) this.arrive(dir, 0);
      }
    } else if (a.kind === 'gps-pool') {
      const count = poisson(this.arrivalRng, (a.perMinute / 60) * this.spec.stepSeconds);
      for (let c = 0; c < count; c++) this.arrive(1, 0);
    } else if (a.sessionMinutes !== undefined) {
      const r = this.result;
      let ended = 0;
      for (let i = 0; i < before; i++) if (r.terminated[i] || r.truncated[i]) ended++;
      for (let c = 0; c < ended; c++) this.arrive();
    }
    for (let i = before; i < this.rows; i++) this.result.joined[i] = 1;
  }

  /** Move row i by one step; true when its trip or session ended (it leaves). */
  private move(i: number): boolean {
    const dt = this.spec.stepSeconds;
    const a = this.users.arrivals;
    if (a.kind === 'poisson-highway') {
      const road = this.scenario.road!;
      const sM = (this.endX[i] = this.endX[i]! + Math.abs(this.vx[i]!) * dt);
      const left = sM >= road.lengthM;
      pointAlong(this.vx[i]! > 0 ? road.forward : road.backward, left ? road.lengthM : sM, this.tmp);
      this.x[i] = this.tmp[0]!;
      this.y[i] = this.tmp[1]!;
      return left;
    }
    if (a.kind === 'gps-pool') {
      const trip = this.trips[i]!;
      const ts = (this.tripS[i] = this.tripS[i]! + dt);
      trip.positionAt(ts, this.tmp);
      this.x[i] = this.tmp[0]!;
      this.y[i] = this.tmp[1]!;
      return ts >= trip.durationS;
    }
    const mo = a.motion;
    let budget = dt;
    // Random waypoint: pause, then drive to the waypoint; a new waypoint (and pause) on arrival.
    while (budget > 0) {
      if (this.pause[i]! > 0) {
        const p = Math.min(this.pause[i]!, budget);
        this.pause[i]! -= p;
        budget -= p;
        continue;
      }
      const dx = this.wx[i]! - this.x[i]!, dy = this.wy[i]! - this.y[i]!;
      const dist = Math.sqrt(dx * dx + dy * dy);
      const reach = this.speed[i]! * budget;
      if (reach < dist) {
        this.x[i]! += (dx / dist) * reach;
        this.y[i]! += (dy / dist) * reach;
        break;
      }
      this.x[i] = this.wx[i]!;
      this.y[i] = this.wy[i]!;
      budget -= dist / this.speed[i]!;
      // Waypoint draws come from the arrival stream: motion never depends on the actions.
      const rng = this.arrivalRng;
      this.wx[i] = rng.uniformIn(mo.xM.min, mo.xM.max);
      this.wy[i] = rng.uniformIn(mo.yM.min, mo.yM.max);
      this.speed[i] = rng.uniformIn(mo.speedKmh.min, mo.speedKmh.max) * KMH_TO_MS;
      this.pause[i] = rng.uniformIn(mo.pauseSeconds.min, mo.pauseSeconds.max);
      if (budget <= 1e-9 && this.pause[i] === 0) break;
    }
    return this.endTick[i]! >= 0 && this.t >= this.endTick[i]!;
  }

  /**
   * Steps a migration of row i started at tick t takes: the kind's duration distribution scaled by the user's state
   * over the kind's reference state (`migration.stateGiB`), from a generator keyed by (episode, user, tick), so it
   * is a pure function of the user and the tick. 0 in the instant model.
   */
  private durationSteps(i: number, t: number): number {
    const spec = this.spec, mg = spec.migration;
    if (mg.model === 'instant') return 0;
    const kind = this.classes[this.cls[i]!]!.kindVm ? 'vm' : 'pod';
    this.durationRng.seed(rowKey(this.episodeKey, this.id[i]!, t) ^ 0x6d2b79f5);
    const ref = mg.stateGiB[kind];
    const scale = ref > 0 ? this.stateGiB[i]! / ref : 1;
    const seconds = sampleDuration(mg.durations[kind], this.durationRng) * scale;
    return Math.min(spec.maxSteps, Math.max(1, Math.ceil(seconds / spec.stepSeconds - 1e-9)));
  }

  /** RTT (ms) of user `id` at (px, py) to node j at tick t (the fleet's Eq. 1 reading; see the file comment). */
  rttMsAt(id: number, t: number, j: number, px: number, py: number): number {
    return this.rttWithKey(rowKey(this.episodeKey, id, t), j, px, py);
  }

  private rttWithKey(key: number, j: number, px: number, py: number): number {
    const s = this.spec.rtt;
    const dx = px - this.nodeX[j]!, dy = py - this.nodeY[j]!;
    let v = s.baseMs + s.slopeMsPerM * Math.sqrt(dx * dx + dy * dy) + this.sigmaMean[j]! * noiseAt(key, j);
    v = v < s.floorMs ? s.floorMs : v > RTT_CAP_MS ? RTT_CAP_MS : v;
    return v;
  }

  /** Observations and masks of every row at tick t; per-row RTT min/second-min/max for the next reward. */
  private writeObservations(t: number): void {
    const n = this.nodes, D = this.D, A = this.A, obs = this.result.observations, masks = this.result.actionMasks, rows = this.rows;
    const inFlight = this.spec.observation.inFlight, stepS = this.spec.stepSeconds;
    const load = this.load, ek = this.episodeKey;
    const s = this.spec.rtt, base = s.baseMs, slope = s.slopeMsPerM, floor = s.floorMs;
    const nx = this.nodeX, ny = this.nodeY, sig = this.sigmaMean;
    const cap = RTT_CAP_MS; // a local: an imported binding is a getter call per read under some loaders
    for (let i = 0; i < rows; i++) {
      const o = i * D;
      obs[o] = this.serving[i]! + 1;
      const px = this.x[i]!, py = this.y[i]!;
      const key = rowKey(ek, this.id[i]!, t);
      let mn = Infinity, mn2 = Infinity, mx = -Infinity, am = 0;
      let bits = 0;
      for (let j = 0; j < n; j++) {
        // Inlined rttWithKey and noiseAt (the hot loop: one million pairs per 10k x 100 tick).
        if ((j & 1) === 0) bits = pairBits(key, j >> 1);
        const z = NORMALS[((j & 1) === 0 ? bits : bits >>> 16) & NORMAL_MASK]!;
        const dx = px - nx[j]!, dy = py - ny[j]!;
        let v = base + slope * Math.sqrt(dx * dx + dy * dy) + sig[j]! * z;
        v = v < floor ? floor : v > cap ? cap : v;
        obs[o + 1 + j] = v;
        if (v < mn) {
          mn2 = mn;
          mn = v;
          am = j;
        } else if (v < mn2) mn2 = v;
        if (v > mx) mx = v;
      }
      obs.set(load, o + 1 + n);
      this.rttMin[i] = mn;
      this.rttMin2[i] = mn2;
      this.rttMax[i] = mx;
      this.argMin[i] = am;
      const idle = this.remaining[i]! > 0 ? 0 : 1;
      const m = i * A;
      masks[m] = 1;
      masks.fill(idle, m + 1, m + A);
      if (inFlight) {
        const g = this.target[i]!, secs = this.remaining[i]! * stepS;
        obs.fill(0, o + 1 + 2 * n, o + 1 + 3 * n);
        if (g >= 0) obs[o + 1 + 2 * n + g] = secs;
      }
    }
  }

  close(): void {
    this.done = true;
  }
}

/** A Poisson draw (Knuth's product method, split into chunks of mean ≤ 30 so exp(−λ) never underflows). */
export function poisson(rng: Rng, lambda: number): number {
  let total = 0;
  let rest = lambda;
  while (rest > 0) {
    const l = Math.min(rest, 30);
    rest -= l;
    const limit = Math.exp(-l);
    let p = rng.uniform(), k = 0;
    while (p > limit) {
      p *= rng.uniform();
      k++;
    }
    total += k;
  }
  return total;
}
