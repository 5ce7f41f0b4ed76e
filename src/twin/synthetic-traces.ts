/**
 * Workload families generated deterministically (trace format `synthetic`): node cpu/mem series of shapes the
 * shipped traces do not have, so evaluations can hold a whole family out of training. Each series is a pure
 * function of (family, seed, days, sampleSeconds): the same reference always yields the same rows, on every
 * machine. Every family adds AR(1) jitter (`x_k = 0.9·x_{k−1} + σ·N(0, 1)`, σ = 0.01, one stream per metric) to its
 * shape, then clips to [0, 0.99] (Eq. 2's range). With L_max = 12, Eq. 2's `L = 1/(1−cpu) · 1/(1−mem)` decides which
 * shapes breach:
 * - `high-memory`: memory held at 0.86-0.88 (a cache or in-memory database filling its node; the public cluster
 *   workload whose memory stays near L_max), cpu wandering in 0.02-0.12, so L sits at 7.3-9.5 before jitter and
 *   episode noise: inside L_max, close enough that a few points of noise breach it.
 * - `bursty`: on/off batch jobs. Off periods (exponential, mean 25 min) at cpu 0.10, mem 0.30 (L ≈ 1.6), on periods
 *   (exponential, mean 5 min) at cpu 0.78, mem 0.70 (L ≈ 15: a breach).
 * - `diurnal`: a daily sine, cpu 0.40 ± 0.38 and mem 0.45 ± 0.20, peaking at 15:00 (L from about 1.3 at night to 14
 *   at the peak, over L_max for about 2 hours a day).
 * - `ramp`: a slow ramp into overload and back, every 4 hours: 1 h flat at cpu 0.15, mem 0.30 (L ≈ 1.7), then a
 *   2 h linear ramp to cpu 0.85, mem 0.80 (L ≈ 33), held for 30 min, then 30 min back down.
 */
import { Rng } from '../core/rng.js';
import type { TraceSeries } from './traces.js';

export const SYNTHETIC_FAMILIES = ['high-memory', 'bursty', 'diurnal', 'ramp'] as const;
export type SyntheticFamily = (typeof SYNTHETIC_FAMILIES)[number];

export interface SyntheticTraceSpec {
  family: SyntheticFamily;
  /** Generator seed: different seeds give unrelated series of the same family. */
  seed: number;
  /** Length of the series, days. */
  days: number;
  /** Seconds between rows. */
  sampleSeconds: number;
}

const DAY_S = 86400;
const JITTER = 0.01;

/** The series of `spec` (see the module header for each family's shape). */
export function syntheticTrace(spec: SyntheticTraceSpec, name: string): TraceSeries {
  const rows = Math.max(2, Math.round((spec.days * DAY_S) / spec.sampleSeconds));
  const cpu = new Float64Array(rows), mem = new Float64Array(rows);
  // One stream for the shape's own draws, one per metric for jitter, so changing a shape leaves the jitter alone.
  const shape = new Rng((spec.seed >>> 0) ^ 0x51ed);
  const jc = new Rng((spec.seed >>> 0) ^ 0xc0de), jm = new Rng((spec.seed >>> 0) ^ 0xbeef);
  let ec = 0, em = 0;
  const dt = spec.sampleSeconds;
  let on = false, left = 0; // bursty: the current period and the seconds left in it
  let wc = 0.07; // high-memory: cpu's slow walk
  for (let k = 0; k < rows; k++) {
    const t = k * dt;
    let c: number, m: number;
    switch (spec.family) {
      case 'high-memory':
        wc = Math.min(0.12, Math.max(0.02, wc + 0.004 * shape.normal()));
        c = wc;
        m = 0.87 + 0.01 * Math.sin((2 * Math.PI * t) / (6 * 3600));
        break;
      case 'bursty':
        if (left <= 0) {
          on = k === 0 ? shape.uniform() < 1 / 6 : !on;
          left = -Math.log(1 - shape.uniform()) * (on ? 300 : 1500);
        }
        left -= dt;
        c = on ? 0.78 : 0.1;
        m = on ? 0.7 : 0.3;
        break;
      case 'diurnal': {
        const phase = (2 * Math.PI * (t - 15 * 3600)) / DAY_S; // cos peaks at 15:00
        c = 0.4 + 0.38 * Math.cos(phase);
        m = 0.45 + 0.2 * Math.cos(phase);
        break;
      }
      case 'ramp': {
        const u = t % (4 * 3600);
        const f = u < 3600 ? 0 : u < 3 * 3600 ? (u - 3600) / 7200 : u < 3.5 * 3600 ? 1 : 1 - (u - 3.5 * 3600) / 1800;
        c = 0.15 + 0.7 * f;
        m = 0.3 + 0.5 * f;
        break;
      }
    }
    ec = 0.9 * ec + JITTER * jc.normal();
    em = 0.9 * em + JITTER * jm.normal();
    cpu[k] = clip(c + ec);
    mem[k] = clip(m + em);
  }
  return { name, source: `synthetic:${spec.family}:${spec.seed}`, sampleSeconds: dt, cpu, mem };
}

function clip(x: number): number {
  return x < 0 ? 0 : x > 0.99 ? 0.99 : x;
}
