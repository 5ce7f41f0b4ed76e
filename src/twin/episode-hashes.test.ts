// Bit-exact fingerprints of every built-in scenario's episodes (20 seeds, three policies: follow-me, sla-greedy and
// a seeded random legal policy), of the oracle's return and plan on the same episodes, and of the fleet twin's
// per-tick rows on its fleet scenarios. The expected hashes were computed before the step, its reward and the
// migration state machine moved into one kernel (core/transition.ts); they pin that every caller still gives the
// same episodes, to the bit. Regenerate (only for a deliberate change of the twin's semantics, and say which) with
// UPDATE_EPISODE_HASHES=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { baselineRegistry } from '../agents/registry.js';
import { fleetRegistry } from '../agents/fleet/fleet-policies.js';
import { fleetContext } from '../experiments/fleet/evaluate.js';
import { fleetEpisodeHash, oracleHash, RandomFleetPolicy, twinEpisodesHash } from './episode-hashes.js';
import { FleetTwin } from './fleet/fleet-twin.js';
import { loadScenario, scenarioNames, type ResolvedScenario } from './scenario-loader.js';

const FILE = fileURLToPath(new URL('./testdata/episode-hashes.json', import.meta.url));
const SEEDS = 20;
const POLICIES = ['follow-me', 'sla-greedy', 'random'] as const;
const FLEET_POLICIES = ['follow-me', 'sla-greedy+coord', 'random'] as const;
const FLEET_SEEDS = 2;

/** The fleet scenarios at a size the fast tier affords: the same rules, fewer users and ticks for the metro. */
function fleetSized(s: ResolvedScenario): ResolvedScenario {
  const u = s.spec.users!;
  if (u.arrivals.kind !== 'fixed') return { ...s, spec: { ...s.spec, maxSteps: 120 } };
  return { ...s, spec: { ...s.spec, maxSteps: 30, users: { ...u, arrivals: { ...u.arrivals, count: 300, sessionMinutes: 1 } } } };
}

function compute(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of scenarioNames()) {
    const s = loadScenario(name);
    if (s.spec.users) {
      const sized = fleetSized(s);
      const fleet = new FleetTwin(sized);
      for (const p of FLEET_POLICIES) {
        for (let seed = 0; seed < FLEET_SEEDS; seed++) {
          const policy = p === 'random' ? new RandomFleetPolicy(seed + 1) : fleetRegistry().resolve(p, fleetContext(sized), '.');
          out[`fleet/${name}/${p}/${seed}`] = fleetEpisodeHash(fleet, policy, seed);
        }
      }
      continue;
    }
    const spec = s.spec;
    const ctx = { layout: { nodes: s.nodeX.length, inFlight: spec.observation.inFlight }, reward: { rttSla: spec.sla.rttMs, loadSla: spec.sla.load, migrationCost: spec.reward.migrationCost }, seed: 7 };
    for (const p of POLICIES) out[`twin/${name}/${p}`] = twinEpisodesHash(s, baselineRegistry().resolve(p, ctx, '.'), 0, SEEDS);
    out[`oracle/${name}`] = oracleHash(s, 0, SEEDS);
  }
  return out;
}

test('every built-in scenario gives bit-identical episodes, oracle plans and fleet ticks to the recorded hashes', () => {
  const got = compute();
  if (process.env.UPDATE_EPISODE_HASHES === '1') {
    writeFileSync(FILE, JSON.stringify(got, null, 1) + '\n');
    return;
  }
  const want = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, string>;
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), 'the set of hashed (scenario, policy) pairs changed');
  const differ = Object.keys(want).filter((k) => got[k] !== want[k]);
  assert.deepEqual(differ, [], `episodes differ from the recorded ones for: ${differ.join(', ')}`);
});
