/**
 * The transition kernel's rows: one user's serving node, in-flight migration and last-step outputs per row, as
 * structure-of-arrays (0-based nodes, target −1 when idle), and the RTT bounds a row's candidate list enters Eq. 4-7
 * through. Apart from the kernel (transition.ts) because the twins own and grow their rows, and the fleet's noise
 * and move books write them, while only the kernel steps them.
 */

/** Per-row state and last-step outputs (structure of arrays; grown by the owner with {@link TransitionRows.grow}). */
export class TransitionRows {
  capacity = 0;
  /** Node serving the row now (0-based; the source while a migration is in flight). */
  serving = new Int32Array(0);
  /** Target of the in-flight migration (0-based), or −1. */
  target = new Int32Array(0);
  /** Steps until the in-flight migration switches over, or 0. */
  remaining = new Int32Array(0);
  /** This step's RTT candidate list, through its bounds (see {@link rttBounds}). */
  rttMin = new Float64Array(0);
  rttMin2 = new Float64Array(0);
  rttMax = new Float64Array(0);
  argMin = new Int32Array(0);
  /** Outputs of the last {@link TransitionKernel.step} of the row. */
  reward = new Float64Array(0);
  terminated = new Uint8Array(0);
  violated = new Uint8Array(0);
  /** A migration started this step (its traffic cost was charged). */
  started = new Uint8Array(0);
  /** The switch-over falls at the end of this step (its blackout was felt). */
  switching = new Uint8Array(0);

  constructor(capacity = 1) {
    this.grow(capacity);
  }

  /** Make room for `want` rows, keeping the existing ones (doubling). */
  grow(want: number): void {
    if (want <= this.capacity) return;
    let c = Math.max(1, this.capacity);
    while (c < want) c *= 2;
    const f64 = (a: Float64Array) => { const b = new Float64Array(c); b.set(a); return b; };
    const i32 = (a: Int32Array) => { const b = new Int32Array(c); b.set(a); return b; };
    const u8 = (a: Uint8Array) => { const b = new Uint8Array(c); b.set(a); return b; };
    this.serving = i32(this.serving); this.target = i32(this.target); this.remaining = i32(this.remaining);
    this.rttMin = f64(this.rttMin); this.rttMin2 = f64(this.rttMin2); this.rttMax = f64(this.rttMax); this.argMin = i32(this.argMin);
    this.reward = f64(this.reward); this.terminated = u8(this.terminated); this.violated = u8(this.violated);
    this.started = u8(this.started); this.switching = u8(this.switching);
    this.capacity = c;
  }

  /** A row placed on `node`, idle. */
  place(i: number, node: number): void {
    this.serving[i] = node;
    this.target[i] = -1;
    this.remaining[i] = 0;
    this.reward[i] = 0;
    this.terminated[i] = this.violated[i] = this.started[i] = this.switching[i] = 0;
  }

  /** Copy row `from` into row `to` (compaction). */
  moveRow(from: number, to: number): void {
    this.serving[to] = this.serving[from]!; this.target[to] = this.target[from]!; this.remaining[to] = this.remaining[from]!;
    this.rttMin[to] = this.rttMin[from]!; this.rttMin2[to] = this.rttMin2[from]!; this.rttMax[to] = this.rttMax[from]!; this.argMin[to] = this.argMin[from]!;
    this.reward[to] = this.reward[from]!; this.terminated[to] = this.terminated[from]!; this.violated[to] = this.violated[from]!;
    this.started[to] = this.started[from]!; this.switching[to] = this.switching[from]!;
  }

  /** True when row i may start a migration (none in flight): the action mask of every non-Wait action. */
  idle(i: number): boolean {
    return this.remaining[i]! === 0;
  }
}

/**
 * The bounds of `n` RTTs at `rtts[off ..]` into `out`: [min, second-min (excluding the argmin), max, argmin]. What
 * Eq. 4 reads of a candidate list; the one scan every caller (the kernel's rows, its reward table) shares.
 */
export function rttBoundsInto(rtts: ArrayLike<number>, off: number, n: number, out: Float64Array): void {
  let mn = Infinity, mn2 = Infinity, mx = -Infinity, am = 0;
  for (let j = 0; j < n; j++) {
    const v = rtts[off + j]!;
    if (v < mn) {
      mn2 = mn;
      mn = v;
      am = j;
    } else if (v < mn2) mn2 = v;
    if (v > mx) mx = v;
  }
  out[0] = mn;
  out[1] = mn2;
  out[2] = mx;
  out[3] = am;
}

const rowBounds = new Float64Array(4);

/** Write row i's RTT bounds from its `n` RTTs at `rtts[off ..]` (see {@link rttBoundsInto}). */
export function rttBounds(rows: TransitionRows, i: number, rtts: ArrayLike<number>, off: number, n: number): void {
  rttBoundsInto(rtts, off, n, rowBounds);
  rows.rttMin[i] = rowBounds[0]!;
  rows.rttMin2[i] = rowBounds[1]!;
  rows.rttMax[i] = rowBounds[2]!;
  rows.argMin[i] = rowBounds[3]!;
}
