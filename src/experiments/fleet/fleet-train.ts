/**
 * Training the fleet agent (beyond the paper, which follows one UE): one move model (`agents/fleet/move-model.ts`)
 * shared by every user, learned by imitating a teacher that sees the future, in the loop of the policy itself.
 *
 * Why not DQN: the ego-trained node-seq DQN, applied to every user, came last but `never` on `sr111-traffic`
 * (−2,482 per user-hour against follow-me's +53). A fleet's reward is noisy per user and its credit is shared
 * through load and slots; independent Q-learning chases both. What a twin offers instead is the future: for any
 * episode, the relaxed per-user oracle of `bound.ts` (loads fixed as realised, caps, admission and migration time
 * relaxed) knows what each move was worth. Learning that value from what the policy can see is AggreVaTe (Ross and
 * Bagnell, "Reinforcement and imitation learning via interactive no-regret learning", 2014): regress the expert's
 * action values on the learner's own state distribution, iteration after iteration.
 *
 * One iteration:
 * 1. run `episodesPerIteration` training fleets (the training scenarios in turn, each fixed population scaled by a
 *    random factor in `populationScale` and each arrival rate by one in `arrivalScale`, so the model meets fleets
 *    of varied size and churn) under the behaviour policy:
 *    the rule (`rule`) in the first iteration, the model itself afterwards;
 * 2. for a random `userFraction` of the users, every `tickStride`-th tick: record the features of each candidate
 *    move (`move-features.ts`, exactly what the policy will see, the slots and loads of that tick included);
 * 3. after the episode, solve each recorded user's relaxed oracle on the loads the behaviour policy realised and
 *    label each candidate with its advantage: `q_k[j] − trafficCost − q_k[serving]` (`bound.ts`'s values), clipped
 *    to ±`labelClip`;
 * 4. fit the MLP to the aggregate of all iterations' labels (mean squared error, Adam);
 * 5. score the model on the validation fleets for every `margins` × `priorities` setting, against the rule on the
 *    same episodes. The checkpoint and its play settings with the best mean relative return are kept.
 * The teacher's relaxation makes its advantages optimistic about a move's speed (instant, never refused): the
 * caps and the real migration time enter only through the policy's own state distribution and the margin, which
 * is chosen on validation fleets. Nothing is chosen on a test day or a held-out fleet.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { readJsonWith } from '../../core/validate.js';
import type { FleetPolicy } from '../../core/fleet-env.js';
import { Rng } from '../../core/rng.js';
import { CapsSlots } from '../../agents/fleet/learned-fleet.js';
import { learnedFleetPolicy } from '../../agents/fleet/fleet-policies.js';
import { MOVE_FEATURES, MoveFeatureWriter } from '../../agents/fleet/move-features.js';
import { fleetModelFile, MoveModel, saveFleetModel, type FleetModelFile, type FleetPlay } from '../../agents/fleet/move-model.js';
import { Adam } from '../../nn/adam.js';
import { createBackend } from '../../nn/create-backend.js';
import { mse } from '../../nn/losses.js';
import { createNetwork, type Network } from '../../nn/network.js';
import { FleetTwin, loadScenario, type ResolvedScenario } from '../../twin/index.js';
import { BoundRecorder, userBound } from './bound.js';
import { fleetContext, resolveFleetPolicy, runFleet } from './evaluate.js';

/** Fleet training settings (zod with defaults; every choice beyond the paper is one of these). */
export const FleetTrainConfigSchema = z
  .object({
    /** Fleets trained on (built-in names or scenario files), in turn. Their training days only. */
    train: z.array(z.string()).min(1).default(['metro-36', 'sr111-traffic']),
    /** Fleets the checkpoint and play settings are chosen on (validation days). */
    validation: z.array(z.string()).min(1).default(['metro-36-validation', 'sr111-traffic-validation']),
    iterations: z.number().int().min(1).default(4),
    episodesPerIteration: z.number().int().min(1).default(2),
    /** A fixed population is scaled by a factor drawn uniformly from this range per training episode. */
    populationScale: z.object({ min: z.number().positive(), max: z.number().positive() }).strict().default({ min: 0.5, max: 1 }),
    /**
     * The arrival rate is scaled by a factor drawn uniformly from this range per training episode: Poisson
     * arrivals per minute times the factor, fixed populations' mean session length divided by it (so ended sessions
     * are replaced that much more often). {1, 1} trains at the scenarios' own rates.
     */
    arrivalScale: z.object({ min: z.number().positive(), max: z.number().positive() }).strict().default({ min: 0.6, max: 1.6 }),
    /** Share of users whose rows are labelled, and the tick stride. */
    userFraction: z.number().positive().max(1).default(0.25),
    tickStride: z.number().int().min(1).default(2),
    /** The aggregate data set's size; beyond it new samples replace random old ones. */
    maxSamples: z.number().int().min(1000).default(1_500_000),
    /** Lowest-RTT legal nodes scored per user. */
    candidates: z.number().int().min(1).default(8),
    hidden: z.array(z.number().int().min(1)).min(1).default([64, 64]),
    learningRate: z.number().positive().default(1e-3),
    batchSize: z.number().int().min(1).default(256),
    updatesPerIteration: z.number().int().min(1).default(3000),
    /** Teacher advantages are clipped to ±this (reward units): a breach penalty should not dominate the fit. */
    labelClip: z.number().positive().default(20),
    margins: z.array(z.number().min(0)).min(1).default([0, 0.5]),
    priorities: z.array(z.enum(['gain', 'deferral'])).min(1).default(['deferral', 'gain']),
    /** Weights of the move's externality on the other users of its nodes (`FleetPlay.social`), chosen on validation. */
    socials: z.array(z.number().min(0)).min(1).default([0, 1, 4]),
    candidatesPerUser: z.number().int().min(1).default(3),
    /** The behaviour policy of the first iteration, and what validation compares against. */
    rule: z.string().default('sla-greedy+defer'),
    validationEpisodes: z.number().int().min(1).default(1),
    validationSeed: z.number().int().default(2000),
  })
  .strict();
export type FleetTrainConfig = z.infer<typeof FleetTrainConfigSchema>;

export interface FleetTrainProgress {
  phase: 'collect' | 'fit' | 'validate';
  iteration: number;
  /** Fleet ticks done and planned (collection and validation; the fits between them are not counted). */
  done: number;
  total: number;
}

export interface FleetTrainOptions {
  config: FleetTrainConfig;
  seed: number;
  cwd: string;
  /** Write the chosen model here. */
  out?: string;
  onProgress?: (p: FleetTrainProgress) => void;
  /** Scenario resolution (tests pass their own; default the built-in loader). */
  resolve?: (name: string) => ResolvedScenario;
}

export interface ValidationRow {
  iteration: number;
  margin: number;
  priority: FleetPlay['priority'];
  social: number;
  /** Mean over validation fleets of (return − rule's) / |rule's|, per user-hour. */
  relative: number;
  perFleet: { scenario: string; returnPerUserHour: number; ruleReturnPerUserHour: number; violationSecondsPerUserHour: number; ruleViolationSecondsPerUserHour: number }[];
}

export interface FleetTrainResult {
  model: FleetModelFile;
  modelPath?: string;
  validation: ValidationRow[];
  chosen: ValidationRow;
  samples: number;
  seconds: number;
}

/** The aggregate data set: features and labels, reservoir-capped. */
class Dataset {
  x: Float32Array;
  y: Float32Array;
  size = 0;
  seen = 0;
  constructor(readonly cap: number, private readonly rng: Rng) {
    this.x = new Float32Array(Math.min(cap, 65536) * MOVE_FEATURES);
    this.y = new Float32Array(Math.min(cap, 65536));
  }
  add(f: Float32Array, at: number, label: number): void {
    this.seen++;
    let i = this.size;
    if (i >= this.cap) {
      i = this.rng.int(this.seen);
      if (i >= this.cap) return;
    } else {
      if (i >= this.y.length) {
        const c = Math.min(this.cap, 2 * this.y.length);
        const x = new Float32Array(c * MOVE_FEATURES); x.set(this.x); this.x = x;
        const y = new Float32Array(c); y.set(this.y); this.y = y;
      }
      this.size++;
    }
    this.x.set(f.subarray(at, at + MOVE_FEATURES), i * MOVE_FEATURES);
    this.y[i] = label;
  }
}

/**
 * Per-feature mean and standard deviation over the training fleets' data, each fleet weighted equally (as `fit`
 * draws them); floor 1e-3, so a constant feature is centred, not blown up.
 */
function moments(sets: readonly Dataset[]): { mean: Float64Array; std: Float64Array } {
  const F = MOVE_FEATURES, mean = new Float64Array(F), sq = new Float64Array(F);
  const full = sets.filter((d) => d.size > 0);
  for (const d of full) {
    for (let i = 0; i < d.size; i++) for (let k = 0; k < F; k++) { const v = d.x[i * F + k]!; mean[k]! += v / d.size / full.length; sq[k]! += (v * v) / d.size / full.length; }
  }
  const std = new Float64Array(F);
  for (let k = 0; k < F; k++) std[k] = Math.max(1e-3, Math.sqrt(Math.max(0, sq[k]! - mean[k]! * mean[k]!)));
  return { mean, std };
}

/** One labelled candidate waiting for its user's oracle. */
interface Pending {
  tick: number;
  serving: number;
  target: number;
  /** Offset of its features in the episode's buffer. */
  at: number;
}

/**
 * Runs one training episode under `behaviour`, records candidate features for sampled users and labels them with
 * the relaxed oracle's advantages into `data`.
 */
function collect(scenario: ResolvedScenario, population: number | undefined, behaviour: FleetPolicy, seed: number, cfg: FleetTrainConfig, rng: Rng, data: Dataset, onTick: () => void): void {
  const ctx = fleetContext(scenario);
  const fleet = new FleetTwin(scenario, 0, { population });
  const writer = new MoveFeatureWriter(ctx.reward, cfg.candidates);
  const slots = new CapsSlots(ctx.coordination);
  const rec = new BoundRecorder();
  const pending = new Map<number, Pending[]>();
  const sampled = new Map<number, boolean>();
  let feats = new Float32Array(1 << 16), used = 0;
  let r = fleet.reset({ seed });
  behaviour.reset();
  let actions = new Int32Array(1024);
  const D = fleet.D, A = fleet.A, n = fleet.nodes, ns = fleet.nodeState;
  while (!fleet.done) {
    rec.record(fleet);
    if (r.t % cfg.tickStride === 0 && r.rows > 0) {
      writer.beginTick(r.observations, 0, n);
      slots.of(ns);
      for (let i = 0; i < r.rows; i++) {
        if (r.terminated[i] || r.truncated[i]) continue;
        const id = r.ids[i]!;
        let s = sampled.get(id);
        if (s === undefined) sampled.set(id, (s = rng.uniform() < cfg.userFraction));
        if (!s) continue;
        if (feats.length < (used + cfg.candidates) * MOVE_FEATURES) { const g = new Float32Array(2 * feats.length); g.set(feats); feats = g; }
        const c = writer.row(r.observations, i * D, n, r.actionMasks, i * A, { demand: ns.demand[i]!, capacity: ns.capacity, slots }, feats, used * MOVE_FEATURES);
        if (c === 0) continue;
        let list = pending.get(id);
        if (!list) pending.set(id, (list = []));
        const serving = r.observations[i * D]! - 1;
        for (let q = 0; q < c; q++) list.push({ tick: r.t, serving, target: writer.nodes[q]!, at: (used + q) * MOVE_FEATURES });
        used += c;
      }
    }
    if (actions.length < r.rows) actions = new Int32Array(2 * r.rows);
    behaviour.act(r, fleet, actions);
    r = fleet.step(actions);
    onTick();
  }
  const clip = cfg.labelClip;
  for (const [id, list] of pending) {
    const u = rec.users.get(id);
    if (!u) continue;
    let p = 0;
    list.sort((a, b) => b.tick - a.tick);
    userBound(fleet, u, rec.loads, (k, q) => {
      const t = u.firstTick + k;
      while (p < list.length && list[p]!.tick > t) p++;
      while (p < list.length && list[p]!.tick === t) {
        const s = list[p]!;
        const adv = q[s.target]! - u.trafficCost - q[s.serving]!;
        data.add(feats, s.at, Math.max(-clip, Math.min(clip, adv)));
        p++;
      }
    });
  }
}

/**
 * `updates` minibatch steps of mean squared error (inputs normalised by `norm`). Each sample comes from a training
 * fleet drawn uniformly, then a sample of its data set: a 5,000-user metro labels a hundred times the candidates
 * of an 80-car road per episode, and would otherwise drown it.
 */
function fit(net: Network, adam: Adam, sets: readonly Dataset[], norm: { mean: Float64Array; std: Float64Array }, updates: number, batch: number, rng: Rng): number {
  const full = sets.filter((d) => d.size > 0);
  const F = MOVE_FEATURES, B = batch, target = net.backend.alloc(B), grad = net.backend.alloc(B);
  let loss = 0;
  for (let u = 0; u < updates; u++) {
    for (let r = 0; r < B; r++) {
      const data = full[rng.int(full.length)]!;
      const i = rng.int(data.size);
      for (let k = 0; k < F; k++) net.input[r * F + k] = (data.x[i * F + k]! - norm.mean[k]!) / norm.std[k]!;
      target[r] = data.y[i]!;
    }
    const out = net.forward(B);
    loss += mse(out, target, B, grad);
    net.zeroGrads();
    net.backward(grad, B);
    adam.step(net.params, net.grads);
  }
  return loss / updates;
}

/** `s` with its arrival rate scaled by `f` (see `arrivalScale`); the scenario itself is not changed. */
export function withArrivalRate(s: ResolvedScenario, f: number): ResolvedScenario {
  const users = s.spec.users;
  if (!users || f === 1) return s;
  const a = users.arrivals;
  const arrivals = a.kind === 'fixed' ? (a.sessionMinutes === undefined ? a : { ...a, sessionMinutes: a.sessionMinutes / f }) : { ...a, perMinute: a.perMinute * f };
  return { ...s, spec: { ...s.spec, users: { ...users, arrivals } } };
}

/** The fleet's fixed population, or undefined for arrival processes (which have none to scale). */
function basePopulation(s: ResolvedScenario): number | undefined {
  const a = s.spec.users?.arrivals;
  return a && a.kind === 'fixed' ? a.count : undefined;
}

/** Train the fleet agent (see the file comment). */
export function trainFleet(o: FleetTrainOptions): FleetTrainResult {
  const t0 = performance.now();
  const cfg = o.config;
  const load = o.resolve ?? ((name: string) => loadScenario(name, { cwd: o.cwd }));
  const train = cfg.train.map(load), validation = cfg.validation.map(load);
  const rng = new Rng(o.seed);
  const sets = train.map(() => new Dataset(Math.max(1000, Math.floor(cfg.maxSamples / train.length)), new Rng(rng.deriveSeed())));
  const fitRng = new Rng(rng.deriveSeed());
  const net = createNetwork({ kind: 'mlp', inputSize: MOVE_FEATURES, hidden: cfg.hidden, outputs: 1 }, { backend: createBackend('float32', undefined, 16 * 1024 * 1024), maxRows: cfg.batchSize, rng: new Rng(rng.deriveSeed()) });
  const adam = new Adam(net.backend, net.params.length, { learningRate: cfg.learningRate });
  const breachPenalty = train[0]!.spec.reward.violationPenalty;
  const plays = cfg.margins.flatMap((margin) => cfg.priorities.flatMap((priority) => cfg.socials.map((social) => ({ margin, priority, social, breachPenalty, candidatesPerUser: cfg.candidatesPerUser }))));
  const ticksOf = (s: ResolvedScenario) => s.spec.maxSteps;
  /** The training fleet of episode e of iteration it: the fleets in turn. */
  const fleetOf = (it: number, e: number) => (it * cfg.episodesPerIteration + e) % train.length;
  let collectTicks = 0;
  for (let it = 0; it < cfg.iterations; it++) for (let e = 0; e < cfg.episodesPerIteration; e++) collectTicks += ticksOf(train[fleetOf(it, e)]!);
  const validateTicks = validation.reduce((a, s) => a + ticksOf(s) * cfg.validationEpisodes, 0);
  const total = collectTicks + cfg.iterations * validateTicks * plays.length + validateTicks;
  let done = 0;
  const tick = (phase: FleetTrainProgress['phase'], iteration: number) => () => o.onProgress?.({ phase, iteration, done: ++done, total });

  // The rule on the validation fleets: the reference every setting is scored against.
  const ruleRuns = validation.map((s) => runFleet(resolveFleetPolicy(cfg.rule, s, o.cwd), s, { episodes: cfg.validationEpisodes, seed: cfg.validationSeed, onTick: tick('validate', 0) }).metrics);

  let norm: { mean: Float64Array; std: Float64Array } | undefined;
  const rows: ValidationRow[] = [];
  let best: { row: ValidationRow; file: FleetModelFile } | undefined;
  for (let it = 0; it < cfg.iterations; it++) {
    for (let e = 0; e < cfg.episodesPerIteration; e++) {
      const which = fleetOf(it, e);
      const s = withArrivalRate(train[which]!, cfg.arrivalScale.min + rng.uniform() * (cfg.arrivalScale.max - cfg.arrivalScale.min));
      const base = basePopulation(s);
      const pop = base === undefined ? undefined : Math.max(1, Math.round(base * (cfg.populationScale.min + rng.uniform() * (cfg.populationScale.max - cfg.populationScale.min))));
      const behaviour = it === 0 || !best ? resolveFleetPolicy(cfg.rule, s, o.cwd) : learnedFleetPolicy(new MoveModel(current(best.file.play)), fleetContext(s));
      collect(s, pop, behaviour, rng.deriveSeed() & 0x7fffffff, cfg, rng, sets[which]!, tick('collect', it));
    }
    norm ??= moments(sets);
    fit(net, adam, sets, norm, cfg.updatesPerIteration, cfg.batchSize, fitRng);
    for (const play of plays) {
      const file = current(play);
      const perFleet = validation.map((s, v) => {
        const m = runFleet(learnedFleetPolicy(new MoveModel(file), fleetContext(s)), s, { episodes: cfg.validationEpisodes, seed: cfg.validationSeed, onTick: tick('validate', it) }).metrics;
        const ref = ruleRuns[v]!;
        return { scenario: s.spec.name, returnPerUserHour: m.returnPerUserHour, ruleReturnPerUserHour: ref.returnPerUserHour, violationSecondsPerUserHour: m.violationSecondsPerUserHour, ruleViolationSecondsPerUserHour: ref.violationSecondsPerUserHour };
      });
      const relative = perFleet.reduce((a, f) => a + (f.returnPerUserHour - f.ruleReturnPerUserHour) / Math.max(1e-9, Math.abs(f.ruleReturnPerUserHour)), 0) / perFleet.length;
      const row: ValidationRow = { iteration: it, margin: play.margin, priority: play.priority, social: play.social, relative, perFleet };
      rows.push(row);
      if (!best || relative > best.row.relative) best = { row, file };
    }
  }

  function current(play: FleetPlay): FleetModelFile {
    return fleetModelFile(net, cfg.hidden, cfg.candidates, norm!.mean, norm!.std, play, {});
  }

  const chosen = best!;
  const samples = sets.reduce((a, d) => a + d.size, 0);
  const training = { seed: o.seed, train: cfg.train, validation: cfg.validation, iteration: chosen.row.iteration, validationRelative: chosen.row.relative, samples, config: cfg };
  const model: FleetModelFile = { ...chosen.file, training };
  const modelPath = o.out ? saveFleetModel(o.out, model) : undefined;
  return { model, modelPath, validation: rows, chosen: chosen.row, samples, seconds: (performance.now() - t0) / 1000 };
}

/** Read and validate a fleet training config file (`remora train --fleet --config`); one-line error on any problem. */
export function readFleetTrainConfig(path: string): FleetTrainConfig {
  return readJsonWith(FleetTrainConfigSchema, path, (p) => readFileSync(p, 'utf8'));
}
