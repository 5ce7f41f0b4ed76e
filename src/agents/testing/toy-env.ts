/**
 * A tiny env with the paper's observation layout, for agent tests that must not depend on the twin.
 * A user drives past N nodes; R_j grows with the distance to node j; the reward favours the nearest node and
 * penalises migrations; the episode terminates when the serving node's RTT exceeds 20 ms, and is truncated after
 * `maxSteps`. `never` terminates after a few steps, follow-the-nearest survives the whole drive.
 */
import type { Env, ResetOptions, ResetResult, StepInfo, StepResult } from '../../core/env.js';
import { actionLabels, observationLabels } from '../../core/observation.js';
import { Rng } from '../../core/rng.js';
import { box, discrete, type BoxSpace, type DiscreteSpace } from '../../core/spaces.js';

export interface ToyEnvOptions {
  nodes?: number;
  maxSteps?: number;
  /** Forbid migrations on odd steps (exercises masks). */
  maskOddSteps?: boolean;
}

export class ToyEnv implements Env {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  readonly nodes: number;
  readonly maxSteps: number;
  private readonly rng = new Rng(0);
  private readonly obs: Float64Array;
  private readonly info: StepInfo;
  private readonly result: StepResult<Float64Array>;
  private pos = 0;
  private speed = 1;
  private serving = 1;
  private t = 0;
  private readonly maskOdd: boolean;

  constructor(opts: ToyEnvOptions = {}) {
    const n = (this.nodes = opts.nodes ?? 3);
    this.maxSteps = opts.maxSteps ?? 25;
    this.maskOdd = opts.maskOddSteps ?? false;
    const low = new Float64Array(2 * n + 1).fill(0), high = new Float64Array(2 * n + 1).fill(1000);
    low[0] = 1;
    high[0] = n;
    this.observationSpace = box(low, high, observationLabels(n));
    this.actionSpace = discrete(n + 1, actionLabels(n));
    this.obs = new Float64Array(2 * n + 1);
    this.info = { actionMask: new Uint8Array(n + 1).fill(1), t: 0 };
    this.result = { observation: this.obs, reward: 0, terminated: false, truncated: false, info: this.info };
  }

  private rtt(j: number): number {
    // Nodes every 10 units along the road; 2 ms base plus 2 ms per unit of distance, plus a little noise.
    return 2 + 2 * Math.abs(this.pos - 10 * (j - 1)) + 0.3 * this.rng.normal();
  }

  private observe(): void {
    const n = this.nodes;
    this.obs[0] = this.serving;
    for (let j = 1; j <= n; j++) {
      this.obs[j] = Math.max(0.5, this.rtt(j));
      this.obs[n + j] = 1.5 + 0.5 * this.rng.uniform();
    }
    this.info.t = this.t;
    const allow = !this.maskOdd || this.t % 2 === 0 ? 1 : 0;
    this.info.actionMask[0] = 1;
    for (let j = 1; j <= n; j++) this.info.actionMask[j] = allow;
  }

  reset(options?: ResetOptions): ResetResult<Float64Array> {
    if (options?.seed !== undefined) this.rng.seed(options.seed);
    this.pos = -2;
    this.speed = 0.8 + 0.4 * this.rng.uniform();
    this.serving = 1;
    this.t = 0;
    this.observe();
    return { observation: this.obs, info: this.info };
  }

  step(action: number): StepResult<Float64Array> {
    const n = this.nodes;
    if (!(Number.isInteger(action) && action >= 0 && action <= n)) throw new RangeError(`bad action ${action}`);
    if (this.info.actionMask[action] !== 1) throw new RangeError(`masked action ${action} at t=${this.t}`);
    let reward = 0;
    if (action !== 0 && action !== this.serving) {
      this.serving = action;
      reward -= 0.3;
    }
    const r = this.obs[this.serving]!;
    let best = Infinity;
    for (let j = 1; j <= n; j++) best = Math.min(best, this.obs[j]!);
    reward += 1 + best / r - r / 20;
    this.pos += this.speed;
    this.t++;
    this.observe();
    this.result.reward = reward;
    this.result.terminated = this.obs[this.serving]! > 20;
    this.result.truncated = !this.result.terminated && this.t >= this.maxSteps;
    return this.result;
  }

  close(): void {}
}
