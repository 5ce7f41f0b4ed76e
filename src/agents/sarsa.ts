/**
 * Deep SARSA with keras-rl2 `SARSAAgent` semantics, the paper's second agent (Sec. III-C, Table II).
 *
 * Followed: no replay and no target network; one online update per env step on the single transition
 * (s, a, r, s′, a′) with target `r + γ·Q(s′, a′)` from the same network, where a′ is the action the
 * exploration policy actually takes next (on-policy); loss ½(Q(s,a) − y)² (keras-rl2 `clipped_masked_error`,
 * `delta_clip = ∞`); Adam lr 1e-3; γ 0.99; `nb_steps_warmup = 10` (keras-rl2's SARSA default); the paper's
 * MLP(24, 24, ReLU) Q-network; greedy at test.
 *
 * keras-rl2's terminal off-by-one (rl/agents/sarsa.py `backward`): at step t it trains the *previous* transition
 * (s_{t−1}, a_{t−1}, r_{t−1}, s_t, a_t) but zeroes the bootstrap with the *current* `terminal` flag. So the
 * transition before the last is wrongly cut, and the last one — trained by the extra `forward/backward(0.,
 * terminal=False)` that `Agent.fit` runs at episode end — bootstraps from the terminal state. Also its reward
 * deque only fills after warm-up, so the first update after warm-up pairs s_{t−1} with r_t.
 * - Default (`kerasRl2Compat: false`): each transition is trained once, as soon as a′ is known, with its own
 *   `terminated` flag; a truncated episode bootstraps from the final state with a′ drawn from the policy.
 * - `kerasRl2Compat: true` reproduces keras-rl2 step for step (deques of length 2, the extra end-of-episode
 *   update, terminals as `terminated || truncated`).
 */
import type { Rng } from '../core/rng.js';
import { Adam, clipGlobalNorm } from '../nn/adam.js';
import type { Backend, Vec } from '../nn/backend.js';
import { createBackend } from '../nn/create-backend.js';
import { tdLoss } from '../nn/losses.js';
import { createNetwork, type ArchitectureSpec, type Network } from '../nn/network.js';
import type { TrainableAgent } from './agent.js';
import type { SarsaConfig } from './config.js';
import { epsilonGreedy, LinearAnnealedEpsilon } from './exploration.js';
import { encodeObservation, featureSize, type FeatureLayout } from './features.js';
import { normalizerKinds, RunningNormalizer, type FixedNormalizer } from './normalizer.js';
import { architectureFor } from './q-network.js';

/** Deep SARSA hyperparameters: fields, defaults and their Table II / keras-rl2 provenance live in config.ts. */
export { DEFAULT_SARSA_CONFIG, type SarsaConfig } from './config.js';

/** A stored (features, action) pair. */
interface Slot {
  x: Float64Array;
  action: number;
}

export class SarsaAgent implements TrainableAgent {
  readonly kind = 'sarsa' as const;
  readonly online: Network;
  readonly spec: ArchitectureSpec;
  readonly layout: FeatureLayout;
  readonly window = 1;
  step = 0;
  updates = 0;
  lastLoss = Number.NaN;
  private readonly backend: Backend;
  private readonly adam: Adam;
  private readonly epsilon: LinearAnnealedEpsilon;
  private readonly q: Float64Array;
  private readonly dOut: Vec;
  private readonly actionBuf = new Int32Array(1);
  private readonly targetBuf = new Float64Array(1);
  /** Features of the current state s and the action chosen for it. */
  private cur: Slot;
  /** Next state s′ (swapped with `cur` after each step). */
  private nxt: Slot;
  private hasPending = false;
  // keras-rl2 compat: deques of length 2.
  private dqObs: Slot[] = [];
  private dqRewards: number[] = [];
  private readonly dqSlots: Slot[];
  /** Running feature statistics (`observationNorm: 'running'`), else null; slots keep raw features. */
  private readonly normalizer: RunningNormalizer | null;

  constructor(readonly config: SarsaConfig, readonly nodes: number, totalSteps: number, private readonly rng: Rng, backend?: Backend, readonly inFlight = false) {
    if (config.network.kind === 'lstm' && config.network.window !== 1) throw new RangeError('sarsa: an lstm network needs window 1 (SARSA keeps no observation history)');
    this.backend = backend ?? createBackend('float32');
    this.spec = architectureFor(config.network, nodes, false, inFlight, config.features);
    this.layout = config.network.kind === 'node-seq' ? 'node-sequence' : 'flat';
    this.online = createNetwork(this.spec, { backend: this.backend, maxRows: 1, rng });
    this.adam = new Adam(this.backend, this.online.params.length, { learningRate: config.learningRate });
    this.epsilon = new LinearAnnealedEpsilon(config.exploration, totalSteps);
    this.q = new Float64Array(nodes + 1);
    this.dOut = this.backend.alloc(nodes + 1);
    const F = featureSize(nodes, inFlight, config.features);
    const slot = (): Slot => ({ x: new Float64Array(F), action: 0 });
    this.cur = slot();
    this.nxt = slot();
    this.dqSlots = [slot(), slot(), slot()];
    this.normalizer = config.observationNorm === 'running' ? new RunningNormalizer(normalizerKinds(this.layout, nodes, inFlight)) : null;
  }

  normalizerSnapshot(): FixedNormalizer | null {
    return this.normalizer ? this.normalizer.snapshot() : null;
  }

  /** `x` into the network's input, standardised as configured. */
  private writeInput(x: Float64Array): void {
    const inp = this.online.input;
    for (let i = 0; i < x.length; i++) inp[i] = x[i]!;
    this.normalizer?.normalize(inp, 0, x.length);
  }

  get nActions(): number {
    return this.nodes + 1;
  }
  get currentEpsilon(): number {
    return this.epsilon.value(this.step);
  }

  /** Q(x) into `this.q`. */
  private evaluate(x: Float64Array): Float64Array {
    this.writeInput(x);
    const out = this.online.forward(1);
    for (let a = 0; a < this.q.length; a++) this.q[a] = out[a];
    return this.q;
  }

  private choose(x: Float64Array, mask: Uint8Array, explore: boolean): number {
    const q = this.evaluate(x);
    return epsilonGreedy(this.rng, explore ? this.epsilon.value(this.step) : 0, q, 0, this.nActions, mask);
  }

  /** One Adam step on ½(Q(x, a) − y)². */
  private update(x: Float64Array, action: number, y: number): void {
    this.writeInput(x);
    const out = this.online.forward(1);
    this.actionBuf[0] = action;
    this.targetBuf[0] = y;
    this.online.zeroGrads();
    this.lastLoss = tdLoss(out, this.actionBuf, this.targetBuf, 1, this.nActions, this.config.huberDelta ?? Infinity, this.dOut);
    this.online.backward(this.dOut, 1);
    if (this.config.gradClipNorm !== null) clipGlobalNorm(this.online.grads, this.config.gradClipNorm);
    this.adam.step(this.online.params, this.online.grads);
    this.updates++;
  }

  beginEpisode(obs: Float64Array, _mask: Uint8Array): void {
    encodeObservation(obs, this.layout, this.cur.x, 0, this.inFlight, this.config.features);
    this.normalizer?.update(this.cur.x, 0, this.cur.x.length);
    this.hasPending = false;
    this.dqObs = [];
    this.dqRewards = [];
  }

  act(mask: Uint8Array, explore: boolean): number {
    if (explore && this.hasPending) {
      // On-policy: the action already drawn as a′ for this state is the one taken.
      this.hasPending = false;
    } else {
      this.cur.action = this.choose(this.cur.x, mask, explore);
    }
    if (explore && this.config.kerasRl2Compat) this.compatRemember(this.cur);
    return this.cur.action;
  }

  observe(reward: number, terminated: boolean, truncated: boolean, nextObs: Float64Array, nextMask: Uint8Array): void {
    encodeObservation(nextObs, this.layout, this.nxt.x, 0, this.inFlight, this.config.features);
    this.normalizer?.update(this.nxt.x, 0, this.nxt.x.length);
    if (this.config.kerasRl2Compat) {
      this.compatObserve(reward, terminated || truncated, nextMask);
    } else {
      const { gamma } = this.config;
      let y = reward;
      if (!terminated) {
        // a′ from the behaviour policy (ε-greedy), also the action taken next unless the episode was truncated.
        this.nxt.action = this.choose(this.nxt.x, nextMask, true);
        y += gamma * this.q[this.nxt.action]!;
        this.hasPending = !truncated;
      }
      if (this.step >= this.config.warmupSteps) this.update(this.cur.x, this.cur.action, y);
      this.step++;
    }
    const t = this.cur;
    this.cur = this.nxt;
    this.nxt = t;
  }

  // ---- keras-rl2 compat (rl/core.py fit + rl/agents/sarsa.py), deliberately including its quirks.

  private compatRemember(s: Slot): void {
    // The deques hold copies (keras-rl2 appends the observation object); 3 slots cover ≤ 2 live entries.
    const slot = this.dqSlots.find((p) => !this.dqObs.includes(p))!;
    slot.x.set(s.x);
    slot.action = s.action;
    this.dqObs.push(slot);
    if (this.dqObs.length > 2) this.dqObs.shift();
  }

  private compatBackward(reward: number, terminal: boolean): void {
    if (this.step > this.config.warmupSteps) {
      this.dqRewards.push(reward);
      if (this.dqRewards.length > 2) this.dqRewards.shift();
      if (this.dqObs.length < 2) return;
      const s0 = this.dqObs[0]!, s1 = this.dqObs[1]!;
      const q1 = this.evaluate(s1.x)[s1.action]!;
      const y = this.dqRewards[0]! + (terminal ? 0 : this.config.gamma * q1);
      this.update(s0.x, s0.action, y);
    }
  }

  private compatObserve(reward: number, done: boolean, nextMask: Uint8Array): void {
    this.compatBackward(reward, done);
    this.step++;
    if (done) {
      // fit(): "perform one more forward-backward call and simply ignore the action", terminal=False.
      this.nxt.action = this.choose(this.nxt.x, nextMask, true);
      this.compatRemember(this.nxt);
      this.compatBackward(0, false);
    }
  }
}
