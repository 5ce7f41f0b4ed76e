/**
 * The k best (score, node) pairs of one row, kept best first by insertion as they are offered: the rules'
 * candidates (`candidates.ts`) and the learned policy's moves above the margin (`learned-fleet.ts`). Offered in
 * increasing node order, equal scores keep the lower node first.
 */
import type { TopSink } from '../baselines/rows/node-ranking.js';

/** Keeps the k best (score, node) pairs of one row, best first (ties: the lower node index). */
export class TopK implements TopSink {
  readonly score: Float64Array;
  readonly node: Int32Array;
  size = 0;
  constructor(readonly k: number) {
    this.score = new Float64Array(k);
    this.node = new Int32Array(k);
  }
  clear(): void {
    this.size = 0;
  }
  offer(s: number, j: number): void {
    let p = this.size < this.k ? this.size++ : this.k;
    if (p === this.k) {
      if (!(s > this.score[this.k - 1]!)) return;
      p = this.k - 1;
    }
    while (p > 0 && s > this.score[p - 1]!) {
      this.score[p] = this.score[p - 1]!;
      this.node[p] = this.node[p - 1]!;
      p--;
    }
    this.score[p] = s;
    this.node[p] = j;
  }
}
