/**
 * Active TCP-connect probe: the time to complete a TCP handshake with one configured `host:port` per node
 * (`{user}` in the address is replaced). What it measures is the path from the controller process to that
 * address, so point each node's entry at an address whose route goes through that node (for example the
 * user's UE address via that node's UPF, or a reflector on the node itself). A refused or timed-out connect is
 * a missing sample (NaN), which forces Wait.
 */
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { fillTemplate } from './http.js';
import type { Clock, RttSource, Timed } from './types.js';

export function tcpConnectMs(host: string, port: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sock = net.connect({ host, port });
    const done = (v: number): void => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(Number.NaN));
    sock.once('connect', () => done(performance.now() - t0));
    sock.once('error', () => done(Number.NaN));
  });
}

export function splitHostPort(addr: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(addr);
  if (!m) return { host: addr, port: Number.NaN };
  return { host: m[1]!, port: Number(m[2]) };
}

export class TcpProbeRtt implements RttSource {
  readonly name = 'tcp-probe';
  constructor(private readonly o: { targets: Record<string, string>; timeoutMs: number }, private readonly clock: Clock) {}

  async readRtt(user: string, nodes: readonly string[]): Promise<Map<string, Timed[]>> {
    const out = new Map<string, Timed[]>();
    await Promise.all(
      nodes.map(async (n) => {
        const t = this.o.targets[n];
        if (!t) return;
        const { host, port } = splitHostPort(fillTemplate(t, { user }, false));
        const atMs = this.clock.nowMs();
        const value = Number.isFinite(port) ? await tcpConnectMs(host, port, this.o.timeoutMs) : Number.NaN;
        out.set(n, [{ value, atMs }]);
      }),
    );
    return out;
  }
}
