/**
 * The paper's observation equations as the controller computes them from live measurements.
 * The twin has its own copies in src/twin/reward.ts, which the controller may not import; both follow the same
 * definitions and the same clamping, so a twin-trained policy sees the same value ranges here.
 * (They belong in src/core; until they move there, keep the two in step.)
 */

/** Utilisation clamp shared with the twin: L stays finite (max 1/(0.01^2) = 10^4) when a node is saturated. */
export const MAX_UTILISATION = 0.99;

/** Eq.1: R_i = (1/N) Σ x_i, the mean of the last N RTT samples (ms) of one (user, node) pair. NaN when empty. */
export function averageRtt(samplesMs: ArrayLike<number>): number {
  const n = samplesMs.length;
  if (n === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += samplesMs[i]!;
  return s / n;
}

/**
 * Eq.2: L_i = 1/(1−cpu_i) · 1/(1−mem_i), with utilisations in [0,1] clamped to [0, {@link MAX_UTILISATION}].
 * NaN in, NaN out (the caller forces Wait on it).
 */
export function nodeLoad(cpu: number, mem: number): number {
  if (Number.isNaN(cpu) || Number.isNaN(mem)) return Number.NaN;
  const c = Math.min(Math.max(cpu, 0), MAX_UTILISATION);
  const m = Math.min(Math.max(mem, 0), MAX_UTILISATION);
  return 1 / (1 - c) / (1 - m);
}
