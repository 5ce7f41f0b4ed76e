/**
 * DQN (Mnih et al. 2015) with keras-rl2 `DQNAgent` semantics, the paper's first agent (Sec. III-C, Table II).
 *
 * keras-rl2 semantics we follow (and cite):
 * - `SequentialMemory(limit=20000, window_length=W)`: states are windows of W observations (see replay.ts).
 * - `nb_steps_warmup=1000`, `train_interval=1`, `batch_size=32`: after 1,000 steps, one update per env step
 *   (keras-rl2 trains when `step > nb_steps_warmup`, with `step` counted before the increment; we count after,
 *   so our first update happens one step earlier).
 * - `target_model_update=20` (Table II) ≥ 1 means a *hard* copy every 20 steps (`step % 20 == 0`).
 * - Target `r + γ·(1 − terminal)·max_a' Q_target(s′, a′)`, γ = 0.99 (Table II); the loss is keras-rl2's
 *   `clipped_masked_error` with `delta_clip = ∞`, i.e. ½(Q(s,a) − y)² averaged over the batch ("0.5·MSE").
 * - Adam, lr 1e-3 (Table II), tf.keras defaults otherwise.
 * - Greedy at test time (keras-rl2's `test_policy = GreedyQPolicy`).
 *
 * Deliberate differences:
 * - Truncated episodes bootstrap (keras-rl2 folds time limits into `done` and zeroes the bootstrap).
 * - keras-rl2's extra `forward/backward(0., terminal=False)` at episode end also runs one more training update
 *   (without advancing `step`); we do exactly one update per env step.
 * - Exploration and targets respect `info.actionMask`.
 * Options beyond the paper (all off by default): Double DQN (van Hasselt 2016; keras-rl2 `enable_double_dqn`),
 * Huber loss (`huberDelta`, keras-rl2 `delta_clip`), dueling head (Wang 2016; keras-rl2 `dueling_type='avg'`),
 * global gradient-norm clipping, n-step returns, prioritized replay (Schaul et al. 2016; `prioritized`, below) and
 * running observation statistics (`observationNorm: 'running'`, normalizer.ts).
 *
 * Prioritized replay: draws come from the memory's sum tree (replay.ts); the importance-sampling weights scale each
 * sample's loss and gradient (`weightedTdLoss`, Alg. 1 line 11), and |δ| + ε of the update becomes each drawn
 * entry's new priority (line 12). β rises linearly from β₀ to 1 over `betaSteps` (default: the whole run).
 */
import type { Rng } from '../core/rng.js';
import { Adam, clipGlobalNorm } from '../nn/adam.js';
import type { Backend, Vec } from '../nn/backend.js';
import { createBackend } from '../nn/create-backend.js';
import { tdLoss, weightedTdLoss } from '../nn/losses.js';
import { createNetwork, type ArchitectureSpec, type Network } from '../nn/network.js';
import type { DqnConfig } from './config.js';
import { explores, LinearAnnealedEpsilon, maskedArgmax, randomLegal } from './exploration.js';
import { encodeObservation, featureSize, RecentWindow, type FeatureLayout } from './features.js';
import { normalizerKinds, RunningNormalizer, type FixedNormalizer } from './normalizer.js';
import { makeReplayBatch, SequentialMemory, type ReplayBatch } from './replay.js';
import type { TrainableAgent } from './agent.js';
import { architectureFor, duelingCombine, duelingBackward } from './q-network.js';

/** DQN hyperparameters: fields, defaults and their Table II / keras-rl2 provenance live in config.ts. */
export { DEFAULT_DQN_CONFIG, type DqnConfig } from './config.js';

export class DqnAgent implements TrainableAgent {
  readonly kind = 'dqn' as const;
  readonly online: Network;
  readonly target: Network;
  readonly spec: ArchitectureSpec;
  readonly layout: FeatureLayout;
  readonly window: number;
  /** Env steps seen while training. */
  step = 0;
  /** Updates applied. */
  updates = 0;
  /** Loss of the last update (NaN before the first). */
  lastLoss = Number.NaN;
  private readonly backend: Backend;
  private readonly adam: Adam;
  private readonly memory: SequentialMemory;
  private readonly recent: RecentWindow;
  private readonly epsilon: LinearAnnealedEpsilon;
  private readonly batch: ReplayBatch;
  private readonly targets: Float64Array;
  private readonly dOut: Vec;
  private readonly qBuf: Float64Array;
  private readonly dQ: Float64Array;
  private readonly nextAction: Int32Array;
  private readonly encoded: Float64Array;
  /** Prioritized replay: importance-sampling weights and TD errors of the last batch. */
  private readonly isWeights: Float64Array;
  private readonly tdErrors: Float64Array;
  /** Running feature statistics (`observationNorm: 'running'`), else null. */
  private readonly normalizer: RunningNormalizer | null;
  private readonly features: number;
  private current = -1;
  private posInEpisode = 0;
  private lastAction = 0;

  /**
   * @param nodes N of the env the agent trains on (|A| = N + 1).
   * @param totalSteps planned training steps (the default ε annealing span).
   * @param inFlight the observations carry the edge model's in-flight block (core/observation.ts).
   */
  constructor(readonly config: DqnConfig, readonly nodes: number, private readonly totalSteps: number, private readonly rng: Rng, backend?: Backend, readonly inFlight = false) {
    this.backend = backend ?? createBackend('float32');
    const nActions = nodes + 1;
    this.spec = architectureFor(config.network, nodes, config.dueling, inFlight, config.features);
    this.layout = config.network.kind === 'node-seq' ? 'node-sequence' : 'flat';
    this.window = config.network.kind === 'lstm' || config.network.kind === 'mlp' ? config.network.window : 1;
    const opts = { backend: this.backend, maxRows: config.batchSize };
    this.online = createNetwork(this.spec, { ...opts, rng });
    this.target = createNetwork(this.spec, opts);
    this.target.params.set(this.online.params);
    this.adam = new Adam(this.backend, this.online.params.length, { learningRate: config.learningRate });
    const F = featureSize(nodes, inFlight, config.features);
    this.features = F;
    this.memory = new SequentialMemory(config.memoryLimit, F, nActions, this.window, config.prioritized.enabled ? config.prioritized.alpha : null);
    this.recent = new RecentWindow(this.window, F, inFlight, config.features);
    this.epsilon = new LinearAnnealedEpsilon(config.exploration, totalSteps);
    this.batch = makeReplayBatch(config.batchSize);
    this.targets = new Float64Array(config.batchSize);
    this.dOut = this.backend.alloc(config.batchSize * this.online.outputSize);
    this.qBuf = new Float64Array(config.batchSize * nActions);
    this.dQ = new Float64Array(config.batchSize * nActions);
    this.nextAction = new Int32Array(config.batchSize);
    this.encoded = new Float64Array(F);
    this.isWeights = new Float64Array(config.batchSize);
    this.tdErrors = new Float64Array(config.batchSize);
    this.normalizer = config.observationNorm === 'running' ? new RunningNormalizer(normalizerKinds(this.layout, nodes, inFlight)) : null;
  }

  /** A frozen copy of the running feature statistics (what a model file stores), or null with `fixed`. */
  normalizerSnapshot(): FixedNormalizer | null {
    return this.normalizer ? this.normalizer.snapshot() : null;
  }

  /** Importance-sampling exponent β at the current step (Schaul et al. 2016: linear from β₀ to 1). */
  get currentBeta(): number {
    const { beta0, betaSteps } = this.config.prioritized;
    return beta0 + (1 - beta0) * Math.min(1, this.step / (betaSteps ?? this.totalSteps));
  }

  get nActions(): number {
    return this.nodes + 1;
  }

  /** Current ε. */
  get currentEpsilon(): number {
    return this.epsilon.value(this.step);
  }

  beginEpisode(obs: Float64Array, mask: Uint8Array): void {
    this.recent.reset();
    this.recent.push(obs, this.layout);
    this.posInEpisode = 0;
    this.storeObservation(obs, mask);
  }

  private storeObservation(obs: Float64Array, mask: Uint8Array | null): void {
    encodeObservation(obs, this.layout, this.encoded, 0, this.inFlight, this.config.features);
    // Only training stores observations, so the statistics see training data only (frozen at save).
    this.normalizer?.update(this.encoded, 0, this.features);
    this.current = this.memory.push(this.encoded, 0, this.posInEpisode, mask);
  }

  /** Standardise the real (not zero-padded) rows of a window just written at `offset`. */
  private normalizeWindow(input: Vec, offset: number, missing: number): void {
    if (this.normalizer) this.normalizer.normalize(input, offset + missing * this.features, (this.window - missing) * this.features);
  }

  /** Memory entry `i`'s window into row `row` of `net`'s input, normalised as configured. */
  private writeRow(net: Network, i: number, row: number): void {
    const offset = row * net.inputSize;
    this.normalizeWindow(net.input, offset, this.memory.writeState(i, net.input, offset));
  }

  /** Q-values of the current window (greedy evaluation, batch of 1) into `qBuf[0..A)`. */
  private qCurrent(): Float64Array {
    this.normalizeWindow(this.online.input, 0, this.recent.write(this.online.input, 0));
    const out = this.online.forward(1);
    this.readQ(out, 1, this.qBuf);
    return this.qBuf;
  }

  /** Network outputs → Q-values (identity, or the dueling combination). */
  private readQ(out: Vec, rows: number, q: Float64Array): void {
    const A = this.nActions;
    if (this.config.dueling) duelingCombine(out, rows, A, q);
    else for (let i = 0; i < rows * A; i++) q[i] = out[i];
  }

  act(mask: Uint8Array, explore: boolean): number {
    // ε-greedy (exploration.ts `epsilonGreedy`), with the Q forward only on the greedy branch: the forward draws
    // no random numbers and leaves nothing an update reads (trainBatch rewrites every input row it runs), so
    // seeded runs are unchanged, and early in a run (ε ≈ 1) nearly every step saves a batch-1 forward.
    const eps = explore ? this.epsilon.value(this.step) : 0;
    this.lastAction = explores(this.rng, eps) ? randomLegal(this.rng, this.nActions, mask) : maskedArgmax(this.qCurrent(), 0, this.nActions, mask);
    return this.lastAction;
  }

  observe(reward: number, terminated: boolean, truncated: boolean, nextObs: Float64Array, nextMask: Uint8Array): void {
    this.memory.setTransition(this.current, this.lastAction, reward, terminated);
    this.posInEpisode++;
    this.recent.push(nextObs, this.layout);
    this.storeObservation(nextObs, nextMask);
    void truncated; // the final observation is stored either way; `terminated` alone decides the bootstrap
    this.step++;
    if (this.step > this.config.warmupSteps && this.step % this.config.trainInterval === 0) this.trainBatch();
    if (this.step % this.config.targetUpdate === 0) this.target.params.set(this.online.params);
  }

  /** One gradient step on a sampled minibatch. Returns the loss, or NaN when the memory is too small. */
  trainBatch(): number {
    const { batch, memory, config } = this;
    const B = config.batchSize, A = this.nActions;
    const per = config.prioritized.enabled;
    const drawn = per
      ? memory.samplePrioritized(this.rng, batch, config.nStep, config.gamma, this.currentBeta, this.isWeights)
      : memory.sample(this.rng, batch, config.nStep, config.gamma);
    if (!drawn) return Number.NaN;
    const masks = memory.masks;
    // Bootstrap values from s′ (the target network; Double DQN picks a′ with the online network).
    if (config.doubleDqn) {
      for (let b = 0; b < B; b++) this.writeRow(this.online, batch.next[b]!, b);
      this.readQ(this.online.forward(B), B, this.qBuf);
      for (let b = 0; b < B; b++) this.nextAction[b] = maskedArgmax(this.qBuf, b * A, A, masks, memory.maskOffset(batch.next[b]!));
    }
    if (config.doubleDqn) {
      // The same s′ windows the online network just read: one block copy instead of B window assemblies.
      this.target.input.set(this.online.input.subarray(0, B * this.online.inputSize));
    } else {
      for (let b = 0; b < B; b++) this.writeRow(this.target, batch.next[b]!, b);
    }
    this.readQ(this.target.forward(B), B, this.qBuf);
    for (let b = 0; b < B; b++) {
      const a = config.doubleDqn ? this.nextAction[b]! : maskedArgmax(this.qBuf, b * A, A, masks, memory.maskOffset(batch.next[b]!));
      const d = batch.discount[b]!;
      this.targets[b] = batch.returns[b]! + (d > 0 ? d * this.qBuf[b * A + a]! : 0);
    }
    // Online forward on s, loss on the taken actions, backward, Adam.
    for (let b = 0; b < B; b++) this.writeRow(this.online, batch.state[b]!, b);
    const out = this.online.forward(B);
    this.online.zeroGrads();
    const delta = config.huberDelta ?? Infinity;
    // With prioritized replay the importance-sampling weights scale each sample's loss and gradient.
    const q = config.dueling ? this.qBuf : out;
    const dq = config.dueling ? this.dQ : this.dOut;
    if (config.dueling) this.readQ(out, B, this.qBuf);
    const loss = per
      ? weightedTdLoss(q, batch.action, this.targets, this.isWeights, B, A, delta, dq, this.tdErrors)
      : tdLoss(q, batch.action, this.targets, B, A, delta, dq);
    if (config.dueling) duelingBackward(this.dQ, B, A, this.dOut);
    this.online.backward(this.dOut, B);
    if (config.gradClipNorm !== null) clipGlobalNorm(this.online.grads, config.gradClipNorm);
    this.adam.step(this.online.params, this.online.grads);
    if (per) memory.updatePriorities(batch.state, this.tdErrors, B, config.prioritized.epsilon);
    this.updates++;
    this.lastLoss = loss;
    return loss;
  }
}
