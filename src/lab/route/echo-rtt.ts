/**
 * The lab's RTT prober (the LMF's stand-in, issue 11) as one of the controller's {@link RttSource}s: per node, one
 * {@link EchoClient} PINGs that node's reflector through that node's toxiproxy proxy, and every reply is one RTT
 * sample. The controller's {@link RttAverager} then applies Eq. 1 over the last `window` samples, as it does for
 * any other source.
 *
 * Why echo and not {@link TcpProbeRtt}'s TCP connect: toxiproxy accepts the client's connection itself, on
 * loopback, so a handshake never crosses the toxic. A request and its reply do.
 *
 * `notBeforeMs`: samples sent before it are dropped. The route moves the toxics at each step's start; a PING
 * already in flight then may have been delayed by the old value, and would smear one step into the next.
 */
import type { EchoClient } from '../echo-client.js';
import type { RttSource, Timed } from '../../cluster/observe/types.js';

export class EchoRttSource implements RttSource {
  readonly name = 'echo-probe';
  private readonly cursor = new Map<string, number>();
  /** Samples sent before this time (ms since epoch) are ignored. */
  notBeforeMs = 0;

  constructor(private readonly clients: ReadonlyMap<string, EchoClient>) {}

  async readRtt(_user: string, nodes: readonly string[]): Promise<Map<string, Timed[]>> {
    const out = new Map<string, Timed[]>();
    for (const n of nodes) {
      const c = this.clients.get(n);
      if (!c) continue;
      const from = this.cursor.get(n) ?? 0;
      const fresh = c.pongs.slice(from);
      this.cursor.set(n, c.pongs.length);
      out.set(
        n,
        fresh.filter((p) => p.sentAtMs >= this.notBeforeMs).map((p) => ({ value: p.rttMs, atMs: p.sentAtMs + p.rttMs })),
      );
    }
    return out;
  }
}
