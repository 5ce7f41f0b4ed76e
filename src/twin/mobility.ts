/**
 * UE mobility: where the user is at time t. Two models implement {@link Trip}:
 * - {@link HighwayTrip}: a car on a road at a constant speed drawn per trip. The paper's SR-111 road is a straight
 *   segment along x; a road may also be a polyline of waypoints (metres or lat/lon) or a GPS track's points.
 * - {@link GpsTrip}: a recorded GPS track (lat, lon, time), projected to metres, interpolated linearly.
 */
import { InvalidInputError, renderValue } from '../core/errors.js';
import { forEachLine, MAX_GPS_BYTES } from './text-input.js';
import { splitCsvLine } from './traces.js';

/** One trip of the UE. Positions are in metres in the scenario's planar frame. */
export interface Trip {
  /** Duration of the trip, seconds. */
  readonly durationS: number;
  /** Write the UE position at `tS` seconds (clamped to [0, durationS]) into `out[0]` (x, m) and `out[1]` (y, m). */
  positionAt(tS: number, out: Float64Array): void;
}

/**
 * A road: a polyline in the scenario's planar frame (metres), with its cumulative arc length, in both directions of
 * travel. Built by {@link makeRoad}; a straight highway (`fromXM`/`toXM`) is the two-point road.
 */
export interface Road {
  /** Length of the road, metres. */
  readonly lengthM: number;
  /** Waypoints in the order given (`forward`) and reversed (`backward`), each with its arc length from its start. */
  readonly forward: Polyline;
  readonly backward: Polyline;
}

/** Waypoints of one direction of a {@link Road}: positions (m) and arc length from the first waypoint (m). */
export interface Polyline {
  readonly xM: Float64Array;
  readonly yM: Float64Array;
  readonly sM: Float64Array;
}

function polyline(xs: readonly number[], ys: readonly number[]): Polyline {
  const n = xs.length;
  const p = { xM: Float64Array.from(xs), yM: Float64Array.from(ys), sM: new Float64Array(n) };
  for (let i = 1; i < n; i++) p.sM[i] = p.sM[i - 1]! + Math.hypot(xs[i]! - xs[i - 1]!, ys[i]! - ys[i - 1]!);
  return p;
}

/**
 * The road through waypoints (metres). Consecutive repeated points (a GPS track standing still) are dropped; fewer
 * than two distinct points is a one-line error naming `field`.
 */
export function makeRoad(xM: ArrayLike<number>, yM: ArrayLike<number>, source: string, field: string): Road {
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < xM.length; i++) {
    if (xs.length && xM[i] === xs[xs.length - 1] && yM[i] === ys[ys.length - 1]) continue;
    xs.push(xM[i]!);
    ys.push(yM[i]!);
  }
  if (xs.length < 2) throw new InvalidInputError({ source, field, expected: 'at least two distinct points (a road of length > 0)', actual: `${xs.length} distinct point(s)` });
  const forward = polyline(xs, ys);
  const backward = polyline([...xs].reverse(), [...ys].reverse());
  return { lengthM: forward.sM[xs.length - 1]!, forward, backward };
}

/**
 * The point at arc length `sM` along `p` (metres), written into `out` as [x, y]. Beyond either end the first or last
 * segment is extended. `hint` is the segment to start the search from (positions are queried in increasing `sM`
 * within an episode, so a caller's cursor makes this O(1) amortised); the segment found is returned.
 *
 * Exactness (why the form `x_i + u·(s − s_i)`): on a straight road along x the unit direction u is exactly ±1 and
 * s_0 = 0, so the position is `from ± s`, bit for bit the closed form the straight highway always used.
 */
export function pointAlong(p: Polyline, sM: number, out: Float64Array, hint = 0): number {
  const last = p.sM.length - 2;
  let i = hint < 0 ? 0 : hint > last ? last : hint;
  if (sM < p.sM[i]!) i = 0;
  while (i < last && p.sM[i + 1]! < sM) i++;
  const len = p.sM[i + 1]! - p.sM[i]!;
  const ds = sM - p.sM[i]!;
  // A zero-length road (a straight highway with fromXM = toXM) stays at its start.
  out[0] = len > 0 ? p.xM[i]! + ((p.xM[i + 1]! - p.xM[i]!) / len) * ds : p.xM[i]!;
  out[1] = len > 0 ? p.yM[i]! + ((p.yM[i + 1]! - p.yM[i]!) / len) * ds : p.yM[i]!;
  return i;
}

/**
 * A car on a {@link Road} at a constant speed drawn per trip, from one end to the other, optionally back again (round
 * trip), moving by arc length. Re-armed in place by {@link HighwayTrip.follow} at every reset, so episodes allocate
 * nothing.
 */
export class HighwayTrip implements Trip {
  durationS = 0;
  /** Constant speed, m/s. */
  speedMs = 1;
  /** Until the first {@link HighwayTrip.follow}: standing at the origin. */
  private path: Polyline = { xM: new Float64Array(2), yM: new Float64Array(2), sM: new Float64Array(2) };
  private lengthM = 0;
  private cursor = 0;
  /** Stop-and-go: seconds driven between stops (Infinity: never stops) and seconds per stop. */
  private goS = Infinity;
  private stopS = 0;

  /** Drive `road` in the waypoints' order (`forward`) or reversed, at `speedMs`, optionally there and back. */
  follow(road: Road, forward: boolean, speedMs: number, roundTrip: boolean, stopAndGo?: { goSeconds: number; stopSeconds: number }): this {
    if (!(speedMs > 0)) throw new RangeError(`HighwayTrip: speed must be > 0 m/s, got ${speedMs}`);
    const lengthM = road.lengthM;
    this.path = forward ? road.forward : road.backward;
    this.lengthM = lengthM;
    this.speedMs = speedMs;
    this.cursor = 0;
    this.goS = stopAndGo?.goSeconds ?? Infinity;
    this.stopS = stopAndGo?.stopSeconds ?? 0;
    const drivingS = (lengthM * (roundTrip ? 2 : 1)) / speedMs;
    // Every full `go` period but the last is followed by a stop.
    this.durationS = drivingS + (Number.isFinite(this.goS) ? Math.max(0, Math.ceil(drivingS / this.goS - 1e-9) - 1) * this.stopS : 0);
    return this;
  }

  /** Seconds spent driving by time t (stop-and-go: `go` seconds driven, then `stop` seconds standing, repeated). */
  private drivenS(t: number): number {
    if (!Number.isFinite(this.goS)) return t;
    const period = this.goS + this.stopS;
    const k = Math.floor(t / period);
    return k * this.goS + Math.min(t - k * period, this.goS);
  }

  positionAt(tS: number, out: Float64Array): void {
    const t = tS < 0 ? 0 : tS > this.durationS ? this.durationS : tS;
    let s = this.speedMs * this.drivenS(t);
    if (s > this.lengthM) s = 2 * this.lengthM - s; // on the way back
    this.cursor = pointAlong(this.path, s, out, this.cursor);
  }
}

/** Mean Earth radius (m) of the spherical Earth the projection uses. */
export const EARTH_RADIUS_M = 6371008.8;

/**
 * Project (lat, lon) in degrees to metres (x east, y north) on the plane tangent to the Earth at the origin: the local
 * ENU (east-north-up) frame of a spherical Earth, dropping "up". Distances in that plane are shortened by the factor
 * cos(d / R) at distance d from the origin: 0.03 m at 20 km, 3 m at 100 km (0.003 %); the sphere itself differs from
 * the WGS-84 ellipsoid by up to 0.5 % in distance, which at the RTT model's 0.005 ms/m is under 0.03 ms per km. Inverse:
 * {@link unprojectFromMetres}. Valid within a hemisphere of the origin (the scenarios span tens of kilometres).
 */
export function projectToMetres(latDeg: number, lonDeg: number, originLatDeg: number, originLonDeg: number, out: Float64Array): void {
  const k = Math.PI / 180;
  const phi = latDeg * k, phi0 = originLatDeg * k, dLam = (lonDeg - originLonDeg) * k;
  const cosPhi = Math.cos(phi);
  out[0] = EARTH_RADIUS_M * cosPhi * Math.sin(dLam);
  out[1] = EARTH_RADIUS_M * (Math.cos(phi0) * Math.sin(phi) - Math.sin(phi0) * cosPhi * Math.cos(dLam));
}

/** Inverse of {@link projectToMetres}: the (lat, lon) in degrees of the point (x, y) metres, into `out`. */
export function unprojectFromMetres(xM: number, yM: number, originLatDeg: number, originLonDeg: number, out: Float64Array): void {
  const k = Math.PI / 180;
  const phi0 = originLatDeg * k, lam0 = originLonDeg * k;
  const e = xM / EARTH_RADIUS_M, n = yM / EARTH_RADIUS_M;
  const u = Math.sqrt(Math.max(0, 1 - e * e - n * n)); // the point lies on the sphere
  // Unit vector = e·East + n·North + u·Up at the origin, in Earth-centred coordinates.
  const sp0 = Math.sin(phi0), cp0 = Math.cos(phi0), sl0 = Math.sin(lam0), cl0 = Math.cos(lam0);
  const X = -sl0 * e - sp0 * cl0 * n + cp0 * cl0 * u;
  const Y = cl0 * e - sp0 * sl0 * n + cp0 * sl0 * u;
  const Z = cp0 * n + sp0 * u;
  out[0] = Math.asin(Math.max(-1, Math.min(1, Z))) / k;
  out[1] = Math.atan2(Y, X) / k;
}

/** A recorded track: strictly increasing times (s from the first fix) and projected positions (m). */
export interface GpsTrack {
  source: string;
  /** Origin of the projection (degrees). */
  originLat: number;
  originLon: number;
  /** The fixes as read, degrees. */
  lat: Float64Array;
  lon: Float64Array;
  tS: Float64Array;
  xM: Float64Array;
  yM: Float64Array;
}

export interface GpsCsvColumns {
  lat: string;
  lon: string;
  time: string;
  /** `s`, `ms`, or `iso` (ISO-8601 strings). */
  timeUnit: 's' | 'ms' | 'iso';
}

/** Which track of a multi-track file to keep: rows whose `column` equals `id` (compared as trimmed text). */
export interface GpsTrackFilter {
  column: string;
  id: string;
}

/**
 * Read a GPS CSV (header row; lat/lon in degrees; time column as configured: `s`/`ms` must be >= 0, `iso` any ISO-8601
 * date) and project it to metres; times are re-based to the first fix. With `filter`, only the rows of that track
 * are read (public datasets hold many tracks in one file, with a track-id column); other rows are not parsed. The
 * file is streamed line by line ({@link forEachLine}).
 */
export function readGpsCsv(path: string, cols: GpsCsvColumns, origin?: { lat: number; lon: number }, filter?: GpsTrackFilter): GpsTrack {
  let header: string[] = [];
  let li = -1, oi = -1, ti = -1, ki = -1;
  const seen = new Set<string>();
  const lat: number[] = [], lon: number[] = [], t: number[] = [];
  forEachLine(path, 'gps track', MAX_GPS_BYTES, (line, no) => {
    if (no === 1) {
      header = splitCsvLine(line).map((h) => h.trim());
      const idx = (c: string, what: string): number => {
        const i = header.indexOf(c);
        if (i < 0) throw new InvalidInputError({ source: path, field: `header (${what})`, expected: `a column named ${JSON.stringify(c)}`, actual: `columns ${renderValue(header.join(','))}` });
        return i;
      };
      li = idx(cols.lat, 'lat');
      oi = idx(cols.lon, 'lon');
      ti = idx(cols.time, 'time');
      ki = filter ? idx(filter.column, 'track') : -1;
      return;
    }
    if (line.trim() === '') return;
    const f = splitCsvLine(line);
    if (filter) {
      const id = (f[ki] ?? '').trim();
      if (id !== filter.id) {
        if (seen.size < 10) seen.add(id);
        return;
      }
    }
    const where = (c: string) => `line ${no}, column ${c}`;
    const la = Number((f[li] ?? '').trim());
    const lo = Number((f[oi] ?? '').trim());
    if (!Number.isFinite(la) || la < -90 || la > 90) throw new InvalidInputError({ source: path, field: where(cols.lat), expected: 'a latitude in [-90, 90] degrees', actual: renderValue(f[li]) });
    if (!Number.isFinite(lo) || lo < -180 || lo > 180) throw new InvalidInputError({ source: path, field: where(cols.lon), expected: 'a longitude in [-180, 180] degrees', actual: renderValue(f[oi]) });
    const rawT = (f[ti] ?? '').trim();
    const tv = cols.timeUnit === 'iso' ? Date.parse(rawT) / 1000 : Number(rawT) * (cols.timeUnit === 'ms' ? 1e-3 : 1);
    if (rawT === '' || !Number.isFinite(tv)) throw new InvalidInputError({ source: path, field: where(cols.time), expected: cols.timeUnit === 'iso' ? 'an ISO-8601 time' : `a number (${cols.timeUnit})`, actual: renderValue(rawT) });
    // Negative times were silently re-based to 0. A track measured from its start has none; an ISO time
    // before 1970 is a real date, so only the numeric units are checked.
    if (cols.timeUnit !== 'iso' && tv < 0) throw new InvalidInputError({ source: path, field: where(cols.time), expected: `a time >= 0 (${cols.timeUnit} from the track's start or an epoch; negative times are refused, not re-based)`, actual: renderValue(rawT) });
    if (t.length && tv <= t[t.length - 1]!) throw new InvalidInputError({ source: path, field: where(cols.time), expected: `a time after the previous fix (${t[t.length - 1]})`, actual: String(tv) });
    lat.push(la);
    lon.push(lo);
    t.push(tv);
  });
  if (t.length < 2) {
    const tracks = seen.size ? `; tracks seen: ${renderValue([...seen].join(', '))}` : '';
    throw new InvalidInputError({ source: path, field: filter ? `rows (${filter.column} = ${renderValue(filter.id)})` : 'rows', expected: 'at least two GPS fixes', actual: `${t.length}${tracks}` });
  }
  const oLat = origin?.lat ?? lat[0]!, oLon = origin?.lon ?? lon[0]!;
  const n = t.length;
  const track: GpsTrack = { source: path, originLat: oLat, originLon: oLon, lat: Float64Array.from(lat), lon: Float64Array.from(lon), tS: new Float64Array(n), xM: new Float64Array(n), yM: new Float64Array(n) };
  const p = new Float64Array(2);
  for (let i = 0; i < n; i++) {
    projectToMetres(lat[i]!, lon[i]!, oLat, oLon, p);
    track.tS[i] = t[i]! - t[0]!;
    track.xM[i] = p[0]!;
    track.yM[i] = p[1]!;
  }
  return track;
}

/** Drives the UE along a recorded track, linear interpolation between fixes. */
export class GpsTrip implements Trip {
  readonly durationS: number;
  private cursor = 0;
  constructor(private readonly track: GpsTrack) {
    this.durationS = track.tS[track.tS.length - 1]!;
  }
  positionAt(tS: number, out: Float64Array): void {
    const ts = this.track.tS;
    const t = tS < 0 ? 0 : tS > this.durationS ? this.durationS : tS;
    // Times are queried in increasing order within an episode; the cursor makes that O(1) amortised.
    if (t < ts[this.cursor]!) this.cursor = 0;
    while (this.cursor < ts.length - 2 && ts[this.cursor + 1]! < t) this.cursor++;
    const i = this.cursor;
    const span = ts[i + 1]! - ts[i]!;
    const a = span > 0 ? (t - ts[i]!) / span : 0;
    out[0] = this.track.xM[i]! + a * (this.track.xM[i + 1]! - this.track.xM[i]!);
    out[1] = this.track.yM[i]! + a * (this.track.yM[i + 1]! - this.track.yM[i]!);
  }
}
