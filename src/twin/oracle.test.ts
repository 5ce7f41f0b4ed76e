import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeEnv, parseScenario, resolveScenario, recordWorld, solveOracle, OraclePolicy, loadScenario, type ResolvedScenario, type TwinInfo } from './index.js';
import { rollout } from '../experiments/evaluate/rollout.js';
import { FollowMePolicy, GreedyPolicy, HysteresisPolicy, NeverPolicy, RandomPolicy, SlaGreedyPolicy, ThresholdPolicy } from '../agents/baselines/index.js';
import { Rng } from '../core/rng.js';

const here = dirname(fileURLToPath(import.meta.url));
const cache = new Map();

/** A compressed highway where SLA crossings, terminations and migrations all happen within a few steps. */
function tiny(overrides: Record<string, unknown>): ResolvedScenario {
  const base = {
    extends: 'sr111', name: 'tiny', maxSteps: 6, stepSeconds: 5,
    nodes: [0, 400, 800].map((x, i) => ({ name: `n${i + 1}`, xM: x, yM: 20, trace: { format: 'follow-me', file: `builtin:traces/follow-me-borg/cpu_mem_${i === 1 ? 3 : 1}.txt.gz` } })),
    mobility: { kind: 'highway', fromXM: 0, toXM: 800, speedKmh: { min: 80, max: 104.5 }, direction: 'both' },
    rtt: { slopeMsPerM: 0.04, noiseSigmaMs: { min: 0.5, max: 3 } },
    workload: { noise: { unit: 'percent', cpu: { mean: 30, std: 25 }, mem: { mean: 20, std: 25 } } },
  };
  return resolveScenario(parseScenario({ ...base, ...overrides }, 'tiny'), 'tiny', { cwd: here, traceCache: cache });
}

/** Best return over every action sequence, by replaying the env from the same seed. */
function bruteForce(sc: ResolvedScenario, seed: number): number {
  const env = makeEnv(sc);
  const n = env.nodes;
  const L = sc.spec.maxSteps;
  let best = -Infinity;
  const seq = new Int32Array(L);
  const total = (n + 1) ** L;
  for (let code = 0; code < total; code++) {
    let c = code;
    for (let i = 0; i < L; i++) {
      seq[i] = c % (n + 1);
      c = Math.floor(c / (n + 1));
    }
    let r = env.reset({ seed });
    let mask = r.info.actionMask;
    let ret = 0;
    let valid = true;
    for (let i = 0; i < L; i++) {
      if (mask[seq[i]!] !== 1) {
        valid = false;
        break;
      }
      const s = env.step(seq[i]!);
      ret += s.reward;
      mask = s.info.actionMask;
      if (s.terminated || s.truncated) break;
    }
    if (valid && ret > best) best = ret;
  }
  return best;
}

for (const [label, overrides] of [
  ['instant migrations', {}],
  ['timed migrations (1-3 steps)', { migration: { model: 'timed', durations: { pod: { kind: 'uniform', minSeconds: 3, maxSeconds: 14 } } } }],
  ['penalised self-migration, no termination', { reward: { selfMigration: 'penalize', selfMigrationReward: -2 }, terminateOnViolation: false }],
  ['timed, no termination', { terminateOnViolation: false, migration: { model: 'timed', durations: { pod: { kind: 'uniform', minSeconds: 3, maxSeconds: 14 } } } }],
  // The edge model: switch-over spike and traffic cost, with instant, one-step and multi-step migrations.
  ['edge: instant with downtime and traffic', { terminateOnViolation: false, migration: { downtimeSeconds: { pod: 0.5 } }, reward: { trafficCostPerGiB: 1 } }],
  ['edge: timed (1-3 steps) with downtime and traffic', { terminateOnViolation: false, observation: { inFlight: true }, migration: { model: 'timed', downtimeSeconds: { pod: 0.5 }, durations: { pod: { kind: 'uniform', minSeconds: 3, maxSeconds: 14 } } }, reward: { trafficCostPerGiB: 1 } }],
  ['edge: timed, terminating, spike can violate', { migration: { model: 'timed', downtimeSeconds: { pod: 0.3 }, durations: { pod: { kind: 'uniform', minSeconds: 3, maxSeconds: 9 } } }, reward: { trafficCostPerGiB: 0.5 } }],
] as const) {
  test(`oracle DP equals brute force over all action sequences: ${label}`, () => {
    const sc = tiny(overrides);
    const env = makeEnv(sc);
    let nontrivial = 0;
    for (let seed = 0; seed < 6; seed++) {
      const r = env.reset({ seed });
      const info = r.info as TwinInfo;
      const sol = solveOracle(recordWorld(sc, info.worldSeed), sc.spec, r.observation[0]!);
      const bf = bruteForce(sc, seed);
      assert.ok(Math.abs(sol.return - bf) < 1e-9, `seed ${seed}: DP ${sol.return} vs brute force ${bf}`);
      // Playing the plan in the env achieves exactly the DP value.
      const policy = new OraclePolicy(sc);
      const [ep] = rollout(makeEnv(sc), policy, { episodes: 1, seed });
      assert.ok(Math.abs(ep!.return - sol.return) < 1e-9, `seed ${seed}: played ${ep!.return} vs ${sol.return}`);
      if (sol.actions.some((a) => a !== 0)) nontrivial++;
    }
    assert.ok(nontrivial >= 2, `the fixture must make migrating optimal sometimes (got ${nontrivial}/6)`);
  });
}

test('the oracle return is >= every policy\'s return on the same episodes (paper, timed and edge models)', () => {
  for (const name of ['sr111', 'sr111-timed', 'sr111-roundtrip', 'sr111-edge', 'sr111-edge-roundtrip']) {
    const sc = loadScenario(name, { traceCache: cache });
    const params = { rttSla: sc.spec.sla.rttMs, loadSla: sc.spec.sla.load, migrationCost: sc.spec.reward.migrationCost };
    const n = sc.spec.nodes.length;
    const policies = [new NeverPolicy(), new FollowMePolicy(n), new GreedyPolicy(params, n), new SlaGreedyPolicy(params, n), new HysteresisPolicy({}, n), new ThresholdPolicy({}, n), new RandomPolicy(new Rng(3))];
    const episodes = name.endsWith('roundtrip') ? 2 : 15;
    const oracle = rollout(makeEnv(sc), new OraclePolicy(sc), { episodes, seed: 42 });
    for (const p of policies) {
      const eps = rollout(makeEnv(sc), p, { episodes, seed: 42 });
      eps.forEach((e, i) => {
        assert.equal(e.worldSeed, oracle[i]!.worldSeed, 'identical episodes');
        assert.ok(e.return <= oracle[i]!.return + 1e-9, `${name} ${p.name} episode ${i}: ${e.return} > oracle ${oracle[i]!.return}`);
      });
    }
  }
});
