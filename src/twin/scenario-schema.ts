/**
 * Scenarios are data: a zod schema (strict: unknown keys are errors), built-in scenarios, and loading from JSON
 * or YAML files (optionally `extends: <built-in>` with a deep merge). Every default below is documented where it
 * is chosen; the calibration notes live in `builtin-scenarios.ts`.
 */
import { z } from 'zod';
import { MigrationCapsSchema } from '../core/migration-caps.js';
import { PAPER_REWARD_PARAMS } from '../core/reward.js';
import { SYNTHETIC_FAMILIES } from './synthetic-traces.js';

const finite = z.number().finite();

/** A closed interval. */
export const RangeSchema = z
  .object({ min: finite.describe('Lower end (in the unit of the field).'), max: finite.describe('Upper end; at least `min`.') })
  .strict()
  .refine((r) => r.min <= r.max, { message: 'min <= max' })
  .describe('A closed interval `{min, max}` with min <= max.');

/** A migration-duration distribution, seconds. */
export const DurationSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('fixed').describe('Always the same duration.'), seconds: finite.min(0).describe('Duration, seconds.') }).strict(),
    z
      .object({
        kind: z.literal('uniform').describe('Uniform in [minSeconds, maxSeconds].'),
        minSeconds: finite.min(0).describe('Shortest duration, seconds.'),
        maxSeconds: finite.min(0).describe('Longest duration, seconds.'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('lognormal').describe('Log-normal: `medianSeconds · exp(sigma · N(0, 1))`.'),
        medianSeconds: finite.positive().describe('Median duration, seconds.'),
        sigma: finite.min(0).describe('Standard deviation of the log-duration (dimensionless).'),
      })
      .strict(),
  ])
  .describe('A migration-duration distribution, drawn per migration; seconds.');
export type Duration = z.infer<typeof DurationSchema>;

/** A CSV column: its header name, or its 0-based index. */
const CsvColumnSchema = z.union([z.string().min(1), z.number().int().min(0)]).describe('A CSV column: its header name, or its 0-based index.');

const TRACE_FILE = 'The trace file; relative to the scenario file\'s folder, or `builtin:<path>` (the package\'s `data/`). Streamed line by line.';
const SHIFT = finite.default(0).describe('Shift the series in time, trace seconds (e.g. to reuse one machine\'s series for a second node); the series wraps around its end.');

/** Where a node's cpu/mem series comes from. `file`/`dir` may start with `builtin:` (the package's `data/`). */
export const TraceRefSchema = z.discriminatedUnion('format', [
  z
    .object({
      format: z.literal('follow-me').describe('The paper authors\' files: one `cpu% mem%` pair per line, whitespace-separated, no header, no timestamp (`.gz` allowed).'),
      file: z.string().min(1).describe(TRACE_FILE),
      sampleSeconds: finite.positive().default(17.45).describe('Seconds between rows; 17.45 s = 31 days / 153,504 rows for the paper\'s files.'),
      shiftSeconds: SHIFT,
    })
    .strict(),
  z
    .object({
      format: z.literal('google2011-job').describe('Google 2011 per-job files `vm_<job>_<day>` in one folder: 288 five-minute rows of `cpu% mem%` per day, concatenated in day order.'),
      dir: z.string().min(1).describe('The folder holding the `vm_<job>_<day>` files; relative to the scenario file\'s folder, or `builtin:<path>`.'),
      job: z.string().min(1).describe('The job id in the file names.'),
      shiftSeconds: SHIFT,
    })
    .strict(),
  z
    .object({
      format: z.literal('google2019-cell').describe('The Google 2019 cell-aggregate CSV: header with `avg_cpu,avg_mem` (fractions), one row per 300 s (`.gz` allowed).'),
      file: z.string().min(1).describe(TRACE_FILE),
      shiftSeconds: SHIFT,
    })
    .strict(),
  z
    .object({
      format: z.literal('csv').describe('Any CSV (plain or `.gz`), with a column mapping; with or without a header row.'),
      file: z.string().min(1).describe(TRACE_FILE),
      header: z
        .boolean()
        .default(true)
        .describe('Whether the first line is a header row. `true`: columns are header names or 0-based indexes; `false`: every line is data, and every column (cpu, mem, timestamp, machine id) is a 0-based index.'),
      cpuColumn: CsvColumnSchema.describe('Column holding CPU utilisation: header name or 0-based index.'),
      memColumn: CsvColumnSchema.describe('Column holding memory utilisation: header name or 0-based index.'),
      cpuUnit: z.enum(['fraction', 'percent']).describe('Unit of the CPU column: `fraction` of capacity (0-1) or `percent` (0-100).'),
      memUnit: z.enum(['fraction', 'percent']).describe('Unit of the memory column: `fraction` (0-1) or `percent` (0-100).'),
      timestampColumn: CsvColumnSchema.optional().describe('Timestamp column (name or index); rows are then binned onto the `sampleSeconds` grid (mean per bin, the previous bin held when empty). Without it, rows are `sampleSeconds` apart.'),
      timestampUnit: z.enum(['s', 'ms', 'us']).optional().describe('Unit of the timestamp column: seconds, milliseconds or microseconds (Google traces use microseconds). Default `s`.'),
      machineIdColumn: CsvColumnSchema.optional().describe('Machine-id column (name or index); with `machineId`, only that machine\'s rows are read.'),
      machineId: z.string().optional().describe('The machine whose rows are kept (its value in `machineIdColumn`, compared as trimmed text).'),
      sampleSeconds: finite.positive().describe('Row period (no timestamp column) or grid period (with one), seconds.'),
      delimiter: z.string().length(1).optional().describe('Field delimiter, one character. Default `,`.'),
      shiftSeconds: SHIFT,
    })
    .strict(),
  z
    .object({
      format: z.literal('synthetic').describe('A generated workload family (`src/twin/synthetic-traces.ts` documents each shape): deterministic in `seed`, no file.'),
      family: z.enum(SYNTHETIC_FAMILIES).describe('`high-memory` (memory near L_max), `bursty` (on/off jobs), `diurnal` (a daily sine), `ramp` (a slow ramp into overload).'),
      seed: z.number().int().min(0).describe('Generator seed; two seeds give unrelated series of one family.'),
      days: finite.positive().max(366).default(31).describe('Length of the series, days (it wraps around its end).'),
      sampleSeconds: finite.positive().default(60).describe('Seconds between rows.'),
      shiftSeconds: SHIFT,
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

/** A point on the Earth, degrees. */
export const LatLonSchema = z
  .object({
    lat: finite.min(-90).max(90).describe('Latitude, degrees north.'),
    lon: finite.min(-180).max(180).describe('Longitude, degrees east.'),
  })
  .strict()
  .describe('A point on the Earth `{lat, lon}`, degrees.');

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
  .default({})
  .describe('Which header names hold each fix\'s latitude, longitude and time, and the time\'s unit.');

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
      stopAndGo: z
        .object({
          goSeconds: finite.positive().describe('Seconds driven at the trip\'s speed between two stops.'),
          stopSeconds: finite.positive().describe('Seconds standing still at each stop (a red light, a queue).'),
        })
        .strict()
        .optional()
        .describe('Urban stop-and-go: the car alternates driving `goSeconds` and standing `stopSeconds` (absent: a constant speed).'),
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
 *. The earlier reading, N(0, 1) in *fractions* of capacity (`unit: 'fraction'`), saturates most nodes
 * at reset (mean loads in the hundreds, many episodes ending at step 1) and is kept as an option. The authors'
 * released simulator used N(0.05, 0.01) on fractions, one draw shared by all nodes: `{unit: 'fraction', cpu:
 * {mean: 0.05, std: 0.01}, mem: {mean: 0.05, std: 0.01}, perNode: false}`. Where training needs more varied load
 * than the traces give (overloaded nodes are rare outside the test day), scale it in the same unit, e.g.
 * `std: 15` percentage points; the built-in training scenarios say what they use and why.
 */
const NOISE_TERM = z
  .object({ mean: finite.default(0).describe('Mean, in `unit`.'), std: finite.min(0).default(1).describe('Standard deviation, in `unit`.') })
  .strict()
  .default({});

export const NoiseSchema = z
  .object({
    unit: z.enum(['percent', 'fraction']).default('percent').describe('Unit of `mean` and `std`: `percent` = percentage points of utilisation, `fraction` = fraction of capacity (Eq. 2\'s unit).'),
    cpu: NOISE_TERM.describe('Noise on CPU utilisation: N(mean, std) in `unit`.'),
    mem: NOISE_TERM.describe('Noise on memory utilisation: N(mean, std) in `unit`.'),
    redraw: z.enum(['episode', 'step']).default('episode').describe('`episode`: one offset per node per repeat of the scenario (the paper); `step`: fresh noise every step.'),
    perNode: z.boolean().default(true).describe('Independent draws per node (the paper: "of each node"); `false`: one draw shared by all nodes (the released code).'),
  })
  .strict()
  .describe('Gaussian noise on each node\'s cpu and mem (Sec. III-C); default N(0, 1) percentage points per node per episode.');

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
    probability: finite.min(0).max(1).default(0).describe('Probability that a node surges in an episode, per node (0 = off).'),
    magnitudePct: RangeSchema.default({ min: 40, max: 80 }).describe('Rise of cpu and of mem, drawn uniformly per surge, percentage points.'),
    startStep: RangeSchema.default({ min: 0, max: 120 }).describe('First step of the surge, drawn uniformly per surge (0 = from the start); it lasts to the end of the episode.'),
  })
  .strict()
  .describe('Beyond the paper: load surges, the training randomization that makes an agent meet overloaded nodes.');

/** A per-service-kind number (pod and VM). */
const perKind = (pod: number, vm: number, unit: string) =>
  z
    .object({ pod: finite.min(0).default(pod).describe(`For a pod, ${unit}.`), vm: finite.min(0).default(vm).describe(`For a VM, ${unit}.`) })
    .strict()
    .default({});


// ---- Fleet: many users sharing the edge. Additive: single-user scenarios do not set `users`. ----

/** One class of user service; each arriving user draws a class by `weight`, then its demand uniformly in the ranges. */
export const ServiceClassSchema = z
  .object({
    /** Relative frequency of this class among arrivals. */
    weight: finite.positive().default(1).describe('Relative frequency of this class among arrivals.'),
    /** A CRIU-migrated pod or a KubeVirt VM: picks `migration.durations` and `migration.downtimeSeconds`. */
    kind: z.enum(['pod', 'vm']).default('pod').describe('A CRIU-migrated pod or a KubeVirt VM: picks migration.durations and migration.downtimeSeconds.'),
    /** CPU demand, percent of a reference node (a node of `capacity` 1), drawn per user. */
    cpuPct: RangeSchema.default({ min: 0.5, max: 0.5 }).describe('CPU demand per user, uniform, percent of a reference node (capacity 1).'),
    /** Memory demand, percent of a reference node, drawn per user. */
    memPct: RangeSchema.default({ min: 0.5, max: 0.5 }).describe('Memory demand per user, uniform, percent of a reference node.'),
    /**
     * State moved per migration, GiB, drawn per user. It drives the traffic cost (`migrationTrafficCost`) and the
     * migration time: the kind's `migration.durations` are read as calibrated for the kind's `migration.stateGiB`,
     * and a user's duration scales linearly with its state (pre-copy ships the state once plus dirty pages).
     */
    stateGiB: RangeSchema.optional().describe("State moved per migration per user, uniform, GiB; drives the traffic cost and scales the kind's duration (default: migration.stateGiB of the kind)."),
  })
  .strict();

/** Random-waypoint motion inside a rectangle: pick a point, drive to it at a drawn speed, pause, repeat. */
export const RandomWaypointSchema = z
  .object({
    kind: z.literal('random-waypoint').describe('Random-waypoint motion inside a rectangle.'),
    /** The rectangle, metres. */
    xM: RangeSchema.describe('The rectangle along x, metres.'),
    yM: RangeSchema.describe('The rectangle along y, metres.'),
    /** Speed per leg, uniform, km/h. */
    speedKmh: RangeSchema.refine((r) => r.min > 0, { message: 'speeds > 0 km/h' }).describe('Speed per leg, uniform, km/h.'),
    /** Pause at each waypoint, uniform, seconds. */
    pauseSeconds: RangeSchema.default({ min: 0, max: 0 }).describe('Pause at each waypoint, uniform, seconds.'),
  })
  .strict();

/** How users arrive and move. */
export const ArrivalsSchema = z.discriminatedUnion('kind', [
  z
    .object({
      /**
       * Poisson arrivals at the ends of the scenario's highway (`mobility.kind: highway`), per direction, each
       * user driving one way at a speed drawn from `mobility.speedKmh` and leaving at the far end. The road starts
       * populated (its stationary count per direction, Poisson, at uniform positions), so no warm-up is needed.
       */
      kind: z.literal('poisson-highway').describe("Poisson arrivals at the ends of the scenario's highway, one way each, leaving at the far end."),
      /** Arrivals per minute per direction. */
      perMinute: finite.positive().describe('Arrivals per minute per direction.'),
      /** Directions with traffic: `both`, or one of `forward` (from → to), `backward`. */
      directions: z.enum(['both', 'forward', 'backward']).default('both').describe('Directions with traffic.'),
    })
    .strict(),
  z
    .object({
      /**
       * A fixed population: `count` users from t = 0. With `sessionMinutes`, each session lasts an exponential time of
       * that mean; when one ends, that user leaves and a new user arrives in its place (the count stays fixed).
       */
      kind: z.literal('fixed').describe('A fixed population from t = 0; ended sessions are replaced by new users.'),
      count: z.number().int().min(1).describe('Users at every tick.'),
      sessionMinutes: finite.positive().optional().describe('Mean of the exponential session length, minutes (absent: users stay the whole episode).'),
      motion: RandomWaypointSchema.describe('How the users move.'),
    })
    .strict(),
  z
    .object({
      /**
       * Poisson arrivals, each user replaying one GPS track of the pool (drawn uniformly) from its start and leaving at
       * its end. The pool's files have the column layout of the scenario's own track (`mobility.kind: gps`, whose
       * origin projects them too). The road starts populated: a Poisson count of users (rate × mean track
       * duration), each at a uniform point of its track.
       */
      kind: z.literal('gps-pool').describe('Poisson arrivals, each replaying one GPS track of the pool from its start.'),
      perMinute: finite.positive().describe('Arrivals per minute.'),
      tracks: z
        .array(
          z
            .object({
              /** A CSV of fixes (paths relative to the scenario file, or `builtin:`). */
              file: z.string().min(1).describe('A CSV of fixes with the column layout of mobility.columns.'),
              /** The track to keep, in the scenario's `mobility.columns.trackColumn` (multi-track files). */
              track: z.union([z.string().min(1), z.number()]).optional().describe("The track to keep, in mobility.columns.trackColumn."),
            })
            .strict(),
        )
        .min(1)
        .describe('The pool of tracks (paths relative to the scenario file, or builtin:).'),
    })
    .strict(),
]);

/** Users of a fleet scenario. */
export const FleetUsersSchema = z
  .object({
    arrivals: ArrivalsSchema.describe('How users arrive and move.'),
    services: z.array(ServiceClassSchema).min(1).default([{}]).describe("The users' service classes, drawn by weight."),
    /** KubeVirt's caps (`core/migration-caps.ts`): coordinated policies plan within them; the twin enforces them unless told not to. */
    migrationCaps: MigrationCapsSchema.default({}).describe("KubeVirt's migration caps (parallelOutboundMigrationsPerNode 2, parallelMigrationsPerCluster 5)."),
    /**
     * The simulated cluster refuses migrations beyond the caps (KubeVirt queues them; the twin refuses and counts
     * them, and the user asks again next tick). `false`: a cluster without concurrency limits (a naive
     * descheduler), where uncoordinated users can storm; coordinated policies still keep to the caps themselves.
     */
    enforceCaps: z.boolean().default(true).describe('The simulated cluster refuses migrations beyond the caps (false: a cluster without limits).'),
    /**
     * A node is full when a service would take its cpu or memory utilisation (background + hosted + in flight)
     * above this fraction: the arrival or migration is refused and counted. 1 = the whole node.
     */
    admissionCeiling: finite.positive().max(1).default(1).describe('A node is full past this cpu or memory utilisation (fraction).'),
    /**
     * Where an arriving user's service is placed: `nearest` (lowest RTT; refused when that node is full) or
     * `nearest-with-room` (the lowest-RTT node that has room; refused only when none has).
     */
    placement: z.enum(['nearest', 'nearest-with-room']).default('nearest-with-room').describe("Where an arriving user's service is placed."),
    /** Ids per episode (PettingZoo's `possible_agents`); arrivals beyond it are refused and counted. */
    maxUsers: z.number().int().min(1).default(1_000_000).describe("Ids per episode (PettingZoo's possible_agents); arrivals beyond it are refused."),
  })
  .strict();
export type FleetUsers = z.infer<typeof FleetUsersSchema>;

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
