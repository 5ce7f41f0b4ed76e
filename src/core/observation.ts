/**
 * The paper's state layout (Eq. 3): `s = (N_i, R_1..R_N, L_1..L_N)`, shared by the twin and the real-cluster env.
 * - `N_i`: node currently serving the user's services, 1-based (1..N).
 * - `R_j`: average RTT from the user to node j over the last transmissions (Eq. 1), milliseconds.
 * - `L_j`: load of node j (Eq. 2), dimensionless, >= 1.
 * Actions: `0 = Wait`, `j = Migrate to node j` (1..N).
 *
 * **Beyond the paper (edge model):** with `inFlight`, the state gains `M_1..M_N`, the seconds left until a
 * migration in flight to node j switches over (0 when none is), so the state is Markov when migrations take time
 * (the paper's state shows neither the target nor the time left; only the action mask would). The length is then
 * `3N + 1`. A length alone cannot tell the two layouts apart for every N, so whoever reads an observation is told
 * its {@link ObservationLayout}.
 */

/** How an observation vector is laid out. */
export interface ObservationLayout {
  /** Number of edge nodes N. */
  readonly nodes: number;
  /** The in-flight block `M_1..M_N` follows the loads (edge model). */
  readonly inFlight: boolean;
}

/** Number of nodes N encoded in an observation of length `2N + 1` (or `3N + 1` with `inFlight`). */
export function nodeCountOf(obsLength: number, inFlight = false): number {
  const n = (obsLength - 1) / (inFlight ? 3 : 2);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`observation length ${obsLength} is not ${inFlight ? '3N+1' : '2N+1'}`);
  return n;
}

/** Observation length for N nodes. */
export function observationLength(nodes: number, inFlight = false): number {
  return (inFlight ? 3 : 2) * nodes + 1;
}

/** Current node, 1-based. */
export function currentNodeOf(obs: ArrayLike<number>): number {
  return obs[0]!;
}

/** RTT of node j (1-based), ms. */
export function rttOf(obs: ArrayLike<number>, nodes: number, j: number): number {
  return obs[j]!;
}

/** Load of node j (1-based). */
export function loadOf(obs: ArrayLike<number>, nodes: number, j: number): number {
  return obs[nodes + j]!;
}

/** Seconds until the in-flight migration to node j (1-based) switches over; 0 when none (inFlight layout only). */
export function inFlightSecondsOf(obs: ArrayLike<number>, nodes: number, j: number): number {
  return obs[2 * nodes + j]!;
}

/** Action labels for N nodes. */
export function actionLabels(nodes: number): string[] {
  const labels = ['Wait'];
  for (let j = 1; j <= nodes; j++) labels.push(`Migrate to node ${j}`);
  return labels;
}

/** Observation component labels for N nodes, with units. */
export function observationLabels(nodes: number, inFlight = false): string[] {
  const labels = ['N_i (current node, 1-based)'];
  for (let j = 1; j <= nodes; j++) labels.push(`R_${j} [ms]`);
  for (let j = 1; j <= nodes; j++) labels.push(`L_${j} [load]`);
  if (inFlight) for (let j = 1; j <= nodes; j++) labels.push(`M_${j} [s to switch-over]`);
  return labels;
}
