/**
 * `remora probe`: latency, jitter and throughput of a TCP echo service (tools/lab/echo's protocol),
 * written as JSONL plus a Fig. 4c/4d-style SVG with the migration start and the switch-over marked. The events
 * come from a JSONL file (`{"atMs", "kind": "migration-start" | "switchover", "label"?}`) that whatever moves the
 * service writes while the probe runs; it is read when the probe ends. `--input` re-draws an earlier run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import { probeFigure } from '../../experiments/report/probe-figure.js';
import { parseJsonl, PROBE_EVENT_LABELS, ProbeEventSchema, Prober, ProbeSampleSchema, summarizeProbe, toJsonl, type ProbeEvent, type ProbeSample, type ProbeSummary } from '../../lab/probe.js';
import { defineCommand } from '../command.js';

export interface ProbeReportInput {
  samples: readonly ProbeSample[];
  events: readonly ProbeEvent[];
  /** The probe's start (ms since the epoch): `tS` = 0. */
  startMs: number;
  windowMs: number;
  title: string;
  jsonlPath: string;
  svgPath: string;
}

/** Write the JSONL and the SVG; returns the summary (the figure's series) and the markers drawn. */
export function writeProbeReport(r: ProbeReportInput): { summary: ProbeSummary; markers: { tS: number; label: string; kind: string }[] } {
  const summary = summarizeProbe(r.samples, r.windowMs);
  const markers = r.events.map((e) => ({ tS: (e.atMs - r.startMs) / 1000, label: e.label ?? PROBE_EVENT_LABELS[e.kind] ?? e.kind, kind: e.kind }));
  const replies = r.samples.filter((s): s is ProbeSample & { rttMs: number } => s.rttMs !== null);
  writeFileSync(r.jsonlPath, toJsonl(r.samples));
  const svg = probeFigure({
    title: r.title,
    rtt: replies.map((s) => ({ tS: s.tS, rttMs: s.rttMs })),
    jitter: summary.jitter,
    windows: summary.windows,
    markers,
    windowS: r.windowMs / 1000,
  });
  writeFileSync(r.svgPath, svg);
  return { summary, markers };
}

const ms = (v: number | null): string => (v === null ? '-' : `${v.toFixed(1)} ms`);

export const probeCommand = defineCommand({
  name: 'probe',
  summary: 'Measure RTT, jitter and throughput of a TCP echo service; write JSONL and a Fig. 4c/4d-style SVG',
  usage: '--target <host:port> [--period-ms 10] [--duration-s 30] [--out probe.jsonl] [--svg probe.svg] [--events events.jsonl]',
  details:
    'The service speaks tools/lab/echo\'s protocol (PING -> PONG <count> <host>). Each line of --out is one PING: {"atMs","tS","rttMs","host","count"} or, for a loss, rttMs null and the error. --events (read at the end) marks the migration start and the switch-over. --input re-draws an earlier JSONL without probing.',
  flags: {
    target: { type: 'string', description: 'Echo service address', placeholder: '<host:port>' },
    'period-ms': { type: 'integer', description: 'Time between a reply and the next PING', default: 10 },
    'duration-s': { type: 'number', description: 'How long to probe', default: 30 },
    'timeout-ms': { type: 'integer', description: 'A later reply is a loss', default: 1000 },
    'window-ms': { type: 'integer', description: 'Throughput window', default: 500 },
    out: { type: 'string', description: 'JSONL of samples', default: 'probe.jsonl', placeholder: '<file>' },
    svg: { type: 'string', description: 'Figure (default: --out with .svg)', placeholder: '<file>' },
    events: { type: 'string', description: 'JSONL of events to mark (migration-start, switchover)', placeholder: '<file>' },
    input: { type: 'string', description: 'Re-draw this JSONL instead of probing', placeholder: '<file>' },
    title: { type: 'string', description: 'Figure title', default: 'remora probe: RTT, jitter and throughput' },
  },
  async run({ flags }, io) {
    const out = resolve(io.cwd, flags.out);
    const svgPath = resolve(io.cwd, flags.svg ?? out.replace(/\.jsonl$/, '') + '.svg');
    const readEvents = (): ProbeEvent[] => {
      if (!flags.events) return [];
      const p = resolve(io.cwd, flags.events);
      if (!existsSync(p)) throw new InvalidInputError({ source: 'remora probe', field: '--events', expected: 'an existing JSONL file', actual: p });
      return parseJsonl(ProbeEventSchema, readFileSync(p, 'utf8'), p);
    };
    let samples: ProbeSample[];
    let startMs: number;
    if (flags.input) {
      const p = resolve(io.cwd, flags.input);
      if (!existsSync(p)) throw new InvalidInputError({ source: 'remora probe', field: '--input', expected: 'an existing JSONL file', actual: p });
      samples = parseJsonl(ProbeSampleSchema, readFileSync(p, 'utf8'), p);
      if (!samples.length) throw new InvalidInputError({ source: p, field: '(file)', expected: 'at least one sample', actual: 'none' });
      startMs = samples[0]!.atMs - samples[0]!.tS * 1000;
    } else {
      if (!flags.target) throw new InvalidInputError({ source: 'remora probe', field: '--target', expected: 'host:port of an echo service (or --input <file>)', actual: 'nothing' });
      readEvents(); // a bad events file fails now, not after the whole probe
      const prober = new Prober(
        { target: flags.target, periodMs: flags['period-ms'], durationS: flags['duration-s'], timeoutMs: flags['timeout-ms'], windowMs: flags['window-ms'] },
        {
          onProgress: (p) => {
            const last = p.last?.rttMs != null ? `last ${p.last.rttMs.toFixed(1)} ms from ${p.last.host} #${p.last.count}` : p.last ? `last: ${p.last.error}` : 'no reply yet';
            io.err(`${io.isTTY ? '\r' : ''}probe ${flags.target}: ${p.elapsedS.toFixed(0)}/${flags['duration-s']} s, ${p.replies} replies, ${p.losses} lost, ${last}${io.isTTY ? '\x1b[K' : '\n'}`);
          },
        },
      );
      const stop = (): void => prober.stop();
      process.once('SIGINT', stop);
      try {
        samples = await prober.run();
      } finally {
        process.off('SIGINT', stop);
      }
      if (io.isTTY) io.err('\n');
      startMs = prober.startMs;
    }
    const { summary: s, markers } = writeProbeReport({ samples, events: readEvents(), startMs, windowMs: flags['window-ms'], title: flags.title, jsonlPath: out, svgPath });
    io.out(
      [
        `replies ${s.replies}, lost ${s.losses}; RTT p50 ${ms(s.rttP50Ms)}, p95 ${ms(s.rttP95Ms)}, max ${ms(s.rttMaxMs)}; jitter ${ms(s.jitterMs)}`,
        `longest gap between replies ${s.longestGapMs.toFixed(0)} ms${s.longestGapEndS !== null ? ` (ended at ${s.longestGapEndS.toFixed(2)} s)` : ''}`,
        `served by ${s.hosts.map((h) => `${h.host} (#${h.firstCount}..#${h.lastCount})`).join(' then ') || 'nobody'}`,
        `markers: ${markers.map((m) => `${m.label} at ${m.tS.toFixed(2)} s`).join(', ') || 'none'}`,
        `wrote ${out} and ${svgPath}`,
      ].join('\n') + '\n',
    );
    if (s.replies > 0) return 0;
    const lastError = samples.filter((x) => x.error !== undefined).at(-1)?.error;
    io.err(`remora probe: no reply from ${flags.target ?? flags.input}${lastError ? ` (last error: ${lastError})` : ''}\n`);
    return 1;
  },
});
