/**
 * The residual DAgger learner (config and references in dagger-config.ts). It never sees the env or the oracle:
 * the loop that owns both (src/experiments/train/dagger-train.ts) hands it each visited state and, for states with
 * a choice, the oracle's hindsight action values `Q*(s, ·)`.
 *
 * Labels. The oracle's values are returns-to-go, whose level depends on how much of the trip is left, which no
 * observation shows; only their differences between actions are a function of the state. So the target of
 * `prior + f` is the advantage `A*_a = max(Q*_a − max_b Q*_b, −targetClip)`, matched up to a per-state constant:
 * the loss is `½ Σ_a (e_a − ē)² + ½ λ Σ_a f_a²` over the legal actions, `e = prior + f − A*`, `ē` its mean. The
 * rule's own action values being a prior, a state where the rule already ranks the actions as the oracle does asks
 * nothing of the residual; the λ term keeps it at zero where the labels disagree among themselves.
 *
 * The network's output layers start at zero, so before any update the agent is exactly the rule.
 */
import type { Policy } from '../core/env.js';
import type { RewardParams } from '../core/reward.js';
import type { Rng } from '../core/rng.js';
import { Adam } from '../nn/adam.js';
import type { Vec } from '../nn/backend.js';
import { createBackend } from '../nn/create-backend.js';
import { NodeSequenceNetwork, type NodeSequenceSpec } from '../nn/node-sequence.js';
import { paramView } from '../nn/params.js';
import type { DaggerConfig } from './dagger-config.js';
import { saveModel, type PolicyHeader } from './policy-file.js';
import { emptyRange, plannerFor, ResidualInputs, residualArgmax, ResidualQPolicy, widenRange, type Deployment, type FeatureRange, type PlannerContext } from './residual-policy.js';
import { SCALE_FREE_FEATURES } from './scale-free-features.js';

/** The network of a residual agent: node-sequence, no context (the size-agnostic choice that transferred best). */
export function residualArchitecture(config: DaggerConfig, nodes: number): NodeSequenceSpec {
  return { kind: 'node-seq', featureSize: SCALE_FREE_FEATURES, context: 'none', contextUnits: 1, hidden: [...config.hidden], nodes };
}

/** Zero the last layer of both heads: the residual starts at 0, so the untrained agent is the rule. */
export function zeroResidual(net: NodeSequenceNetwork): void {
  const last = net.spec.hidden.length;
  for (const head of ['node', 'wait']) for (const p of ['kernel', 'bias']) paramView(net.params, net.paramSpecs, `${head}_dense_${last}/${p}`).fill(0);
}

/** A bound for JSON: an empty range's ±∞ as null. */
const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The labelled states of one node count, growing. */
class Bucket {
  size = 0;
  features = new Float32Array(0);
  prior = new Float64Array(0);
  target = new Float64Array(0);
  constructor(readonly nodes: number) {}
  push(features: Vec, prior: Float64Array, qStar: ArrayLike<number>): void {
    const F = this.nodes * SCALE_FREE_FEATURES, A = this.nodes + 1;
    if (this.size * A === this.prior.length) this.grow(Math.max(1024, 2 * this.size));
    this.features.set(features.subarray(0, F), this.size * F);
    for (let a = 0; a < A; a++) {
      this.prior[this.size * A + a] = prior[a]!;
      this.target[this.size * A + a] = qStar[a]!;
    }
    this.size++;
  }
  private grow(capacity: number): void {
    const F = this.nodes * SCALE_FREE_FEATURES, A = this.nodes + 1;
    const f = new Float32Array(capacity * F), p = new Float64Array(capacity * A), t = new Float64Array(capacity * A);
    f.set(this.features);
    p.set(this.prior);
    t.set(this.target);
    this.features = f;
    this.prior = p;
    this.target = t;
  }
}

export class DaggerLearner {
  readonly network: NodeSequenceNetwork;
  private readonly adam: Adam;
  private readonly inputs: ResidualInputs;
  private readonly scratch: Float32Array;
  private readonly dOut: Vec;
  private readonly q: Float64Array;
  private readonly idx: Int32Array;
  private readonly buckets = new Map<number, Bucket>();
  private nodesNow = 0;
  /** Gradient updates applied. */
  updates = 0;
  /** Feature bounds of every labelled state so far (what the fit has seen). */
  readonly range: FeatureRange = emptyRange(SCALE_FREE_FEATURES);

  constructor(readonly config: DaggerConfig, readonly reward: RewardParams, readonly inFlight: boolean, readonly nodes: number, private readonly rng: Rng, readonly plan?: PlannerContext) {
    const backend = createBackend('float32', undefined, 16 * 1024 * 1024);
    this.network = new NodeSequenceNetwork(residualArchitecture(config, nodes), { backend, maxRows: config.batchSize, rng });
    zeroResidual(this.network);
    this.q = new Float64Array(this.network.maxNodes + 1);
    this.adam = new Adam(backend, this.network.params.length, { learningRate: config.learningRate });
    this.dOut = backend.alloc(config.batchSize * (this.network.maxNodes + 1));
    this.inputs = new ResidualInputs(reward, config.prior, inFlight, plan);
    this.scratch = new Float32Array(this.network.maxNodes * SCALE_FREE_FEATURES);
    this.idx = new Int32Array(config.batchSize);
  }

  /** Labelled states gathered so far. */
  get samples(): number {
    let s = 0;
    for (const b of this.buckets.values()) s += b.size;
    return s;
  }

  beginEpisode(): void {
    this.inputs.reset();
  }

  /**
   * Encodes the current state (every step, in order: the trends need the previous one) and returns the learner's
   * greedy action on it.
   */
  see(obs: Float64Array, mask: Uint8Array): number {
    const net = this.network;
    const n = this.inputs.write(obs, mask, this.scratch, 0);
    if (net.nodeCount !== n) net.setNodes(n);
    this.nodesNow = n;
    net.input.set(this.scratch.subarray(0, n * SCALE_FREE_FEATURES));
    const a = residualArgmax(this.inputs.prior, net.forward(1), n, this.q);
    return a === 0 || mask[a] === 1 ? a : 0;
  }

  /** Stores the state last passed to {@link see} with the oracle's action values `qStar[0..N]`. */
  label(qStar: ArrayLike<number>): void {
    const n = this.nodesNow;
    let b = this.buckets.get(n);
    if (!b) this.buckets.set(n, (b = new Bucket(n)));
    b.push(this.scratch, this.inputs.prior, qStar);
    widenRange(this.range, this.scratch, n);
  }

  /** `updates` minibatch steps on the aggregate data set; returns the mean loss. */
  fit(updates: number): number {
    const all = [...this.buckets.values()].filter((b) => b.size > 0);
    const total = all.reduce((s, b) => s + b.size, 0);
    if (total === 0) return Number.NaN;
    const { batchSize: B, targetClip: clip, residualL2: l2 } = this.config;
    const net = this.network;
    let lossSum = 0;
    for (let u = 0; u < updates; u++) {
      let pick = this.rng.int(total), bucket = all[0]!;
      for (const b of all) {
        if (pick < b.size) { bucket = b; break; }
        pick -= b.size;
      }
      const n = bucket.nodes, F = n * SCALE_FREE_FEATURES, A = n + 1;
      if (net.nodeCount !== n) net.setNodes(n);
      const rows = Math.min(B, bucket.size);
      const idx = this.idx;
      for (let r = 0; r < rows; r++) {
        idx[r] = this.rng.int(bucket.size);
        net.input.set(bucket.features.subarray(idx[r]! * F, (idx[r]! + 1) * F), r * F);
      }
      const out = net.forward(rows);
      for (let r = 0; r < rows; r++) lossSum += this.rowGradient(bucket, idx[r]!, out, r, A, clip, l2, rows);
      net.zeroGrads();
      net.backward(this.dOut, rows);
      this.adam.step(net.params, net.grads);
      this.updates++;
    }
    return lossSum / (updates * B);
  }

  /** dLoss/dOut of one row into `dOut` (see the file header); returns the row's loss. */
  private rowGradient(b: Bucket, i: number, out: Vec, r: number, A: number, clip: number, l2: number, rows: number): number {
    const prior = b.prior.subarray(i * A, (i + 1) * A), qs = b.target.subarray(i * A, (i + 1) * A);
    let best = -Infinity, count = 0, mean = 0;
    for (let a = 0; a < A; a++) if (Number.isFinite(prior[a]!) && qs[a]! > best) best = qs[a]!;
    const e = this.q;
    for (let a = 0; a < A; a++) {
      if (!Number.isFinite(prior[a]!)) continue;
      e[a] = prior[a]! + out[r * A + a]! - Math.max(qs[a]! - best, -clip);
      mean += e[a]!;
      count++;
    }
    mean /= count;
    let loss = 0;
    for (let a = 0; a < A; a++) {
      const f = out[r * A + a]!;
      if (!Number.isFinite(prior[a]!)) {
        this.dOut[r * A + a] = 0;
        continue;
      }
      const d = e[a]! - mean;
      loss += 0.5 * d * d + 0.5 * l2 * f * f;
      this.dOut[r * A + a] = (d + l2 * f) / rows;
    }
    return loss;
  }

  /** The range a policy defers outside of: a copy of the data's, or none when the config extrapolates. */
  gateRange(): FeatureRange | undefined {
    return this.config.outOfRange === 'defer' ? { lo: Float64Array.from(this.range.lo), hi: Float64Array.from(this.range.hi) } : undefined;
  }

  /**
   * A greedy policy on a copy of the current weights (or on `params`, a kept checkpoint), with a deviation margin
   * and the range it defers outside of (default: the data's so far, when the config defers). `deployment`: the SLA
   * and migration model of where it will run (default: the training scenario's), as `LoadedModel.policy`.
   */
  policy(params?: ArrayLike<number>, margin = 0, range: FeatureRange | undefined = this.gateRange(), deployment?: Deployment): Policy {
    const net = new NodeSequenceNetwork(this.network.spec, { backend: createBackend('float32', undefined, 4 * 1024 * 1024), maxRows: 1 });
    net.params.set(params ?? this.network.params);
    const plan = deployment ? plannerFor(deployment) : this.plan;
    return new ResidualQPolicy(net, deployment?.reward ?? this.reward, this.config.prior, this.inFlight, plan, 'dagger', margin, range);
  }

  /**
   * Writes `<dir>/model.json` + `model.bin` (the current weights, or `params`, with the deviation `margin` the
   * policy plays with); returns the model.json path.
   */
  save(dir: string, training: PolicyHeader['training'], params?: Vec, margin = 0, range: FeatureRange | undefined = this.gateRange()): string {
    return saveModel(dir, {
      agent: 'dagger', architecture: { ...this.network.spec, nodes: this.nodes }, dueling: false, layout: 'node-sequence', window: 1, nodes: this.nodes,
      inFlight: this.inFlight, featureSet: 'scale-free', params: params ?? this.network.params, training,
      prior: { rule: this.config.prior.rule, scale: this.config.prior.scale, temperature: this.config.prior.temperature, margin, ...(range ? { range: { lo: [...range.lo].map(finiteOrNull), hi: [...range.hi].map(finiteOrNull) } } : {}), reward: this.reward, ...(this.plan && this.config.prior.rule === 'lookahead' ? { planner: this.plan } : {}) },
    });
  }
}
