// `remora probe` without QEMU: the prober against a small in-test server that speaks the echo
// service's protocol (tools/lab/echo: PING -> PONG <count> <host>), the summary's definitions on hand-made
// samples, and the CLI's files and one-line errors. The prober through a real VM live migration is in
// test/lab/vm.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Io } from '../cli/command.js';
import { writeProbeReport } from '../cli/commands/probe.js';
import { main } from '../cli/main.js';
import { parseJsonl, ProbeEventSchema, Prober, ProbeSampleSchema, summarizeProbe, type ProbeSample } from './probe.js';

const made: string[] = [];
/** A fresh folder under the OS tmpdir, removed after the file's tests. */
const tmp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
};
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));


/** The echo protocol with a host name and a counter; `close()` drops every connection (a pod going away). */
function echoServer(host: string): Promise<{ port: number; close: () => Promise<void> }> {
  let count = 0;
  const socks = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    socks.add(s);
    s.on('close', () => socks.delete(s));
    s.on('error', () => undefined); // a reset from the client while the server drops it
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        s.write(line === 'PING' ? `PONG ${++count} ${host}\n` : 'ERR expected PING or COUNT\n');
      }
    });
  });
  return new Promise((res) =>
    srv.listen(0, '127.0.0.1', () =>
      res({
        port: (srv.address() as net.AddressInfo).port,
        close: () => new Promise<void>((r) => {
          for (const s of socks) s.destroy();
          srv.close(() => r());
        }),
      }),
    ),
  );
}

function capture(cwd: string): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY: false, cwd, env: {}, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

const sample = (tS: number, rttMs: number | null, host = 'a', count = 0): ProbeSample => (rttMs === null ? { atMs: 1000 * tS, tS, rttMs, error: 'x' } : { atMs: 1000 * tS, tS, rttMs, host, count });

test('summarizeProbe: RFC 3550 jitter, windows of replies per second, the longest gap, hosts with their counters', () => {
  const s = [sample(0, 2, 'a', 1), sample(0.1, 4, 'a', 2), sample(0.2, null), sample(0.6, 3, 'b', 1), sample(0.7, 3, 'b', 2), sample(1.0, 2, 'b', 3)];
  const r = summarizeProbe(s, 500);
  // J1 = 0 + (|4-2| - 0)/16 = 0.125; J2 = 0.125 + (|3-4| - 0.125)/16; J3 = J2 + (0 - J2)/16; J4 = J3 + (1 - J3)/16.
  const j2 = 0.125 + (1 - 0.125) / 16;
  const j3 = j2 - j2 / 16;
  assert.deepEqual(
    r.jitter.map((x) => x.jitterMs),
    [0, 0.125, j2, j3, j3 + (1 - j3) / 16],
  );
  assert.equal(r.replies, 5);
  assert.equal(r.losses, 1);
  assert.deepEqual(
    r.windows.map((w) => [w.tS, w.replies, w.losses, w.repliesPerS]),
    [
      [0, 2, 1, 4],
      [0.5, 2, 0, 4],
    ],
  );
  assert.equal(r.windows[0]!.meanRttMs, 3);
  // The reply at 1.0 s starts a third window that never completed: left out.
  // Reply bytes: "PONG 1 a\n" is 9 bytes, in a 0.5 s window.
  assert.equal(r.windows[0]!.replyBytesPerS, (9 + 9) / 0.5);
  // Arrivals: 0.002, 0.104, 0.603, 0.703 s: the longest gap is 499 ms, ending at 0.603 s.
  assert.ok(Math.abs(r.longestGapMs - 499) < 1e-9, String(r.longestGapMs));
  assert.equal(r.longestGapEndS, 0.603);
  assert.deepEqual(r.hosts, [
    { host: 'a', firstCount: 1, lastCount: 2 },
    { host: 'b', firstCount: 1, lastCount: 3 },
  ]);
  assert.equal(r.rttP50Ms, 3); // of 2, 2, 3, 3, 4
  assert.equal(r.rttMaxMs, 4);
});

test('Prober: samples a real TCP echo, one connection with a counter that goes up by one, then losses once the server goes away', async () => {
  const a = await echoServer('pod-a');
  const p = new Prober({ target: `127.0.0.1:${a.port}`, periodMs: 5, durationS: 30, timeoutMs: 200 });
  const run = p.run();
  const until = async (f: () => boolean): Promise<void> => {
    const t = Date.now();
    while (!f()) {
      if (Date.now() - t > 10_000) assert.fail('timed out');
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await until(() => p.samples().length >= 20);
  await a.close(); // the "pod" goes; the port is refused until a new server takes over
  await until(() => p.samples().some((s) => s.rttMs === null));
  const b = await echoServer('pod-b');
  // The prober knows only the old address: point it at the new one the way an endpoint proxy would, by a new prober.
  p.stop();
  const first = await run;
  const q = new Prober({ target: `127.0.0.1:${b.port}`, periodMs: 5, durationS: 0.3 });
  const second = await q.run();
  await b.close();
  assert.ok(first.filter((s) => s.rttMs !== null).length >= 20);
  assert.ok(first.some((s) => s.rttMs === null && /ECONNREFUSED|closed|reset/i.test(s.error ?? '')), JSON.stringify(first.filter((s) => s.rttMs === null).slice(0, 2)));
  const counts = first.filter((s) => s.rttMs !== null).map((s) => s.count!);
  assert.deepEqual(counts, counts.map((_, i) => i + 1), 'one connection: the counter goes up by one per reply');
  for (let i = 1; i < first.length; i++) assert.ok(first[i]!.atMs >= first[i - 1]!.atMs, 'time order');
  assert.ok(second.length > 10 && second.every((s) => s.host === 'pod-b'));
  assert.ok(second.at(-1)!.tS < 0.5, 'durationS ends the run');
});

test('writeProbeReport: valid JSONL (one sample a line) and an SVG with the migration start and switch-over marked', () => {
  const dir = tmp('remora-probe-');
  const samples = [sample(0, 2, 'vm', 1), sample(0.5, 3, 'vm', 2), sample(1.2, 250, 'vm', 3), sample(1.5, 2, 'vm', 4)];
  const events = [
    { atMs: 400, kind: 'migration-start' },
    { atMs: 1100, kind: 'switchover' },
  ];
  const { markers } = writeProbeReport({ samples, events, startMs: 0, windowMs: 500, title: 'test', jsonlPath: join(dir, 'p.jsonl'), svgPath: join(dir, 'p.svg') });
  assert.deepEqual(markers, [
    { tS: 0.4, label: 'migration start', kind: 'migration-start' },
    { tS: 1.1, label: 'switch-over', kind: 'switchover' },
  ]);
  const back = parseJsonl(ProbeSampleSchema, readFileSync(join(dir, 'p.jsonl'), 'utf8'), 'p.jsonl');
  assert.deepEqual(back, samples);
  const svg = readFileSync(join(dir, 'p.svg'), 'utf8');
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, />migration start</);
  assert.match(svg, />switch-over</);
  assert.match(svg, /<text [^>]*fill="#d62728"[^>]*>migration start</, 'coloured by kind');
  assert.equal((svg.match(/stroke-dasharray="4 3"/g) ?? []).length, 2 * 3, 'each marker crosses the three panels');
  assert.match(svg, /Jitter \(Fig\. 4c\)/);
  assert.match(svg, /Throughput \(Fig\. 4d\)/);
});

test('remora probe --input re-draws a run with --events; bad input is one line naming file, line and field', async () => {
  const dir = tmp('remora-probe-cli-');
  writeFileSync(join(dir, 'in.jsonl'), [sample(0, 2, 'vm', 1), sample(0.5, 3, 'vm', 2)].map((s) => JSON.stringify(s)).join('\n') + '\n');
  writeFileSync(join(dir, 'ev.jsonl'), '{"atMs":100,"kind":"migration-start"}\n{"atMs":300,"kind":"switchover"}\n');
  const io = capture(dir);
  assert.equal(await main(['probe', '--input', 'in.jsonl', '--events', 'ev.jsonl', '--out', 'out.jsonl'], io), 0, io.stderr);
  assert.match(io.stdout, /replies 2, lost 0/);
  assert.match(io.stdout, /served by vm \(#1\.\.#2\)/);
  assert.match(io.stdout, /markers: migration start at 0\.10 s, switch-over at 0\.30 s/);
  assert.match(readFileSync(join(dir, 'out.svg'), 'utf8'), />switch-over</);

  writeFileSync(join(dir, 'bad-ev.jsonl'), '{"atMs":100,"kind":"migration-start"}\n{"atMs":"soon","kind":"switchover"}\n');
  const e1 = capture(dir);
  assert.equal(await main(['probe', '--input', 'in.jsonl', '--events', 'bad-ev.jsonl'], e1), 1);
  assert.match(e1.stderr, /bad-ev\.jsonl: line 2: atMs: expected .*number.*, got .*soon/);
  assert.equal(e1.stderr.trim().split('\n').length, 1, e1.stderr);

  writeFileSync(join(dir, 'torn.jsonl'), '{"atMs":1,"tS":0,"rttMs":2}\n{"atMs":2,\n');
  const e2 = capture(dir);
  assert.equal(await main(['probe', '--input', 'torn.jsonl'], e2), 1);
  assert.match(e2.stderr, /torn\.jsonl: line 2: expected one JSON object per line/);

  const e3 = capture(dir);
  assert.equal(await main(['probe', '--target', 'nohost', '--duration-s', '1'], e3), 1);
  assert.match(e3.stderr, /probe options: target: expected host:port, got .*nohost/);
  assert.equal(e3.stderr.trim().split('\n').length, 1, e3.stderr);

  const gone = await echoServer('gone');
  await gone.close();
  const e5 = capture(dir);
  assert.equal(await main(['probe', '--target', `127.0.0.1:${gone.port}`, '--duration-s', '0.3', '--out', 'dead.jsonl'], e5), 1);
  assert.match(e5.stderr, /^remora probe: no reply from 127\.0\.0\.1:\d+ \(last error: connect ECONNREFUSED/m);
  assert.match(e5.stdout, /replies 0, lost [1-9]\d*/);

  const e4 = capture(dir);
  assert.equal(await main(['probe'], e4), 1);
  assert.match(e4.stderr, /remora probe: --target: expected host:port of an echo service/);
  assert.deepEqual(parseJsonl(ProbeEventSchema, '\n{"atMs":1,"kind":"switchover","label":"to q1"}\n', 'x'), [{ atMs: 1, kind: 'switchover', label: 'to q1' }]);
});

test('remora probe --target: probes for --duration-s, writes the JSONL and the SVG, prints the summary and progress', async () => {
  const dir = tmp('remora-probe-run-');
  const srv = await echoServer('pod-x');
  writeFileSync(join(dir, 'ev.jsonl'), `{"atMs":${Date.now() + 300},"kind":"migration-start"}\n`);
  const io = capture(dir);
  try {
    assert.equal(await main(['probe', '--target', `127.0.0.1:${srv.port}`, '--duration-s', '1.2', '--period-ms', '5', '--events', 'ev.jsonl', '--out', 'run.jsonl'], io), 0, io.stderr);
  } finally {
    await srv.close();
  }
  const samples = parseJsonl(ProbeSampleSchema, readFileSync(join(dir, 'run.jsonl'), 'utf8'), 'run.jsonl');
  assert.ok(samples.length > 50, `${samples.length} samples`);
  assert.ok(samples.every((s) => s.host === 'pod-x' && s.rttMs !== null));
  assert.ok(samples.at(-1)!.tS < 1.3 && samples.at(-1)!.tS > 1.0, `ran for --duration-s (${samples.at(-1)!.tS} s)`);
  assert.match(io.stdout, new RegExp(`replies ${samples.length}, lost 0`));
  assert.match(io.stdout, /markers: migration start at 0\.[23]\d s/);
  assert.match(io.stderr, /probe 127\.0\.0\.1:\d+: 1\/1\.2 s, \d+ replies, 0 lost, last \d+\.\d ms from pod-x #\d+/);
  assert.match(readFileSync(join(dir, 'run.svg'), 'utf8'), />migration start</);
});
