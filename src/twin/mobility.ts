/**
 * UE mobility: where the user is at time t. Two models implement {@link Trip}:
 * - {@link HighwayTrip}: the paper's SR-111 scenario, a car on a straight segment at a constant speed drawn per trip.
 * - {@link GpsTrip}: a recorded GPS track (lat, lon, time), projected to metres, interpolated linearly.
 */
import { InvalidInputError, renderValue } from '../core/errors.js';
import { MAX_GPS_BYTES, readTextFile, splitCsvLine } from './traces.js';

/** One trip of the UE. Positions are in metres in the scenario's planar frame. */
export interface Trip {
  /** Duration of the trip, seconds. */
  readonly durationS: number;
  /** Write the UE position at `tS` seconds (clamped to [0, durationS]) into `out[0]` (x, m) and `out[1]` (y, m). */
  positionAt(tS: number, out: Float64Array): void;
}

/**
 * Straight-road trip from `fromXM` to `toXM` at `y = yM`, optionally back again (round trip). Re-armed in place by
 * {@link HighwayTrip.set} at every reset, so episodes allocate nothing.
 */
export class HighwayTrip implements Trip {
  durationS = 0;
  private fromXM = 0;
  private toXM = 0;
  private yM = 0;
  /** Constant speed, m/s. */
  speedMs = 1;
  private roundTrip = false;
  private lengthM = 0;

  constructor(fromXM = 0, toXM = 1, yM = 0, speedMs = 1, roundTrip = false) {
    this.set(fromXM, toXM, yM, speedMs, roundTrip);
  }

  set(fromXM: number, toXM: number, yM: number, speedMs: number, roundTrip: boolean): this {
    if (!(speedMs > 0)) throw new RangeError(`HighwayTrip: speed must be > 0 m/s, got ${speedMs}`);
    this.fromXM = fromXM;
    this.toXM = toXM;
    this.yM = yM;
    this.speedMs = speedMs;
    this.roundTrip = roundTrip;
    this.lengthM = Math.abs(toXM - fromXM);
    this.durationS = (this.lengthM * (roundTrip ? 2 : 1)) / speedMs;
    return this;
  }

  positionAt(tS: number, out: Float64Array): void {
    const t = tS < 0 ? 0 : tS > this.durationS ? this.durationS : tS;
    let s = this.speedMs * t;
    if (s > this.lengthM) s = 2 * this.lengthM - s; // on the way back
    const dir = this.toXM >= this.fromXM ? 1 : -1;
    out[0] = this.fromXM + dir * s;
    out[1] = this.yM;
  }
}

/** Mean Earth radius (m) for the local equirectangular projection. */
const EARTH_RADIUS_M = 6371008.8;

/** Project (lat, lon) in degrees to metres around an origin (equirectangular; accurate to <0.1 % within ~50 km). */
export function projectToMetres(latDeg: number, lonDeg: number, originLatDeg: number, originLonDeg: number, out: Float64Array): void {
  const k = Math.PI / 180;
  out[0] = EARTH_RADIUS_M * (lonDeg - originLonDeg) * k * Math.cos(originLatDeg * k);
  out[1] = EARTH_RADIUS_M * (latDeg - originLatDeg) * k;
}

/** A recorded track: strictly increasing times (s from the first fix) and projected positions (m). */
export interface GpsTrack {
  source: string;
  /** Origin of the projection (degrees). */
  originLat: number;
  originLon: number;
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
 * are read (public datasets hold many tracks in one file, with a track-id column); other rows are not parsed.
 */
export function readGpsCsv(path: string, cols: GpsCsvColumns, origin?: { lat: number; lon: number }, filter?: GpsTrackFilter): GpsTrack {
  const lines = readTextFile(path, 'gps track', MAX_GPS_BYTES).split('\n');
  const header = splitCsvLine((lines[0] ?? '').replace(/\r$/, '')).map((h) => h.trim());
  const idx = (c: string, what: string): number => {
    const i = header.indexOf(c);
    if (i < 0) throw new InvalidInputError({ source: path, field: `header (${what})`, expected: `a column named ${JSON.stringify(c)}`, actual: `columns ${renderValue(header.join(','))}` });
    return i;
  };
  const li = idx(cols.lat, 'lat'), oi = idx(cols.lon, 'lon'), ti = idx(cols.time, 'time');
  const ki = filter ? idx(filter.column, 'track') : -1;
  const seen = new Set<string>();
  const lat: number[] = [], lon: number[] = [], t: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const f = splitCsvLine(line);
    if (filter) {
      const id = (f[ki] ?? '').trim();
      if (id !== filter.id) {
        if (seen.size < 10) seen.add(id);
        continue;
      }
    }
    const where = (c: string) => `line ${i + 1}, column ${c}`;
    const la = Number((f[li] ?? '').trim());
    const lo = Number((f[oi] ?? '').trim());
    if (!Number.isFinite(la) || la < -90 || la > 90) throw new InvalidInputError({ source: path, field: where(cols.lat), expected: 'a latitude in [-90, 90] degrees', actual: renderValue(f[li]) });
    if (!Number.isFinite(lo) || lo < -180 || lo > 180) throw new InvalidInputError({ source: path, field: where(cols.lon), expected: 'a longitude in [-180, 180] degrees', actual: renderValue(f[oi]) });
    const rawT = (f[ti] ?? '').trim();
    const tv = cols.timeUnit === 'iso' ? Date.parse(rawT) / 1000 : Number(rawT) * (cols.timeUnit === 'ms' ? 1e-3 : 1);
    if (rawT === '' || !Number.isFinite(tv)) throw new InvalidInputError({ source: path, field: where(cols.time), expected: cols.timeUnit === 'iso' ? 'an ISO-8601 time' : `a number (${cols.timeUnit})`, actual: renderValue(rawT) });
    // Negative times were silently re-based to 0 (issue 12). A track measured from its start has none; an ISO time
    // before 1970 is a real date, so only the numeric units are checked.
    if (cols.timeUnit !== 'iso' && tv < 0) throw new InvalidInputError({ source: path, field: where(cols.time), expected: `a time >= 0 (${cols.timeUnit} from the track's start or an epoch; negative times are refused, not re-based)`, actual: renderValue(rawT) });
    if (t.length && tv <= t[t.length - 1]!) throw new InvalidInputError({ source: path, field: where(cols.time), expected: `a time after the previous fix (${t[t.length - 1]})`, actual: String(tv) });
    lat.push(la);
    lon.push(lo);
    t.push(tv);
  }
  if (t.length < 2) {
    const tracks = seen.size ? `; tracks seen: ${renderValue([...seen].join(', '))}` : '';
    throw new InvalidInputError({ source: path, field: filter ? `rows (${filter.column} = ${renderValue(filter.id)})` : 'rows', expected: 'at least two GPS fixes', actual: `${t.length}${tracks}` });
  }
  const oLat = origin?.lat ?? lat[0]!, oLon = origin?.lon ?? lon[0]!;
  const n = t.length;
  const track: GpsTrack = { source: path, originLat: oLat, originLon: oLon, tS: new Float64Array(n), xM: new Float64Array(n), yM: new Float64Array(n) };
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
