/**
 * `remora probe`'s measuring side: latency, jitter and throughput of a TCP echo service, the LMF's
 * stand-in. It speaks the echo service's protocol through {@link EchoClient} (one connection, a `PING` every
 * period, `PONG <count> <host>` back; reconnect at once on a break), so the server's identity and counter come
 * with every sample: a moved pod answers from a new host with its counter reset, a live-migrated VM from the
 * same host with its counter going on.
 *
 * Output: JSONL, one sample per line, `{"atMs", "tS", "rttMs", "host", "count"}` for a reply and
 * `{"atMs", "tS", "rttMs": null, "error"}` for a loss; events (the migration start, the switch-over) are a
 * second JSONL stream `{"atMs", "kind", "label"?}` that a migrator writes while the probe runs. The figure
 * (Fig. 4c/4d style: RTT, jitter and throughput over time, events as dashed lines) is drawn by
 * `experiments/report/probe-figure.ts` from {@link summarizeProbe}'s series.
 *
 * Definitions (the paper does not give them):
 * - jitter is RFC 3550's interarrival jitter (Sec. 6.4.1) over consecutive RTTs, `J += (|ΔRTT| - J) / 16`;
 * - throughput is replies per second in whole windows of `windowMs` from the probe's start (the echo is
 *   stop-and-wait, so it falls to zero while the service does not answer), with the reply bytes per second
 *   alongside. A trailing part-window is left out.
 */
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { parseWith } from '../core/validate.js';
import { EchoClient } from './echo-client.js';

export const ProbeOptionsSchema = z
  .object({
    /** `host:port` of the echo service. */
    target: z.string().regex(/^[A-Za-z0-9.\-]+:\d{1,5}$/, 'host:port'),
    /** Time between a reply and the next PING, ms. */
    periodMs: z.number().int().min(1).max(60_000).default(10),
    /** How long to probe, s. */
    durationS: z.number().positive().max(7 * 86_400).default(30),
    /** A reply later than this is a loss (the connection is then reopened), ms. */
    timeoutMs: z.number().int().min(1).max(60_000).default(1000),
    /** Throughput and jitter window, ms. */
    windowMs: z.number().int().min(10).max(600_000).default(500),
  })
  .strict();
export type ProbeOptions = z.infer<typeof ProbeOptionsSchema>;

/** One line of the probe's JSONL. */
export const ProbeSampleSchema = z
  .object({
    /** When the PING was sent (or the failure seen), ms since the epoch. */
    atMs: z.number().finite(),
    /** Seconds since the probe started. */
    tS: z.number().finite(),
    /** Round trip, ms; null for a loss. */
    rttMs: z.number().finite().min(0).nullable(),
    host: z.string().optional(),
    count: z.number().int().min(0).optional(),
    error: z.string().optional(),
  })
  .strict();
export type ProbeSample = z.infer<typeof ProbeSampleSchema>;

/** Kinds of event marked on the figure; others are drawn with their label. */
export const PROBE_EVENT_LABELS: Readonly<Record<string, string>> = { 'migration-start': 'migration start', switchover: 'switch-over' };

/** One line of an events JSONL file. */
export const ProbeEventSchema = z
  .object({
    atMs: z.number().finite(),
    kind: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a kebab-case kind such as migration-start or switchover'),
    label: z.string().optional(),
  })
  .strict();
export type ProbeEvent = z.infer<typeof ProbeEventSchema>;

/** Parse JSONL with `schema`, one line at a time; a bad line is one error naming the file and line. */
export function parseJsonl<S extends z.ZodTypeAny>(schema: S, text: string, source: string): z.output<S>[] {
  const out: z.output<S>[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new InvalidInputError({ source, field: `line ${i + 1}`, expected: 'one JSON object per line', actual: (e as Error).message.split('\n')[0]! });
    }
    out.push(parseWith(schema, raw, `${source}: line ${i + 1}`));
  });
  return out;
}

export const toJsonl = (rows: readonly object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');

/** A window of {@link summarizeProbe}. */
export interface ProbeWindow {
  /** Window start, s since the probe started. */
  tS: number;
  replies: number;
  losses: number;
  repliesPerS: number;
  replyBytesPerS: number;
  meanRttMs: number | null;
}

export interface ProbeSummary {
  replies: number;
  losses: number;
  /** Per reply: RFC 3550 jitter after that reply, ms (aligned with the replies, in order). */
  jitter: { tS: number; jitterMs: number }[];
  windows: ProbeWindow[];
  rttP50Ms: number | null;
  rttP95Ms: number | null;
  rttMaxMs: number | null;
  /** RFC 3550 jitter at the end, ms. */
  jitterMs: number;
  /** Longest time between two consecutive replies' arrivals, ms, and where it ended. */
  longestGapMs: number;
  longestGapEndS: number | null;
  /** Servers in the order they answered, with the counter of their first and last reply. */
  hosts: { host: string; firstCount: number; lastCount: number }[];
}

const quantile = (sorted: number[], q: number): number | null => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : null);

/** Series and figures for the report and the figure. `samples` in time order. */
export function summarizeProbe(samples: readonly ProbeSample[], windowMs: number): ProbeSummary {
  const replies = samples.filter((s) => s.rttMs !== null);
  const jitter: ProbeSummary['jitter'] = [];
  let j = 0;
  let longestGapMs = 0;
  let longestGapEndS: number | null = null;
  const hosts: ProbeSummary['hosts'] = [];
  replies.forEach((s, i) => {
    if (i > 0) {
      const p = replies[i - 1]!;
      j += (Math.abs(s.rttMs! - p.rttMs!) - j) / 16;
      const gap = s.atMs + s.rttMs! - (p.atMs + p.rttMs!);
      if (gap > longestGapMs) {
        longestGapMs = gap;
        longestGapEndS = s.tS + s.rttMs! / 1000;
      }
    }
    jitter.push({ tS: s.tS, jitterMs: j });
    const h = hosts.at(-1);
    if (s.host !== undefined && h?.host === s.host) h.lastCount = s.count ?? h.lastCount;
    else if (s.host !== undefined) hosts.push({ host: s.host, firstCount: s.count ?? 0, lastCount: s.count ?? 0 });
  });
  const w = windowMs / 1000;
  const end = samples.length ? Math.max(0, samples.at(-1)!.tS) : 0;
  // Whole windows only: a trailing part-window would show a drop in throughput that did not happen.
  const n = Math.max(1, Math.floor(end / w + 1e-9));
  const windows: ProbeWindow[] = Array.from({ length: n }, (_, k) => ({ tS: k * w, replies: 0, losses: 0, repliesPerS: 0, replyBytesPerS: 0, meanRttMs: null }));
  const rttSum = new Float64Array(n);
  for (const s of samples) {
    const k = Math.max(0, Math.floor(s.tS / w + 1e-9));
    if (k >= n) continue;
    const win = windows[k]!;
    if (s.rttMs === null) {
      win.losses++;
      continue;
    }
    win.replies++;
    rttSum[k] += s.rttMs;
    // The reply on the wire: the PONG line, newline included.
    win.replyBytesPerS += `PONG ${s.count ?? 0} ${s.host ?? ''}\n`.length / w;
  }
  windows.forEach((win, k) => {
    win.repliesPerS = win.replies / w;
    win.meanRttMs = win.replies ? rttSum[k]! / win.replies : null;
  });
  const sorted = replies.map((s) => s.rttMs!).sort((a, b) => a - b);
  return {
    replies: replies.length,
    losses: samples.length - replies.length,
    jitter,
    windows,
    rttP50Ms: quantile(sorted, 0.5),
    rttP95Ms: quantile(sorted, 0.95),
    rttMaxMs: sorted.at(-1) ?? null,
    jitterMs: j,
    longestGapMs,
    longestGapEndS,
    hosts,
  };
}

export interface ProberDeps {
  /** Wall clock, ms since the epoch (default: `performance.timeOrigin + performance.now()`). */
  nowMs?: () => number;
  /** Called about once a second while the probe runs (progress). */
  onProgress?: (p: { elapsedS: number; replies: number; losses: number; last: ProbeSample | undefined }) => void;
}

/**
 * Probe `target` for `durationS` (or until {@link Prober.stop}). `run()` resolves with every sample in time
 * order; `samples()` gives those so far (a test reads them during a migration).
 */
export class Prober {
  readonly options: ProbeOptions;
  private client: EchoClient | undefined;
  private startedAtMs = 0;
  private stopRequested: (() => void) | undefined;
  private readonly now: () => number;

  constructor(
    options: z.input<typeof ProbeOptionsSchema>,
    private readonly deps: ProberDeps = {},
  ) {
    this.options = parseWith(ProbeOptionsSchema, options, 'probe options');
    // Sub-millisecond by default: with Date.now's whole milliseconds, loopback RTTs of 1-3 ms and their jitter
    // would be mostly quantisation. Still wall-clock based, so samples line up with events from other processes.
    this.now = deps.nowMs ?? (() => performance.timeOrigin + performance.now());
  }

  get startMs(): number {
    return this.startedAtMs;
  }

  async run(): Promise<ProbeSample[]> {
    const o = this.options;
    const i = o.target.lastIndexOf(':');
    const port = Number(o.target.slice(i + 1));
    if (port < 1 || port > 65_535) throw new InvalidInputError({ source: 'probe options', field: 'target', expected: 'a port in 1..65535', actual: o.target });
    const client = new EchoClient({ host: o.target.slice(0, i), port, intervalMs: o.periodMs, retryMs: o.periodMs, timeoutMs: o.timeoutMs, nowMs: this.now });
    this.client = client;
    this.startedAtMs = this.now();
    client.start();
    const stopped = new Promise<void>((r) => (this.stopRequested = r));
    const endAt = this.startedAtMs + o.durationS * 1000;
    let timer: NodeJS.Timeout | undefined;
    const tick = (): void => {
      const left = endAt - this.now();
      if (left <= 0) return this.stopRequested?.();
      const s = this.samples();
      this.deps.onProgress?.({ elapsedS: (this.now() - this.startedAtMs) / 1000, replies: client.pongs.length, losses: client.losses.length, last: s.at(-1) });
      timer = setTimeout(tick, Math.min(1000, left));
    };
    timer = setTimeout(tick, Math.min(1000, o.durationS * 1000));
    await stopped;
    clearTimeout(timer);
    await client.stop();
    return this.samples();
  }

  /** End the probe early; `run()` then resolves. */
  stop(): void {
    this.stopRequested?.();
  }

  samples(): ProbeSample[] {
    const c = this.client;
    if (!c) return [];
    const us = (ms: number): number => Math.round(ms * 1000) / 1000;
    const t = (atMs: number): number => Math.round(atMs - this.startedAtMs) / 1000;
    const out: ProbeSample[] = [
      ...c.pongs.map((p) => ({ atMs: us(p.sentAtMs), tS: t(p.sentAtMs), rttMs: us(p.rttMs), host: p.host, count: p.count })),
      ...c.losses.map((l) => ({ atMs: us(l.atMs), tS: t(l.atMs), rttMs: null, error: l.error })),
    ];
    return out.sort((a, b) => a.atMs - b.atMs);
  }
}
