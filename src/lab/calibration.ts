/**
 * Migration figures measured in the lab, for calibrating the twin's migration model. `docs/lab.md` holds
 * the runs, the commands that produced them and the caveats; this constant is their summary in a form code can
 * read. The twin does not import it (twin imports only core): its `lab-calibrated` overlay (`src/twin/builtin-scenarios.ts`) carries these medians,
 * and `calibration.test.ts` fails when the two drift apart.
 *
 * What the numbers are, and what they are not:
 * - `pod`: the project's RecreateMigrator between two real kubelets, a 10 ms PING client on the stable endpoint
 *   (`npm run test:lab`, test (c), two runs). `migrationSeconds` is `start()` to `succeeded`; `downtimeSeconds`
 *   is the client-side gap across the switch. The counter restarts (recreate loses state).
 * - `vm`: pre-copy live migration of a 128 MiB guest between two QEMU 7.2 processes under TCG on loopback
 *   (`node scripts/run-tests.mjs test/lab/vm`, four runs, eight migrations, a shared 2-core machine at load 7-10).
 *   `migrationSeconds` is QEMU's `total-time`, `downtimeSeconds` QEMU's `downtime` (the guest paused), and
 *   `clientGapSeconds` the longest gap between replies the client saw. That is the mechanism only: KubeVirt adds
 *   the target virt-launcher pod's scheduling and start before QEMU's `migrate`, which this lab cannot run.
 * Values are medians; `range` is [min, max] over the runs.
 */
export interface MeasuredMigration {
  migrationSeconds: number;
  downtimeSeconds: number;
  /** The longest gap between two replies that a 10 ms PING client saw across the move. */
  clientGapSeconds: number;
  range: { migrationSeconds: [number, number]; downtimeSeconds: [number, number]; clientGapSeconds: [number, number] };
  /** Migrations measured. */
  runs: number;
  /** Whether the service's in-memory state (the echo counter) survived the move. */
  stateKept: boolean;
}

export const LAB_MEASURED: { readonly pod: MeasuredMigration; readonly vm: MeasuredMigration & { transferredMB: number; guestMiB: number } } = {
  pod: {
    migrationSeconds: 1.255,
    // The pod README gives the client-side gap only; for a recreate the two are the same thing.
    downtimeSeconds: 0.035,
    clientGapSeconds: 0.035,
    range: { migrationSeconds: [1.24, 1.27], downtimeSeconds: [0.021, 0.049], clientGapSeconds: [0.021, 0.049] },
    runs: 2,
    stateKept: false,
  },
  vm: {
    migrationSeconds: 0.723,
    downtimeSeconds: 0.092,
    clientGapSeconds: 0.275,
    range: { migrationSeconds: [0.633, 0.873], downtimeSeconds: [0.027, 0.189], clientGapSeconds: [0.168, 0.372] },
    runs: 8,
    stateKept: true,
    transferredMB: 101,
    guestMiB: 128,
  },
};
