/**
 * The fleet's node load: the users' services *are* load. Per node,
 *
 *   cpu_j = background cpu_j (the single-user twin's trace + noise + surges, `World`) + Σ hosted cpu demand / capacity_j
 *   mem_j likewise;  L_j = Eq. 2 (`nodeLoad`) of the totals.
 *
 * A service in flight counts on both ends (pre-copy keeps the source running while the target fills).
 */
import type { FleetNodeState } from '../../core/fleet-env.js';
import { nodeLoad } from '../../core/reward.js';
import type { World } from '../world.js';

/** Per-node utilisation with the per-row demands that make it (grown with the fleet's rows). */
export type FleetNodes = FleetNodeState & { demand: Float64Array; cpuDemand: Float64Array; memDemand: Float64Array; busy: Uint8Array };

export class HostedLoad {
  readonly nodeState: FleetNodes;
  /** Node load (Eq. 2 on the totals) at the current tick, and its min and max. */
  readonly load: Float64Array;
  loadMin = 0;
  loadMax = 0;
  private readonly hostedCpu: Float64Array;
  private readonly hostedMem: Float64Array;

  constructor(private readonly world: World, readonly capacity: Float64Array) {
    const n = capacity.length;
    this.load = new Float64Array(n);
    this.hostedCpu = new Float64Array(n);
    this.hostedMem = new Float64Array(n);
    this.nodeState = {
      used: new Float64Array(n), capacity: Float64Array.from(capacity, (c) => 100 * c), outboundInFlight: new Int32Array(n), clusterInFlight: 0,
      cpu: new Float64Array(n), mem: new Float64Array(n), demand: new Float64Array(0), cpuDemand: new Float64Array(0), memDemand: new Float64Array(0), busy: new Uint8Array(0),
    };
  }

  /** Make room for `c` rows of demand (the node-state object stays the same; its arrays are replaced). */
  grow(c: number): void {
    const f64 = (a: Float64Array) => { const b = new Float64Array(c); b.set(a); return b; };
    const u8 = (a: Uint8Array) => { const b = new Uint8Array(c); b.set(a); return b; };
    const ns = this.nodeState;
    Object.assign(ns, { demand: f64(ns.demand), cpuDemand: f64(ns.cpuDemand), memDemand: f64(ns.memDemand), busy: u8(ns.busy) });
  }

  /** Row i holds a service of this demand (fractions of a reference node), not in flight. */
  setRow(i: number, cpuD: number, memD: number): void {
    const ns = this.nodeState;
    ns.cpuDemand[i] = cpuD;
    ns.memDemand[i] = memD;
    ns.demand[i] = 100 * Math.max(cpuD, memD);
    ns.busy[i] = 0;
  }

  moveRow(from: number, to: number): void {
    const ns = this.nodeState;
    ns.cpuDemand[to] = ns.cpuDemand[from]!; ns.memDemand[to] = ns.memDemand[from]!; ns.demand[to] = ns.demand[from]!; ns.busy[to] = ns.busy[from]!;
  }

  /** Add (sign 1) or remove (−1) a service's demand on node j, keeping cpu/mem/used current within the tick. */
  addDemand(j: number, cpuD: number, memD: number, sign: 1 | -1): void {
    this.hostedCpu[j] += sign * cpuD;
    this.hostedMem[j] += sign * memD;
    const ns = this.nodeState, c = this.capacity[j]!;
    ns.cpu[j] = this.world.cpu[j]! + this.hostedCpu[j]! / c;
    ns.mem[j] = this.world.mem[j]! + this.hostedMem[j]! / c;
    ns.used[j] = 100 * c * Math.max(ns.cpu[j]!, ns.mem[j]!);
  }

  /** Utilisation and Eq. 2 load from the background and every hosted and in-flight service of rows [0, rows) (from scratch). */
  recompute(rows: number, serving: Int32Array, target: Int32Array): void {
    const n = this.capacity.length, ns = this.nodeState;
    this.hostedCpu.fill(0);
    this.hostedMem.fill(0);
    for (let i = 0; i < rows; i++) {
      const cd = ns.cpuDemand[i]!, md = ns.memDemand[i]!;
      this.hostedCpu[serving[i]!] += cd;
      this.hostedMem[serving[i]!] += md;
      const g = target[i]!;
      if (g >= 0) {
        this.hostedCpu[g] += cd;
        this.hostedMem[g] += md;
      }
    }
    let lo = Infinity, hi = -Infinity;
    for (let j = 0; j < n; j++) {
      const c = this.capacity[j]!;
      ns.cpu[j] = this.world.cpu[j]! + this.hostedCpu[j]! / c;
      ns.mem[j] = this.world.mem[j]! + this.hostedMem[j]! / c;
      ns.used[j] = 100 * c * Math.max(ns.cpu[j]!, ns.mem[j]!);
      const L = nodeLoad(ns.cpu[j]!, ns.mem[j]!); // Eq. 2 applies to the total
      this.load[j] = L;
      if (L < lo) lo = L;
      if (L > hi) hi = L;
    }
    this.loadMin = lo;
    this.loadMax = hi;
  }
}
