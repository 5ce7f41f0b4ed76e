import { InvalidInputError } from '../../core/errors.js';
import { resolvePolicy, baselineNames } from '../../experiments/policies.js';
import { rollout } from '../../experiments/evaluate/rollout.js';
import { loadScenario, makeEnv, scenarioNames, type TwinInfo } from '../../twin/index.js';
import { defineCommand, renderTable } from '../command.js';

const round = (x: number, d = 4): number => Number(x.toFixed(d));

export const simulateCommand = defineCommand({
  name: 'simulate',
  summary: 'Drive the twin with a policy and print every step (jsonl) or a per-episode table',
  usage: '--scenario <name|file> --policy <never|follow-me|random|greedy|threshold|oracle|model.json> [--episodes N] [--seed S] [--format jsonl|table]',
  flags: {
    scenario: { type: 'string', description: `Built-in scenario (${scenarioNames().join(', ')}) or a .json/.yaml file`, default: 'sr111', placeholder: '<name|file>' },
    policy: { type: 'string', description: `Policy: ${baselineNames().join(', ')}, or a trained model.json`, default: 'never', placeholder: '<name|model.json>' },
    episodes: { type: 'integer', description: 'Number of episodes', default: 1 },
    seed: { type: 'integer', description: 'Seed of the first reset (later episodes continue the stream)', default: 0 },
    format: { type: 'string', description: 'Output format', default: 'jsonl', choices: ['jsonl', 'table'] },
  },
  details: `jsonl prints one object per step: {episode, t, node, action, rtt, load, reward, terminated, truncated, servingAfter, migrating}.
node is the 1-based node serving at step t (before the action); rtt in ms and load per node at t.
The same seed gives byte-identical output.`,
  async run({ flags }, io) {
    const episodes = flags.episodes;
    if (episodes < 1) throw new InvalidInputError({ source: 'remora simulate', field: '--episodes', expected: 'an integer >= 1', actual: String(episodes) });
    const scenario = loadScenario(flags.scenario, { cwd: io.cwd });
    const env = makeEnv(scenario);
    const seed = flags.seed;
    const policy = await resolvePolicy(flags.policy, { seed, scenario }, io.cwd);
    const n = env.nodes;
    const jsonl = flags.format === 'jsonl';
    const rows: string[][] = [];
    let violations = 0, rttSum = 0, loadSum = 0;
    const summaries = rollout(env, policy, {
      episodes,
      seed,
      onStep: (s) => {
        const info = s.info as TwinInfo;
        if (info.rttViolation || info.loadViolation) violations++;
        rttSum += info.servingRttMs;
        loadSum += info.servingLoad;
        if (!jsonl) return;
        const o = s.observation;
        const line = {
          episode: s.episode,
          t: s.t,
          node: o[0],
          action: s.action,
          rtt: Array.from(o.subarray(1, 1 + n), (x) => round(x, 3)),
          load: Array.from(o.subarray(1 + n, 1 + 2 * n), (x) => round(x, 3)),
          reward: round(s.reward, 6),
          terminated: s.terminated,
          truncated: s.truncated,
          servingAfter: info.servingNode,
          migrating: info.migrationTarget,
        };
        io.out(JSON.stringify(line) + '\n');
      },
      onEpisode: (e) => {
        rows.push([String(e.episode), String(e.steps), e.return.toFixed(3), e.terminated ? 'terminated' : 'truncated', String(violations), (rttSum / e.steps).toFixed(2), (loadSum / e.steps).toFixed(2)]);
        violations = 0;
        rttSum = 0;
        loadSum = 0;
      },
    });
    if (!jsonl) {
      io.out(renderTable(['episode', 'steps', 'return', 'end', 'slaViolations', 'meanRttMs', 'meanLoad'], rows));
      const mean = summaries.reduce((a, e) => a + e.return, 0) / summaries.length;
      io.out(`policy ${policy.name} on ${scenario.spec.name}: mean return ${mean.toFixed(3)} over ${summaries.length} episode(s)\n`);
    }
    return 0;
  },
});
