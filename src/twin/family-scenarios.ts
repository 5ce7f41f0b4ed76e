/**
 * Evaluation families: conditions that no training scenario contains, for leave-one-family-out evaluation. Each
 * family comes twice per model, kept apart:
 * - `<base>-unseen-<family>`: test only. Nothing is chosen on them (no checkpoint, no setting, no threshold).
 * - `<base>-validation-<family>`: the same kind of condition with other generator seeds, another speed band or
 *   another track, for choices that must see the family's kind (a domain-randomised agent's held-out family).
 * `<base>` is `sr111` (the paper's model) or `sr111-edge` (the edge model). No training scenario (`sr111`,
 * `sr111-train`, `sr111-train-nt`, `sr111-edge`) uses a synthetic trace, a speed outside 80-104.5 km/h, stop-and-go
 * or a GPS track, so with no family in training every family is left out; `family-scenarios.test.ts` checks it.
 *
 * Workload families (`synthetic-traces.ts` documents each generator and its parameters): `high-memory`, `bursty`,
 * `diurnal`, `ramp`, on the sr111 road and speeds. Node j of an unseen family uses generator seed 1700 + j, of a
 * validation family 2900 + j. Every day of a generated series is usable (nothing to hold out: the family is the
 * held-out part).
 *
 * Mobility families, on the test days' workload (validation families: the validation days):
 * - `highway`: 120-140 km/h (validation: 108-118), above the training speeds;
 * - `stop-and-go`: urban traffic, 15-35 km/h between stops, 30 s driving then 25 s standing (validation: 40-50
 *   km/h, 60 s then 10 s);
 * - `gps`: the CA-111 GPS track of `examples/scenarios` (car-1 north; validation: car-2 south) past three cell
 *   sites 13-16 km apart, with the example's R_max of 45 ms (20 ms is crossed 3.8 km from a node, so a 13 km gap
 *   would breach whatever the policy does).
 */
import type { ScenarioInput } from './scenario-schema.js';
import { deepMerge } from './scenario-schema.js';
import { SYNTHETIC_FAMILIES } from './synthetic-traces.js';

export const WORKLOAD_FAMILIES = SYNTHETIC_FAMILIES;
export const MOBILITY_FAMILIES = ['highway', 'stop-and-go', 'gps'] as const;
export const FAMILIES = [...WORKLOAD_FAMILIES, ...MOBILITY_FAMILIES] as const;
export type Family = (typeof FAMILIES)[number];
export type FamilyRole = 'unseen' | 'validation';

/** Generator seed of node j's series: unseen and validation families never share one. */
const SEED_BASE: Record<FamilyRole, number> = { unseen: 1700, validation: 2900 };

const ROAD = { kind: 'highway', fromXM: 0, toXM: 12000, yM: 0 } as const;

const MOBILITY: Record<FamilyRole, Record<'highway' | 'stop-and-go', Partial<ScenarioInput>>> = {
  unseen: {
    highway: { mobility: { ...ROAD, speedKmh: { min: 120, max: 140 }, direction: 'both' } },
    'stop-and-go': { mobility: { ...ROAD, speedKmh: { min: 15, max: 35 }, direction: 'both', stopAndGo: { goSeconds: 30, stopSeconds: 25 } }, maxSteps: 2000 },
  },
  validation: {
    highway: { mobility: { ...ROAD, speedKmh: { min: 108, max: 118 }, direction: 'both' } },
    'stop-and-go': { mobility: { ...ROAD, speedKmh: { min: 40, max: 50 }, direction: 'both', stopAndGo: { goSeconds: 60, stopSeconds: 10 } }, maxSteps: 2000 },
  },
};

const GPS_SITES = [
  { name: 'brawley', lat: 32.979, lon: -115.529 },
  { name: 'calipatria', lat: 33.126, lon: -115.5128 },
  { name: 'niland', lat: 33.2402, lon: -115.5115 },
] as const;

/** The family's changes to `base` (sr111's nodes and road, either model). */
function familyOverlay(base: ScenarioInput, family: Family, role: FamilyRole): Partial<ScenarioInput> {
  const days = { start: role === 'unseen' ? 'test' : 'validation' } as const;
  if ((WORKLOAD_FAMILIES as readonly string[]).includes(family)) {
    return {
      nodes: base.nodes.map((n, j) => ({ ...n, trace: { format: 'synthetic', family: family as (typeof WORKLOAD_FAMILIES)[number], seed: SEED_BASE[role] + j } })),
      workload: { heldOutDay: 'none', testDays: [], validationDays: [], start: 'random' },
    };
  }
  if (family === 'gps') {
    return {
      nodes: base.nodes.map((n, j) => ({ name: GPS_SITES[j]!.name, lat: GPS_SITES[j]!.lat, lon: GPS_SITES[j]!.lon, trace: n.trace })),
      mobility: {
        kind: 'gps',
        file: 'builtin:gps/ca111-tracks.csv',
        columns: { lat: 'lat', lon: 'lon', time: 'time', timeUnit: 'iso', trackColumn: 'track_id' },
        track: role === 'unseen' ? 'car-1' : 'car-2',
      },
      sla: { rttMs: { min: 1, max: 45 } },
      maxSteps: 2000,
      workload: days,
    } as Partial<ScenarioInput>;
  }
  return { ...MOBILITY[role][family as 'highway' | 'stop-and-go'], workload: days };
}

/**
 * Every family scenario of one model: `<prefix>-unseen-<family>` and `<prefix>-validation-<family>` over `base`
 * (sr111 with the model's overlay merged in, evaluation settings: no training randomization). `base.name` is the
 * built-in the loader re-applies as `extends`, so it must be one without training randomization (sr111).
 */
export function familyScenarios(prefix: string, base: ScenarioInput, model: string): Record<string, ScenarioInput> {
  const out: Record<string, ScenarioInput> = {};
  for (const role of ['unseen', 'validation'] as const) {
    for (const family of FAMILIES) {
      const name = `${prefix}-${role}-${family}`;
      const what = role === 'unseen' ? 'Unseen family (test only; nothing is chosen on it)' : 'Validation family (kept apart from the unseen one)';
      const scenario = deepMerge(base, familyOverlay(base, family, role)) as ScenarioInput;
      out[name] = { ...scenario, name, extends: base.name, description: `${what}, ${model}: ${family} (src/twin/family-scenarios.ts).` };
    }
  }
  return out;
}

/** The unseen family scenarios of a model prefix (`sr111`, `sr111-edge`), in {@link FAMILIES} order. */
export function unseenScenarioNames(prefix: string): string[] {
  return FAMILIES.map((f) => `${prefix}-unseen-${f}`);
}
