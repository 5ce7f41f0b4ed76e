/**
 * The paper's observation and reward equations (Tsourdinis et al., Sec. III-C), in `core` because the twin, the
 * baselines, the oracle and the real cluster all share them. Each equation lives in exactly one function here.
 */

/** An SLA band `[min, max]`: `min` is the ideal value, `max` the violation threshold. */
export interface SlaRange {
  /** Best achievable value (R_min in ms, or L_min). */
  min: number;
  /** Threshold above which the SLA is violated (R_max in ms, or L_max). */
  max: number;
}

/**
 * Eq. 1: the average RTT `R_i = (1/N) Σ x_k` of the last N transmissions of one UE-node pair, in ms.
 * NaN for an empty list (an average of nothing is not an RTT; the controller forces Wait on NaN).
 */
export function averageRtt(samplesMs: ArrayLike<number>): number {
  const n = samplesMs.length;
  if (n === 0) return Number.NaN;
  let s = 0;
  for (let k = 0; k < n; k++) s += samplesMs[k]!;
  return s / n;
}

/** Utilisation clip of Eq. 2: L stays finite (at most 1/0.01² = 10⁴) when a node is saturated. */
export const MAX_UTILISATION = 0.99;

/** The largest load Eq. 2 can return: `1 / (1 − MAX_UTILISATION)²` (10⁴); the bound of every load observation. */
export const MAX_LOAD = 1 / ((1 - MAX_UTILISATION) * (1 - MAX_UTILISATION));

/**
 * Eq. 2: node load `L = 1/(1-cpu) · 1/(1-mem)`, with cpu and mem (fractions of capacity) clipped to
 * [0, {@link MAX_UTILISATION}] first, so L lies in [1, 10000]. NaN in, NaN out.
 */
export function nodeLoad(cpu: number, mem: number): number {
  const c = cpu < 0 ? 0 : cpu > MAX_UTILISATION ? MAX_UTILISATION : cpu;
  const m = mem < 0 ? 0 : mem > MAX_UTILISATION ? MAX_UTILISATION : mem;
  return 1 / (1 - c) / (1 - m);
}

function minOf(xs: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < xs.length; i++) if (xs[i]! < m) m = xs[i]!;
  return m;
}

function maxOf(xs: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) if (xs[i]! > m) m = xs[i]!;
  return m;
}

/**
 * Eq. 4: RTT reward `r_R = R_min/R_i − R_i/R_max + min(R_list)/R_i − R_i/max(R_list)`.
 * The first pair ranks the node within the SLA band, the second among the candidates.
 * Paper example: RTTs (3, 5, 6) ms, R_min 1, R_max 20 ⇒ (0.6833, −0.2833, −0.6333).
 * @param rttMs RTT of the node the service is on after the action (ms, > 0).
 * @param candidatesMs RTTs of all candidate nodes (ms), including `rttMs`'s node.
 */
export function rttReward(rttMs: number, candidatesMs: ArrayLike<number>, sla: SlaRange): number {
  return sla.min / rttMs - rttMs / sla.max + minOf(candidatesMs) / rttMs - rttMs / maxOf(candidatesMs);
}

/**
 * Eq. 5: load reward `r_L = L_min/L_i − L_i/L_max + min(L_list)/L_i − L_i/max(L_list)`, the load twin of Eq. 4.
 * @param load load (Eq. 2) of the node the service is on after the action (>= 1).
 * @param candidates loads of all candidate nodes.
 */
export function loadReward(load: number, candidates: ArrayLike<number>, sla: SlaRange): number {
  return sla.min / load - load / sla.max + minOf(candidates) / load - load / maxOf(candidates);
}

/**
 * Eq. 6 and Eq. 7: migration penalty `p = cost/2` when the chosen node's value exceeds the SLA maximum AND it is
 * the worst candidate (`value = max(list)`), else 0. The same rule serves RTT (p_R, Eq. 6) and load (p_L, Eq. 7).
 * @param cost the migration cost hyperparameter (the paper: bandwidth wasted by one relocation, a constant).
 */
export function migrationPenalty(value: number, candidates: ArrayLike<number>, max: number, cost: number): number {
  return value > max && value === maxOf(candidates) ? cost / 2 : 0;
}

/** Inputs of the global reward, Eq. 8. */
export interface RewardInputs {
  /** RTT of the serving node (ms). */
  rttMs: number;
  /** RTTs of all nodes (ms). */
  rttsMs: ArrayLike<number>;
  /** Load of the serving node. */
  load: number;
  /** Loads of all nodes. */
  loads: ArrayLike<number>;
  rttSla: SlaRange;
  loadSla: SlaRange;
  /** Migration cost (Eq. 6-7). */
  migrationCost: number;
}

/** The four terms of Eq. 8 for one step (Eq. 4, Eq. 5, Eq. 6, Eq. 7). */
export interface RewardTerms {
  /** Eq. 4. */
  rtt: number;
  /** Eq. 5. */
  load: number;
  /** Eq. 6 (p_R). */
  rttPenalty: number;
  /** Eq. 7 (p_L). */
  loadPenalty: number;
}

/** Writes the terms of Eq. 8 into `out` (reused by the twin, which allocates nothing per step) and returns it. */
export function rewardTerms(x: RewardInputs, out: RewardTerms): RewardTerms {
  out.rtt = rttReward(x.rttMs, x.rttsMs, x.rttSla);
  out.load = loadReward(x.load, x.loads, x.loadSla);
  out.rttPenalty = migrationPenalty(x.rttMs, x.rttsMs, x.rttSla.max, x.migrationCost);
  out.loadPenalty = migrationPenalty(x.load, x.loads, x.loadSla.max, x.migrationCost);
  return out;
}

/** Eq. 8 from its terms: `r = r_R + r_L − (p_R + p_L)`. */
export function combineRewardTerms(t: RewardTerms): number {
  return t.rtt + t.load - (t.rttPenalty + t.loadPenalty);
}

const scratchTerms: RewardTerms = { rtt: 0, load: 0, rttPenalty: 0, loadPenalty: 0 };

/** Eq. 8: the global reward `r = r_R + r_L − (p_R + p_L)`. */
export function reward(x: RewardInputs): number {
  return combineRewardTerms(rewardTerms(x, scratchTerms));
}

/** The reward parameters of a scenario (Eq. 4-8), as the baselines and the oracle need them. */
export interface RewardParams {
  rttSla: SlaRange;
  loadSla: SlaRange;
  migrationCost: number;
}

/**
 * The paper's reward parameters (Sec. IV, Fig. 6: R_max = 20 ms, L_max = 12; R_min = L_min = 1; migration cost 2):
 * the scenario schema's defaults, and what rules score with where no scenario is given (the controller, the
 * `advised` features).
 */
export const PAPER_REWARD_PARAMS: Readonly<RewardParams> = Object.freeze({
  rttSla: Object.freeze({ min: 1, max: 20 }),
  loadSla: Object.freeze({ min: 1, max: 12 }),
  migrationCost: 2,
});

/**
 * **Beyond the paper (edge model).** The extra mean RTT, ms, that a switch-over blackout adds to Eq. 1's average:
 * `D² / (2 · Δ · N)` for a blackout of `D` seconds, probes every `Δ` seconds and Eq. 1 over the last `N` probes.
 * Derivation: a blackout at a uniformly random phase swallows on average `D/Δ` probes, each answered when the
 * service resumes, i.e. `D/2` late on average; Eq. 1 spreads that total delay over its N samples. The paper
 * reports the effect qualitatively only (Fig. 4c: a pod's CRIU restore gives a short, high latency spike, a VM's
 * pre-copy a small, smooth one). The calibration of `D` per kind lives with the scenario schema
 * (`migration.downtimeSeconds`).
 */
export function switchoverRttMs(downtimeS: number, probeSpacingS: number, window: number): number {
  if (downtimeS <= 0) return 0;
  return (1000 * downtimeS * downtimeS) / (2 * probeSpacingS * window);
}

/**
 * **Beyond the paper (edge model).** The price of one step out of SLA when episodes do not end there. The paper
 * terminates on a breach, which prices it implicitly (the future reward is lost); the edge model runs on through
 * breaches, as service does, so it charges them explicitly. 0 = off (the paper).
 */
export function slaViolationPenalty(violated: boolean, penalty: number): number {
  return violated ? penalty : 0;
}

/**
 * **Beyond the paper (edge model).** The bandwidth cost of one migration, in reward units: proportional to the
 * state moved, `cost = stateGiB · costPerGiB`. The paper's Eq. 6-7 penalise only a move onto the worst node;
 * this charges every move for the memory it ships (pre-copy sends the state once plus re-sent dirty pages,
 * folded into `stateGiB`).
 */
export function migrationTrafficCost(stateGiB: number, costPerGiB: number): number {
  return stateGiB * costPerGiB;
}
