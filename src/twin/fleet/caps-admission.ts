/**
 * Caps and admission: who may start a migration or join, first come, first served. Migrations are capped per node
 * and per cluster (`users.migrationCaps`, KubeVirt's 2/5; `users.enforceCaps: false` models a cluster without
 * limits); a node is full when a service would take its cpu or memory past `users.admissionCeiling`. Refusals are
 * counted in the tick's statistics, never silent.
 */
import type { MigrationCaps } from '../../core/migration-caps.js';
import type { FleetUsers } from '../scenario-schema.js';
import type { HostedLoad } from './hosted-load.js';

export class Admission {
  readonly caps: MigrationCaps;
  constructor(private readonly hosted: HostedLoad, private readonly users: FleetUsers, private readonly nodeX: Float64Array, private readonly nodeY: Float64Array) {
    this.caps = users.migrationCaps;
  }

  /** True when a service of this demand fits on node j under the admission ceiling. */
  hasRoom(j: number, cpuD: number, memD: number): boolean {
    const c = this.hosted.capacity[j]!, ceil = this.users.admissionCeiling, ns = this.hosted.nodeState;
    return ns.cpu[j]! + cpuD / c <= ceil && ns.mem[j]! + memD / c <= ceil;
  }

  /** True when the caps refuse one more migration out of `src` (the node's outbound cap, or the cluster's). */
  capped(src: number): boolean {
    if (!this.users.enforceCaps) return false;
    const ns = this.hosted.nodeState;
    return ns.outboundInFlight[src]! >= this.caps.parallelOutboundMigrationsPerNode || ns.clusterInFlight >= this.caps.parallelMigrationsPerCluster;
  }

  /** The node an arrival at (x, y) is placed on, or −1 when refused (see `users.placement`). */
  place(px: number, py: number, cpuD: number, memD: number): number {
    const n = this.nodeX.length;
    // Nearest by distance = lowest mean RTT (RTT is linear in distance).
    let best = -1, bestD = Infinity;
    const withRoom = this.users.placement === 'nearest-with-room';
    for (let j = 0; j < n; j++) {
      if (withRoom && !this.hasRoom(j, cpuD, memD)) continue;
      const dx = px - this.nodeX[j]!, dy = py - this.nodeY[j]!;
      const d = dx * dx + dy * dy;
      if (d < bestD) [best, bestD] = [j, d];
    }
    if (best >= 0 && !withRoom && !this.hasRoom(best, cpuD, memD)) return -1;
    return best;
  }
}
