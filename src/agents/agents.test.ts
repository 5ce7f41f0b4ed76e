// Agent tests on a tiny env with the paper's observation layout (testing/toy-env.ts): replay windows, exploration,
// masks, keras-rl2 SARSA compat, and that DQN and SARSA learn to beat `never` and `random`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Env, Policy } from '../core/env.js';
import { Rng } from '../core/rng.js';
import { createBackend } from '../nn/create-backend.js';
import { DEFAULT_DQN_CONFIG, DqnAgent, type DqnConfig } from './dqn.js';
import { epsilonGreedy, LinearAnnealedEpsilon, randomLegal } from './exploration.js';
import { RecentWindow } from './features.js';
import { makeReplayBatch, SequentialMemory } from './replay.js';
import { NORMALIZER_EPSILON, RunningNormalizer } from './normalizer.js';
import { DEFAULT_SARSA_CONFIG, SarsaAgent } from './sarsa.js';
import { trainAgent } from './trainer.js';
import { QPolicy } from './q-policy.js';
import { ToyEnv } from './testing/toy-env.js';
import type { TrainableAgent } from './agent.js';

function meanReturn(env: Env, policy: Policy, episodes: number, seed: number): number {
  let total = 0;
  for (let e = 0; e < episodes; e++) {
    let r = e === 0 ? env.reset({ seed }) : env.reset();
    policy.reset();
    let obs = r.observation, mask = r.info.actionMask;
    for (;;) {
      const s = env.step(policy.act(obs, mask));
      total += s.reward;
      if (s.terminated || s.truncated) break;
      obs = s.observation;
      mask = s.info.actionMask;
    }
    void r;
  }
  return total / episodes;
}

const never: Policy = { name: 'never', reset() {}, act: () => 0 };
function randomPolicy(seed: number): Policy {
  const rng = new Rng(seed);
  return { name: 'random', reset() {}, act: (_o, m) => randomLegal(rng, m.length, m) };
}
function greedyOf(agent: TrainableAgent): Policy {
  return new QPolicy(agent.kind, agent.online, agent.layout, agent.window, agent.nodes, agent instanceof DqnAgent && agent.config.dueling, agent.inFlight, agent.normalizerSnapshot());
}

test('SequentialMemory: windows across the ring wrap and cut by overwritten history', () => {
  const F = 2, W = 3, limit = 5;
  const mem = new SequentialMemory(limit, F, 2, W);
  // One episode of 8 observations 1..8 in a ring of 5: observation v sits in slot (v − 1) % 5; 1..3 are overwritten.
  const slot: number[] = [];
  for (let v = 1; v <= 8; v++) {
    slot[v] = mem.push(Float64Array.from([v, -v]), 0, v - 1, null);
    if (v < 8) mem.setTransition(slot[v]!, 0, 0, false);
  }
  const out = new Float32Array(W * F).fill(99);
  assert.equal(mem.writeState(slot[7]!, out, 0), 0);
  assert.deepEqual(Array.from(out), [5, -5, 6, -6, 7, -7], 'slots 4, 0, 1: the window wraps');
  assert.equal(mem.writeState(slot[8]!, out, 0), 0);
  assert.deepEqual(Array.from(out), [6, -6, 7, -7, 8, -8], 'slots 0, 1, 2: contiguous');
  assert.equal(mem.writeState(slot[5]!, out, 0), 1);
  assert.deepEqual(Array.from(out), [0, 0, 4, -4, 5, -5], 'observation 3 was overwritten: zero-padded');
  const one = new SequentialMemory(limit, F, 2, 1);
  const e = one.push(Float64Array.from([3, 4]), 0, 7, null);
  const o1 = new Float32Array(F + 1).fill(99);
  assert.equal(one.writeState(e, o1, 1), 0);
  assert.deepEqual(Array.from(o1), [99, 3, 4], 'W = 1 writes the entry alone at the offset');
});

test('SequentialMemory: windows are zero-padded at episode start and never cross episodes', () => {
  const F = 2, W = 3;
  const mem = new SequentialMemory(100, F, 2, W);
  const row = (v: number): Float64Array => Float64Array.from([v, v]);
  // Episode A: observations 1, 2, 3 (final). Episode B: 11, 12.
  const a0 = mem.push(row(1), 0, 0, null); mem.setTransition(a0, 1, 0.5, false);
  const a1 = mem.push(row(2), 0, 1, null); mem.setTransition(a1, 0, 0.25, true);
  mem.push(row(3), 0, 2, null); // final of A (terminated)
  const b0 = mem.push(row(11), 0, 0, null); mem.setTransition(b0, 1, 1, false);
  mem.push(row(12), 0, 1, null);
  const out = new Float32Array(W * F);
  mem.writeState(a0, out, 0);
  assert.deepEqual(Array.from(out), [0, 0, 0, 0, 1, 1]);
  mem.writeState(a1, out, 0);
  assert.deepEqual(Array.from(out), [0, 0, 1, 1, 2, 2]);
  mem.writeState(b0, out, 0);
  assert.deepEqual(Array.from(out), [0, 0, 0, 0, 11, 11], 'episode B must not see episode A');
  assert.equal(mem.countSampleable(), 3, 'finals and the newest (unacted) entry are not sampleable');
  const batch = makeReplayBatch(3);
  assert.ok(mem.sample(new Rng(1), batch, 1, 0.9));
  const byState = new Map<number, number>();
  for (let b = 0; b < 3; b++) byState.set(batch.state[b]!, b);
  assert.deepEqual([...byState.keys()].sort((x, y) => x - y), [a0, a1, b0]);
  const ia1 = byState.get(a1)!, ia0 = byState.get(a0)!, ib0 = byState.get(b0)!;
  assert.equal(batch.discount[ia1], 0, 'terminated: no bootstrap');
  assert.equal(batch.discount[ia0], 0.9);
  assert.equal(batch.next[ia0], a1);
  assert.equal(batch.discount[ib0], 0.9, 'a truncated/ongoing transition bootstraps');
  // 2-step return from a0: 0.5 + 0.9·0.25, then terminal.
  assert.ok(mem.sample(new Rng(1), batch, 2, 0.9));
  for (let b = 0; b < 3; b++) {
    if (batch.state[b] === a0) {
      assert.ok(Math.abs(batch.returns[b]! - (0.5 + 0.9 * 0.25)) < 1e-12);
      assert.equal(batch.discount[b], 0);
    }
  }
});

test('RecentWindow pads with zeros and keeps the last W observations', () => {
  const w = new RecentWindow(3, 3);
  w.push([1, 10, 2.718281828459045], 'flat');
  const out = new Float64Array(9);
  w.write(out as unknown as Float32Array, 0);
  assert.deepEqual(Array.from(out.slice(0, 6)), [0, 0, 0, 0, 0, 0]);
  assert.equal(out[6], 1); // isCurrent
  assert.ok(Math.abs(out[7]! - (10 / 20 - 1)) < 1e-12);
  assert.ok(Math.abs(out[8]! - 0) < 1e-12); // ln(e) − 1
});

test('LinearAnnealedPolicy schedule: default spans the run, fraction mode, floor', () => {
  const s = new LinearAnnealedEpsilon({ epsilonMax: 1, epsilonMin: 0.1 }, 1000);
  assert.equal(s.value(0), 1);
  assert.ok(Math.abs(s.value(500) - 0.55) < 1e-12);
  assert.ok(Math.abs(s.value(1000) - 0.1) < 1e-12);
  assert.equal(s.value(5000), 0.1);
  const f = new LinearAnnealedEpsilon({ epsilonMax: 1, epsilonMin: 0.1, annealFraction: 0.1 }, 1000);
  assert.ok(Math.abs(f.value(50) - 0.55) < 1e-12);
  assert.equal(f.value(100), 0.1);
  assert.throws(() => new LinearAnnealedEpsilon({ epsilonMax: 1, epsilonMin: 0.1, annealFraction: 0.1, annealSteps: 5 }, 10), /not both/);
});

test('agents never take a masked action (training and greedy)', () => {
  for (const mk of [
    (n: number, r: Rng) => new DqnAgent({ ...DEFAULT_DQN_CONFIG, warmupSteps: 50, memoryLimit: 500 }, n, 400, r),
    (n: number, r: Rng) => new SarsaAgent(DEFAULT_SARSA_CONFIG, n, 400, r),
  ]) {
    const env = new ToyEnv({ maskOddSteps: true });
    const agent = mk(3, new Rng(2));
    // ToyEnv throws on a masked action, so finishing proves the masks were respected.
    trainAgent(agent, env, { steps: 400, seed: 3 });
    meanReturn(env, greedyOf(agent), 3, 4);
  }
});

test('SARSA kerasRl2Compat reproduces keras-rl2: the terminal flag cuts the previous transition, the last one bootstraps', () => {
  // A 3-step episode ending by truncation only (keras-rl2 sees done=True). Rewards r0, r1, r2.
  const run = (compat: boolean): { targets: number[]; rewards: number[] } => {
    const agent = new SarsaAgent({ ...DEFAULT_SARSA_CONFIG, warmupSteps: 0, kerasRl2Compat: compat }, 3, 100, new Rng(5), createBackend('float64', 'js'));
    const spy = agent as unknown as { update(x: Float64Array, a: number, y: number): void };
    const targets: number[] = [];
    const orig = spy.update.bind(agent);
    spy.update = (x, a, y) => { targets.push(y); orig(x, a, y); };
    const inner = new ToyEnv({ maxSteps: 3 });
    const rewards: number[] = [];
    const env: Env = { observationSpace: inner.observationSpace, actionSpace: inner.actionSpace, reset: (o) => inner.reset(o), close() {},
      step: (a) => { const r = inner.step(a); rewards.push(r.reward); return { ...r, terminated: false, truncated: r.info.t >= 3 }; } };
    trainAgent(agent, env, { steps: 3, seed: 1 });
    return { targets, rewards };
  };
  const c = run(false);
  assert.equal(c.targets.length, 3, 'correct: one update per transition');
  for (let t = 0; t < 3; t++) assert.notEqual(c.targets[t], c.rewards[t], `correct: transition ${t} bootstraps (truncation)`);
  const k = run(true);
  // keras-rl2: no update at step 0 (step 0 is not > warm-up), then (s0, rewards[0] = r1 — its reward deque only
  // fills after warm-up), then (s1, r1) with the bootstrap zeroed by step 2's done flag, then the extra
  // end-of-episode update (s2, r2 + γ·Q(s3, a3)) with terminal=False.
  assert.equal(k.targets.length, 3);
  assert.equal(k.targets[1], k.rewards[1], 'keras-rl2 zeroes the bootstrap of the transition before the terminal one');
  assert.notEqual(k.targets[2], k.rewards[2], 'keras-rl2 bootstraps the last transition from the terminal state');
  assert.notEqual(k.targets[0], k.rewards[1]);
});

function learns(agent: TrainableAgent, steps: number): { agent: number; never: number; random: number } {
  const env = new ToyEnv();
  trainAgent(agent, env, { steps, seed: 11 });
  const test = new ToyEnv();
  return { agent: meanReturn(test, greedyOf(agent), 30, 777), never: meanReturn(test, never, 30, 777), random: meanReturn(test, randomPolicy(1), 30, 777) };
}

test('DQN (LSTM, W = 4) learns the toy drive: beats never and random on held-out episodes', () => {
  const cfg: DqnConfig = { ...DEFAULT_DQN_CONFIG, warmupSteps: 200 };
  const r = learns(new DqnAgent(cfg, 3, 4000, new Rng(21)), 4000);
  assert.ok(r.agent > r.never + 5 && r.agent > r.random + 10, `dqn ${r.agent.toFixed(2)} vs never ${r.never.toFixed(2)}, random ${r.random.toFixed(2)}`);
});

test('Deep SARSA (MLP 24, 24) learns the toy drive: beats never and random on held-out episodes', () => {
  const r = learns(new SarsaAgent(DEFAULT_SARSA_CONFIG, 3, 4000, new Rng(22)), 4000);
  assert.ok(r.agent > r.never + 5 && r.agent > r.random + 10, `sarsa ${r.agent.toFixed(2)} vs never ${r.never.toFixed(2)}, random ${r.random.toFixed(2)}`);
});

test('DQN options (Double, Huber, dueling, grad clip, 3-step) train without error and learn', () => {
  const cfg: DqnConfig = { ...DEFAULT_DQN_CONFIG, warmupSteps: 200, doubleDqn: true, huberDelta: 1, dueling: true, gradClipNorm: 10, nStep: 3 };
  const r = learns(new DqnAgent(cfg, 3, 4000, new Rng(23)), 4000);
  assert.ok(r.agent > r.never, `dqn+options ${r.agent.toFixed(2)} vs never ${r.never.toFixed(2)}`);
});

test('DQN act skips the Q forward when ε explores, and changes nothing: same actions, draws and weights as ε-greedy over Q every step', () => {
  // The reference computes Q on every step, as keras-rl2's EpsGreedyQPolicy does (and DqnAgent once did; it now skips the forward pass when the coin says explore).
  class EveryStepQ extends DqnAgent {
    override act(mask: Uint8Array, explore: boolean): number {
      const self = this as unknown as { qCurrent(): Float64Array; rng: Rng; lastAction: number };
      const q = self.qCurrent();
      self.lastAction = epsilonGreedy(self.rng, explore ? this.currentEpsilon : 0, q, 0, this.nActions, mask);
      return self.lastAction;
    }
  }
  const cfg: DqnConfig = { ...DEFAULT_DQN_CONFIG, warmupSteps: 100 };
  const run = (make: (rng: Rng) => DqnAgent): { actions: number[]; params: Float32Array } => {
    const agent = make(new Rng(31));
    const actions: number[] = [];
    const act = agent.act.bind(agent);
    agent.act = (mask, explore) => { const a = act(mask, explore); actions.push(a); return a; };
    trainAgent(agent, new ToyEnv({ maskOddSteps: true }), { steps: 700, seed: 5 });
    return { actions, params: Float32Array.from(agent.online.params) };
  };
  const fast = run((rng) => new DqnAgent(cfg, 3, 700, rng));
  const ref = run((rng) => new EveryStepQ(cfg, 3, 700, rng));
  assert.deepEqual(fast.actions, ref.actions);
  assert.ok(new Set(fast.actions).size > 1, 'several actions taken');
  assert.deepEqual(fast.params, ref.params, 'same weights after 600 updates');
});

test('training is reproducible: same seeds give bit-identical weights (DQN and SARSA)', () => {
  const run = (kind: 'dqn' | 'sarsa'): Float32Array => {
    const agent = kind === 'dqn'
      ? new DqnAgent({ ...DEFAULT_DQN_CONFIG, warmupSteps: 100 }, 3, 600, new Rng(8))
      : new SarsaAgent(DEFAULT_SARSA_CONFIG, 3, 600, new Rng(8));
    trainAgent(agent, new ToyEnv(), { steps: 600, seed: 9 });
    return Float32Array.from(agent.online.params);
  };
  for (const kind of ['dqn', 'sarsa'] as const) assert.deepEqual(run(kind), run(kind), kind);
});

test('RunningNormalizer: Welford mean and population std per feature kind (pooled over nodes for node-sequence), clipped', () => {
  const rng = new Rng(40);
  const S = 3, obs = 200, perObs = 6; // two "nodes" of three kinds each
  const norm = new RunningNormalizer(S);
  const data: number[][] = [[], [], []];
  const x = new Float64Array(perObs);
  for (let t = 0; t < obs; t++) {
    for (let k = 0; k < perObs; k++) {
      x[k] = (k % S) * 10 + rng.normal() * (1 + (k % S));
      data[k % S]!.push(x[k]!);
    }
    norm.update(x, 0, perObs);
  }
  for (let s = 0; s < S; s++) {
    const v = data[s]!;
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    assert.ok(Math.abs(norm.mean[s]! - mean) < 1e-10);
    assert.ok(Math.abs(norm.std[s]! - Math.sqrt(variance + NORMALIZER_EPSILON)) < 1e-10);
  }
  const out = Float64Array.from([norm.mean[0]!, norm.mean[1]! + norm.std[1]!, 1e6, norm.mean[0]!, 0, -1e6]);
  norm.normalize(out, 0, 6);
  assert.deepEqual(Array.from(out, (v) => Math.round(v * 1e9) / 1e9), [0, 1, 10, 0, Math.round(((0 - norm.mean[1]!) / norm.std[1]!) * 1e9) / 1e9, -10]);
  const frozen = norm.snapshot();
  norm.update(x, 0, perObs);
  assert.notDeepEqual(Array.from(frozen.mean), Array.from(norm.mean), 'a snapshot does not move with the running statistics');
});

test('DQN with prioritized replay and running observation statistics trains, learns and is reproducible', () => {
  const cfg: DqnConfig = { ...DEFAULT_DQN_CONFIG, warmupSteps: 200, nStep: 3, observationNorm: 'running', prioritized: { ...DEFAULT_DQN_CONFIG.prioritized, enabled: true } };
  const agent = new DqnAgent(cfg, 3, 4000, new Rng(24));
  assert.equal(agent.currentBeta, 0.4);
  const r = learns(agent, 4000);
  assert.equal(agent.currentBeta, 1, 'β reaches 1 at the end of the run');
  assert.ok(r.agent > r.never + 5, `dqn+per+norm ${r.agent.toFixed(2)} vs never ${r.never.toFixed(2)}`);
  const run = (): Float32Array => {
    const a = new DqnAgent({ ...cfg, warmupSteps: 100 }, 3, 600, new Rng(8));
    trainAgent(a, new ToyEnv(), { steps: 600, seed: 9 });
    return Float32Array.from(a.online.params);
  };
  assert.deepEqual(run(), run());
});

test('prioritized and observationNorm at their defaults leave DQN training bit-identical to a config without them', () => {
  const run = (cfg: DqnConfig): Float32Array => {
    const a = new DqnAgent({ ...cfg, warmupSteps: 100 }, 3, 600, new Rng(8));
    trainAgent(a, new ToyEnv(), { steps: 600, seed: 9 });
    return Float32Array.from(a.online.params);
  };
  // A disabled PER section with other numbers must not matter either (the uniform sampler never reads them).
  const off: DqnConfig = { ...DEFAULT_DQN_CONFIG, prioritized: { enabled: false, alpha: 0.9, beta0: 0.1, betaSteps: 7, epsilon: 0.5 } };
  assert.deepEqual(run(off), run(DEFAULT_DQN_CONFIG));
});
