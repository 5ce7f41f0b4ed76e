/**
 * The measuring client (the UE's stand-in until `remora probe` exists): one TCP connection to the echo service,
 * a `PING` every `intervalMs`, each `PONG <count> <host>` recorded with its send time and round trip. When the
 * connection breaks it reconnects at once, and keeps trying, every `retryMs`. The downtime of a move is
 * the longest gap between two successful replies. That gap includes one ping interval, so the report also
 * gives the gap minus the interval.
 */
import * as net from 'node:net';

export interface Pong {
  /** When the PING was sent (ms since epoch). */
  sentAtMs: number;
  rttMs: number;
  /** The server's counter after this PING (its state). */
  count: number;
  /** The server's hostname (the pod name). */
  host: string;
}

export interface EchoClientOptions {
  host: string;
  port: number;
  /** Period between PINGs on a healthy connection (default 10 ms). */
  intervalMs?: number;
  /** Wait after a failed connect or a closed connection (default 10 ms). */
  retryMs?: number;
  /** A reply slower than this counts as a failure (default 2000 ms). */
  timeoutMs?: number;
  nowMs?: () => number;
}

/** A PING that got no reply: the connect failed, the connection broke, or the reply came too late. */
export interface Loss {
  /** When the failure was seen (ms since epoch). */
  atMs: number;
  error: string;
}

export interface Gap {
  /** Last reply before the gap, first reply after it. */
  before: Pong;
  after: Pong;
  gapMs: number;
}

export interface EchoReport {
  pongs: number;
  failures: number;
  /** Hosts in the order they answered. */
  hosts: string[];
  /** The longest gap between consecutive replies. */
  longest: Gap | undefined;
  /** The gap across the first host change, if any (the move's client-side downtime). */
  switchover: Gap | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class EchoClient {
  readonly pongs: Pong[] = [];
  /** Every failure, in order (`failures` counts them). */
  readonly losses: Loss[] = [];
  failures = 0;
  lastError = '';
  private running = false;
  private loop: Promise<void> | undefined;
  private sock: net.Socket | undefined;
  private readonly now: () => number;

  constructor(private readonly o: EchoClientOptions) {
    this.now = o.nowMs ?? Date.now;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<EchoReport> {
    this.running = false;
    this.sock?.destroy();
    await this.loop;
    return this.report();
  }

  /** Resolves once a reply from a host other than `notHost` arrived (or after `timeoutMs`). */
  async waitForHost(pred: (host: string) => boolean, timeoutMs: number): Promise<Pong | undefined> {
    const deadline = this.now() + timeoutMs;
    while (this.now() < deadline) {
      const p = this.pongs.at(-1);
      if (p && pred(p.host)) return p;
      await sleep(10);
    }
    return undefined;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.session();
      } catch (e) {
        this.failures++;
        this.lastError = (e as Error).message;
        if (this.running) this.losses.push({ atMs: this.now(), error: this.lastError });
      }
      if (this.running) await sleep(this.o.retryMs ?? 10);
    }
  }

  /** One connection: PING until it breaks. */
  private async session(): Promise<void> {
    const sock = net.connect(this.o.port, this.o.host);
    this.sock = sock;
    sock.setNoDelay(true);
    let buf = '';
    const lines: string[] = [];
    let wake: (() => void) | undefined;
    let closed: Error | undefined;
    sock.on('data', (d) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      wake?.();
    });
    const onEnd = (e?: Error): void => {
      closed ??= e ?? new Error('connection closed');
      wake?.();
    };
    sock.on('error', onEnd).on('close', () => onEnd());
    try {
      await new Promise<void>((res, rej) => {
        sock.once('connect', res);
        sock.once('error', rej);
        sock.once('close', () => rej(new Error('closed before connect')));
      });
      while (this.running) {
        const sentAtMs = this.now();
        sock.write('PING\n');
        const deadline = sentAtMs + (this.o.timeoutMs ?? 2000);
        while (!lines.length && !closed && this.now() < deadline) {
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, Math.max(1, deadline - this.now()));
          });
          wake = undefined;
        }
        const line = lines.shift();
        if (line === undefined) throw closed ?? new Error(`no reply within ${this.o.timeoutMs ?? 2000} ms`);
        const m = /^PONG (\d+) (\S+)$/.exec(line);
        if (!m) throw new Error(`unexpected reply ${JSON.stringify(line)}`);
        this.pongs.push({ sentAtMs, rttMs: this.now() - sentAtMs, count: Number(m[1]), host: m[2]! });
        await sleep(this.o.intervalMs ?? 10);
      }
    } finally {
      sock.destroy();
    }
  }

  report(): EchoReport {
    const hosts: string[] = [];
    let longest: Gap | undefined;
    let switchover: Gap | undefined;
    for (let i = 0; i < this.pongs.length; i++) {
      const p = this.pongs[i]!;
      if (hosts.at(-1) !== p.host) hosts.push(p.host);
      if (i === 0) continue;
      const q = this.pongs[i - 1]!;
      const gap: Gap = { before: q, after: p, gapMs: p.sentAtMs + p.rttMs - (q.sentAtMs + q.rttMs) };
      if (!longest || gap.gapMs > longest.gapMs) longest = gap;
      if (!switchover && q.host !== p.host) switchover = gap;
    }
    return { pongs: this.pongs.length, failures: this.failures, hosts, longest, switchover };
  }
}
