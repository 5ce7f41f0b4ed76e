/**
 * A size-agnostic Q-network (beyond the paper). The paper chose an LSTM because it "can handle variable-size
 * inputs"; its Table II network still has a fixed |A| = N + 1 output layer, so a model trained on 3 nodes cannot
 * run on 5. This network reads the nodes as a sequence and emits one Q-value per node plus one for Wait:
 *
 *   x_i   = (isCurrent_i, rtt_i, load_i)          per node i = 1..N  (see src/agents/features.ts)
 *   x_cur = Σ_i isCurrent_i · x_i                 the serving node's features (feature 0 is isCurrent)
 *   c     = context(x_1..x_N)                     what the heads know about the rest of the cluster
 *   Q(migrate to i) = MLP_node([x_i, x_cur, c])   shared across nodes (Dense(H, ReLU)… → Dense(1))
 *   Q(Wait)         = MLP_wait([x_cur, c])
 *
 * Context choices (`context`; the agents' config defaults to `'none'`, which transferred best, see below):
 * - `'attention'`: one-head dot-product attention pooling with the serving node as the query,
 *   `c = Σ_i softmax_i(q·k_i/√D) v_i`, q = x_cur·W_q, k_i = x_i·W_k, v_i = ReLU(x_i·W_v). A weighted mean, so its
 *   scale does not drift with N.
 * - `'lstm'`: the last hidden state of an LSTM(D) run over x_1..x_N (the issue's first suggestion). Measured: it
 *   transfers worse to larger N — after 3 steps of recurrence in training, 8 steps at run time put h out of
 *   distribution (see src/agents/README.md).
 * - `'none'`: no cluster summary; the node head is one shared network slid along the node sequence (a width-1
 *   convolution), judging each candidate against the serving node. Nothing in it depends on N.
 * Giving both heads x_cur lets them compare a candidate with the serving node directly, which means the same for
 * any N. Measured (DQN, 50k steps on sr111, seeds 1–3, mean return over 50 held-out episodes; never ≈ 44 on
 * highway-5/8): on highway-8, none 270/112/128, attention 59/55/46, lstm 44/44 (= never); on highway-5, none
 * 158/107/111, attention 61/59/141, lstm 85/70.
 *
 * The weights do not depend on N, so the same parameters run for any N ≤ `maxNodes` (buffers are sized for it).
 * Outputs are `[rows, N + 1]` with Wait first, matching the action layout (0 = Wait, j = node j).
 */
import type { Backend, Vec } from './backend.js';
import { createBackend } from './create-backend.js';
import { AttentionPool } from './attention-pool.js';
import { Dense } from './dense.js';
import { Lstm } from './lstm.js';
import { initialiseKeras, LayoutBuilder, paramView, type NetworkOptions, type ParamSpec } from './params.js';

/** How the node-sequence network summarises the cluster (see the file comment). */
export type NodeContext = 'attention' | 'lstm' | 'none';

/** Serializable description; `nodes` is the N the buffers are currently shaped for. */
export interface NodeSequenceSpec {
  kind: 'node-seq';
  /** Features per node (3; feature 0 must be the isCurrent flag). */
  featureSize: number;
  context: NodeContext;
  /** Width D of the context vector (LSTM units or attention dimension). */
  contextUnits: number;
  /** Hidden widths of both heads (ReLU). */
  hidden: number[];
  /** Current N. */
  nodes: number;
}

/** Largest N a node-sequence network is sized for unless told otherwise. */
export const DEFAULT_MAX_NODES = 16;

/** Width of the context vector of a spec (0 for `none`). */
function contextWidth(spec: NodeSequenceSpec): number {
  return spec.context === 'none' ? 0 : spec.contextUnits;
}

export function nodeSequenceLayout(spec: NodeSequenceSpec): { specs: ParamSpec[]; total: number } {
  const L = new LayoutBuilder();
  const F = spec.featureSize, D = contextWidth(spec);
  if (spec.context === 'lstm') {
    L.add('lstm/kernel', [F, 4 * D]);
    L.add('lstm/recurrent_kernel', [D, 4 * D]);
    L.add('lstm/bias', [4 * D]);
  } else if (spec.context === 'attention') {
    for (const p of ['query', 'key', 'value']) {
      L.add(`attention_${p}/kernel`, [F, D]);
      L.add(`attention_${p}/bias`, [D]);
    }
  }
  for (const [head, inputs] of [['node', 2 * F + D], ['wait', F + D]] as const) {
    let width: number = inputs;
    [...spec.hidden, 1].forEach((w, i) => {
      L.add(`${head}_dense_${i}/kernel`, [width, w]);
      L.add(`${head}_dense_${i}/bias`, [w]);
      width = w;
    });
  }
  return { specs: L.specs, total: L.total };
}

export class NodeSequenceNetwork {
  readonly backend: Backend;
  readonly params: Vec;
  readonly grads: Vec;
  readonly paramSpecs: readonly ParamSpec[];
  readonly maxRows: number;
  readonly maxNodes: number;
  readonly input: Vec;
  private readonly lstm: Lstm | null = null;
  private readonly attention: AttentionPool | null = null;
  private readonly nodeHead: Dense[];
  private readonly waitHead: Dense[];
  private readonly xCur: Vec;
  private readonly nodeIn: Vec;
  private readonly waitIn: Vec;
  private readonly out: Vec;
  private readonly dNode: Vec;
  private readonly dWait: Vec;
  private readonly dc: Vec;
  private nodes: number;

  constructor(readonly spec: NodeSequenceSpec, opts: NetworkOptions & { maxNodes?: number } = {}) {
    this.maxRows = opts.maxRows ?? 32;
    this.maxNodes = Math.max(opts.maxNodes ?? DEFAULT_MAX_NODES, spec.nodes);
    this.backend = opts.backend ?? createBackend(opts.dtype ?? 'float32');
    const b = this.backend;
    const { specs, total } = nodeSequenceLayout(spec);
    this.paramSpecs = specs;
    this.params = b.alloc(total);
    this.grads = b.alloc(total);
    const P = (name: string, span = 1): Vec => paramView(this.params, specs, name, span);
    const G = (name: string, span = 1): Vec => paramView(this.grads, specs, name, span);
    const F = spec.featureSize, D = contextWidth(spec), R = this.maxRows, M = this.maxNodes;
    const dense = (name: string, inputs: number, units: number, act: 'linear' | 'relu', rows: number, inputGrad: boolean): Dense =>
      new Dense(b, inputs, units, act, rows, P(`${name}/kernel`), P(`${name}/bias`), G(`${name}/kernel`), G(`${name}/bias`), inputGrad);
    if (spec.context === 'lstm') {
      this.lstm = new Lstm(b, F, D, M, R, P('lstm/kernel', 2), P('lstm/bias'), G('lstm/kernel', 2), G('lstm/bias'));
    } else if (spec.context === 'attention') {
      this.attention = new AttentionPool(b, D, R, M,
        dense('attention_query', F, D, 'linear', R, false), dense('attention_key', F, D, 'linear', R * M, false), dense('attention_value', F, D, 'relu', R * M, false));
    }
    const head = (name: string, inputs: number, rows: number): Dense[] => {
      let width = inputs;
      return [...spec.hidden, 1].map((w, i, all) => {
        const d = dense(`${name}_dense_${i}`, width, w, i === all.length - 1 ? 'linear' : 'relu', rows, true);
        width = w;
        return d;
      });
    };
    this.nodeHead = head('node', 2 * F + D, R * M);
    this.waitHead = head('wait', F + D, R);
    this.input = b.alloc(R * M * F);
    this.xCur = b.alloc(R * F);
    this.nodeIn = b.alloc(R * M * (2 * F + D));
    this.waitIn = b.alloc(R * (F + D));
    this.out = b.alloc(R * (M + 1));
    this.dNode = b.alloc(R * M);
    this.dWait = b.alloc(R);
    this.dc = b.alloc(R * Math.max(D, 1));
    this.nodes = spec.nodes;
    this.setNodes(spec.nodes);
    if (opts.rng) initialiseKeras(this.params, this.paramSpecs, opts.rng);
  }

  /** Reshape for N nodes (no allocation; N ≤ maxNodes). */
  setNodes(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > this.maxNodes) throw new RangeError(`node-seq network: nodes must be in 1..${this.maxNodes}, got ${n}`);
    this.nodes = n;
    if (this.lstm) this.lstm.steps = n;
  }

  get nodeCount(): number {
    return this.nodes;
  }
  get inputSize(): number {
    return this.nodes * this.spec.featureSize;
  }
  get outputSize(): number {
    return this.nodes + 1;
  }

  forward(rows: number): Vec {
    const N = this.nodes, F = this.spec.featureSize, D = contextWidth(this.spec), W = 2 * F + D;
    const x = this.input, xCur = this.xCur;
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < F; f++) xCur[r * F + f] = 0;
      for (let i = 0; i < N; i++) {
        const xi = (r * N + i) * F;
        const cur = x[xi];
        if (cur !== 0) for (let f = 0; f < F; f++) xCur[r * F + f] += cur * x[xi + f];
      }
    }
    const c: Vec | null = this.lstm ? this.lstm.forward(x, rows) : this.attention ? this.attention.forward(xCur, x, rows, N) : null;
    const nodeIn = this.nodeIn, waitIn = this.waitIn;
    for (let r = 0; r < rows; r++) {
      const wr = r * (F + D);
      for (let f = 0; f < F; f++) waitIn[wr + f] = xCur[r * F + f];
      for (let d = 0; d < D; d++) waitIn[wr + F + d] = c![r * D + d];
      for (let i = 0; i < N; i++) {
        const dst = (r * N + i) * W;
        for (let f = 0; f < F; f++) nodeIn[dst + f] = x[(r * N + i) * F + f];
        for (let k = 0; k < F + D; k++) nodeIn[dst + F + k] = waitIn[wr + k];
      }
    }
    let y: Vec = nodeIn;
    for (const d of this.nodeHead) y = d.forward(y, rows * N);
    let w: Vec = waitIn;
    for (const d of this.waitHead) w = d.forward(w, rows);
    const out = this.out;
    for (let r = 0; r < rows; r++) {
      out[r * (N + 1)] = w[r];
      for (let i = 0; i < N; i++) out[r * (N + 1) + 1 + i] = y[r * N + i];
    }
    return out;
  }

  backward(dOut: Vec, rows: number): void {
    const N = this.nodes, F = this.spec.featureSize, D = contextWidth(this.spec), W = 2 * F + D;
    for (let r = 0; r < rows; r++) {
      this.dWait[r] = dOut[r * (N + 1)];
      for (let i = 0; i < N; i++) this.dNode[r * N + i] = dOut[r * (N + 1) + 1 + i];
    }
    let dy: Vec = this.dNode;
    for (let k = this.nodeHead.length - 1; k >= 0; k--) {
      const xin = k > 0 ? this.nodeHead[k - 1]!.y : this.nodeIn;
      dy = this.nodeHead[k]!.backward(xin, dy, rows * N)!;
    }
    let dw: Vec = this.dWait;
    for (let k = this.waitHead.length - 1; k >= 0; k--) {
      const xin = k > 0 ? this.waitHead[k - 1]!.y : this.waitIn;
      dw = this.waitHead[k]!.backward(xin, dw, rows)!;
    }
    if (D === 0) return;
    // dL/dc from the wait head and from every node row (x_i and x_cur are inputs: no gradient needed).
    const dc = this.dc;
    for (let r = 0; r < rows; r++) {
      for (let d = 0; d < D; d++) {
        let s = dw[r * (F + D) + F + d];
        for (let i = 0; i < N; i++) s += dy[(r * N + i) * W + 2 * F + d];
        dc[r * D + d] = s;
      }
    }
    if (this.lstm) this.lstm.backward(dc, rows);
    else this.attention!.backward(this.xCur, this.input, dc, rows, N);
  }

  zeroGrads(): void {
    this.grads.fill(0);
  }
}
