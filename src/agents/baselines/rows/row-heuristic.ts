/**
 * A heuristic over a batch of rows: each row one user's observation (Eq. 3) and action mask, the form the fleet
 * twin and the controller's bulk path hold their users in. {@link rankedRows} is the form of a stateless rule (its
 * {@link NodeRanking}); {@link statefulRows} lifts a rule that keeps per-user state (lookahead's plan, threshold's
 * cooldown, hysteresis's dwell, random's RNG) by keeping one `Policy`, hence one state, per row: row r's state
 * advances only when row r is decided, exactly as that user's own policy would.
 */
import type { Policy } from '../../../core/env.js';
import { rankedChoice, RankScratch, type NodeRanking } from './node-ranking.js';

/** Rows as typed arrays: `observations` is rows × D (D = the observation length), `actionMasks` rows × (N + 1). */
export interface RowBatch {
  rows: number;
  nodes: number;
  D: number;
  observations: Float64Array;
  actionMasks: Uint8Array;
  /** Per row: 1 to leave the row undecided (its user has ended); absent = decide every row. */
  skip?: Uint8Array;
}

export interface RowHeuristic {
  readonly name: string;
  /** Write each decided row's action into `out[r]` (0 = Wait, j = migrate to node j). */
  choose(batch: RowBatch, out: Int32Array): void;
  /** Forget every row's state (a new episode for all of them). */
  reset(): void;
}

/** The batched form of a stateless rule: rank each row, take {@link rankedChoice}. */
export function rankedRows(ranking: NodeRanking): RowHeuristic {
  const scratch = new RankScratch();
  return {
    name: ranking.name,
    reset() {},
    choose(b, out) {
      const n = b.nodes, A = n + 1, s = scratch.ensure(n);
      for (let r = 0; r < b.rows; r++) {
        if (b.skip?.[r]) continue;
        const o = r * b.D;
        ranking.rank(b.observations, o, n, s.score, s.tier, 0);
        out[r] = rankedChoice(s.score, s.tier, 0, n, b.observations[o]! - 1, b.actionMasks, r * A);
      }
    },
  };
}

/**
 * The batched form of a rule with per-user state: one policy per row, made by `make(row)` on first use, so row r's
 * state (and, for `random`, its RNG stream) is exactly the one its own user's policy would have. A row's state
 * advances only when the row is decided (a skipped row keeps it).
 */
export function statefulRows(name: string, make: (row: number) => Policy): RowHeuristic {
  const policies: Policy[] = [];
  return {
    name,
    reset() {
      for (const p of policies) p?.reset();
    },
    choose(b, out) {
      const A = b.nodes + 1;
      for (let r = 0; r < b.rows; r++) {
        if (b.skip?.[r]) continue;
        let p = policies[r];
        if (!p) {
          p = policies[r] = make(r);
          p.reset();
        }
        out[r] = p.act(b.observations.subarray(r * b.D, (r + 1) * b.D), b.actionMasks.subarray(r * A, (r + 1) * A));
      }
    },
  };
}
