/**
 * The fleet part of a scenario: many users sharing the edge (service classes, arrivals and motion, caps).
 * Additive: single-user scenarios do not set `users`.
 */
import { z } from 'zod';
import { MigrationCapsSchema } from '../core/migration-caps.js';
import { finite, RangeSchema } from './schema-common.js';
import { checkTrackFilter, gpsSourceFields } from './mobility-schema.js';

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
