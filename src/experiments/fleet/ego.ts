/**
 * The single-agent DQN in a crowd: training and evaluation through `EgoEnv`, one ego user whose fleet
 * row is a plain `Env`, the rest of the fleet driven by a fleet policy (the crowd). The agent meets the load the
 * crowd's services make and competes with it for migration slots and room.
 */
import type { TrainConfigFile } from '../../agents/config.js';
import { createAgent, saveAgent, snapshotPolicy } from '../../agents/factory.js';
import { trainAgent } from '../../agents/trainer.js';
import type { Policy } from '../../core/env.js';
import { Rng } from '../../core/rng.js';
import { EgoEnv, FleetTwin, type EgoInfo, type ResolvedScenario } from '../../twin/index.js';
import { rollout } from '../evaluate/rollout.js';
import { agentSpecFor, runSeeds } from '../train/train.js';
import { resolveFleetPolicy } from './evaluate.js';

/** An ego env on `scenario` with the crowd driven by the fleet policy `crowd` (a registered name or node-seq model). */
export function egoEnv(scenario: ResolvedScenario, crowd: string, seed: number, cwd: string): EgoEnv {
  return new EgoEnv(new FleetTwin(scenario, 0), resolveFleetPolicy(crowd, scenario, cwd), seed);
}

export interface EgoTrainOptions {
  scenario: ResolvedScenario;
  crowd: string;
  steps: number;
  seed: number;
  config: TrainConfigFile;
  cwd: string;
  /** Write `model.json` + `model.bin` here when given. */
  out?: string;
}

/** Train the DQN (the config's) as the ego; returns its greedy policy and, with `out`, the model path. */
export function trainEgo(o: EgoTrainOptions): { policy: Policy; modelPath?: string; episodes: number } {
  const { envSeed, agentSeed } = runSeeds(o.seed);
  const env = egoEnv(o.scenario, o.crowd, envSeed, o.cwd);
  const layout = { nodes: env.fleet.nodes, inFlight: o.scenario.spec.observation.inFlight };
  const agent = createAgent(agentSpecFor('dqn', o.config), layout, o.steps, new Rng(agentSeed));
  const summary = trainAgent(agent, env, { steps: o.steps, seed: envSeed });
  const spec = agentSpecFor('dqn', o.config);
  const training = { scenario: `${o.scenario.spec.name} (ego in a ${o.crowd} crowd)`, seed: o.seed, steps: summary.steps, episodes: summary.episodes, updates: summary.updates, meanReward: Number.isFinite(summary.meanReward) ? summary.meanReward : null, config: spec.config as unknown as Record<string, unknown> };
  const modelPath = o.out ? saveAgent(o.out, agent, training) : undefined;
  return { policy: snapshotPolicy(agent), modelPath, episodes: summary.episodes };
}

export interface EgoScore {
  policy: string;
  episodes: number;
  /** Mean ego return per episode, and per ego-hour. */
  meanReturn: number;
  returnPerHour: number;
  violationSecondsPerHour: number;
  migrationsPerHour: number;
}

/** A single-user policy as the ego on `episodes` identical crowd episodes (same seed, same crowd). */
export function evaluateEgo(policy: Policy, scenario: ResolvedScenario, crowd: string, episodes: number, seed: number, cwd: string): EgoScore {
  const env = egoEnv(scenario, crowd, 0, cwd);
  let steps = 0, violations = 0, migrations = 0;
  const eps = rollout(env, policy, {
    episodes,
    seed,
    onStep: (s) => {
      const info = s.info as EgoInfo;
      steps++;
      if (info.violation) violations++;
      if (info.migrated) migrations++;
    },
  });
  const hours = (steps * scenario.spec.stepSeconds) / 3600;
  const ret = eps.reduce((a, e) => a + e.return, 0);
  return { policy: policy.name, episodes, meanReturn: ret / episodes, returnPerHour: ret / hours, violationSecondsPerHour: (violations * scenario.spec.stepSeconds) / hours, migrationsPerHour: migrations / hours };
}
