/**
 * Moves in flight: the fleet's gate of the transition kernel (`core/transition.ts`). A migration needs the source
 * under its outbound cap, the cluster under its cap and room on the target (`caps-admission.ts`); otherwise it is
 * refused and the user waits. A started pre-copy migration holds its service on both ends and counts against the
 * caps until it switches over, or until its user leaves (the migration is then cancelled).
 */
import { Rng } from '../../core/rng.js';
import type { MigrationGate } from '../../core/transition.js';
import type { Scenario } from '../scenario-schema.js';
import { sampleDuration } from '../world.js';
import type { Admission } from './caps-admission.js';
import type { FleetTickStats } from './fleet-metrics.js';
import type { HostedLoad } from './hosted-load.js';
import { rowKey } from './rtt-noise.js';

/** What the gate reads of a row: its user id, service kind and state size. */
export interface GateRows {
  userId(i: number): number;
  kindVm(i: number): boolean;
  stateGiB(i: number): number;
}

export class MovesInFlight implements MigrationGate {
  /** Tick and episode key of the step being taken (set by the fleet before it steps its rows). */
  t = 0;
  episodeKey = 0;
  private readonly durationRng = new Rng(0);

  constructor(private readonly spec: Scenario, private readonly hosted: HostedLoad, private readonly admission: Admission, private readonly stats: FleetTickStats, private readonly rows: GateRows) {}

  admit(i: number, src: number, g: number): number {
    const ns = this.hosted.nodeState, stats = this.stats;
    const cd = ns.cpuDemand[i]!, md = ns.memDemand[i]!;
    if (this.admission.capped(src)) {
      stats.refusedByCaps++;
      return -1;
    }
    if (!this.admission.hasRoom(g, cd, md)) {
      stats.refusedFull++;
      return -1;
    }
    stats.migrationsStarted++;
    stats.startedFrom[src]++;
    const d = this.durationSteps(i);
    if (d === 0) {
      this.hosted.addDemand(src, cd, md, -1);
      this.hosted.addDemand(g, cd, md, 1);
    } else {
      ns.busy[i] = 1;
      ns.outboundInFlight[src]++;
      ns.clusterInFlight++;
      this.hosted.addDemand(g, cd, md, 1); // in flight: on both ends
    }
    return d;
  }

  /** Row i's migration out of `src` switched over (or was cancelled): it no longer counts against the caps. */
  release(i: number, src: number): void {
    const ns = this.hosted.nodeState;
    ns.busy[i] = 0;
    ns.outboundInFlight[src]--;
    ns.clusterInFlight--;
  }

  /**
   * Steps a migration of row i started now takes: the kind's duration distribution scaled by the user's state over
   * the kind's reference state (`migration.stateGiB`), from a generator keyed by (episode, user, tick), so it is a
   * pure function of the user and the tick. 0 in the instant model.
   */
  private durationSteps(i: number): number {
    const spec = this.spec, mg = spec.migration;
    if (mg.model === 'instant') return 0;
    const kind = this.rows.kindVm(i) ? 'vm' : 'pod';
    this.durationRng.seed(rowKey(this.episodeKey, this.rows.userId(i), this.t) ^ 0x6d2b79f5);
    const ref = mg.stateGiB[kind];
    const scale = ref > 0 ? this.rows.stateGiB(i) / ref : 1;
    const seconds = sampleDuration(mg.durations[kind], this.durationRng) * scale;
    return Math.min(spec.maxSteps, Math.max(1, Math.ceil(seconds / spec.stepSeconds - 1e-9)));
  }
}
