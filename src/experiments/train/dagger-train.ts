/**
 * The residual DAgger training loop (the learner is src/agents/dagger.ts). It owns the env and the oracle, which
 * the learner never sees: each episode's world is recorded once and solved exactly (twin/oracle.ts), so every idle
 * state the rollout visits gets the oracle's hindsight action values as its label, whichever policy got it there.
 *
 * Iteration k rolls out `steps / iterations` env steps with the mixture policy of Ross et al.: the oracle's action
 * with probability β_k (β_0 = `betaStart`, then × `betaDecay`), else the learner's; labels every state with a choice;
 * then refits on everything gathered so far. Lives in experiments because it needs both the twin and the agents.
 */
import { Rng } from '../../core/rng.js';
import type { DaggerConfig } from '../../agents/dagger-config.js';
import { DaggerLearner } from '../../agents/dagger.js';
import { makeEnv, recordWorld, solveOracle, type ResolvedScenario } from '../../twin/index.js';
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
        if (s.terminated || s.truncated || steps >= end) break;
        r = s;
      }
    }
    const loss = learner.fit(config.updatesPerIteration);
    o.onIteration?.({ iteration: k, steps, episodes, samples: learner.samples, beta, loss }, learner);
    beta *= config.betaDecay;
  }
  return learner;
}
