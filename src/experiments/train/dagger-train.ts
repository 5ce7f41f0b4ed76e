/**
 * The residual DAgger training loop (the learner is src/agents/dagger.ts). It owns the env and the oracle, which
 * the learner never sees: each episode's world is recorded once and solved exactly (twin/oracle.ts), so every idle
 * state the rollout visits gets the oracle's hindsight action values as its label, whichever policy got it there.
 *
 * Iteration k rolls out `steps / iterations` env steps with the mixture policy of Ross et al.: the oracle's action
 * with probability β_k (β_0 = `betaStart`, then × `betaDecay`), else the learner's; labels every state with a choice;
 * then refits on everything gathered so far. Lives in experiments because it needs both the twin and the agents.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Rng } from '../../core/rng.js';
import { resolveDaggerConfig, type TrainConfigFile } from '../../agents/config.js';
import { checkpointScore, type OracleCache } from '../evaluate/evaluate.js';
import type { DaggerConfig } from '../../agents/dagger-config.js';
import { DaggerLearner } from '../../agents/dagger.js';
import type { FeatureRange } from '../../agents/residual-policy.js';
import { loadScenario, makeEnv, recordWorld, solveOracle, type ResolvedScenario } from '../../twin/index.js';
import { contextFor } from '../policies.js';

export interface DaggerIteration {
  iteration: number;
  steps: number;
  episodes: number;
  samples: number;
  beta: number;
  loss: number;
}

export interface DaggerRunOptions {
  scenario: ResolvedScenario;
  steps: number;
  envSeed: number;
  agentSeed: number;
  config: DaggerConfig;
  /** After each iteration's refit, with the learner as it is now (checkpoint selection reads its policy). */
  onIteration?: (it: DaggerIteration, learner: DaggerLearner) => void;
  /** After each episode, its return (the mixture policy's). */
  onEpisode?: (ret: number) => void;
}

export function trainDagger(o: DaggerRunOptions): DaggerLearner {
  const { scenario, config } = o;
  const env = makeEnv(scenario, o.envSeed);
  const n = env.layout.nodes;
  const rng = new Rng(o.agentSeed);
  const ctx = contextFor(scenario, 1);
  const learner = new DaggerLearner(config, ctx.reward, env.layout.inFlight, n, new Rng(rng.deriveSeed()), { rttBaseMs: ctx.rttBaseMs ?? 1, migration: ctx.migration! });
  const mix = new Rng(rng.deriveSeed());
  const perIteration = Math.max(1, Math.ceil(o.steps / config.iterations));
  let beta = config.betaStart;
  let steps = 0, episodes = 0;
  const qRow = new Float64Array(n + 1);
  for (let k = 0; k < config.iterations && steps < o.steps; k++) {
    const end = Math.min(o.steps, steps + perIteration);
    while (steps < end) {
      let r = env.reset();
      const world = recordWorld(scenario, r.info.worldSeed as number);
      const sol = solveOracle(world, scenario.spec, r.observation[0]!);
      learner.beginEpisode();
      episodes++;
      let ret = 0;
      for (;;) {
        const obs = r.observation, mask = r.info.actionMask, t = r.info.t;
        const mine = learner.see(obs, mask);
        let choices = 0;
        for (let a = 1; a <= n; a++) choices += mask[a]!;
        const row = (t * n + (obs[0]! - 1)) * (n + 1);
        const idle = choices > 0 && row + n < sol.q.length;
        if (idle) {
          for (let a = 0; a <= n; a++) qRow[a] = sol.q[row + a]!;
          learner.label(qRow);
        }
        let a = mine;
        if (idle && mix.uniform() < beta) {
          let best = 0;
          for (let b = 1; b <= n; b++) if (mask[b] === 1 && qRow[b]! > qRow[best]!) best = b;
          a = best;
        }
        const s = env.step(a);
        steps++;
        ret += s.reward;
        if (s.terminated || s.truncated || steps >= end) {
          if (s.terminated || s.truncated) o.onEpisode?.(ret);
          break;
        }
        r = s;
      }
    }
    const loss = learner.fit(config.updatesPerIteration);
    o.onIteration?.({ iteration: k, steps, episodes, samples: learner.samples, beta, loss }, learner);
    beta *= config.betaDecay;
  }
  return learner;
}

/** What {@link runDaggerTraining} needs: the fields of a training run that apply to DAgger. */
export interface DaggerTrainRun {
  scenario: string;
  steps: number;
  seed: number;
  out: string;
  config: TrainConfigFile;
  cwd: string;
  envSeed: number;
  agentSeed: number;
  /** Checkpoint selection on validation days (comma-separated scenarios), as runTraining's. */
  validation?: { scenario: string; episodes: number; seed: number };
}

/**
 * One DAgger run into its folder: `config.json`, `model.json` + `model.bin`. With `validation`, every iteration's
 * refit is a checkpoint (a DAgger iteration is the natural unit, so `validation.every` of a DQN run does not apply),
 * scored as runTraining scores its checkpoints (`checkpointScore`); the best one's weights are kept. Never test days.
 */
export function runDaggerTraining(o: DaggerTrainRun): { modelPath: string; steps: number; episodes: number; updates: number; meanReward: number; selectedStep: number | null } {
  const out = resolve(o.cwd, o.out);
  mkdirSync(out, { recursive: true });
  const scenario = loadScenario(o.scenario, { cwd: o.cwd });
  const config = resolveDaggerConfig(o.config);
  writeFileSync(join(out, 'config.json'), JSON.stringify({ agent: 'dagger', scenario: o.scenario, steps: o.steps, seed: o.seed, dagger: config }, null, 2) + '\n');
  const v = o.validation;
  const vals = v ? v.scenario.split(',').map((x) => loadScenario(x.trim(), { cwd: o.cwd })) : [];
  const caches: OracleCache[] = vals.map(() => new Map());
  let best: { step: number; margin: number; range: FeatureRange | undefined; key: number; pct: number; ret: number; params: Float32Array } | undefined;
  let last = { steps: 0, episodes: 0 };
  const recent: number[] = [];
  const learner = trainDagger({
    scenario, steps: o.steps, envSeed: o.envSeed, agentSeed: o.agentSeed, config,
    onEpisode: (r) => {
      recent.push(r);
      if (recent.length > 100) recent.shift();
    },
    onIteration: (it, l) => {
      last = { steps: it.steps, episodes: it.episodes };
      if (!v || vals.length === 0) return;
      const range = l.gateRange();
      for (const margin of config.margins) {
        const { key, pct, ret } = checkpointScore((sc) => l.policy(undefined, margin, range, contextFor(sc, 1)), vals, { episodes: v.episodes, seed: v.seed }, caches);
        if (!best || key > best.key) best = { step: it.steps, margin, range, key, pct, ret, params: Float32Array.from(l.network.params) };
      }
    },
  });
  const meanReward = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : Number.NaN;
  const modelPath = learner.save(out, {
    scenario: o.scenario, seed: o.seed, steps: last.steps, episodes: last.episodes, updates: learner.updates,
    meanReward: Number.isFinite(meanReward) ? meanReward : null, config: config as unknown as Record<string, unknown>,
    ...(best && v ? { selection: { step: best.step, scenario: v.scenario, episodes: v.episodes, pctOfOracle: Number(best.pct.toFixed(2)), return: Number(best.ret.toFixed(4)) } } : {}),
  }, best?.params, best?.margin ?? config.margins[0], best ? best.range : learner.gateRange());
  return { modelPath, steps: last.steps, episodes: last.episodes, updates: learner.updates, meanReward, selectedStep: best?.step ?? null };
}
