/**
 * Scenarios are data: a zod schema (strict: unknown keys are errors), built-in scenarios, and loading from JSON
 * or YAML files (optionally `extends: <built-in>` with a deep merge). Every default below is documented where it
 * is chosen; the calibration notes live in `builtin-scenarios.ts`.
 */
import { z } from 'zod';
import { MigrationCapsSchema } from '../core/migration-caps.js';
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
    /**
     * Fleet scenarios (issue 13): the node's size in reference nodes (1 = the machine its trace was measured on).
     * Hosted services' demand (`users.services`, percent of a reference node) divides by it. Absent: 1.
     */
    capacity: finite.positive().optional().describe('Fleet scenarios: the node size in reference nodes (1 = the machine of its trace); hosted demand divides by it.'),
  })
  .strict()
  .refine((n) => (n.xM !== undefined && n.yM !== undefined) || (n.lat !== undefined && n.lon !== undefined), {
    message: 'a position: xM and yM (metres), or lat and lon (degrees)',
  });

export const MobilitySchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('highway'),
      /** Segment ends along x, metres. */
      fromXM: finite,
      toXM: finite,
      /** Road's y coordinate, metres. */
      yM: finite.default(0),
      /** Speed drawn per trip, uniform in [min, max] km/h. */
      speedKmh: RangeSchema.refine((r) => r.min > 0, { message: 'speeds > 0 km/h' }),
      /** `both`: direction drawn per trip; `forward`: from → to; `backward`: to → from. */
      direction: z.enum(['both', 'forward', 'backward']).default('both'),
      /** Drive to the far end and back in one episode. */
      /** Or the probability that a trip is a round trip, drawn per episode (training randomization). */
      roundTrip: z.union([z.boolean(), z.number().min(0).max(1)]).default(false),
    })
    .strict(),
  z
    .object({
      kind: z.literal('gps'),
      /** A CSV with a header row and one row per fix, in time order. */
      file: z.string().min(1),
      columns: z
        .object({
          /** Header names of the latitude and longitude columns (degrees) and the time column. */
          lat: z.string().default('lat'),
          lon: z.string().default('lon'),
          time: z.string().default('time'),
          /**
           * Unit of the time column: `s` or `ms` (numbers >= 0, from the track's start or an epoch; negative times
           * are refused), or `iso` (ISO-8601 date-times such as `2019-05-01T08:00:00Z`; a time without a zone is
           * read as local time, so give the zone). Times are re-based to the first fix of the track.
           */
          timeUnit: z.enum(['s', 'ms', 'iso']).default('s'),
          /** Track-id column of a multi-track file; with `track`, only that track's rows are read. */
          trackColumn: z.string().min(1).optional(),
        })
        .strict()
        .default({}),
      /** The track to keep (its value in `columns.trackColumn`); required when `trackColumn` is given. */
      track: z.union([z.string().min(1), z.number()]).optional(),
      /** Projection origin; default: the first fix. */
      origin: z.object({ lat: finite, lon: finite }).strict().optional(),
    })
    .strict(),
]).superRefine((m, ctx) => {
  if (m.kind !== 'gps') return;
  if (m.columns.trackColumn !== undefined && m.track === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['track'], message: 'the track to keep when columns.trackColumn is given' });
  if (m.columns.trackColumn === undefined && m.track !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['columns', 'trackColumn'], message: 'the track-id column when track is given' });
});

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


// ---- Fleet (issue 13): many users sharing the edge. Additive: single-user scenarios do not set `users`. ----

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

/** Users of a fleet scenario (issue 13). */
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
    /** Fleet scenarios (issue 13): many users sharing the edge (`src/twin/fleet`). Absent: the paper's single user. */
    users: FleetUsersSchema.optional().describe('Fleet scenarios (issue 13): many users sharing the edge. Absent: the paper\'s single user.'),
  })
  .strict();

/**
 * Deep merge for scenario overlays: objects merge key by key, arrays and scalars replace. A member of a
 * discriminated union (an object whose `kind` or `format` differs from the base's) replaces the base whole, so
 * `mobility: {kind: gps, ...}` over a highway base does not inherit the highway's keys.
 */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (base && over && typeof base === 'object' && typeof over === 'object' && !Array.isArray(base) && !Array.isArray(over)) {
    const b = base as Record<string, unknown>, o = over as Record<string, unknown>;
    for (const tag of ['kind', 'format']) if (tag in o && tag in b && o[tag] !== b[tag]) return over;
    const out: Record<string, unknown> = { ...b };
    for (const [k, v] of Object.entries(o)) out[k] = deepMerge(out[k], v);
    return out;
  }
  return over;
}

/** A validated scenario (all defaults filled in). */
export type Scenario = z.infer<typeof ScenarioSchema>;
/** A scenario as written in a file (defaults optional). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
