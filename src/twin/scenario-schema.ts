/**
 * Scenarios are data: a zod schema (strict: unknown keys are errors), built-in scenarios, and loading from JSON
 * or YAML files (optionally `extends: <built-in>` with a deep merge). Every default below is documented where it
 * is chosen; the calibration notes live in `builtin-scenarios.ts`.
 */
import { z } from 'zod';
import { PAPER_REWARD_PARAMS } from '../core/reward.js';

const finite = z.number().finite();

/** A closed interval. */
export const RangeSchema = z
  .object({ min: finite, max: finite })
  .strict()
  .refine((r) => r.min <= r.max, { message: 'min <= max' });

/** A migration-duration distribution, seconds. */
export const DurationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), seconds: finite.min(0) }).strict(),
  z.object({ kind: z.literal('uniform'), minSeconds: finite.min(0), maxSeconds: finite.min(0) }).strict(),
  /** Log-normal: `median · exp(sigma · N(0,1))`. */
  z.object({ kind: z.literal('lognormal'), medianSeconds: finite.positive(), sigma: finite.min(0) }).strict(),
]);
export type Duration = z.infer<typeof DurationSchema>;

/** A CSV column: its header name, or its 0-based index. */
const CsvColumnSchema = z.union([z.string().min(1), z.number().int().min(0)]);

/** Where a node's cpu/mem series comes from. `file`/`dir` may start with `builtin:` (the package's `data/`). */
export const TraceRefSchema = z.discriminatedUnion('format', [
  z
    .object({
      format: z.literal('follow-me'),
      file: z.string().min(1),
      /** Seconds between rows; 17.45 s = 31 days / 153,504 rows for the paper's files. */
      sampleSeconds: finite.positive().default(17.45),
      /** Shift the series in time (seconds), e.g. to reuse one machine for a second node. */
      shiftSeconds: finite.default(0),
    })
    .strict(),
  z.object({ format: z.literal('google2011-job'), dir: z.string().min(1), job: z.string().min(1), shiftSeconds: finite.default(0) }).strict(),
  z.object({ format: z.literal('google2019-cell'), file: z.string().min(1), shiftSeconds: finite.default(0) }).strict(),
  z
    .object({
      format: z.literal('csv'),
      file: z.string().min(1),
      /**
       * Whether the file's first line is a header row. Default true: columns are header names or 0-based indexes.
       * `false`: every line is data, and every column (cpu, mem, timestamp, machine id) is a 0-based index.
       */
      header: z.boolean().default(true),
      /** Column holding CPU utilisation: header name or 0-based index. */
      cpuColumn: CsvColumnSchema,
      /** Column holding memory utilisation: header name or 0-based index. */
      memColumn: CsvColumnSchema,
      cpuUnit: z.enum(['fraction', 'percent']),
      memUnit: z.enum(['fraction', 'percent']),
      /** Optional timestamp column (name or index); rows are then binned onto the `sampleSeconds` grid. */
      timestampColumn: CsvColumnSchema.optional(),
      timestampUnit: z.enum(['s', 'ms', 'us']).optional(),
      /** Optional machine-id column (name or index) and the id whose rows are kept. */
      machineIdColumn: CsvColumnSchema.optional(),
      machineId: z.string().optional(),
      sampleSeconds: finite.positive(),
      delimiter: z.string().length(1).optional(),
      shiftSeconds: finite.default(0),
    })
    .strict(),
]).superRefine((t, ctx) => {
  if (t.format !== 'csv' || t.header) return;
  for (const k of ['cpuColumn', 'memColumn', 'timestampColumn', 'machineIdColumn'] as const) {
    if (typeof t[k] === 'string') ctx.addIssue({ code: z.ZodIssueCode.custom, path: [k], message: 'a 0-based column index (a number) when header is false' });
  }
});
export type TraceRef = z.infer<typeof TraceRefSchema>;

export const NodeSchema = z
  .object({
    /** Display name (Kubernetes node name in the real cluster). */
    name: z.string().min(1),
    /** Position in metres in the scenario's planar frame (highway scenarios). */
    xM: finite.optional(),
    yM: finite.optional(),
    /** Position in degrees (GPS scenarios; projected with the track's origin). */
    lat: finite.min(-90).max(90).optional(),
    lon: finite.min(-180).max(180).optional(),
    trace: TraceRefSchema,
  })
  .strict()
  .refine((n) => (n.xM !== undefined && n.yM !== undefined) || (n.lat !== undefined && n.lon !== undefined), {
    message: 'a position: xM and yM (metres), or lat and lon (degrees)',
  });

/** A point on the Earth, degrees. */
export const LatLonSchema = z
  .object({
    lat: finite.min(-90).max(90).describe('Latitude, degrees north.'),
    lon: finite.min(-180).max(180).describe('Longitude, degrees east.'),
  })
  .strict();

/** Columns of a GPS CSV (header row, one fix per row). */
const GpsColumnsSchema = z
  .object({
    lat: z.string().default('lat').describe('Header name of the latitude column (degrees).'),
    lon: z.string().default('lon').describe('Header name of the longitude column (degrees).'),
    time: z.string().default('time').describe('Header name of the time column.'),
    timeUnit: z
      .enum(['s', 'ms', 'iso'])
      .default('s')
      .describe(
        'Unit of the time column: `s` or `ms` (numbers >= 0, from the track\'s start or an epoch; negative times are refused), ' +
          'or `iso` (ISO-8601 date-times such as `2019-05-01T08:00:00Z`; a time without a zone is read as local time, so give the zone). ' +
          'Times are re-based to the first fix of the track.',
      ),
    trackColumn: z.string().min(1).optional().describe('Track-id column of a multi-track file; with `track`, only that track\'s rows are read.'),
  })
  .strict()
  .default({});

/** The fields naming one track of a GPS CSV: shared by `gps` mobility and a highway's `route.fromGps`. */
const gpsSourceFields = {
  file: z.string().min(1).describe('A CSV with a header row and one row per fix, in time order; relative to the scenario file\'s folder, or `builtin:<path>`.'),
  columns: GpsColumnsSchema,
  track: z.union([z.string().min(1), z.number()]).optional().describe('The track to keep (its value in `columns.trackColumn`); required when `trackColumn` is given.'),
};

/** `columns.trackColumn` and `track` come together. */
function checkTrackFilter(g: { columns: { trackColumn?: string }; track?: string | number }, ctx: z.RefinementCtx, at: (string | number)[]): void {
  if (g.columns.trackColumn !== undefined && g.track === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...at, 'track'], message: 'the track to keep when columns.trackColumn is given' });
  if (g.columns.trackColumn === undefined && g.track !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...at, 'columns', 'trackColumn'], message: 'the track-id column when track is given' });
}

/** A waypoint of a highway route: metres in the scenario's planar frame, or degrees. */
export const WaypointSchema = z
  .object({
    xM: finite.optional().describe('East coordinate in the scenario\'s planar frame, metres.'),
    yM: finite.optional().describe('North coordinate in the scenario\'s planar frame, metres.'),
    lat: finite.min(-90).max(90).optional().describe('Latitude, degrees (projected with `mobility.origin` or the centroid).'),
    lon: finite.min(-180).max(180).optional().describe('Longitude, degrees.'),
  })
  .strict()
  .refine((w) => (w.xM !== undefined && w.yM !== undefined) !== (w.lat !== undefined && w.lon !== undefined), {
    message: 'a position: xM and yM (metres), or lat and lon (degrees)',
  });

/**
 * The road of a highway beyond the straight segment along x: a polyline the car follows by arc length. Give exactly
 * one of `waypoints` and `fromGps`.
 */
export const RouteSchema = z
  .object({
    waypoints: z.array(WaypointSchema).min(2).optional().describe('The road\'s waypoints in driving order (forward direction): each `{xM, yM}` or `{lat, lon}`.'),
    fromGps: z
      .object(gpsSourceFields)
      .strict()
      .superRefine((g, ctx) => checkTrackFilter(g, ctx, []))
      .optional()
      .describe('Take the road from a GPS track\'s points (its times are ignored: the car drives it at the drawn speed).'),
  })
  .strict()
  .refine((r) => (r.waypoints === undefined) !== (r.fromGps === undefined), { message: 'exactly one of waypoints and fromGps' });

export const MobilitySchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('highway').describe('A car at a constant speed along a road: a straight segment along x, or a `route`.'),
      fromXM: finite.optional().describe('Start of the straight segment along x, metres (with `toXM`; or give a `route`).'),
      toXM: finite.optional().describe('End of the straight segment along x, metres.'),
      yM: finite.optional().describe('The straight road\'s y coordinate, metres (default 0).'),
      route: RouteSchema.optional().describe('A polyline road instead of `fromXM`/`toXM`/`yM`; overlaying one on a straight highway drops those keys.'),
      origin: LatLonSchema.optional().describe(
        'Where x = y = 0 lies on the Earth, for lat/lon nodes and waypoints (local east-north tangent plane). Default: the centroid of the ' +
          'lat/lon positions; required when metre and degree positions are mixed.',
      ),
      speedKmh: RangeSchema.refine((r) => r.min > 0, { message: 'speeds > 0 km/h' }).describe('Speed drawn per trip, uniform in [min, max], km/h.'),
      direction: z
        .enum(['both', 'forward', 'backward'])
        .default('both')
        .describe('`forward`: from the first point to the last (fromXM to toXM, or the route\'s order); `backward`: the reverse; `both`: drawn per trip.'),
      roundTrip: z
        .union([z.boolean(), z.number().min(0).max(1)])
        .default(false)
        .describe('Drive to the far end and back in one episode (`true`), or the probability that a trip is a round trip, drawn per episode.'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('gps').describe('The user follows a recorded GPS track at its own times, interpolated linearly.'),
      ...gpsSourceFields,
      origin: LatLonSchema.optional().describe('Projection origin (x = y = 0); default: the track\'s first fix.'),
    })
    .strict(),
]).superRefine((m, ctx) => {
  if (m.kind === 'gps') return checkTrackFilter(m, ctx, []);
  const straight = m.fromXM !== undefined || m.toXM !== undefined || m.yM !== undefined;
  if (m.route !== undefined && straight) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['route'], message: 'a route or fromXM/toXM/yM (a straight road), not both' });
  if (m.route === undefined) {
    for (const k of ['fromXM', 'toXM'] as const) if (m[k] === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [k], message: 'fromXM and toXM (metres: a straight road along x), or a route' });
  }
});
export type Mobility = z.infer<typeof MobilitySchema>;

/**
 * Gaussian noise on cpu and mem (Sec. III-C: "applied each time the scenario is repeated ... a normal distribution
 * with a mean of 0 and a standard deviation of 1 for both cpu and mem metrics of each node"). The default reads that
 * sentence in the units of the trace files, which are percent: N(0, 1) **percentage points** per node per episode
 * (issue 9). The earlier reading, N(0, 1) in *fractions* of capacity (`unit: 'fraction'`), saturates most nodes
 * at reset (mean loads in the hundreds, many episodes ending at step 1) and is kept as an option. The authors'
 * released simulator used N(0.05, 0.01) on fractions, one draw shared by all nodes: `{unit: 'fraction', cpu:
 * {mean: 0.05, std: 0.01}, mem: {mean: 0.05, std: 0.01}, perNode: false}`. Where training needs more varied load
 * than the traces give (overloaded nodes are rare outside the test day), scale it in the same unit, e.g.
 * `std: 15` percentage points; the built-in training scenarios say what they use and why.
 */
export const NoiseSchema = z
  .object({
    /** Unit of mean/std: `fraction` = fraction of capacity (Eq. 2's unit), `percent` = percentage points. */
    unit: z.enum(['percent', 'fraction']).default('percent'),
    cpu: z.object({ mean: finite.default(0), std: finite.min(0).default(1) }).strict().default({}),
    mem: z.object({ mean: finite.default(0), std: finite.min(0).default(1) }).strict().default({}),
    /** `episode`: one offset per node per repeat of the scenario (paper); `step`: fresh noise every step. */
    redraw: z.enum(['episode', 'step']).default('episode'),
    /** Independent draws per node (paper: "of each node"); false = one draw shared by all nodes (released code). */
    perNode: z.boolean().default(true),
  })
  .strict();

/**
 * Beyond the paper: load surges, the training randomization that makes an agent meet overloaded nodes. Outside the
 * test day the traces exceed L_max = 12 in 0.1 % of node-steps, and symmetric noise does not change that until its
 * std is absurd (20 pp gives 1.6 %), because the traces sit at 20-40 % utilisation. A surge models a co-located
 * burst instead: per node per episode, with `probability`, cpu and mem rise by U(magnitude) percentage points from a
 * step drawn from U(startStep) to the end of the episode, as node 2's load does on the test day (Fig. 6). Off (0) by
 * default; the built-in training scenarios say what they use.
 */
export const SurgeSchema = z
  .object({
    probability: finite.min(0).max(1).default(0),
    /** Rise of cpu and of mem, percentage points. */
    magnitudePct: RangeSchema.default({ min: 40, max: 80 }),
    /** First step of the surge (0 = from the start). */
    startStep: RangeSchema.default({ min: 0, max: 120 }),
  })
  .strict();

export const ScenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    /**
     * Built-in scenario(s) and overlays this one is derived from, merged left to right under the file's own keys:
     * `extends: sr111`, or `extends: [sr111, edge]` to apply the edge-model overlay (see `BUILTIN_OVERLAYS`).
     */
    extends: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /** Wall-clock seconds per env step (mobility clock). */
    stepSeconds: finite.positive().default(5),
    /** Truncate episodes after this many steps. */
    maxSteps: z.number().int().positive().default(1000),
    /**
     * End the episode when the serving node violates the SLA (the paper's training rule). The Fig. 6 evaluation
     * turns it off to follow one whole round trip and count violations instead.
     */
    terminateOnViolation: z.boolean().default(true),
    nodes: z.array(NodeSchema).min(2),
    /**
     * Node the service starts on: `nearest` (lowest RTT at t=0), `random` (uniform over the nodes: wherever the
     * scheduler happened to place it, so the agent also learns to recover from a bad placement), or a 1-based index.
     */
    initialNode: z.union([z.enum(['nearest', 'random']), z.number().int().min(1)]).default('nearest'),
    mobility: MobilitySchema,
    observation: z
      .object({
        /** Beyond the paper (edge model): append `M_1..M_N`, seconds to the switch-over of an in-flight migration (core/observation.ts). */
        inFlight: z.boolean().default(false),
      })
      .strict()
      .default({}),
    rtt: z
      .object({
        /** RTT at zero distance, ms. */
        baseMs: finite.min(0).default(1),
        /** RTT per metre of UE-node Euclidean distance, ms/m. */
        slopeMsPerM: finite.min(0).default(0.005),
        /** Per-route AWGN standard deviation, drawn per episode per node uniformly from this range, ms. */
        noiseSigmaMs: RangeSchema.default({ min: 0.3, max: 1 }),
        /** Transmissions per UE-node pair per step. */
        transmissionsPerStep: z.number().int().min(1).default(5),
        /** Eq. 1's N: the reported RTT is the mean of the last N transmissions. */
        window: z.number().int().min(1).default(5),
        /** Samples are clipped below at this floor, ms (keeps Eq. 4's divisions finite). */
        floorMs: finite.positive().default(0.1),
      })
      .strict()
      .default({}),
    workload: z
      .object({
        /** Trace seconds consumed per env step. 17.45 = one row of the paper's files per step, as the authors' simulator did. */
        traceSecondsPerStep: finite.positive().default(17.45),
        /**
         * Where episodes start in the trace. `random` (training): a random segment that overlaps no test day and no
         * validation day; `validation`: a random segment inside one validation day (checkpoint and setting selection);
         * `test`: a random segment inside one test day (`heldOutDay` and `testDays`; final evaluation only);
         * `held-out-day`: `heldOutDay` + `offsetSeconds` exactly (Fig. 6). Test days are never used to choose anything.
         */
        start: z.enum(['random', 'validation', 'test', 'held-out-day']).default('random'),
        /** The main test day (Fig. 6): `heaviest` (highest mean load over all nodes), `none`, or a 0-based day index. */
        heldOutDay: z.union([z.enum(['heaviest', 'none']), z.number().int().min(0)]).default('heaviest'),
        /** More test days (0-based), held out of training and validation like `heldOutDay`. */
        testDays: z.array(z.number().int().min(0)).default([]),
        /** Validation days (0-based), held out of training and used only to select checkpoints and settings. */
        validationDays: z.array(z.number().int().min(0)).default([]),
        /** Offset into the held-out day when `start` is `held-out-day`, trace seconds. */
        offsetSeconds: finite.min(0).default(0),
        noise: NoiseSchema.default({}),
        surges: SurgeSchema.default({}),
      })
      .strict()
      .default({}),
    sla: z
      .object({
        /** (R_min, R_max), ms. */
        rttMs: RangeSchema.default({ ...PAPER_REWARD_PARAMS.rttSla }),
        /** (L_min, L_max). */
        load: RangeSchema.default({ ...PAPER_REWARD_PARAMS.loadSla }),
      })
      .strict()
      .default({}),
    reward: z
      .object({
        /** Eq. 6-7 migration cost; each penalty is cost/2. */
        migrationCost: finite.min(0).default(PAPER_REWARD_PARAMS.migrationCost),
        /** Migrating to the node the service is already on: treat as Wait, or the released code's −10 and terminate. */
        selfMigration: z.enum(['wait', 'penalize']).default('wait'),
        /** Reward given on a penalised self-migration (released code: −10). */
        selfMigrationReward: finite.default(-10),
        /** Beyond the paper (edge model): reward units charged per GiB of state a migration moves; 0 = off (the paper). */
        trafficCostPerGiB: finite.min(0).default(0),
        /** Beyond the paper (edge model): reward units charged per step out of SLA (`slaViolationPenalty`); 0 = off. */
        violationPenalty: finite.min(0).default(0),
      })
      .strict()
      .default({}),
    migration: z
      .object({
        /** What the user's edge service is: a CRIU-migrated pod or a KubeVirt VM. */
        serviceKind: z.enum(['pod', 'vm']).default('pod'),
        /** `instant`: the paper's model (the switch happens within the step); `timed`: durations below. */
        model: z.enum(['instant', 'timed']).default('instant'),
        durations: z
          .object({
            pod: DurationSchema.default({ kind: 'lognormal', medianSeconds: 6, sigma: 0.25 }),
            vm: DurationSchema.default({ kind: 'lognormal', medianSeconds: 15, sigma: 0.25 }),
          })
          .strict()
          .default({}),
        /**
         * Beyond the paper (edge model): the switch-over blackout per kind, seconds; 0 = none (the paper's model).
         * The user sees it as extra RTT in the step whose end the switch falls on (`switchoverRttMs` in
         * core/reward.ts). The edge overlay uses pod 1.5 s (a CRIU/recreate restore: the short, high spike of Fig. 4c)
         * and VM 0.2 s (pre-copy stop-and-copy; QEMU under this project measured 27 ms for a 128 MiB guest, KubeVirt
         * adds the pod-network switch).
         */
        downtimeSeconds: z.object({ pod: finite.min(0).default(0), vm: finite.min(0).default(0) }).strict().default({}),
        /** Beyond the paper (edge model): state moved per migration, GiB (drives `reward.trafficCostPerGiB`). */
        stateGiB: z.object({ pod: finite.min(0).default(0.25), vm: finite.min(0).default(1) }).strict().default({}),
      })
      .strict()
      .default({}),
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
