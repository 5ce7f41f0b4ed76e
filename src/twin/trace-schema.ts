/**
 * The workload part of a scenario: where a node's cpu/mem series comes from (`TraceRefSchema`: the paper's files,
 * Google 2011 and 2019, any CSV, or a generated family), and the noise and surges laid over it.
 */
import { z } from 'zod';
import { SYNTHETIC_FAMILIES } from './synthetic-traces.js';
import { finite, RangeSchema } from './schema-common.js';

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

/**
 * Gaussian noise on cpu and mem (Sec. III-C: "applied each time the scenario is repeated ... a normal distribution
 * with a mean of 0 and a standard deviation of 1 for both cpu and mem metrics of each node"). The default reads that
 * sentence in the units of the trace files, which are percent: N(0, 1) **percentage points** per node per episode,
 * because percent is the unit the traces are written in. The other reading, N(0, 1) in *fractions* of capacity (`unit: 'fraction'`), saturates most nodes
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
