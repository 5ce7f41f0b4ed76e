/**
 * Schema pieces every part of a scenario uses: a finite number, a closed range, a migration-time distribution,
 * a lat/lon point and a per-service-kind number (split from `scenario-schema.ts` by concern).
 */
import { z } from 'zod';

export const finite = z.number().finite();

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

/** A point on the Earth, degrees. */
export const LatLonSchema = z
  .object({
    lat: finite.min(-90).max(90).describe('Latitude, degrees north.'),
    lon: finite.min(-180).max(180).describe('Longitude, degrees east.'),
  })
  .strict()
  .describe('A point on the Earth `{lat, lon}`, degrees.');


/** A per-service-kind number (pod and VM). */
export const perKind = (pod: number, vm: number, unit: string) =>
  z
    .object({ pod: finite.min(0).default(pod).describe(`For a pod, ${unit}.`), vm: finite.min(0).default(vm).describe(`For a VM, ${unit}.`) })
    .strict()
    .default({});


// ---- Fleet: many users sharing the edge. Additive: single-user scenarios do not set `users`. ----
