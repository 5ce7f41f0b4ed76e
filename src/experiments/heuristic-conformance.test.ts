/**
 * Every registered heuristic, in every form it has, makes the same choices. The forms: the per-user `Policy` (the
 * registry's), the batched {@link RowHeuristic} over rows, the fleet candidates (`follow-me`, `sla-greedy`: a row's
 * first candidate is its choice) and the controller's bulk scorer (a name `bulkScorerFor` accepts: the choice its
 * values imply, the best legal node whose value beats staying). Two kinds of input: seeded random observations,
 * with ties and partial masks (what the controller's gates can give), and the observations of real rollouts of
 * built-in scenarios (instant, timed with the in-flight block, and 8 nodes), decided row by row in lockstep.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baselineRegistry } from '../agents/registry.js';
import { rowHeuristicFor, RANKED_NAMES } from '../agents/row-heuristics.js';
import { CandidateBuffer, firstCandidates, followMeCandidates, slaGreedyCandidates, type FleetRows } from '../agents/fleet/candidates.js';
import { bulkScorerFor, type BulkScorer } from '../cluster/bulk-score.js';
import type { Policy } from '../core/env.js';
import type { RewardParams } from '../core/reward.js';
import { Rng } from '../core/rng.js';
import { loadScenario, makeEnv } from '../twin/index.js';
import { contextFor, twinRegistry, type TwinContext } from './policies.js';

const NAMES = baselineRegistry().names();
const CANDIDATES: Record<string, (f: FleetRows, p: RewardParams, out: CandidateBuffer) => void> = {
  'follow-me': (f, p, out) => followMeCandidates(f, p, 3, out),
  'sla-greedy': (f, p, out) => slaGreedyCandidates(f, p, 3, 0.5, out),
};

function scorerOf(name: string, ctx: TwinContext): BulkScorer | undefined {
  try {
    return bulkScorerFor(name, baselineRegistry(), { nodes: ctx.layout.nodes, reward: ctx.reward, batchRows: 64, cwd: process.cwd() });
  } catch {
    return undefined; // a rule with per-user state has no bulk form
  }
}

/** The action a bulk scorer's values imply for row r: the best legal node that beats staying (Wait or current). */
function bulkChoice(values: Float64Array, r: number, n: number, cur: number, masks: Uint8Array): number {
  const A = n + 1, o = r * A;
  let best = 0, bestV = Math.max(values[o]!, values[o + cur]!);
  for (let j = 1; j <= n; j++) if (j !== cur && masks[o + j] === 1 && values[o + j]! > bestV) (best = j), (bestV = values[o + j]!);
  return best;
}

/**
 * Decide one batch of rows in every form of `name` and assert they agree with `expected` (the per-user policies'
 * actions); rows with `skip` set are not compared.
 */
function checkForms(name: string, ctx: TwinContext, f: FleetRows, rows: ReturnType<typeof rowHeuristicFor>, expected: Int32Array, where: string): void {
  const n = f.nodes, got = new Int32Array(f.rows);
  rows.choose({ rows: f.rows, nodes: n, D: f.D, observations: f.observations, actionMasks: f.actionMasks, skip: f.skip }, got);
  for (let r = 0; r < f.rows; r++) if (!f.skip[r]) assert.equal(got[r], expected[r], `${name} row form, ${where}, row ${r}`);
  const cands = CANDIDATES[name];
  if (cands) {
    const buf = new CandidateBuffer(), first = new Int32Array(f.rows);
    cands(f, ctx.reward, buf);
    firstCandidates(buf, f.rows, first);
    for (let r = 0; r < f.rows; r++) if (!f.skip[r]) assert.equal(first[r], expected[r], `${name} fleet candidates, ${where}, row ${r}`);
  }
  const scorer = scorerOf(name, ctx);
  if (scorer) {
    const L = 1 + 2 * n, obs = new Float64Array(f.rows * L), values = new Float64Array(f.rows * (n + 1));
    for (let r = 0; r < f.rows; r++) obs.set(f.observations.subarray(r * f.D, r * f.D + L), r * L);
    scorer.score(obs, f.actionMasks, f.rows, n, values);
    for (let r = 0; r < f.rows; r++) {
      if (!f.skip[r]) assert.equal(bulkChoice(values, r, n, f.observations[r * f.D]!, f.actionMasks), expected[r], `${name} bulk scorer, ${where}, row ${r}: obs ${[...obs.subarray(r * L, r * L + L)]} values ${[...values.subarray(r * (n + 1), (r + 1) * (n + 1))]}`);
    }
  }
}

test('the stateless rules have a ranking, fleet candidates or a bulk scorer; the others keep per-user state', () => {
  const ctx = contextFor(loadScenario('sr111-roundtrip'), 1);
  assert.deepEqual(NAMES.filter((n) => scorerOf(n, ctx)).sort(), [...RANKED_NAMES].sort());
  for (const n of Object.keys(CANDIDATES)) assert.ok(RANKED_NAMES.includes(n), n);
});

test('every registered heuristic chooses alike in every form on seeded random observations', () => {
  for (const n of [2, 3, 5, 8]) {
    const sc = loadScenario(n === 3 ? 'sr111-roundtrip' : n === 5 ? 'highway-5' : n === 8 ? 'highway-8' : 'sr111');
    const base = contextFor(sc, 7);
    const ctx: TwinContext = { ...base, layout: { nodes: n, inFlight: false } };
    const rng = new Rng(1000 + n), R = 64, D = 1 + 2 * n, A = n + 1, steps = 40;
    for (const name of NAMES) {
      const policies: Policy[] = Array.from({ length: R }, (_, r) => twinRegistry.resolve(name, { ...ctx, seed: ctx.seed + r }, process.cwd()));
      for (const p of policies) p.reset();
      const rows = rowHeuristicFor(name, twinRegistry, ctx, process.cwd());
      const f: FleetRows = { rows: R, D, A, nodes: n, observations: new Float64Array(R * D), actionMasks: new Uint8Array(R * A), skip: new Uint8Array(R), demand: new Float64Array(R).fill(1) };
      const expected = new Int32Array(R);
      for (let t = 0; t < steps; t++) {
        for (let r = 0; r < R; r++) {
          const o = r * D, cur = 1 + rng.int(n);
          f.observations[o] = cur;
          // RTTs on a coarse grid from 2 ms (ties happen; Eq. 4 is undefined at 0 ms), loads around the SLA's L_max.
          for (let j = 1; j <= n; j++) f.observations[o + j] = 2 + 2 * rng.int(25);
          for (let j = 1; j <= n; j++) f.observations[o + n + j] = 1 + Math.round(20 * rng.uniform()) / 2;
          const inFlight = rng.uniform() < 0.1;
          f.actionMasks[r * A] = 1;
          for (let j = 1; j <= n; j++) f.actionMasks[r * A + j] = !inFlight && j !== cur && rng.uniform() < 0.8 ? 1 : 0;
          f.skip[r] = rng.uniform() < 0.05 ? 1 : 0;
        }
        for (let r = 0; r < R; r++) {
          if (f.skip[r]) continue;
          expected[r] = policies[r]!.act(f.observations.slice(r * D, (r + 1) * D), f.actionMasks.slice(r * A, (r + 1) * A));
        }
        checkForms(name, ctx, f, rows, expected, `N=${n}, step ${t}`);
      }
    }
  }
});

test('every registered heuristic chooses alike in every form along real scenario rollouts', () => {
  for (const scenario of ['sr111-roundtrip', 'sr111-edge', 'highway-8']) {
    const sc = loadScenario(scenario);
    const ctx = contextFor(sc, 11);
    const n = ctx.layout.nodes, A = n + 1, R = 3;
    for (const name of NAMES) {
      const envs = Array.from({ length: R }, () => makeEnv(sc));
      const policies = Array.from({ length: R }, (_, r) => twinRegistry.resolve(name, { ...ctx, seed: ctx.seed + r }, process.cwd()));
      const rows = rowHeuristicFor(name, twinRegistry, ctx, process.cwd());
      const first = envs.map((e, r) => e.reset({ seed: 100 + r }));
      const D = first[0]!.observation.length;
      const f: FleetRows = { rows: R, D, A, nodes: n, observations: new Float64Array(R * D), actionMasks: new Uint8Array(R * A), skip: new Uint8Array(R), demand: new Float64Array(R).fill(1) };
      first.forEach((s, r) => {
        f.observations.set(s.observation, r * D);
        f.actionMasks.set(s.info.actionMask, r * A);
        policies[r]!.reset();
      });
      const expected = new Int32Array(R);
      let moves = 0;
      for (let t = 0; !f.skip.every((x) => x === 1); t++) {
        for (let r = 0; r < R; r++) if (!f.skip[r]) expected[r] = policies[r]!.act(f.observations.slice(r * D, (r + 1) * D), f.actionMasks.slice(r * A, (r + 1) * A));
        checkForms(name, ctx, f, rows, expected, `${scenario}, step ${t}`);
        for (let r = 0; r < R; r++) {
          if (f.skip[r]) continue;
          if (expected[r] !== 0) moves++;
          const s = envs[r]!.step(expected[r]!);
          f.observations.set(s.observation, r * D);
          f.actionMasks.set(s.info.actionMask, r * A);
          if (s.terminated || s.truncated) f.skip[r] = 1;
        }
      }
      if (name !== 'never') assert.ok(moves > 0, `${name} never migrated on ${scenario}: the rollout would not test its choices`);
    }
  }
});
