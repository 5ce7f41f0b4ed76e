/**
 * The `Migrator` contract as one suite that every migrator runs (hono's `runTest({ newRouter })` style), against
 * the real kube-apiserver. What any backend must do, whatever it migrates with:
 *
 * - precheck admits a migratable workload and refuses (with a reason) one that is not;
 * - start creates exactly one migration object, named by the id, and is idempotent: a second start adopts it;
 * - restart adoption: a fresh migrator (a restarted controller, nothing in memory) finds the migration through
 *   listInFlight with the same fields, adopts it on start without a second object, and drives it to success;
 * - finalize takes a finished migration out of listInFlight;
 * - listInFlight is scoped to the namespaces asked for;
 * - cancel ends the migration and never deletes the source workload.
 *
 * Only the cluster components a bare apiserver lacks are doubles; each subject says how to play them.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { KubeClient } from '../kube/client.js';
import type { UsedControlPlane } from '../testing/suite.js';
import type { InFlight, Migrator, Progress, Workload } from './types.js';

export interface MigratorSubject {
  name: string;
  /** A new migrator over `client`. Called again to play a restarted controller. */
  newMigrator(client: KubeClient): Migrator;
  /** A workload in `ns` that may migrate, as discovery hands it to the controller. */
  newWorkload(ns: string, name: string): Promise<Workload>;
  /** A workload in `ns` the precheck must refuse (VMI not LiveMigratable, pod not Ready). */
  newBlockedWorkload(ns: string, name: string): Promise<Workload>;
  /** Node to migrate to. */
  target: string;
  /** One round of the cluster's own components (virt-controller, kubelet, operator) for this migration. */
  drive(f: InFlight): Promise<void>;
  /** Let the cluster's components settle after a cancel (the kubelet confirms a pod deletion). */
  settle(): Promise<void>;
  /** Whether the source workload object still exists. */
  sourceExists(w: Workload): Promise<boolean>;
  /** A reason to skip this subject here (e.g. no address the apiserver's node proxy may reach). */
  skip?(): string | undefined;
}

export interface ConformanceOptions {
  cp: UsedControlPlane;
  admin(): KubeClient;
  /** Controller-clock time for startedAtMs. */
  nowMs(): number;
  /** Creates (idempotently) a namespace. */
  namespace(name: string): Promise<void>;
}

const ROUNDS = 12;

async function runToEnd(s: MigratorSubject, m: Migrator, f: InFlight): Promise<Progress> {
  let p: Progress = { state: 'running', phase: '' };
  for (let i = 0; i < ROUNDS && p.state === 'running'; i++) {
    await s.drive(f);
    p = await m.progress(f);
  }
  return p;
}

const fields = (f: InFlight): Omit<InFlight, 'object'> => {
  const { object: _o, ...rest } = f;
  return rest;
};

export function runMigratorConformance(o: ConformanceOptions, s: MigratorSubject): void {
  const slug = s.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  let n = 0;
  const ns = async (): Promise<string> => {
    const name = `conf-${slug}-${++n}`.slice(0, 63);
    await o.namespace(name);
    return name;
  };
  const it = (name: string, fn: () => Promise<void>): void =>
    o.cp.test(name, async (t) => {
      const why = s.skip?.();
      if (why) return void t.skip(why);
      await fn();
    });

  describe(`Migrator conformance: ${s.name}`, () => {
    it('precheck admits a migratable workload and refuses one that is not', async () => {
      const space = await ns();
      const m = s.newMigrator(o.admin());
      assert.equal(await m.precheck(await s.newWorkload(space, 'ok'), s.target), undefined);
      const why = await m.precheck(await s.newBlockedWorkload(space, 'blocked'), s.target);
      assert.equal(typeof why, 'string');
      assert.ok(why!.length > 0);
    });

    it('start creates one migration object named by the id; a second start adopts it', async () => {
      const space = await ns();
      const w = await s.newWorkload(space, 'app');
      const m = s.newMigrator(o.admin());
      const id = 'remora-app-1';
      const at = o.nowMs();
      const f = await m.start(w, s.target, id, at);
      assert.deepEqual(fields(f), { id, kind: m.kind, backend: m.backend, namespace: space, workload: 'app', sourceNode: w.node, targetNode: s.target, startedAtMs: at });
      const again = await m.start(w, s.target, id, at + 60_000);
      assert.equal(again.object.metadata.uid, f.object.metadata.uid, 'the same object');
      assert.equal(again.startedAtMs, at, 'adopted: its start time is the first one');
      assert.deepEqual((await m.listInFlight([space])).map(fields), [fields(f)]);
    });

    it('restart adoption: a fresh migrator finds, adopts and finishes the migration; finalize ends it', async () => {
      const space = await ns();
      const w = await s.newWorkload(space, 'app');
      const before = s.newMigrator(o.admin());
      const f = await before.start(w, s.target, 'remora-app-1', o.nowMs());
      // The controller restarts: nothing in memory, only the cluster.
      const after = s.newMigrator(o.admin());
      const found = await after.listInFlight([space]);
      assert.deepEqual(found.map(fields), [fields(f)], 'listInFlight after a restart returns what the old incarnation tracked');
      const adopted = await after.start(w, s.target, 'remora-app-1', o.nowMs() + 1);
      assert.equal(adopted.object.metadata.uid, f.object.metadata.uid, 'a retried start after a restart adopts, never doubles');
      assert.equal((await after.listInFlight([space])).length, 1);
      const p = await runToEnd(s, after, found[0]!);
      assert.equal(p.state, 'succeeded', JSON.stringify(p));
      await after.finalize(found[0]!, p);
      assert.deepEqual(await after.listInFlight([space]), [], 'finalized: no longer in flight');
      assert.deepEqual(await s.newMigrator(o.admin()).listInFlight([space]), [], 'for any incarnation');
    });

    it('listInFlight is scoped to the namespaces asked for', async () => {
      const space = await ns();
      const other = await ns();
      const m = s.newMigrator(o.admin());
      await m.start(await s.newWorkload(space, 'app'), s.target, 'remora-app-1', o.nowMs());
      assert.deepEqual(await m.listInFlight([other]), []);
      assert.equal((await m.listInFlight([other, space])).length, 1);
      assert.ok((await m.listInFlight()).some((f) => f.namespace === space), 'undefined = all namespaces');
    });

    it('cancel ends the migration and never deletes the source workload', async () => {
      const space = await ns();
      const w = await s.newWorkload(space, 'app');
      const m = s.newMigrator(o.admin());
      const f = await m.start(w, s.target, 'remora-app-1', o.nowMs());
      await m.cancel(f, 'conformance: cancelled');
      await m.finalize(f, { state: 'failed', reason: 'conformance: cancelled' });
      await s.settle();
      assert.deepEqual(await m.listInFlight([space]), []);
      assert.equal(await s.sourceExists(w), true, 'the source is never deleted by a cancel');
    });
  });
}
