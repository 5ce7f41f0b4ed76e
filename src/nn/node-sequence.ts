/**
 * A size-agnostic Q-network (beyond the paper). The paper chose an LSTM because it "can handle variable-size
 * inputs"; its Table II network still has a fixed |A| = N + 1 output layer, so a model trained on 3 nodes cannot
 * run on 5. This network reads the nodes as a sequence and emits one Q-value per node plus one for Wait:
 *
 *   x_i = (isCurrent_i, rtt_i, load_i)            per node i = 1..N  (see src/agents/features.ts)
 *   h   = LSTM(U)(x_1..x_N)                       a summary of the whole cluster
 *   Q(migrate to i) = MLP_node([x_i, h])          shared across nodes (Dense(H, ReLU)… → Dense(1))
 *   Q(Wait)         = MLP_wait(h)
 *
 * The weights do not depend on N, so the same parameters run for any N ≤ `maxNodes` (buffers are sized for it).
 * Outputs are `[rows, N + 1]` with Wait first, matching the action layout (0 = Wait, j = node j).
 */
import { createBackend, type Backend, type Vec } from './backend.js';
import { Dense } from './dense.js';
import { Lstm } from './lstm.js';
import { initialiseKeras, LayoutBuilder, type NetworkOptions, type ParamSpec } from './params.js';

/** Serializable description; `nodes` is the N the buffers are currently shaped for. */
export interface NodeSequenceSpec {
  kind: 'node-seq';
  /** Features per node (3). */
  featureSize: number;
  lstmUnits: number;
  /** Hidden widths of both heads (ReLU). */
  hidden: number[];
  /** Current N. */
  nodes: number;
}

/** Largest N a node-sequence network is sized for unless told otherwise. */
export const DEFAULT_MAX_NODES = 16;

export function nodeSequenceLayout(spec: NodeSequenceSpec): { specs: ParamSpec[]; total: number } {
  const L = new LayoutBuilder();
  const F = spec.featureSize, U = spec.lstmUnits;
  L.add('lstm/kernel', [F, 4 * U]);
  L.add('lstm/recurrent_kernel', [U, 4 * U]);
  L.add('lstm/bias', [4 * U]);
  for (const [head, inputs] of [['node', F + U], ['wait', U]] as const) {
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
  private readonly lstm: Lstm;
  private readonly nodeHead: Dense[];
  private readonly waitHead: Dense[];
  private readonly nodeIn: Vec;
  private readonly out: Vec;
  private readonly dNode: Vec;
  private readonly dWait: Vec;
  private readonly dh: Vec;
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
    const view = (buf: Vec, name: string, span = 1): Vec => {
      const i = specs.findIndex((s) => s.name === name);
      let size = 0;
      for (let k = i; k < i + span; k++) size += specs[k]!.size;
      return buf.subarray(specs[i]!.offset, specs[i]!.offset + size);
    };
    const F = spec.featureSize, U = spec.lstmUnits, R = this.maxRows, M = this.maxNodes;
    this.lstm = new Lstm(b, F, U, M, R, view(this.params, 'lstm/kernel', 2), view(this.params, 'lstm/bias'), view(this.grads, 'lstm/kernel', 2), view(this.grads, 'lstm/bias'));
    const head = (name: string, inputs: number, rows: number): Dense[] => {
      let width = inputs;
      return [...spec.hidden, 1].map((w, i, all) => {
        const d = new Dense(b, width, w, i === all.length - 1 ? 'linear' : 'relu', rows,
          view(this.params, `${name}_dense_${i}/kernel`), view(this.params, `${name}_dense_${i}/bias`),
          view(this.grads, `${name}_dense_${i}/kernel`), view(this.grads, `${name}_dense_${i}/bias`), true);
        width = w;
        return d;
      });
    };
    this.nodeHead = head('node', F + U, R * M);
    this.waitHead = head('wait', U, R);
    this.input = b.alloc(R * M * F);
    this.nodeIn = b.alloc(R * M * (F + U));
    this.out = b.alloc(R * (M + 1));
    this.dNode = b.alloc(R * M);
    this.dWait = b.alloc(R);
    this.dh = b.alloc(R * U);
    this.nodes = spec.nodes;
    this.setNodes(spec.nodes);
    if (opts.rng) initialiseKeras(this.params, this.paramSpecs, opts.rng);
  }

  /** Reshape for N nodes (no allocation; N ≤ maxNodes). */
  setNodes(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > this.maxNodes) throw new RangeError(`node-seq network: nodes must be in 1..${this.maxNodes}, got ${n}`);
    this.nodes = n;
    this.lstm.steps = n;
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
    const N = this.nodes, F = this.spec.featureSize, U = this.spec.lstmUnits, W = F + U;
    const h = this.lstm.forward(this.input, rows);
    const nodeIn = this.nodeIn;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < N; i++) {
        const dst = (r * N + i) * W;
        for (let f = 0; f < F; f++) nodeIn[dst + f] = this.input[(r * N + i) * F + f];
        for (let u = 0; u < U; u++) nodeIn[dst + F + u] = h[r * U + u];
      }
    }
    let x: Vec = nodeIn;
    for (const d of this.nodeHead) x = d.forward(x, rows * N);
    let w: Vec = h;
    for (const d of this.waitHead) w = d.forward(w, rows);
    const out = this.out;
    for (let r = 0; r < rows; r++) {
      out[r * (N + 1)] = w[r];
      for (let i = 0; i < N; i++) out[r * (N + 1) + 1 + i] = x[r * N + i];
    }
    return out;
  }

  backward(dOut: Vec, rows: number): void {
    const N = this.nodes, F = this.spec.featureSize, U = this.spec.lstmUnits, W = F + U;
    for (let r = 0; r < rows; r++) {
      this.dWait[r] = dOut[r * (N + 1)];
      for (let i = 0; i < N; i++) this.dNode[r * N + i] = dOut[r * (N + 1) + 1 + i];
    }
    let dy: Vec = this.dNode;
    for (let k = this.nodeHead.length - 1; k >= 0; k--) {
      const x = k > 0 ? this.nodeHead[k - 1]!.y : this.nodeIn;
      dy = this.nodeHead[k]!.backward(x, dy, rows * N)!;
    }
    const dh = this.dh;
    dh.fill(0, 0, rows * U);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < N; i++) {
        const src = (r * N + i) * W + F;
        for (let u = 0; u < U; u++) dh[r * U + u] += dy[src + u];
      }
    }
    let dw: Vec = this.dWait;
    for (let k = this.waitHead.length - 1; k >= 0; k--) {
      const x = k > 0 ? this.waitHead[k - 1]!.y : this.lstm.h;
      dw = this.waitHead[k]!.backward(x, dw, rows)!;
    }
    for (let i = 0; i < rows * U; i++) dh[i] += dw[i];
    this.lstm.backward(dh, rows);
  }

  zeroGrads(): void {
    this.grads.fill(0);
  }
}
