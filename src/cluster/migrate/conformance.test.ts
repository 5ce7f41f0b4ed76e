/**
 * Every migrator through the one Migrator conformance suite (conformance.ts), on the real kube-apiserver:
 * KubeVirt in both modes, and each pod backend (recreate, podmigration, checkpoint).
 */
import { describe } from 'node:test';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { KubeClient } from '../kube/client.js';
import { paths, type PodObject, type VmiObject } from '../kube/resources.js';
import { FakeClock, FakeKubelet, FakeKubeletServer, FakePodmigrationOperator, FakeVirtController, Fixtures } from '../testing/doubles.js';
import { useControlPlane } from '../testing/suite.js';
import { runMigratorConformance, type MigratorSubject } from './conformance.js';
import { KubevirtMigrator } from './kubevirt.js';
import { CheckpointMigrator, PodmigrationMigrator, RecreateMigrator } from './pod.js';
import type { InFlight, Workload } from './types.js';

const NODES = ['edge-1', 'edge-2', 'edge-3'];
const CKPT_NODE = 'edge-ckpt-src';

describe('Migrator conformance (real kube-apiserver)', () => {
  const clock = new FakeClock(Date.parse('2026-06-01T12:00:00Z'));
  let admin!: KubeClient;
  let fx!: Fixtures;
  let virt!: FakeVirtController;
  let kubelet!: FakeKubelet;
  let operator!: FakePodmigrationOperator;
  let ckpt: FakeKubeletServer | undefined;
  const ip = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

  const cp = useControlPlane({
    async setup(plane) {
      admin = plane.admin;
      fx = new Fixtures(admin, clock);
      virt = new FakeVirtController(admin, clock);
      kubelet = new FakeKubelet(admin, clock);
      operator = new FakePodmigrationOperator(admin);
      virt.start();
      for (const n of NODES) await fx.node(n);
      if (ip) {
        ckpt = new FakeKubeletServer(join(plane.dir, 'serving.crt'), join(plane.dir, 'serving.key'));
        await ckpt.start(ip);
        await fx.node(CKPT_NODE, { address: ip, kubeletPort: ckpt.port });
      }
    },
    async teardown() {
      await virt.stop();
      await ckpt?.stop();
    },
  });
  const options = { cp, admin: () => admin, nowMs: () => clock.nowMs(), namespace: (n: string) => fx.namespace(n) };

  const vmWorkload = async (ns: string, name: string, liveMigratable: boolean, nodeSelector?: Record<string, string>): Promise<Workload> => {
    const v = await fx.vmi(ns, name, 'edge-1', { user: `ue-${name}`, liveMigratable, ...(nodeSelector ? { nodeSelector } : {}) });
    return { kind: 'vm', namespace: ns, name, user: `ue-${name}`, node: 'edge-1', object: { ...v, apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' } };
  };
  const vmExists = async (w: Workload): Promise<boolean> => Boolean(await admin.request<VmiObject>('GET', paths.vmis(w.namespace, w.name)).catch(() => undefined));
  const driveVm = async (f: InFlight): Promise<void> => {
    await virt.waitFor((v) => v.metadata.name === f.id && v.metadata.namespace === f.namespace);
    clock.advance(1000);
    await virt.step();
  };

  /** Pods: the workload label is `name`, the serving pod `name-0`; Ready once the kubelet double synced. */
  const podWorkload = (node: string) => async (ns: string, name: string, ready = true): Promise<Workload> => {
    await fx.pod(ns, `${name}-0`, node, { user: `ue-${name}`, workload: name });
    if (ready) await kubelet.sync();
    const p = await admin.request<PodObject>('GET', paths.pods(ns, `${name}-0`));
    return { kind: 'pod', namespace: ns, name, user: `ue-${name}`, node, object: { ...p, apiVersion: 'v1', kind: 'Pod' } };
  };
  const podExists = async (w: Workload): Promise<boolean> => {
    const p = await admin.request<PodObject>('GET', paths.pods(w.namespace, w.object.metadata.name)).catch(() => undefined);
    return Boolean(p && !p.metadata.deletionTimestamp);
  };
  const drivePods = async (): Promise<void> => {
    clock.advance(1000);
    await operator.sync();
    await kubelet.sync();
  };

  /** Pod backends differ only in the migrator; the source node is where the serving pod runs. */
  const podSubject = (name: string, newMigrator: MigratorSubject['newMigrator'], node: string, target: string): MigratorSubject => ({
    name,
    newMigrator,
    newWorkload: (ns, w) => podWorkload(node)(ns, w),
    newBlockedWorkload: (ns, w) => podWorkload(node)(ns, w, false),
    target,
    drive: drivePods,
    settle: () => kubelet.sync(),
    sourceExists: podExists,
  });

  const subjects: MigratorSubject[] = [
    {
      name: 'KubeVirt addedNodeSelector',
      newMigrator: (c) => new KubevirtMigrator(c, { mode: 'addedNodeSelector', labelKey: 'remora.io/edge-host', hostnameLabel: 'kubernetes.io/hostname' }),
      newWorkload: (ns, name) => vmWorkload(ns, name, true),
      newBlockedWorkload: (ns, name) => vmWorkload(ns, name, false),
      target: 'edge-3',
      drive: driveVm,
      settle: () => virt.step(),
      sourceExists: vmExists,
    },
    {
      // Each workload gets its own label value, so parallel migrations in other namespaces do not collide.
      name: 'KubeVirt labelMove',
      newMigrator: (c) => new KubevirtMigrator(c, { mode: 'labelMove', labelKey: 'remora.io/conformance-host', hostnameLabel: 'kubernetes.io/hostname' }),
      newWorkload: async (ns, name) => {
        await admin.request('PATCH', paths.nodes('edge-1'), { body: { metadata: { labels: { 'remora.io/conformance-host': `${ns}-${name}` } } } });
        return vmWorkload(ns, name, true, { 'remora.io/conformance-host': `${ns}-${name}` });
      },
      newBlockedWorkload: (ns, name) => vmWorkload(ns, name, false, { 'remora.io/conformance-host': `${ns}-${name}` }),
      target: 'edge-2',
      drive: driveVm,
      settle: () => virt.step(),
      sourceExists: vmExists,
    },
    podSubject('pod recreate', (c) => new RecreateMigrator(c), 'edge-1', 'edge-2'),
    podSubject('pod podmigration', (c) => new PodmigrationMigrator(c, 'live-migration'), 'edge-1', 'edge-3'),
    {
      ...podSubject('pod checkpoint', (c) => new CheckpointMigrator(c, 'registry.local/ckpt/{pod}-{container}:{archive}'), CKPT_NODE, 'edge-2'),
      skip: () => (ip ? undefined : 'no non-loopback IPv4 address: the apiserver refuses to proxy to loopback nodes'),
    },
  ];
  for (const s of subjects) runMigratorConformance(options, s);
});
