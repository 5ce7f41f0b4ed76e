/**
 * The fleet agent learns (fixed seeds, a small budget): trained on a half-size `metro-36`, chosen on its
 * validation days, it must beat coordinated sla-greedy on a city it never saw (`city-48`, a radial layout, test
 * days; a light fleet, where sla-greedy+coord has 61 violation s per user-hour): a higher return, less violation
 * time, no more storms, on the same episode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../../twin/index.js';
import { learnedFleetPolicy } from '../../agents/fleet/fleet-policies.js';
import { MoveModel } from '../../agents/fleet/move-model.js';
import { fleetContext, resolveFleetPolicy, runFleet } from './evaluate.js';
import { FleetTrainConfigSchema, trainFleet } from './fleet-train.js';

test('the fleet agent beats coordinated sla-greedy on a held-out city, and its externality is what the choice keeps', () => {
  const config = FleetTrainConfigSchema.parse({
    train: ['metro-36'], validation: ['metro-36-validation'], iterations: 2, episodesPerIteration: 1, populationScale: { min: 0.5, max: 0.5 },
    updatesPerIteration: 1500, margins: [0], priorities: ['gain'], socials: [0, 4],
  });
  const r = trainFleet({ config, seed: 1, cwd: process.cwd() });
  assert.equal(r.validation.length, 4);
  // On validation, every social model beats the rule, and every selfish one (social 0) does worse than the social one of its iteration.
  for (const it of [0, 1]) {
    const selfish = r.validation.find((v) => v.iteration === it && v.social === 0)!, social = r.validation.find((v) => v.iteration === it && v.social === 4)!;
    assert.ok(social.relative > selfish.relative, `iteration ${it}: social ${social.relative} vs selfish ${selfish.relative}`);
    assert.ok(social.relative > 0, `iteration ${it}: ${social.relative} against ${config.rule}`);
  }
  assert.equal(r.chosen.social, 4);

  const city = loadScenario('city-48');
  const opts = { episodes: 1, seed: 1000 };
  const agent = runFleet(learnedFleetPolicy(new MoveModel(r.model), fleetContext(city)), city, opts).metrics;
  const coord = runFleet(resolveFleetPolicy('sla-greedy+coord', city, process.cwd()), city, opts).metrics;
  assert.ok(agent.returnPerUserHour > coord.returnPerUserHour, `return ${agent.returnPerUserHour} vs sla-greedy+coord ${coord.returnPerUserHour}`);
  assert.ok(agent.violationSecondsPerUserHour < coord.violationSecondsPerUserHour, `violation ${agent.violationSecondsPerUserHour} vs ${coord.violationSecondsPerUserHour}`);
  assert.ok(agent.storms <= coord.storms, `storms ${agent.storms} vs ${coord.storms}`);
});
