/**
 * What a live migration reports: the part of QEMU's `query-migrate` reply the VM lab reads, each poll while the
 * migration runs, the finished migration's figures with the host-side instants of its phases, and the error a
 * failed, cancelled or timed-out one throws. Apart from vm-lab.ts so a reader of the results (the lab test, a
 * report) finds the fields and their units without the QEMU process handling.
 */

/** QEMU's migration status values (`MigrationStatus` in qapi/migration.json). */
export type QemuMigrationStatus = 'none' | 'setup' | 'cancelling' | 'cancelled' | 'active' | 'postcopy-active' | 'postcopy-paused' | 'postcopy-recover' | 'completed' | 'failed' | 'colo' | 'pre-switchover' | 'device' | 'wait-unplug';

/** The subset of `query-migrate`'s reply this lab reads. */
export interface QueryMigrate {
  status?: QemuMigrationStatus;
  'total-time'?: number;
  downtime?: number;
  'expected-downtime'?: number;
  'setup-time'?: number;
  'error-desc'?: string;
  ram?: { transferred?: number; total?: number; remaining?: number; 'dirty-sync-count'?: number; mbps?: number; duplicate?: number; normal?: number };
  'socket-address'?: { type: string; host?: string; port?: string }[];
}

/** One poll of the source's `query-migrate` while the migration runs. */
export interface VmMigrationProgress {
  atMs: number;
  status: QemuMigrationStatus;
  transferredBytes: number;
  remainingBytes: number;
  dirtySyncCount: number;
}

/** A finished live migration, as QEMU reports it, plus the host-side instants of its phases. */
export interface VmMigrationStats {
  status: QemuMigrationStatus;
  /** QEMU `total-time`: from `migrate` to completion, ms. */
  totalTimeMs: number;
  /** QEMU `downtime`: the guest was paused (stop-and-copy) this long, ms. */
  downtimeMs: number;
  /** QEMU `setup-time`, ms. */
  setupTimeMs: number;
  /** QEMU `ram.transferred`: bytes sent on the migration stream. */
  transferredBytes: number;
  /** QEMU `ram.total`: guest RAM, bytes. */
  ramTotalBytes: number;
  /** QEMU `ram.dirty-sync-count`: dirty-bitmap syncs, i.e. pre-copy passes plus the final one. */
  dirtySyncCount: number;
  /** QEMU `ram.mbps` at the end, Mbit/s. */
  mbps: number;
  /** Host clock when `migrate` was sent (ms since the epoch): the migration start. */
  startedAtMs: number;
  /** QMP STOP on the source: the stop-and-copy began. */
  sourceStoppedAtMs: number | undefined;
  /** QMP RESUME on the target: the guest runs there (the switch-over). */
  targetResumedAtMs: number | undefined;
  /** The source QEMU process exited after `quit`. */
  sourceExitedAtMs: number;
  /** Which QEMU (`q<n>`) the guest left and which it runs in now. */
  from: string;
  to: string;
  progress: VmMigrationProgress[];
}

/** A migration QEMU reported as failed or cancelled, or that timed out. */
export class VmMigrationError extends Error {
  constructor(
    message: string,
    /** The source's last `query-migrate` (a failed one carries no RAM figures). */
    readonly lastStatus: QueryMigrate | undefined,
    /** The polls until then. */
    readonly progress: readonly VmMigrationProgress[] = [],
  ) {
    super(message);
    this.name = 'VmMigrationError';
  }
}
