/**
 * One VM, live-migrated for real: the mechanism under KubeVirt, which cannot run here.
 *
 * `start()` creates the bridge, boots the guest in a source QEMU (TCG; KVM guests hang on this machine kind) on
 * its own tap, and waits for the guest's ready line. `migrate()` starts a target QEMU on a new tap with
 * `-incoming defer`, lets it listen on a port QEMU picks (`migrate-incoming tcp:127.0.0.1:0`, so no port race),
 * runs pre-copy `migrate` on the source, polls `query-migrate`, waits for the target's RESUME, then `quit`s the
 * source and waits for it to exit. The figures are QEMU's own (`total-time`, `downtime`, `setup-time`,
 * `ram.transferred`, `ram.dirty-sync-count`); the host-side instants come from QMP event timestamps (the
 * source's STOP starts the stop-and-copy, the target's RESUME is the switch-over). `migrate()` may be called
 * again: the guest moves on to a third QEMU, and so on.
 *
 * Everything is recognisable without memory: QEMU processes carry `-name remora-vm-<id>-q<n>` and their sockets
 * live in the lab folder; links are `rvm<id>*` (`network.ts`). `stop()` and {@link sweepVmLab} (leftovers.ts)
 * kill, delete and remove them, and report what is left. What a migration reports is typed in migration-report.ts.
 */
import { randomBytes } from 'node:crypto';
import { type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWith } from '../../core/validate.js';
import { alive, logTail, spawnDaemon, terminate } from '../host.js';
import type { ProbeEvent } from '../probe.js';
import { VmLabConfigSchema, VmMigrationConfigSchema, type VmLabConfig, type VmLabConfigInput } from './config.js';
import { missingVmPreconditions, type VmGuest } from './guest.js';
import { sweepVmLab, type VmFootprint, type VmLeftovers } from './leftovers.js';
import { VmMigrationError, type QueryMigrate, type VmMigrationProgress, type VmMigrationStats } from './migration-report.js';
import { createBridge, createTap, planVmNetwork, tapName, type VmNetworkSpec } from './network.js';
import { qemuArgs } from './qemu-args.js';
import { QmpClient } from './qmp.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The line the guest's /init prints once eth0 is configured, just before it starts the echo service. */
export const GUEST_READY_LINE = 'remora-guest: ready';

interface QemuProc {
  name: string;
  tap: string;
  child: ChildProcess;
  pid: number;
  qmp: QmpClient;
  serialLog: string;
  log: string;
  exitedAtMs?: number;
  /** `query-migrate-parameters` before this QEMU's first outgoing migration. */
  defaultParams?: { 'max-bandwidth': number; 'downtime-limit': number };
}

export interface VmLabOptions {
  /** Lab folder (QMP sockets, serial and QEMU logs); created, and removed by `stop()`. */
  dir: string;
  guest: VmGuest;
  config?: VmLabConfigInput;
  /** 6 hex characters; random by default. */
  id?: string;
  log?: (line: string) => void;
  nowMs?: () => number;
  /**
   * Append each migration's `migration-start` (when `migrate` was sent) and `switchover` (the target's RESUME)
   * to this JSONL file, for `remora probe --events` running alongside.
   */
  eventsPath?: string;
}

export class VmLab {
  readonly id: string;
  readonly dir: string;
  readonly config: VmLabConfig;
  readonly footprint: VmFootprint;
  private net: VmNetworkSpec | undefined;
  private readonly procs: QemuProc[] = [];
  private current: QemuProc | undefined;
  private readonly mac: string;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  /** QEMU start to the guest's ready line, ms (set by `start()`). */
  bootMs = 0;

  constructor(private readonly o: VmLabOptions) {
    this.id = o.id ?? randomBytes(3).toString('hex');
    if (!/^[0-9a-f]{6}$/.test(this.id)) throw new Error(`VmLab id: expected 6 hex characters, got ${JSON.stringify(this.id)}`);
    this.dir = o.dir;
    this.config = parseWith(VmLabConfigSchema, o.config ?? {}, 'VM lab config');
    this.footprint = { id: this.id, dir: o.dir };
    this.mac = `52:54:00:${this.id.slice(0, 2)}:${this.id.slice(2, 4)}:${this.id.slice(4, 6)}`;
    this.log = o.log ?? (() => undefined);
    this.now = o.nowMs ?? Date.now;
  }

  static preconditions(qemu?: string): string[] {
    return missingVmPreconditions(qemu);
  }

  /** Where the guest's echo service answers (stable across migrations). */
  get address(): { host: string; port: number } {
    if (!this.net) throw new Error('VmLab.address before start()');
    return { host: this.net.guestIp, port: this.config.echoPort };
  }

  get network(): VmNetworkSpec | undefined {
    return this.net;
  }

  /** The QEMU the guest runs in now (`q0`, `q1`, …) and its pid. */
  get running(): { name: string; pid: number } | undefined {
    return this.current && { name: this.current.name, pid: this.current.pid };
  }

  /** Pids of every QEMU this lab started, alive or not. */
  get pids(): number[] {
    return this.procs.map((p) => p.pid);
  }

  /** Create the bridge and boot the guest. On failure, call {@link VmLab.stop} to remove what was made. */
  async start(): Promise<void> {
    const missing = missingVmPreconditions(this.config.qemu);
    if (missing.length) throw new Error(`VM lab preconditions missing: ${missing.join('; ')}`);
    for (const f of [this.o.guest.kernel, this.o.guest.initramfs]) if (!existsSync(f)) throw new Error(`VM guest file ${f} missing (run scripts/build-vm-guest.sh)`);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.net = planVmNetwork(this.id, this.config.subnetOctet);
    createBridge(this.net);
    this.log(`bridge ${this.net.bridge} ${this.net.hostIp}/${this.net.prefixLength}; guest ${this.net.guestIp}`);
    const t0 = this.now();
    const q = await this.spawn(false);
    await this.waitForSerial(q, GUEST_READY_LINE, this.config.bootTimeoutMs);
    this.bootMs = this.now() - t0;
    this.current = q;
    this.log(`guest up in ${q.name} (pid ${q.pid}) after ${this.bootMs} ms`);
  }

  /**
   * Live-migrate the guest to a new QEMU process (pre-copy). Resolves once the source QEMU has exited. On a failed,
   * cancelled or timed-out migration it throws {@link VmMigrationError}; the guest keeps running in the source.
   * `overrides` change this migration's settings only (e.g. a bandwidth cap that makes it last); `onProgress`
   * sees each poll of `query-migrate`.
   */
  async migrate(overrides: Partial<VmLabConfig['migration']> = {}, onProgress?: (p: VmMigrationProgress) => void): Promise<VmMigrationStats> {
    const src = this.current;
    if (!src) throw new Error('VmLab.migrate before start()');
    const m = parseWith(VmMigrationConfigSchema, { ...this.config.migration, ...overrides }, 'VM migration overrides');
    const dst = await this.spawn(true);
    await dst.qmp.execute('migrate-incoming', { uri: 'tcp:127.0.0.1:0' });
    const incoming = await dst.qmp.execute<QueryMigrate>('query-migrate');
    const port = incoming['socket-address']?.find((a) => a.type === 'inet')?.port;
    if (!port) throw new VmMigrationError(`target QEMU ${dst.name}: query-migrate names no listening port (${JSON.stringify(incoming)})`, incoming);

    const caps = [{ capability: 'events', state: true }, { capability: 'auto-converge', state: m.autoConverge }];
    await src.qmp.execute('migrate-set-capabilities', { capabilities: caps });
    // Always set both: a source that survived a failed migration keeps whatever that one set. Unset fields get
    // QEMU's own defaults, as this QEMU reported them before its first migration.
    src.defaultParams ??= await src.qmp.execute<{ 'max-bandwidth': number; 'downtime-limit': number }>('query-migrate-parameters');
    await src.qmp.execute('migrate-set-parameters', {
      'max-bandwidth': m.maxBandwidthMiBps !== undefined ? Math.round(m.maxBandwidthMiBps * 2 ** 20) : src.defaultParams['max-bandwidth'],
      'downtime-limit': m.downtimeLimitMs ?? src.defaultParams['downtime-limit'],
    });

    const srcEvents = src.qmp.events.length;
    const dstEvents = dst.qmp.events.length;
    const startedAtMs = this.now();
    await src.qmp.execute('migrate', { uri: `tcp:127.0.0.1:${port}` });
    this.log(`migrating ${src.name} -> ${dst.name} over tcp:127.0.0.1:${port}`);
    const progress: VmMigrationProgress[] = [];
    let last: QueryMigrate | undefined;
    for (;;) {
      last = await src.qmp.execute<QueryMigrate>('query-migrate');
      const status = last.status ?? 'none';
      const p: VmMigrationProgress = { atMs: this.now(), status, transferredBytes: last.ram?.transferred ?? 0, remainingBytes: last.ram?.remaining ?? 0, dirtySyncCount: last.ram?.['dirty-sync-count'] ?? 0 };
      progress.push(p);
      onProgress?.(p);
      if (status === 'completed') {
        // Trap: QEMU 7.2 sets the state to completed before it computes total-time and downtime
        // (migration_completion, then migration_calculate_complete), so a poll in between reads zeros.
        const settle = this.now() + 2000;
        while (!last['total-time'] && this.now() < settle) {
          await sleep(5);
          last = await src.qmp.execute<QueryMigrate>('query-migrate');
        }
        break;
      }
      if (status === 'failed' || status === 'cancelled') {
        await this.discard(dst);
        throw new VmMigrationError(`live migration ${src.name} -> ${dst.name} ${status}: ${last['error-desc'] ?? 'QEMU gave no reason'} (the guest keeps running in ${src.name})`, last, progress);
      }
      if (this.now() - startedAtMs > m.timeoutMs) {
        await src.qmp.execute('migrate_cancel').catch(() => undefined);
        await this.discard(dst);
        throw new VmMigrationError(`live migration ${src.name} -> ${dst.name} still ${status} after ${m.timeoutMs} ms (cancelled; ${last.ram?.remaining ?? '?'} bytes remaining, ${last.ram?.['dirty-sync-count'] ?? '?'} passes)`, last, progress);
      }
      await sleep(m.pollMs);
    }
    const resumed = await dst.qmp.waitForEvent('RESUME', 10_000, dstEvents);
    const status = await dst.qmp.execute<{ status: string; running: boolean }>('query-status');
    if (!status.running) throw new VmMigrationError(`target QEMU ${dst.name} is ${status.status} after the migration completed, not running`, last);
    const stopped = src.qmp.events.find((e, i) => i >= srcEvents && e.event === 'STOP');
    this.current = dst;
    await this.quit(src);
    const r = last.ram ?? {};
    const stats: VmMigrationStats = {
      status: 'completed',
      totalTimeMs: last['total-time'] ?? NaN,
      downtimeMs: last.downtime ?? NaN,
      setupTimeMs: last['setup-time'] ?? NaN,
      transferredBytes: r.transferred ?? 0,
      ramTotalBytes: r.total ?? 0,
      dirtySyncCount: r['dirty-sync-count'] ?? 0,
      mbps: r.mbps ?? 0,
      startedAtMs,
      sourceStoppedAtMs: stopped?.atMs,
      targetResumedAtMs: resumed?.atMs,
      sourceExitedAtMs: src.exitedAtMs!,
      from: src.name,
      to: dst.name,
      progress,
    };
    if (this.o.eventsPath) {
      const events: ProbeEvent[] = [{ atMs: startedAtMs, kind: 'migration-start' }];
      if (stats.targetResumedAtMs !== undefined) events.push({ atMs: stats.targetResumedAtMs, kind: 'switchover' });
      appendFileSync(this.o.eventsPath, events.map((e) => JSON.stringify(e) + '\n').join(''));
    }
    this.log(`migrated ${src.name} -> ${dst.name}: total ${stats.totalTimeMs} ms, downtime ${stats.downtimeMs} ms, ${(stats.transferredBytes / 1e6).toFixed(1)} MB, ${stats.dirtySyncCount} dirty syncs`);
    return stats;
  }

  /** The serial console output of the QEMU the guest runs in now (what the guest printed since it arrived there). */
  serial(which = this.current?.name): string {
    const q = this.procs.find((p) => p.name === which);
    return q && existsSync(q.serialLog) ? readFileSync(q.serialLog, 'utf8') : '';
  }

  /** Quit every QEMU, delete the links, remove the folder (unless `keepDir`); returns what is left (nothing, normally). */
  async stop(opts: { keepDir?: boolean } = {}): Promise<VmLeftovers> {
    for (const q of this.procs) if (q.exitedAtMs === undefined && alive(q.pid)) await this.quit(q).catch(() => undefined);
    return sweepVmLab(this.footprint, opts);
  }

  // --- QEMU processes ---------------------------------------------------------------------------------

  private async spawn(incoming: boolean): Promise<QemuProc> {
    const net = this.net!;
    const n = this.procs.length;
    const name = `q${n}`;
    const tap = tapName(this.id, n);
    createTap(tap, net.bridge);
    const qmpSock = join(this.dir, `${name}.qmp`);
    const serialLog = join(this.dir, `${name}.serial.log`);
    const log = join(this.dir, `${name}.log`);
    const c = this.config;
    const args = qemuArgs({ id: this.id, name, config: c, guest: this.o.guest, net, tap, mac: this.mac, serialLog, qmpSock, incoming });
    const child = spawnDaemon(c.qemu, args, log);
    const q: QemuProc = { name, tap, child, pid: child.pid ?? -1, qmp: new QmpClient(qmpSock, `${incoming ? 'target' : 'source'} QEMU ${name}`), serialLog, log };
    this.procs.push(q);
    child.once('exit', () => (q.exitedAtMs ??= this.now()));
    if (q.pid < 0) throw new Error(`${c.qemu} did not start: ${logTail(log, 500)}`);
    const deadline = this.now() + 15_000;
    while (!existsSync(qmpSock)) {
      if (q.exitedAtMs !== undefined || !alive(q.pid)) throw new Error(`${c.qemu} (${name}) exited at start: ${logTail(log, 800).trim()}`);
      if (this.now() > deadline) throw new Error(`${c.qemu} (${name}) opened no QMP socket within 15 s: ${logTail(log, 800).trim()}`);
      await sleep(20);
    }
    await q.qmp.connect();
    return q;
  }

  private async waitForSerial(q: QemuProc, line: string, timeoutMs: number): Promise<void> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      if (existsSync(q.serialLog) && readFileSync(q.serialLog, 'utf8').includes(line)) return;
      if (q.exitedAtMs !== undefined) throw new Error(`QEMU ${q.name} exited while the guest booted: ${logTail(q.log, 800).trim()} | serial: ${logTail(q.serialLog, 800).trim()}`);
      if (this.now() > deadline) throw new Error(`the guest printed no "${line}" within ${timeoutMs} ms; serial console: ${logTail(q.serialLog, 800).trim() || '(empty)'}`);
      await sleep(50);
    }
  }

  /** `quit` over QMP and wait for the process to exit (SIGKILL after 10 s, which `quit` never needed here). */
  private async quit(q: QemuProc): Promise<void> {
    await q.qmp.execute('quit').catch(() => undefined); // QEMU may close the socket before it replies
    const deadline = this.now() + 10_000;
    while (q.exitedAtMs === undefined && alive(q.pid) && this.now() < deadline) await sleep(10);
    q.qmp.close();
    if (alive(q.pid)) {
      this.log(`QEMU ${q.name} (pid ${q.pid}) ignored quit for 10 s; killing it`);
      await terminate([q.pid], 1000);
    }
    q.exitedAtMs ??= this.now();
  }

  /** A target that will not be used: quit it (its tap stays until stop()). */
  private async discard(q: QemuProc): Promise<void> {
    await this.quit(q);
  }
}
