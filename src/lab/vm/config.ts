/**
 * Settings of the VM lab (one guest, live-migrated between QEMU processes under TCG). Defaults are the small
 * guest that `../shared/lab/README.md` found to work; QEMU's own migration defaults apply unless a field here
 * overrides them, so the measured figures are QEMU's, not ours.
 */
import { z } from 'zod';

export const VmMigrationConfigSchema = z
  .object({
    /**
     * Bandwidth cap of the migration stream, MiB/s (QEMU `max-bandwidth`). Unset: QEMU's default (128 MiB/s
     * in QEMU 7.2). KubeVirt's `bandwidthPerMigration` sets the same parameter through libvirt.
     */
    maxBandwidthMiBps: z.number().positive().optional(),
    /** Longest stop-and-copy pause QEMU aims for, ms (QEMU `downtime-limit`; unset: QEMU's 300 ms). */
    downtimeLimitMs: z.number().int().positive().optional(),
    /** Throttle the guest's vCPU when pre-copy does not converge (KubeVirt `allowAutoConverge`, off by default there too). */
    autoConverge: z.boolean().default(false),
    /** How often `query-migrate` is polled while the migration runs, ms. */
    pollMs: z.number().int().min(5).max(5000).default(20),
    /** Give up (and `migrate_cancel`) after this long, ms. */
    timeoutMs: z.number().int().positive().default(120_000),
  })
  .strict();

export const VmLabConfigSchema = z
  .object({
    /** Guest RAM, MiB. TCG is slow and pre-copy sends all of it, so keep it small. */
    memoryMiB: z.number().int().min(64).max(4096).default(128),
    cpus: z.number().int().min(1).max(4).default(1),
    /** The guest's hostname: the echo service answers `PONG <count> <hostname>`. */
    hostname: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a DNS label').default('vm-echo'),
    /** Second octet of the bridge's 10.<octet>.0.0/24; unset: the first free one of 250-254. */
    subnetOctet: z.number().int().min(0).max(255).optional(),
    /** TCP port of the echo service inside the guest (tools/lab/echo). */
    echoPort: z.number().int().min(1).max(65535).default(7000),
    /** Boot (QEMU start to the guest's ready line on its serial console), ms. */
    bootTimeoutMs: z.number().int().positive().default(90_000),
    qemu: z.string().min(1).default('qemu-system-x86_64'),
    migration: VmMigrationConfigSchema.default({}),
  })
  .strict();

export type VmLabConfig = z.infer<typeof VmLabConfigSchema>;
export type VmLabConfigInput = z.input<typeof VmLabConfigSchema>;
