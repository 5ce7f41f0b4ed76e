/**
 * Arrivals: who joins the fleet, when, where and with what service. The arrival stream is independent of the
 * actions (its own generator; every draw is made before admission), so every policy sees the same users.
 */
import { InvalidInputError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { ResolvedScenario } from '../scenario-loader.js';
import type { FleetUsers, Scenario } from '../scenario-schema.js';
import { GpsTrip, pointAlong } from '../mobility.js';
import { KMH_TO_MS, type MotionStart } from './user-motion.js';

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

/** Highway directions users arrive in. */
export function directions(users: FleetUsers): (1 | -1)[] {
  const a = users.arrivals;
  if (a.kind !== 'poisson-highway') return [];
  return a.directions === 'both' ? [1, -1] : a.directions === 'forward' ? [1] : [-1];
}

/** One arrival's draws: its service class and demand, its state size and its motion. */
export interface ArrivalDraw extends MotionStart {
  cls: number;
  cpuD: number;
  memD: number;
  giB: number;
}

/** Per-class weights (the class draw). */
export function classWeights(users: FleetUsers): { weights: number[]; sum: number } {
  const weights = users.services.map((c) => c.weight);
  return { weights, sum: weights.reduce((a, w) => a + w, 0) };
}

/**
 * Draw one arrival at tick `t` into `out`. `dir`/`along` place a highway user (along = fraction of the road already
 * driven, for the initial population); fixed populations start anywhere in the area.
 */
export function drawArrival(scenario: ResolvedScenario, users: FleetUsers, w: { weights: number[]; sum: number }, rng: Rng, t: number, dir: 1 | -1, along: number, tmp: Float64Array, out: ArrivalDraw): ArrivalDraw {
  const spec = scenario.spec;
  let u = rng.uniform() * w.sum, c = 0;
  while (c < w.weights.length - 1 && u >= w.weights[c]!) u -= w.weights[c++]!;
  const sc = users.services[c]!;
  out.cls = c;
  out.cpuD = rng.uniformIn(sc.cpuPct.min, sc.cpuPct.max) / 100;
  out.memD = rng.uniformIn(sc.memPct.min, sc.memPct.max) / 100;
  const refGiB = spec.migration.stateGiB[sc.kind];
  out.giB = sc.stateGiB ? rng.uniformIn(sc.stateGiB.min, sc.stateGiB.max) : refGiB;
  out.vx = out.endX = out.wx = out.wy = out.speed = out.tripS = 0;
  out.endTick = -1;
  out.trip = undefined;
  const a = users.arrivals;
  if (a.kind === 'poisson-highway') {
    const m = spec.mobility as Extract<Scenario['mobility'], { kind: 'highway' }>;
    // Along the scenario's road (a straight highway or a route's polyline), by arc length: `vx` holds the signed
    // speed (+ in the waypoints' order), `endX` the arc position.
    const road = scenario.road!;
    out.speed = rng.uniformIn(m.speedKmh.min, m.speedKmh.max) * KMH_TO_MS;
    const s0 = along * road.lengthM;
    pointAlong(dir === 1 ? road.forward : road.backward, s0, tmp);
    out.px = tmp[0]!;
    out.py = tmp[1]!;
    out.vx = dir * out.speed;
    out.endX = s0;
  } else if (a.kind === 'gps-pool') {
    const tracks = scenario.fleetTracks!;
    const trip = new GpsTrip(tracks[rng.int(tracks.length)]!);
    out.trip = trip;
    out.tripS = along * trip.durationS;
    trip.positionAt(out.tripS, tmp);
    out.px = tmp[0]!;
    out.py = tmp[1]!;
  } else {
    const mo = a.motion;
    out.px = rng.uniformIn(mo.xM.min, mo.xM.max);
    out.py = rng.uniformIn(mo.yM.min, mo.yM.max);
    out.wx = rng.uniformIn(mo.xM.min, mo.xM.max);
    out.wy = rng.uniformIn(mo.yM.min, mo.yM.max);
    out.speed = rng.uniformIn(mo.speedKmh.min, mo.speedKmh.max) * KMH_TO_MS;
    if (a.sessionMinutes !== undefined) out.endTick = t + Math.max(1, Math.ceil((-Math.log(1 - rng.uniform()) * a.sessionMinutes * 60) / spec.stepSeconds));
  }
  return out;
}

/** How many users are on the road or in the area at reset (the stationary count; the fixed population as given). */
export function initialArrivals(scenario: ResolvedScenario, users: FleetUsers, population: number, rng: Rng, each: (dir: 1 | -1, along: number) => void): void {
  const arr = users.arrivals;
  if (arr.kind === 'fixed') {
    for (let k = 0; k < population; k++) each(1, 0);
  } else if (arr.kind === 'gps-pool') {
    const tracks = scenario.fleetTracks!;
    const meanS = tracks.reduce((a, tr) => a + tr.tS[tr.tS.length - 1]!, 0) / tracks.length;
    const count = poisson(rng, (arr.perMinute / 60) * meanS);
    for (let k = 0; k < count; k++) each(1, rng.uniform());
  } else {
    const m = scenario.spec.mobility as Extract<Scenario['mobility'], { kind: 'highway' }>;
    const lengthM = scenario.road!.lengthM;
    const { min, max } = m.speedKmh;
    // Stationary count per direction: rate × mean crossing time, E[L / v] with v ~ U(min, max).
    const meanInvSpeed = max > min ? Math.log(max / min) / ((max - min) * KMH_TO_MS) : 1 / (min * KMH_TO_MS);
    for (const dir of directions(users)) {
      const count = poisson(rng, (arr.perMinute / 60) * lengthM * meanInvSpeed);
      for (let k = 0; k < count; k++) each(dir, rng.uniform());
    }
  }
}

/** One tick's arrivals: Poisson per direction, or the replacements of `ended` sessions. */
export function tickArrivals(users: FleetUsers, stepSeconds: number, ended: number, rng: Rng, each: (dir: 1 | -1) => void): void {
  const a = users.arrivals;
  if (a.kind === 'poisson-highway') {
    const lambda = (a.perMinute / 60) * stepSeconds;
    for (const dir of directions(users)) {
      const count = poisson(rng, lambda);
      for (let c = 0; c < count; c++) each(dir);
    }
  } else if (a.kind === 'gps-pool') {
    const count = poisson(rng, (a.perMinute / 60) * stepSeconds);
    for (let c = 0; c < count; c++) each(1);
  } else if (a.sessionMinutes !== undefined) {
    for (let c = 0; c < ended; c++) each(1);
  }
}
