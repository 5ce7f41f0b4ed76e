/**
 * The prober's own thread (see `prober-thread.ts`): one {@link EchoClient} per node, nothing else on this event loop,
 * so a reply is timed as soon as the OS runs the thread, not after the session's Kubernetes polling.
 * Requests: `{ id, op: 'drain' }` answers the replies since the last drain per node; `{ id, op: 'stop' }` stops.
 */
import { setPriority } from 'node:os';
import { workerData, type MessagePort } from 'node:worker_threads';
import { EchoClient, type Pong } from '../echo-client.js';

const { port, targets, intervalMs, timeoutMs, nice } = workerData as { port: MessagePort; targets: Record<string, number>; intervalMs: number; timeoutMs: number; nice: number };
if (nice) setPriority(0, nice); // this thread only: Linux nice values are per thread
const clients = new Map(Object.entries(targets).map(([node, p]) => [node, new EchoClient({ host: '127.0.0.1', port: p, intervalMs, timeoutMs })]));
const cursor = new Map<string, number>();
for (const c of clients.values()) c.start();

port.on('message', (m: { id: number; op: 'drain' | 'stop' }) => {
  if (m.op === 'drain') {
    const out: Record<string, Pong[]> = {};
    for (const [n, c] of clients) {
      out[n] = c.pongs.slice(cursor.get(n) ?? 0);
      cursor.set(n, c.pongs.length);
    }
    port.postMessage({ id: m.id, pongs: out });
  } else {
    void Promise.all([...clients.values()].map((c) => c.stop())).then(() => {
      port.postMessage({ id: m.id, pongs: {} });
      port.close();
    });
  }
});
