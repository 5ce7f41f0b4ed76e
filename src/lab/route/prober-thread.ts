/**
 * The RTT prober in a worker thread of its own (`prober-worker.ts`): the session's thread also polls EndpointSlices,
 * kubelet summaries and migrations, and a PING reply that waits behind that work would be timed late. Measured, that
 * thread's event loop ran 10-20 ms late at p99 (`loopDelayP99Ms`); with the prober moved here, the RTT error fell
 * (median 1.15 → 0.86 ms and 1.94 → 1.73 ms in two alternating 20-step runs at load ~10; src/lab/README.md).
 */
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { Pong } from '../echo-client.js';
import { spawnModuleWorker } from '../worker.js';

export class ProberThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private seq = 0;
  private readonly waiting = new Map<number, (p: Record<string, Pong[]>) => void>();

  /** `targets`: node → the local port of that node's proxy. */
  constructor(targets: Record<string, number>, intervalMs: number, timeoutMs: number, nice = 0) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.port.on('message', (m: { id: number; pongs: Record<string, Pong[]> }) => {
      this.waiting.get(m.id)?.(m.pongs);
      this.waiting.delete(m.id);
    });
    this.worker = spawnModuleWorker(import.meta.url, 'prober-worker', { port: port2, targets, intervalMs, timeoutMs, nice }, [port2]);
    this.worker.on('error', (e) => {
      for (const w of this.waiting.values()) w({});
      this.waiting.clear();
      this.error = e.message;
    });
  }

  /** Set when the prober thread died; {@link drain} then returns nothing (missing samples). */
  error: string | undefined;

  private request(op: 'drain' | 'stop'): Promise<Record<string, Pong[]>> {
    if (this.error) return Promise.resolve({});
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.port.postMessage({ id, op });
    });
  }

  /** The replies since the last drain, per node (oldest first). */
  async drain(): Promise<Map<string, Pong[]>> {
    return new Map(Object.entries(await this.request('drain')));
  }

  async stop(): Promise<void> {
    await this.request('stop');
    this.port.close();
    await this.worker.terminate();
  }
}
