/**
 * Running a policy in an env, episode by episode, with an optional per-step callback. Shared by `simulate`,
 * `evaluate`, `compare` and `reproduce`.
 */
import type { Env, Policy } from '../../core/env.js';

/** What a step callback sees (valid only during the call; copy what you keep). */
export interface StepRecord {
  episode: number;
  /** Step index of the observation the action was taken on. */
  t: number;
  /** Observation the action was taken on. */
  observation: Float64Array;
  action: number;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  /** The env's info after the step. */
  info: Record<string, unknown>;
}

/** Per-episode summary. */
export interface EpisodeSummary {
  episode: number;
  /** Sum of rewards. */
  return: number;
  steps: number;
  terminated: boolean;
  truncated: boolean;
  /** Seed of the episode's world when the env reports one (twin: `info.worldSeed`). */
  worldSeed?: number;
}

export interface RolloutOptions {
  episodes: number;
  /** Seeds the first reset; later episodes continue the env's stream (Gymnasium semantics). */
  seed: number;
  onStep?: (s: StepRecord) => void;
  onEpisode?: (e: EpisodeSummary) => void;
}

export function rollout(env: Env, policy: Policy, opts: RolloutOptions): EpisodeSummary[] {
  const out: EpisodeSummary[] = [];
  const prev = new Float64Array(env.observationSpace.low.length);
  for (let ep = 0; ep < opts.episodes; ep++) {
    const r = ep === 0 ? env.reset({ seed: opts.seed }) : env.reset();
    const worldSeed = typeof r.info.worldSeed === 'number' ? r.info.worldSeed : undefined;
    policy.reset();
    policy.onReset?.(r.observation, r.info);
    let obs = r.observation;
    let mask = r.info.actionMask;
    let ret = 0, steps = 0;
    for (;;) {
      const action = policy.act(obs, mask);
      prev.set(obs);
      const s = env.step(action);
      ret += s.reward;
      opts.onStep?.({ episode: ep, t: steps, observation: prev, action, reward: s.reward, terminated: s.terminated, truncated: s.truncated, info: s.info });
      steps++;
      if (s.terminated || s.truncated) {
        const e: EpisodeSummary = { episode: ep, return: ret, steps, terminated: s.terminated, truncated: s.truncated, worldSeed };
        out.push(e);
        opts.onEpisode?.(e);
        break;
      }
      obs = s.observation;
      mask = s.info.actionMask;
    }
  }
  return out;
}
