/**
 * The mobility part of a scenario: GPS CSV columns and tracks, highway routes (waypoints or a GPS track) and the
 * user's motion (`MobilitySchema`: a highway trip, optionally stop-and-go, or a recorded GPS track).
 */
import { z } from 'zod';
import { finite, LatLonSchema, RangeSchema } from './schema-common.js';

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
export const gpsSourceFields = {
  file: z.string().min(1).describe('A CSV with a header row and one row per fix, in time order; relative to the scenario file\'s folder, or `builtin:<path>`.'),
  columns: GpsColumnsSchema,
  track: z.union([z.string().min(1), z.number()]).optional().describe('The track to keep (its value in `columns.trackColumn`); required when `trackColumn` is given.'),
};

/** `columns.trackColumn` and `track` come together. */
export function checkTrackFilter(g: { columns: { trackColumn?: string }; track?: string | number }, ctx: z.RefinementCtx, at: (string | number)[]): void {
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
