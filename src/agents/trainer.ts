/**
 * The training loop (keras-rl2 `Agent.fit`, Gymnasium step API): runs episodes until `steps` env steps have been
 * taken; the last, unfinished episode is not reported (as keras-rl2). The env is a parameter: this module never
 * knows which env it trains on.
 */
import { z } from 'zod';
import type { Env } from '../core/env.js';
import type { TrainableAgent } from './agent.js';

/**
 * What the loop reports after each finished episode; `remora train` writes one per line of `metrics.jsonl`
 * (`src/experiments/train/metrics-jsonl.ts` writes and reads that file with this schema). Not `.strict()`: a
 * reader should accept a run written by a newer version that added a field.
 */
export const episodeMetricsSchema = z.object({
  /** 0-based episode index. */
  episode: z.number().int().nonnegative(),
  /** Total env steps taken so far (after this episode). */
  steps: z.number().int().nonnegative(),
  /** Return (sum of rewards) of this episode. */
  reward: z.number(),
  /** Mean return of the last {@link MEAN_WINDOW_EPISODES} episodes (fewer at the start). */
  meanReward: z.number(),
  /** Steps in this episode. */
  length: z.number().int().nonnegative(),
  /** ε at the end of this episode. */
  epsilon: z.number(),
});
export type EpisodeMetrics = z.infer<typeof episodeMetricsSchema>;

/** Episodes averaged in `meanReward`. */
export const MEAN_WINDOW_EPISODES = 100;

export interface TrainProgress {
  steps: number;
  totalSteps: number;
  episodes: number;
  epsilon: number;
  /** NaN before the first episode ends. */
  meanReward: number;
  updates: number;
}

export interface TrainLoopOptions {
  /** Env steps to train for. */
  steps: number;
  /** Seed of the first `reset` (later episodes continue the env's stream). */
  seed: number;
  onEpisode?: (m: EpisodeMetrics) => void;
  /** Called every `progressEvery` steps and at the end. */
  onProgress?: (p: TrainProgress) => void;
  progressEvery?: number;
  /** Called every `checkpointEvery` steps and at the end (e.g. to score the greedy policy on validation days). */
  onCheckpoint?: (steps: number) => void;
  checkpointEvery?: number;
}

export interface TrainSummary {
  steps: number;
  episodes: number;
  updates: number;
  /** Mean return of the last episodes (see {@link MEAN_WINDOW_EPISODES}); NaN when no episode ended. */
  meanReward: number;
}

export function trainAgent(agent: TrainableAgent, env: Env, opts: TrainLoopOptions): TrainSummary {
  const recent = new Float64Array(MEAN_WINDOW_EPISODES);
  let recentCount = 0, recentSum = 0;
  let episodes = 0;
  let steps = 0;
  const every = opts.progressEvery ?? 1000;
  const progress = (): void =>
    opts.onProgress?.({ steps, totalSteps: opts.steps, episodes, epsilon: agent.currentEpsilon, meanReward: recentCount ? recentSum / recentCount : Number.NaN, updates: agent.updates });
  while (steps < opts.steps) {
    const r0 = episodes === 0 ? env.reset({ seed: opts.seed }) : env.reset();
    agent.beginEpisode(r0.observation, r0.info.actionMask);
    let mask = r0.info.actionMask;
    let ret = 0, length = 0;
    let done = false;
    while (steps < opts.steps) {
      const a = agent.act(mask, true);
      const s = env.step(a);
      ret += s.reward;
      length++;
      steps++;
      agent.observe(s.reward, s.terminated, s.truncated, s.observation, s.info.actionMask);
      mask = s.info.actionMask;
      if (steps % every === 0) progress();
      if (opts.checkpointEvery && steps % opts.checkpointEvery === 0 && steps < opts.steps) opts.onCheckpoint?.(steps);
      if (s.terminated || s.truncated) {
        done = true;
        break;
      }
    }
    if (!done) break;
    const slot = episodes % MEAN_WINDOW_EPISODES;
    if (recentCount === MEAN_WINDOW_EPISODES) recentSum -= recent[slot]!;
    else recentCount++;
    recent[slot] = ret;
    recentSum += ret;
    opts.onEpisode?.({ episode: episodes, steps, reward: ret, meanReward: recentSum / recentCount, length, epsilon: agent.currentEpsilon });
    episodes++;
  }
  progress();
  opts.onCheckpoint?.(steps);
  return { steps, episodes, updates: agent.updates, meanReward: recentCount ? recentSum / recentCount : Number.NaN };
}
