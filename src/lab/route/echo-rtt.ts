/**
 * The lab's RTT prober (the LMF's stand-in) as one of the controller's {@link RttSource}s: per node, one
 * {@link EchoClient} PINGs that node's reflector through that node's toxiproxy proxy (in a thread of its own,
 * `prober-thread.ts`), and every reply is one RTT sample. The controller's RTT store (`cluster/observe/rtt-table.ts`) then applies Eq. 1
 * over the last `window` samples, as it does for any other source.
 *
 * Why echo and not {@link TcpProbeRtt}'s TCP connect: toxiproxy accepts the client's connection itself, on
 * loopback, so a handshake never crosses the toxic. A request and its reply do.
 *
 * `notBeforeMs`: samples sent before it are dropped. The route moves the toxics at each step's start; a PING
 * already in flight then may have been delayed by the old value, and would smear one step into the next.
 */
import type { Pong } from '../echo-client.js';
import type { RttSource, Timed } from '../../cluster/observe/types.js';

/** The replies since the previous call, per node (oldest first). */
export type PongDrain = () => Promise<ReadonlyMap<string, readonly Pong[]>>;

export class EchoRttSource implements RttSource {
  readonly name = 'echo-probe';
  /** Samples sent before this time (ms since epoch) are ignored. */
  notBeforeMs = 0;

  constructor(private readonly drain: PongDrain) {}

  async readRtt(_user: string, nodes: readonly string[]): Promise<Map<string, Timed[]>> {
    const fresh = await this.drain();
    const out = new Map<string, Timed[]>();
    for (const n of nodes) {
      const ps = fresh.get(n);
      if (!ps) continue;
      out.set(
        n,
        ps.filter((p) => p.sentAtMs >= this.notBeforeMs).map((p) => ({ value: p.rttMs, atMs: p.sentAtMs + p.rttMs })),
      );
    }
    return out;
  }
}
