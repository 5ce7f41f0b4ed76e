/**
 * The fleet agent (`remora train --fleet`) on the controller's fleet path: its move model scores each workload's
 * nearest Ready nodes (`agents/fleet/learned-fleet.ts`, the same candidates and features as in the twin), and the
 * values it writes make `decideFleet`'s gain the model's: Wait and the serving node 0, each candidate its
 * predicted advantage plus the model's social weight × the move's externality, every other node −Infinity (never
 * a candidate). The coordinated step then ranks by that gain (the controller's step has no deferral priority:
 * a model chosen with `priority: deferral` plays by gain here).
 *
 * The controller measures one load per node (Eq. 2 from its metrics), not cpu and memory apart, so the
 * externality's load projection reads each node's utilisation as u = 1 − 1/√L, the cpu = memory utilisation
 * that gives load L: exact when both are equal, and the same order of change otherwise.
 */
import type { RewardParams } from '../core/reward.js';
import { CandidateBuffer, type FleetRows } from '../agents/fleet/candidates.js';
import { LearnedCandidates, type LearnedNodes } from '../agents/fleet/learned-fleet.js';
import type { MoveModel } from '../agents/fleet/move-model.js';
import { observationLength } from '../core/observation.js';
import type { MigrationCaps } from '../core/migration-caps.js';

/**
 * What the tick knows of the fleet beyond the rows (the fleet path passes it; rules ignore it): each row's
 * demand, the nodes' projected use and capacity (millicores), the migrations in flight, and the caps.
 */
export interface FleetContext {
  demand: ArrayLike<number>;
  used: ArrayLike<number>;
  capacity: ArrayLike<number>;
  outboundInFlight: ArrayLike<number>;
  clusterInFlight: number;
  caps: MigrationCaps;
}

/** The fleet agent as a batch scorer (`bulk-score.ts`'s `BulkScorer`; typed there, to keep the imports one way). */
export function fleetModelScorer(model: MoveModel, reward: RewardParams, path: string) {
  const play = model.play;
  let learned: LearnedCandidates | undefined;
  let capsKey = '';
  const cand = new CandidateBuffer();
  let util = new Float64Array(0);
  let skip = new Uint8Array(0);
  return {
    name: `fleet-agent (${path})`,
    gainUnit: 'predicted advantage + externality (reward units)',
    inFlight: false,
    score(obs: Float64Array, masks: Uint8Array, rows: number, n: number, out: Float64Array, fleet?: FleetContext): void {
      if (!fleet) throw new Error('the fleet agent scores only on the fleet path (decideFleet passes the fleet context)');
      const key = `${fleet.caps.parallelOutboundMigrationsPerNode}/${fleet.caps.parallelMigrationsPerCluster}`;
      if (!learned || key !== capsKey) {
        learned = new LearnedCandidates(model, reward, { ...fleet.caps }, play.breachPenalty);
        capsKey = key;
      }
      if (util.length < n) util = new Float64Array(n);
      for (let j = 0; j < n && rows > 0; j++) util[j] = 1 - 1 / Math.sqrt(Math.max(1, obs[1 + n + j]!));
      if (skip.length < rows) skip = new Uint8Array(rows);
      const A = n + 1;
      const f: FleetRows = { rows, D: observationLength(n), A, nodes: n, observations: obs, actionMasks: masks, skip, demand: fleet.demand };
      const ns: LearnedNodes = { used: fleet.used, capacity: fleet.capacity, cpu: util, mem: util, outboundInFlight: fleet.outboundInFlight, clusterInFlight: fleet.clusterInFlight };
      learned.generate(f, model.candidates, play.margin, play.social, ns, cand);
      out.fill(Number.NEGATIVE_INFINITY, 0, rows * A);
      for (let r = 0; r < rows; r++) {
        out[r * A] = 0;
        out[r * A + obs[r * f.D]!] = 0;
      }
      for (let i = 0; i < cand.count; i++) out[cand.user[i]! * A + cand.to[i]! + 1] = cand.gain[i]!;
    },
  };
}
