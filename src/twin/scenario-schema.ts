/**
 * Scenarios are data: a zod schema (strict: unknown keys are errors), built-in scenarios, and loading from JSON
 * or YAML files (optionally `extends: <built-in>` with a deep merge). Every default below is documented where it
 * is chosen; the calibration notes live in `builtin-scenarios.ts`.
 */
import { z } from 'zod';
import { PAPER_REWARD_PARAMS } from '../core/reward.js';
import { finite, perKind, DurationSchema, RangeSchema } from './schema-common.js';
import { NoiseSchema, SurgeSchema, TraceRefSchema } from './trace-schema.js';
import { MobilitySchema } from './mobility-schema.js';
import { FleetUsersSchema } from './fleet-schema.js';

// The parts, by concern; re-exported so `scenario-schema.js` stays the one import for a scenario's schema.
export * from './schema-common.js';
export * from './trace-schema.js';
export * from './mobility-schema.js';
export * from './fleet-schema.js';

export const NodeSchema = z
  .object({
    name: z.string().min(1).describe('Display name (the Kubernetes node name in the real cluster).'),
    xM: finite.optional().describe('East position in the scenario\'s planar frame, metres (with `yM`; or give `lat`/`lon`).'),
    yM: finite.optional().describe('North position in the scenario\'s planar frame, metres.'),
    lat: finite.min(-90).max(90).optional().describe('Latitude, degrees (e.g. a cell site); projected onto the scenario\'s plane (`mobility.origin`).'),
    lon: finite.min(-180).max(180).optional().describe('Longitude, degrees.'),
    trace: TraceRefSchema.describe('Where the node\'s background cpu/mem series comes from, one of the formats below.'),
    capacity: finite.positive().optional().describe('Fleet scenarios: the node size in reference nodes (1 = the machine of its trace); hosted demand divides by it.'),
  })
  .strict()
  .refine((n) => (n.xM !== undefined && n.yM !== undefined) || (n.lat !== undefined && n.lon !== undefined), {
    message: 'a position: xM and yM (metres), or lat and lon (degrees)',
  });



export const ScenarioSchema = z
  .object({
    name: z.string().min(1).describe('The scenario\'s name (shown in results).'),
    description: z.string().default('').describe('One line on what the scenario is for.'),
    extends: z
      .union([z.string(), z.array(z.string()).min(1)])
      .optional()
      .describe(
        'Built-in scenario(s) and overlays this one is derived from, merged left to right under the file\'s own keys: `extends: sr111`, or ' +
          '`extends: [sr111, edge]` to apply the edge-model overlay. Objects merge key by key; lists and values replace; a union member of another ' +
          '`kind`/`format` replaces the base\'s whole.',
      ),
    stepSeconds: finite.positive().default(5).describe('Wall-clock seconds per env step (the mobility clock).'),
    maxSteps: z.number().int().positive().default(1000).describe('Truncate episodes after this many steps.'),
    terminateOnViolation: z
      .boolean()
      .default(true)
      .describe('End the episode when the serving node violates the SLA (the paper\'s training rule). The Fig. 6 evaluation turns it off to follow one whole round trip and count violations instead.'),
    nodes: z.array(NodeSchema).min(2).describe('The edge nodes (at least 2): position and background load trace each. Node i is action i.'),
    initialNode: z
      .union([z.enum(['nearest', 'random']), z.number().int().min(1)])
      .default('nearest')
      .describe('Node the service starts on: `nearest` (lowest RTT at t = 0), `random` (uniform over the nodes: the agent also learns to recover from a bad placement), or a 1-based index.'),
    mobility: MobilitySchema.describe('How the user moves: `highway` (a car on a road at a drawn speed) or `gps` (a recorded track).'),
    observation: z
      .object({
        inFlight: z.boolean().default(false).describe('Beyond the paper (edge model): append `M_1..M_N`, seconds to the switch-over of an in-flight migration per target node.'),
      })
      .strict()
      .default({})
      .describe('What the agent observes beyond Eq. 3\'s `(N_i, R_1..R_N, L_1..L_N)`.'),
    rtt: z
      .object({
        baseMs: finite.min(0).default(1).describe('RTT at zero distance, ms.'),
        slopeMsPerM: finite.min(0).default(0.005).describe('RTT per metre of user-node distance (Euclidean, in the scenario\'s plane), ms/m.'),
        noiseSigmaMs: RangeSchema.default({ min: 0.3, max: 1 }).describe('Per-route AWGN standard deviation, drawn per episode per node uniformly from this range, ms.'),
        transmissionsPerStep: z.number().int().min(1).default(5).describe('Transmissions per user-node pair per step, evenly spaced.'),
        window: z.number().int().min(1).default(5).describe('Eq. 1\'s N: the reported RTT is the mean of the last N transmissions.'),
        floorMs: finite.positive().default(0.1).describe('RTT samples are clipped below at this floor, ms (keeps Eq. 4\'s divisions finite).'),
      })
      .strict()
      .default({})
      .describe('The RTT model (Eq. 1): linear in distance plus Gaussian noise per route.'),
    workload: z
      .object({
        traceSecondsPerStep: finite.positive().default(17.45).describe('Trace seconds consumed per env step; 17.45 = one row of the paper\'s files per step, as the authors\' simulator did.'),
        start: z
          .enum(['random', 'validation', 'test', 'held-out-day'])
          .default('random')
          .describe(
            'Where episodes start in the trace. `random` (training): a random segment overlapping no test or validation day; `validation`: inside one ' +
              'validation day; `test`: inside one test day (final evaluation only); `held-out-day`: `heldOutDay` + `offsetSeconds` exactly (Fig. 6).',
          ),
        heldOutDay: z
          .union([z.enum(['heaviest', 'none']), z.number().int().min(0)])
          .default('heaviest')
          .describe('The main test day (Fig. 6): `heaviest` (highest mean load over all nodes), `none`, or a 0-based day index.'),
        testDays: z.array(z.number().int().min(0)).default([]).describe('More test days (0-based), held out of training and validation like `heldOutDay`.'),
        validationDays: z.array(z.number().int().min(0)).default([]).describe('Validation days (0-based), held out of training and used only to select checkpoints and settings.'),
        offsetSeconds: finite.min(0).default(0).describe('Offset into the held-out day when `start` is `held-out-day`, trace seconds.'),
        noise: NoiseSchema.default({}),
        surges: SurgeSchema.default({}),
      })
      .strict()
      .default({})
      .describe('How the node traces are replayed: trace time per step, which days are held out, noise and surges.'),
    sla: z
      .object({
        rttMs: RangeSchema.default({ ...PAPER_REWARD_PARAMS.rttSla }).describe('(R_min, R_max) of Eq. 4, ms.'),
        load: RangeSchema.default({ ...PAPER_REWARD_PARAMS.loadSla }).describe('(L_min, L_max) of Eq. 5 (Eq. 2\'s load, dimensionless).'),
      })
      .strict()
      .default({})
      .describe('The service-level agreement: RTT and load bounds.'),
    reward: z
      .object({
        migrationCost: finite.min(0).default(PAPER_REWARD_PARAMS.migrationCost).describe('Eq. 6-7 migration cost, reward units; each penalty is cost/2.'),
        selfMigration: z.enum(['wait', 'penalize']).default('wait').describe('Migrating to the node the service is already on: `wait` (treated as Wait), or `penalize` (the released code: `selfMigrationReward` and terminate).'),
        selfMigrationReward: finite.default(-10).describe('Reward of a penalised self-migration, reward units (the released code: -10).'),
        trafficCostPerGiB: finite.min(0).default(0).describe('Beyond the paper (edge model): reward units charged per GiB of state a migration moves; 0 = off (the paper).'),
        violationPenalty: finite.min(0).default(0).describe('Beyond the paper (edge model): reward units charged per step out of SLA; 0 = off.'),
      })
      .strict()
      .default({})
      .describe('The reward (Eq. 8) and the terms beyond the paper.'),
    migration: z
      .object({
        serviceKind: z.enum(['pod', 'vm']).default('pod').describe('What the user\'s edge service is: a CRIU-migrated pod or a KubeVirt VM.'),
        model: z.enum(['instant', 'timed']).default('instant').describe('`instant`: the paper\'s model (the switch happens within the step); `timed`: pre-copy taking `durations`, the source serving until the switch.'),
        durations: z
          .object({
            pod: DurationSchema.default({ kind: 'lognormal', medianSeconds: 6, sigma: 0.25 }).describe('Pod migration time, seconds.'),
            vm: DurationSchema.default({ kind: 'lognormal', medianSeconds: 15, sigma: 0.25 }).describe('VM live-migration time, seconds.'),
          })
          .strict()
          .default({})
          .describe('Migration-time distributions per service kind (the `timed` model).'),
        /**
         * The edge overlay uses pod 1.5 s (a CRIU/recreate restore: the short, high spike of Fig. 4c) and VM 0.2 s
         * (pre-copy stop-and-copy; QEMU under this project measured 27 ms for a 128 MiB guest, KubeVirt adds the
         * pod-network switch).
         */
        downtimeSeconds: perKind(0, 0, 'seconds').describe(
          'Beyond the paper (edge model): the switch-over blackout per kind, seconds; 0 = none (the paper). The user sees it as extra RTT in the step the switch falls on.',
        ),
        stateGiB: perKind(0.25, 1, 'GiB').describe('Beyond the paper (edge model): state moved per migration, GiB (charged at `reward.trafficCostPerGiB`).'),
      })
      .strict()
      .default({})
      .describe('What a migration is and what it costs.'),
    users: FleetUsersSchema.optional().describe('Fleet scenarios: many users sharing the edge. Absent: the paper\'s single user.'),
  })
  .strict();

/**
 * Keys of one union member that are alternatives to each other, by the member's `kind`: an overlay that gives one
 * group drops the base's other groups, so `mobility: {route: ...}` over the straight sr111 road does not inherit
 * `fromXM`/`toXM`/`yM` (which would then be refused as "not both"), and the reverse.
 */
const ALTERNATIVE_KEYS: Record<string, readonly (readonly string[])[]> = {
  highway: [['route'], ['fromXM', 'toXM', 'yM']],
};

/**
 * Deep merge for scenario overlays: objects merge key by key, arrays and scalars replace. A member of a
 * discriminated union (an object whose `kind` or `format` differs from the base's) replaces the base whole, so
 * `mobility: {kind: gps, ...}` over a highway base does not inherit the highway's keys; within one member, the
 * {@link ALTERNATIVE_KEYS} the overlay gives replace the base's alternatives.
 */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (base && over && typeof base === 'object' && typeof over === 'object' && !Array.isArray(base) && !Array.isArray(over)) {
    const b = base as Record<string, unknown>, o = over as Record<string, unknown>;
    for (const tag of ['kind', 'format']) if (tag in o && tag in b && o[tag] !== b[tag]) return over;
    const out: Record<string, unknown> = { ...b };
    const groups = typeof b.kind === 'string' ? ALTERNATIVE_KEYS[b.kind] : undefined;
    const given = groups?.find((g) => g.some((k) => k in o));
    if (given) for (const g of groups!) if (g !== given) for (const k of g) delete out[k];
    for (const [k, v] of Object.entries(o)) out[k] = deepMerge(out[k], v);
    return out;
  }
  return over;
}

/** A validated scenario (all defaults filled in). */
export type Scenario = z.infer<typeof ScenarioSchema>;
/** A scenario as written in a file (defaults optional). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;

