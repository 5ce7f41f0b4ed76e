/**
 * Networks assembled from {@link Dense} and {@link Lstm} over one flat parameter buffer (and one flat gradient
 * buffer with the same layout), so Adam, target-network copies, hashing and serialisation are single array ops.
 *
 * Architectures:
 * - `mlp`: Dense(h1, ReLU) → … → Dense(outputs, linear). Deep SARSA's Q-network (Table II: 2 × 24, ReLU).
 * - `lstm-mlp`: LSTM(U) over `steps` inputs → Dense(h, ReLU) … → Dense(outputs). The DQN Q-network (Table II).
 * Parameters are named as Keras names them (`lstm/kernel`, `dense_1/bias`, …) for the TF.js export.
 */
import type { Backend, Vec } from './backend.js';
import { createBackend } from './create-backend.js';
import { Dense } from './dense.js';
import { Lstm } from './lstm.js';
import { NodeSequenceNetwork, nodeSequenceLayout, type NodeSequenceSpec } from './node-sequence.js';
import { initialiseKeras, LayoutBuilder, paramView, type NetworkOptions, type ParamSpec } from './params.js';

export type { NetworkOptions, ParamSpec } from './params.js';

/** Serializable description of a feed-forward Q-network. */
export type ArchitectureSpec =
  | NodeSequenceSpec
  | {
      kind: 'mlp';
      /** Features per sample. */
      inputSize: number;
      /** Hidden Dense widths (ReLU). */
      hidden: number[];
      /** Linear outputs (one Q-value per action). */
      outputs: number;
    }
  | {
      kind: 'lstm-mlp';
      /** Features per time step. */
      inputSize: number;
      /** Sequence length (the DQN window W). */
      steps: number;
      /** LSTM units. */
      lstmUnits: number;
      /** Hidden Dense widths (ReLU) after the LSTM. */
      hidden: number[];
      outputs: number;
    };

/** What an agent needs of a Q-network. */
export interface Network {
  readonly spec: ArchitectureSpec;
  readonly backend: Backend;
  /** All parameters, flat, in {@link paramSpecs} order. */
  readonly params: Vec;
  /** dL/dparams, same layout; `backward` accumulates into it. */
  readonly grads: Vec;
  readonly paramSpecs: readonly ParamSpec[];
  /** Floats per sample in {@link input} (`steps·inputSize` for the LSTM). */
  readonly inputSize: number;
  readonly outputSize: number;
  readonly maxRows: number;
  /** Input buffer `[maxRows, inputSize]`: fill the first `rows` rows, then call `forward(rows)`. */
  readonly input: Vec;
  /** Runs the network on the first `rows` rows of `input`; returns the output view `[rows, outputSize]` (owned). */
  forward(rows: number): Vec;
  /** Accumulates gradients given dL/dOutput `[rows, outputSize]` (may be overwritten) for the last `forward`. */
  backward(dOut: Vec, rows: number): void;
  zeroGrads(): void;
}

/** The feed-forward architectures (everything but the node-sequence network). */
export type FeedForwardSpec = Exclude<ArchitectureSpec, NodeSequenceSpec>;

/** Parameter layout of a spec: names, shapes, offsets, and the total count. */
export function paramLayout(spec: ArchitectureSpec): { specs: ParamSpec[]; total: number } {
  if (spec.kind === 'node-seq') return nodeSequenceLayout(spec);
  const L = new LayoutBuilder();
  let width = spec.inputSize;
  if (spec.kind === 'lstm-mlp') {
    const U = spec.lstmUnits;
    // kernel then recurrent_kernel, contiguous: together they are the fused [inputs + U, 4U] matrix.
    L.add('lstm/kernel', [spec.inputSize, 4 * U]);
    L.add('lstm/recurrent_kernel', [U, 4 * U]);
    L.add('lstm/bias', [4 * U]);
    width = U;
  }
  const widths = [...spec.hidden, spec.outputs];
  widths.forEach((w, i) => {
    const name = i === 0 ? 'dense' : `dense_${i}`;
    L.add(`${name}/kernel`, [width, w]);
    L.add(`${name}/bias`, [w]);
    width = w;
  });
  return { specs: L.specs, total: L.total };
}

/** Checks a spec's numbers; throws RangeError naming the bad field. */
export function validateArchitecture(spec: ArchitectureSpec): void {
  const pos = (v: unknown, f: string): void => {
    if (!Number.isInteger(v) || (v as number) < 1) throw new RangeError(`architecture.${f}: expected a positive integer, got ${String(v)}`);
  };
  spec.hidden.forEach((h, i) => pos(h, `hidden[${i}]`));
  if (spec.kind === 'node-seq') {
    pos(spec.featureSize, 'featureSize');
    pos(spec.contextUnits, 'contextUnits');
    if (!['attention', 'lstm', 'none'].includes(spec.context)) throw new RangeError(`architecture.context: expected attention|lstm|none, got ${String(spec.context)}`);
    pos(spec.nodes, 'nodes');
    return;
  }
  pos(spec.inputSize, 'inputSize');
  pos(spec.outputs, 'outputs');
  if (spec.kind === 'lstm-mlp') {
    pos(spec.steps, 'steps');
    pos(spec.lstmUnits, 'lstmUnits');
  }
}

/** The feed-forward (optionally LSTM-fronted) network of an {@link ArchitectureSpec}. */
export class FeedForwardNetwork implements Network {
  readonly backend: Backend;
  readonly params: Vec;
  readonly grads: Vec;
  readonly paramSpecs: readonly ParamSpec[];
  readonly inputSize: number;
  readonly outputSize: number;
  readonly maxRows: number;
  readonly input: Vec;
  private readonly lstm: Lstm | null;
  private readonly dense: Dense[];
  private readonly dTop: Vec;

  constructor(readonly spec: FeedForwardSpec, opts: NetworkOptions = {}) {
    validateArchitecture(spec);
    this.maxRows = opts.maxRows ?? 32;
    this.backend = opts.backend ?? createBackend(opts.dtype ?? 'float32');
    const b = this.backend;
    const { specs, total } = paramLayout(spec);
    this.paramSpecs = specs;
    this.params = b.alloc(total);
    this.grads = b.alloc(total);
    const view = (buf: Vec, name: string, span = 1): Vec => paramView(buf, specs, name, span);
    let width: number;
    if (spec.kind === 'lstm-mlp') {
      this.inputSize = spec.steps * spec.inputSize;
      this.lstm = new Lstm(b, spec.inputSize, spec.lstmUnits, spec.steps, this.maxRows,
        view(this.params, 'lstm/kernel', 2), view(this.params, 'lstm/bias'),
        view(this.grads, 'lstm/kernel', 2), view(this.grads, 'lstm/bias'));
      width = spec.lstmUnits;
    } else {
      this.inputSize = spec.inputSize;
      this.lstm = null;
      width = spec.inputSize;
    }
    this.input = b.alloc(this.maxRows * this.inputSize);
    this.dense = [];
    const widths = [...spec.hidden, spec.outputs];
    widths.forEach((w, i) => {
      const name = i === 0 ? 'dense' : `dense_${i}`;
      const last = i === widths.length - 1;
      // The first Dense after an LSTM needs dL/dx (to feed BPTT); after raw input it does not.
      const inputGrad = i > 0 || this.lstm !== null;
      this.dense.push(new Dense(b, width, w, last ? 'linear' : 'relu', this.maxRows,
        view(this.params, `${name}/kernel`), view(this.params, `${name}/bias`),
        view(this.grads, `${name}/kernel`), view(this.grads, `${name}/bias`), inputGrad));
      width = w;
    });
    this.outputSize = spec.outputs;
    this.dTop = b.alloc(this.maxRows * this.outputSize);
    if (opts.rng) initialiseKeras(this.params, this.paramSpecs, opts.rng);
  }

  forward(rows: number): Vec {
    if (rows > this.maxRows || rows < 1) throw new RangeError(`forward: rows must be in 1..${this.maxRows}, got ${rows}`);
    let x = this.lstm ? this.lstm.forward(this.input, rows) : this.input;
    for (const d of this.dense) x = d.forward(x, rows);
    return x;
  }

  backward(dOut: Vec, rows: number): void {
    const n = rows * this.outputSize;
    let dy: Vec = this.dTop;
    for (let i = 0; i < n; i++) dy[i] = dOut[i];
    for (let i = this.dense.length - 1; i >= 0; i--) {
      const x = i > 0 ? this.dense[i - 1]!.y : this.lstm ? this.lstm.h : this.input;
      const dx = this.dense[i]!.backward(x, dy, rows);
      if (i > 0 || this.lstm) dy = dx!;
    }
    if (this.lstm) this.lstm.backward(dy, rows);
  }

  zeroGrads(): void {
    this.grads.fill(0);
  }
}

/** Build a network for `spec`. */
export function createNetwork(spec: ArchitectureSpec, opts: NetworkOptions = {}): Network {
  if (spec.kind === 'node-seq') return new NodeSequenceNetwork(spec, opts);
  return new FeedForwardNetwork(spec, opts);
}
