/**
 * Live training curves: a Server-Sent Events stream per run that follows its metrics.jsonl while `remora train`
 * appends to it (train.ts flushes its buffered lines at every progress report).
 *
 * One {@link MetricsTail} per file, shared by every page watching it: it reads only the bytes appended since its
 * last read (a partial last line waits for its newline), parses each line with the one line parser
 * (`parseMetricsLine`), and is woken by `fs.watch` on the file plus a fallback interval (fs.watch misses events
 * on some filesystems, and cannot watch a file that does not exist yet). The last page to disconnect closes the
 * watcher and the interval. A file that shrank was rewritten (a new training in the same folder): the tail
 * starts over.
 *
 * Each message carries the page's sections rendered on the server by the same function as the first page load
 * (`{"episodes": n, "sections": {"<element id>": "<html>"}}`), so the page's script only swaps `innerHTML`, as
 * the controller's live page does (live.ts). When model.json appears the run is finished: the stream sends
 * `event: done` and ends, and the page closes its EventSource.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { EpisodeMetrics } from '../agents/trainer.js';
import { InvalidInputError } from '../core/errors.js';
import { METRICS_FILE, parseMetricsLine } from '../experiments/train/metrics-jsonl.js';

export interface CurveStreamOptions {
  /** Fallback re-read period, ms (default 1000). */
  pollMs?: number;
  /** At most one message per this many ms (default 200). */
  coalesceMs?: number;
  /** An SSE comment this often keeps proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
}

/** The appended tail of one metrics.jsonl, read incrementally. */
export class MetricsTail {
  readonly points: EpisodeMetrics[] = [];
  /** The first bad line, once met (reading stops there). */
  error: string | undefined;
  private offset = 0;
  private partial = '';
  private lines = 0;

  constructor(readonly path: string) {}

  /** Reads what was appended since the last call; true when points were added (or the file started over). */
  read(): boolean {
    if (this.error || !existsSync(this.path)) return false;
    const fd = openSync(this.path, 'r');
    try {
      const size = fstatSync(fd).size;
      let reset = false;
      if (size < this.offset) {
        this.offset = 0;
        this.partial = '';
        this.lines = 0;
        this.points.length = 0;
        reset = true;
      }
      if (size === this.offset) return reset;
      const buf = Buffer.alloc(size - this.offset);
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      const text = this.partial + buf.subarray(0, n).toString('utf8');
      const parts = text.split('\n');
      this.partial = parts.pop()!;
      const before = this.points.length;
      for (const line of parts) {
        this.lines++;
        try {
          const m = parseMetricsLine(line, this.path, this.lines);
          if (m) this.points.push(m);
        } catch (e) {
          if (!(e instanceof InvalidInputError)) throw e;
          this.error = e.message;
          return true;
        }
      }
      return reset || this.points.length > before;
    } finally {
      closeSync(fd);
    }
  }
}

interface Shared {
  tail: MetricsTail;
  listeners: Set<() => void>;
  watcher: FSWatcher | undefined;
  poll: NodeJS.Timeout;
}

/** The streams of every run page; {@link close} ends them all (the dashboard calls it on stop). */
export class CurveStreams {
  private readonly shared = new Map<string, Shared>();
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly o: CurveStreamOptions = {}) {}

  /** Files being followed right now (for tests: 0 once every page has gone). */
  get following(): number {
    return this.shared.size;
  }

  /**
   * Streams run folder `dir`: `render(points, error)` gives the sections of each message. Done when
   * `<dir>/model.json` exists.
   */
  serve(req: IncomingMessage, res: ServerResponse, dir: string, render: (points: readonly EpisodeMetrics[], error: string | undefined) => Record<string, string>): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    this.open.add(res);
    const s = this.acquire(join(dir, METRICS_FILE));
    const finished = () => existsSync(join(dir, 'model.json'));
    let timer: NodeJS.Timeout | undefined;
    let sent = -1;
    let closed = false;
    const send = (): void => {
      timer = undefined;
      if (closed) return;
      const n = s.tail.points.length;
      if (n !== sent) {
        sent = n;
        res.write(`data: ${JSON.stringify({ episodes: n, sections: render(s.tail.points, s.tail.error) })}\n\n`);
      }
      if (finished()) {
        s.tail.read();
        if (s.tail.points.length !== sent) return void send();
        res.write('event: done\ndata: {}\n\n');
        res.end();
      }
    };
    const listener = (): void => {
      timer ??= setTimeout(send, this.o.coalesceMs ?? 200);
    };
    s.listeners.add(listener);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), this.o.heartbeatMs ?? 15_000);
    const done = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      this.open.delete(res);
      this.release(s, listener);
    };
    req.on('close', done);
    res.on('close', done);
    s.tail.read();
    send();
  }

  close(): void {
    for (const r of [...this.open]) r.end();
  }

  private acquire(path: string): Shared {
    let s = this.shared.get(path);
    if (s) return s;
    const tail = new MetricsTail(path);
    const listeners = new Set<() => void>();
    const wake = (): void => {
      if (tail.read() || (existsSync(join(path, '..', 'model.json')))) for (const l of [...listeners]) l();
    };
    const created: Shared = { tail, listeners, watcher: undefined, poll: setInterval(() => {
      wake();
      if (!created.watcher) created.watcher = this.watchFile(path, wake);
    }, this.o.pollMs ?? 1000) };
    created.watcher = this.watchFile(path, wake);
    this.shared.set(path, created);
    return created;
  }

  private watchFile(path: string, wake: () => void): FSWatcher | undefined {
    if (!existsSync(path) || !statSync(path).isFile()) return undefined;
    try {
      const w = watch(path, { persistent: false }, wake);
      w.on('error', () => w.close());
      return w;
    } catch {
      return undefined; // the interval still follows the file
    }
  }

  private release(s: Shared, listener: () => void): void {
    s.listeners.delete(listener);
    if (s.listeners.size > 0) return;
    s.watcher?.close();
    clearInterval(s.poll);
    this.shared.delete(s.tail.path);
  }
}
