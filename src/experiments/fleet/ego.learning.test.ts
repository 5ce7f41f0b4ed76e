// The paper's single-agent DQN (the edge-model product configuration) trained as the ego of sr111-traffic in a
// coordinated crowd (`sla-greedy+coord`), through EgoEnv. Fixed seeds; scored on 30 ego episodes of an
// evaluation seed against every heuristic as the ego in the same crowd. The threshold is relative: the DQN must close
// at least 60 % of the gap between `never` and the best heuristic. Measured at 30k steps, seed 1: 79.6 % (DQN mean
// return -55.0; sla-greedy, the best, -18.4; never -197.7): at this budget it does not reach the heuristic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrainConfig } from '../../agents/config.js';
import { HEURISTICS } from '../../agents/registry.js';
import { loadScenario } from '../../twin/index.js';
import { resolvePolicy } from '../policies.js';
import { PRODUCT_PRESETS } from '../product.js';
import { evaluateEgo, trainEgo } from './ego.js';

test('DQN trained as the ego in a sr111-traffic crowd closes >= 60 % of the gap from never to the best heuristic', { timeout: 600_000 }, async () => {
  const sc = loadScenario('sr111-traffic');
  const crowd = 'sla-greedy+coord';
  const { policy } = trainEgo({ scenario: sc, crowd, steps: 30_000, seed: 1, config: parseTrainConfig(structuredClone(PRODUCT_PRESETS.edge.config), 'ego learning test'), cwd: process.cwd() });
  const score = async (name: string) => evaluateEgo(await resolvePolicy(name, { seed: 1, scenario: sc }, process.cwd()), sc, crowd, 30, 4242, process.cwd()).meanReturn;
  let best = -Infinity, bestName = '';
  for (const h of HEURISTICS) {
    const r = await score(h);
    if (r > best) [best, bestName] = [r, h];
  }
  const never = await score('never');
  const dqn = evaluateEgo(policy, sc, crowd, 30, 4242, process.cwd()).meanReturn;
  const closed = (100 * (dqn - never)) / (best - never);
  const msg = `ego DQN: mean return ${dqn.toFixed(1)}; best heuristic ${bestName} ${best.toFixed(1)}; never ${never.toFixed(1)}; gap closed ${closed.toFixed(1)} %`;
  console.log(msg);
  assert.ok(best > never, 'the heuristics beat never in the crowd');
  assert.ok(closed >= 60, msg);
});
