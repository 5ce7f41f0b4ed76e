/**
 * Named parameter tensors inside one flat buffer, shared options for building networks, and Keras initialisation.
 */
import type { Rng } from '../core/rng.js';
import type { Backend, DType, Vec } from './backend.js';
import { glorotUniform, orthogonal } from './init.js';

/** One named parameter tensor inside the flat buffer. */
export interface ParamSpec {
  /** Keras-style name, e.g. `lstm/recurrent_kernel`. */
  name: string;
  shape: number[];
  /** Element offset in the flat buffer. */
  offset: number;
  size: number;
}

export interface NetworkOptions {
  /** Largest batch the buffers are sized for (the DQN batch, default 32). */
  maxRows?: number;
  dtype?: DType;
  /** Share a backend between networks (e.g. online and target). */
  backend?: Backend;
  /** Draws the Keras initialisation; when omitted parameters are zero (to be loaded). */
  rng?: Rng;
}

/** Builds a layout by appending named tensors. */
export class LayoutBuilder {
  readonly specs: ParamSpec[] = [];
  total = 0;
  add(name: string, shape: number[]): void {
    const size = shape.reduce((a, b) => a * b, 1);
    this.specs.push({ name, shape, offset: this.total, size });
    this.total += size;
  }
}

/** The view of `span` consecutive tensors starting at `name` inside `buf`. */
export function paramView(buf: Vec, specs: readonly ParamSpec[], name: string, span = 1): Vec {
  const i = specs.findIndex((s) => s.name === name);
  if (i < 0) throw new RangeError(`no parameter named ${name}`);
  let size = 0;
  for (let k = i; k < i + span; k++) size += specs[k]!.size;
  return buf.subarray(specs[i]!.offset, specs[i]!.offset + size);
}

/**
 * Keras defaults: Dense and LSTM `kernel` Glorot-uniform, LSTM `recurrent_kernel` orthogonal, biases zero,
 * LSTM forget-gate bias 1 (`unit_forget_bias=True`; gate order i, f, c, o).
 */
export function initialiseKeras(params: Vec, specs: readonly ParamSpec[], rng: Rng): void {
  params.fill(0);
  for (const s of specs) {
    if (s.name.endsWith('/recurrent_kernel')) orthogonal(rng, params, s.offset, s.shape[0]!, s.shape[1]!);
    else if (s.name.endsWith('/kernel')) glorotUniform(rng, params, s.offset, s.shape[0]!, s.shape[1]!);
    else if (s.name.endsWith('lstm/bias')) {
      const U = s.size / 4;
      for (let j = 0; j < U; j++) params[s.offset + U + j] = 1;
    }
  }
}
