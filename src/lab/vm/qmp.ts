/**
 * A minimal QMP client (QEMU Machine Protocol, JSON over a unix socket): the greeting, `qmp_capabilities`, then
 * one command at a time with an `id`, and every asynchronous event kept with QEMU's own timestamp. QMP rather
 * than the HMP monitor: replies are typed JSON (`query-migrate` gives numbers, not text to scrape), and no
 * `socat` is needed.
 *
 * Protocol: https://www.qemu.org/docs/master/interop/qmp-spec.html. Messages are JSON objects separated by
 * CRLF; a reply is `{"return": …, "id": …}` or `{"error": {"class", "desc"}, "id": …}`; an event is
 * `{"event": NAME, "data": …, "timestamp": {"seconds", "microseconds"}}` (host wall clock).
 */
import * as net from 'node:net';

export interface QmpEvent {
  event: string;
  data: Record<string, unknown>;
  /** QEMU's timestamp of the event, ms since the epoch (host wall clock). */
  atMs: number;
}

/** A command QEMU refused: its error class and description, and which QEMU (`who`) said so. */
export class QmpError extends Error {
  constructor(
    readonly who: string,
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super(`${who}: QMP ${command} failed: ${errorClass}: ${desc}`);
    this.name = 'QmpError';
  }
}

interface Pending {
  command: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class QmpClient {
  readonly events: QmpEvent[] = [];
  private sock: net.Socket | undefined;
  private buf = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private closed: Error | undefined;
  private greeting: ((v: unknown) => void) | undefined;
  private readonly waiters = new Set<() => void>();

  /** `who` names this QEMU in errors (e.g. `source QEMU`). */
  constructor(
    private readonly socketPath: string,
    private readonly who: string,
  ) {}

  /** Connect, read the greeting, and leave capabilities negotiation mode. */
  async connect(timeoutMs = 10_000): Promise<void> {
    const sock = net.connect(this.socketPath);
    this.sock = sock;
    const greeted = new Promise<unknown>((r) => (this.greeting = r));
    sock.on('data', (d) => this.onData(d.toString('utf8')));
    const onClose = (e?: Error): void => {
      this.closed ??= e ?? new Error(`${this.who}: QMP connection closed`);
      for (const p of this.pending.values()) p.reject(this.closed);
      this.pending.clear();
      this.wake();
    };
    sock.on('error', (e) => onClose(new Error(`${this.who}: QMP socket ${this.socketPath}: ${e.message}`)));
    sock.on('close', () => onClose());
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        greeted,
        new Promise<never>((_, rej) => {
          timer = setTimeout(() => rej(new Error(`${this.who}: no QMP greeting on ${this.socketPath} within ${timeoutMs} ms`)), timeoutMs);
          sock.once('error', (e) => rej(new Error(`${this.who}: QMP socket ${this.socketPath}: ${e.message}`)));
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    await this.execute('qmp_capabilities');
  }

  /** Run one command and resolve with its `return` value; a QMP error rejects with {@link QmpError}. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closed || !this.sock) return Promise.reject(this.closed ?? new Error(`${this.who}: QMP not connected`));
    const id = String(this.nextId++);
    const p = new Promise<T>((resolve, reject) => this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject }));
    this.sock.write(JSON.stringify(args ? { execute: command, arguments: args, id } : { execute: command, id }) + '\r\n');
    return p;
  }

  /** The first event named `name` (already received, or the next one), or undefined after `timeoutMs`. */
  async waitForEvent(name: string, timeoutMs: number, since = 0): Promise<QmpEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.find((x, i) => i >= since && x.event === name);
      if (e) return e;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) return undefined;
      await new Promise<void>((r) => {
        const t = setTimeout(done, left);
        function done(): void {
          clearTimeout(t);
          r();
        }
        this.waiters.add(done);
      });
    }
  }

  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  close(): void {
    this.sock?.destroy();
  }

  private wake(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  private onData(text: string): void {
    this.buf += text;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).trim();
      this.buf = this.buf.slice(i + 1);
      if (!line) continue;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue; // QMP only sends JSON; a torn line cannot happen on a unix stream, but never crash on one
      }
      this.onMessage(msg);
    }
  }

  private onMessage(msg: Record<string, unknown>): void {
    if ('QMP' in msg) {
      this.greeting?.(msg);
      this.greeting = undefined;
      return;
    }
    if (typeof msg.event === 'string') {
      const ts = msg.timestamp as { seconds?: number; microseconds?: number } | undefined;
      this.events.push({ event: msg.event, data: (msg.data as Record<string, unknown>) ?? {}, atMs: (ts?.seconds ?? 0) * 1000 + (ts?.microseconds ?? 0) / 1000 });
      this.wake();
      return;
    }
    const id = typeof msg.id === 'string' ? msg.id : undefined;
    const p = id ? this.pending.get(id) : undefined;
    if (!p || !id) return;
    this.pending.delete(id);
    if ('error' in msg) {
      const e = msg.error as { class?: string; desc?: string };
      p.reject(new QmpError(this.who, p.command, e.class ?? 'GenericError', e.desc ?? JSON.stringify(msg.error)));
    } else p.resolve(msg.return);
  }
}
