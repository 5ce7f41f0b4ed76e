/**
 * How each fleet user moves, one row per user: along the highway or a route's polyline (by arc length), replaying a
 * GPS trip, or by random waypoint. Waypoint draws come from the arrival stream: motion never depends on the actions.
 */
import type { Rng } from '../../core/rng.js';
import type { ResolvedScenario } from '../scenario-loader.js';
import type { FleetUsers } from '../scenario-schema.js';
import { pointAlong, type GpsTrip } from '../mobility.js';

export const KMH_TO_MS = 1 / 3.6;

/** One user's motion at arrival (see {@link UserMotion.set}). */
export interface MotionStart {
  px: number; py: number; vx: number; endX: number; wx: number; wy: number; speed: number; endTick: number; tripS: number;
  trip: GpsTrip | undefined;
}

export class UserMotion {
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

  constructor(private readonly scenario: ResolvedScenario, private readonly users: FleetUsers, private readonly stepSeconds: number) {}

  grow(c: number): void {
    const f64 = (a: Float64Array) => { const b = new Float64Array(c); b.set(a); return b; };
    this.x = f64(this.x); this.y = f64(this.y); this.vx = f64(this.vx); this.endX = f64(this.endX); this.wx = f64(this.wx); this.wy = f64(this.wy);
    this.speed = f64(this.speed); this.pause = f64(this.pause); this.tripS = f64(this.tripS);
    const e = new Int32Array(c); e.set(this.endTick); this.endTick = e;
  }

  set(i: number, m: MotionStart): void {
    this.x[i] = m.px; this.y[i] = m.py; this.vx[i] = m.vx; this.endX[i] = m.endX; this.wx[i] = m.wx; this.wy[i] = m.wy;
    this.speed[i] = m.speed; this.pause[i] = 0; this.endTick[i] = m.endTick;
    this.trips[i] = m.trip;
    this.tripS[i] = m.tripS;
  }

  moveRow(from: number, to: number): void {
    this.x[to] = this.x[from]!; this.y[to] = this.y[from]!; this.vx[to] = this.vx[from]!; this.endX[to] = this.endX[from]!;
    this.wx[to] = this.wx[from]!; this.wy[to] = this.wy[from]!; this.speed[to] = this.speed[from]!; this.pause[to] = this.pause[from]!; this.endTick[to] = this.endTick[from]!;
    this.trips[to] = this.trips[from]; this.tripS[to] = this.tripS[from]!;
  }

  /** Move row i by one step, ending at tick t; true when its trip or session ended (it leaves). */
  move(i: number, t: number, rng: Rng): boolean {
    const dt = this.stepSeconds;
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
      this.wx[i] = rng.uniformIn(mo.xM.min, mo.xM.max);
      this.wy[i] = rng.uniformIn(mo.yM.min, mo.yM.max);
      this.speed[i] = rng.uniformIn(mo.speedKmh.min, mo.speedKmh.max) * KMH_TO_MS;
      this.pause[i] = rng.uniformIn(mo.pauseSeconds.min, mo.pauseSeconds.max);
      if (budget <= 1e-9 && this.pause[i] === 0) break;
    }
    return this.endTick[i]! >= 0 && t >= this.endTick[i]!;
  }
}
