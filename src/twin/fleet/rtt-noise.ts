/**
 * The fleet's RTTs (a documented reading, beyond the paper's single UE): RTT_ij = base + slope · d_ij + ε_ij, the
 * twin's linear model, with d_ij the distance at the observation's tick. Eq. 1 averages the last W transmissions;
 * the mean of W i.i.d. N(0, σ_j²) samples is N(0, σ_j²/W), so the fleet draws that mean directly, once per user, node
 * and tick, from a counter-based generator keyed by (episode, user id, tick, node): a table of 2¹² standard normals
 * (32 KB, small enough to stay in the L1 cache, which a 2¹⁶ table did not) indexed by 12 bits of a 32-bit hash (one
 * hash per pair of nodes). σ_j is the single-user world's per-route sigma of node j, shared by the users of node j.
 * The key makes every user's RTT trajectory replayable from its positions alone, which the relaxed bound
 * (`src/experiments/fleet/bound.ts`) relies on, and costs a few ns per pair (a 10k × 100 tick writes one million RTTs).
 */
import { Rng } from '../../core/rng.js';
import { rttBounds, type TransitionRows } from '../../core/transition-rows.js';
import { RTT_CAP_MS } from '../world.js';

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

/** The RTT model of one fleet episode: the scenario's line, the node positions and the per-node noise σ/√W. */
export class RttField {
  readonly sigmaMean: Float64Array;
  constructor(
    readonly rtt: { baseMs: number; slopeMsPerM: number; floorMs: number },
    readonly nodeX: Float64Array,
    readonly nodeY: Float64Array,
  ) {
    this.sigmaMean = new Float64Array(nodeX.length);
  }

  /** RTT (ms) to node j of the user whose row key is `key`, at (px, py). */
  at(key: number, j: number, px: number, py: number): number {
    const s = this.rtt;
    const dx = px - this.nodeX[j]!, dy = py - this.nodeY[j]!;
    let v = s.baseMs + s.slopeMsPerM * Math.sqrt(dx * dx + dy * dy) + this.sigmaMean[j]! * noiseAt(key, j);
    v = v < s.floorMs ? s.floorMs : v > RTT_CAP_MS ? RTT_CAP_MS : v;
    return v;
  }

  /**
   * Row i's RTTs to every node into `obs[o ..]`, and their bounds into the kernel's rows (for the next reward). The
   * hot loop (one million pairs per 10k × 100 tick): `at` and `noiseAt` inlined, one hash per pair of nodes. The
   * bounds come from the kernel's own {@link rttBounds} over the row just written: a second pass over n numbers
   * costs little beside the hash and the square root, and keeps one definition of what the bounds are.
   */
  writeRow(key: number, px: number, py: number, obs: Float64Array, o: number, rows: TransitionRows, i: number): void {
    const n = this.nodeX.length, s = this.rtt, base = s.baseMs, slope = s.slopeMsPerM, floor = s.floorMs;
    const nx = this.nodeX, ny = this.nodeY, sig = this.sigmaMean;
    const cap = RTT_CAP_MS; // a local: an imported binding is a getter call per read under some loaders
    let bits = 0;
    for (let j = 0; j < n; j++) {
      if ((j & 1) === 0) bits = pairBits(key, j >> 1);
      const z = NORMALS[((j & 1) === 0 ? bits : bits >>> 16) & NORMAL_MASK]!;
      const dx = px - nx[j]!, dy = py - ny[j]!;
      const v = base + slope * Math.sqrt(dx * dx + dy * dy) + sig[j]! * z;
      obs[o + j] = v < floor ? floor : v > cap ? cap : v;
    }
    rttBounds(rows, i, obs, o, n);
  }
}

/** What {@link writeObservations} reads of the fleet at one tick. */
export interface ObservationFrame {
  rows: number; t: number; D: number; A: number; inFlight: boolean; stepSeconds: number; episodeKey: number;
  ids: Int32Array; x: Float64Array; y: Float64Array; load: Float64Array; field: RttField; k: TransitionRows;
  obs: Float64Array; masks: Uint8Array;
}

/** Every row's observation (serving node, RTTs, loads, in-flight block) and action mask at tick `f.t`. */
export function writeObservations(f: ObservationFrame): void {
  const { rows, D, A, obs, masks, k, field, load } = f;
  const n = load.length;
  for (let i = 0; i < rows; i++) {
    const o = i * D;
    obs[o] = k.serving[i]! + 1;
    field.writeRow(rowKey(f.episodeKey, f.ids[i]!, f.t), f.x[i]!, f.y[i]!, obs, o + 1, k, i);
    obs.set(load, o + 1 + n);
    const idle = k.remaining[i]! > 0 ? 0 : 1;
    const m = i * A;
    masks[m] = 1;
    masks.fill(idle, m + 1, m + A);
    if (f.inFlight) {
      const g = k.target[i]!, secs = k.remaining[i]! * f.stepSeconds;
      obs.fill(0, o + 1 + 2 * n, o + 1 + 3 * n);
      if (g >= 0) obs[o + 1 + 2 * n + g] = secs;
    }
  }
}
