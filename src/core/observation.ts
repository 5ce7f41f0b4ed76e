/**
 * The paper's state layout (Eq. 3): `s = (N_i, R_1..R_N, L_1..L_N)`, shared by the twin and the real-cluster env.
 * - `N_i`: node currently serving the user's services, 1-based (1..N).
 * - `R_j`: average RTT from the user to node j over the last transmissions (Eq. 1), milliseconds.
 * - `L_j`: load of node j (Eq. 2), dimensionless, >= 1.
 * Actions: `0 = Wait`, `j = Migrate to node j` (1..N).
 */

/** Number of nodes N encoded in an observation of length `2N + 1`. */
export function nodeCountOf(obsLength: number): number {
  const n = (obsLength - 1) / 2;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`observation length ${obsLength} is not 2N+1`);
  return n;
}

/** Observation length for N nodes. */
export function observationLength(nodes: number): number {
  return 2 * nodes + 1;
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

/** Action labels for N nodes. */
export function actionLabels(nodes: number): string[] {
  const labels = ['Wait'];
  for (let j = 1; j <= nodes; j++) labels.push(`Migrate to node ${j}`);
  return labels;
}

/** Observation component labels for N nodes, with units. */
export function observationLabels(nodes: number): string[] {
  const labels = ['N_i (current node, 1-based)'];
  for (let j = 1; j <= nodes; j++) labels.push(`R_${j} [ms]`);
  for (let j = 1; j <= nodes; j++) labels.push(`L_${j} [load]`);
  return labels;
}
