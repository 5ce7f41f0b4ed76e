/**
 * `remora lab up|down|status` (issue 11): the lab, a real small edge cluster on this machine (src/lab).
 * `up` starts a supervisor process that owns the lab (it keeps the control plane's logs, and tears the lab down
 * on SIGTERM), waits until every node is Ready, prints what runs and where, and returns. `down` stops the
 * supervisor and then sweeps whatever is left, from the lab folder alone.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { HttpKubeClient } from '../../cluster/kube/client.js';
import { alive, describeLeftovers, isClean, labProcesses, rssBytes } from '../../lab/host.js';
import { downFromState, Lab, readState, type LabState } from '../../lab/lab.js';
import { InvalidInputError, RemoraError } from '../../core/errors.js';
import { defineCommand, type Io } from '../command.js';

const DEFAULT_DIR = '/tmp/remora-lab';
const dirFlag = { type: 'string', description: 'Lab folder (0700; state, kubeconfigs, keys, logs)', default: DEFAULT_DIR, placeholder: '<dir>' } as const;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const labUpCommand = defineCommand({
  name: 'lab up',
  summary: 'Start the lab: etcd, kube-apiserver, kube-scheduler, kube-controller-manager and real kubelets with their own containerd',
  usage: '[--nodes 2] [--dir /tmp/remora-lab]',
  details: 'Needs root, containerd, runc, containernetworking-plugins and Go (the first run builds kubelet & co., then cached). Ends when every node is Ready; `remora lab down` removes everything.',
  flags: {
    nodes: { type: 'integer', description: 'Edge nodes', default: 2 },
    dir: dirFlag,
    foreground: { type: 'boolean', description: 'Run the lab in this process until SIGINT/SIGTERM (what `up` starts in the background)', default: false },
    'timeout-s': { type: 'integer', description: 'How long `up` waits for the lab (the first run builds binaries)', default: 1800 },
  },
  async run({ flags }, io) {
    const dir = resolve(io.cwd, flags.dir);
    if (flags.nodes < 1 || flags.nodes > 8) throw new InvalidInputError({ source: 'remora lab up', field: '--nodes', expected: '1..8', actual: String(flags.nodes) });
    if (flags.foreground) return foreground(dir, flags.nodes, io);
    const existing = readState(dir);
    if (existing) throw new RemoraError('E_LAB_EXISTS', `remora lab up: ${join(dir, 'lab.json')} exists (lab ${existing.id}, ${existing.phase}); run \`remora lab down --dir ${dir}\` first`);
    const missing = Lab.preconditions();
    if (missing.length) {
      io.err(`remora lab up: missing preconditions:\n${missing.map((m) => `  - ${m}\n`).join('')}`);
      return 1;
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const log = join(dir, 'supervisor.log');
    const fd = openSync(log, 'a', 0o600);
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'lab', 'up', '--foreground', '--dir', dir, '--nodes', String(flags.nodes)], { detached: true, stdio: ['ignore', fd, fd], cwd: io.cwd });
    closeSync(fd);
    child.unref();
    io.err(`remora lab up: supervisor pid ${child.pid}, log ${log}\n`);
    const deadline = Date.now() + flags['timeout-s'] * 1000;
    for (;;) {
      const s = readState(dir);
      if (s?.phase === 'ready') break;
      if (s?.phase === 'failed' || !alive(child.pid!)) {
        io.err(`remora lab up: the lab failed: ${s?.error ?? `supervisor exited; see ${log}`}\nrun \`remora lab down --dir ${dir}\` to remove what is left\n`);
        return 1;
      }
      if (Date.now() > deadline) {
        io.err(`remora lab up: not ready after ${flags['timeout-s']} s (phase ${s?.phase ?? 'none'}); see ${log}\n`);
        return 1;
      }
      await sleep(250);
    }
    await printStatus(dir, io);
    return 0;
  },
});

async function foreground(dir: string, nodes: number, io: Io): Promise<number> {
  const lab = new Lab({ dir, nodes, log: (l) => io.err(`${new Date().toISOString()} ${l}\n`) });
  let stopping: Promise<unknown> | undefined;
  const stop = (): Promise<unknown> => (stopping ??= lab.stop().then((left) => io.err(`stopped; left behind: ${describeLeftovers(left)}\n`)));
  const signalled = new Promise<void>((r) => {
    process.once('SIGTERM', () => r());
    process.once('SIGINT', () => r());
  });
  try {
    await Promise.race([lab.start(), signalled.then(() => Promise.reject(new Error('signalled during start')))]);
  } catch (e) {
    io.err(`lab failed: ${(e as Error).message}\n`);
    await lab.stop({ keepDir: true }); // keeps lab.json (phase failed, with the error) and the logs
    return 1;
  }
  await signalled;
  await stop();
  return 0;
}

export const labDownCommand = defineCommand({
  name: 'lab down',
  summary: 'Stop the lab and remove everything it made: processes, pods, network links, netns, mounts, cgroups, files',
  usage: '[--dir /tmp/remora-lab]',
  flags: { dir: dirFlag },
  async run({ flags }, io) {
    const dir = resolve(io.cwd, flags.dir);
    if (!existsSync(join(dir, 'lab.json'))) {
      io.err(`remora lab down: no lab in ${dir}\n`);
      return 0;
    }
    const t0 = Date.now();
    const left = await downFromState(dir);
    if (!left || isClean(left)) {
      io.out(`lab down in ${Date.now() - t0} ms: nothing left behind\n`);
      return 0;
    }
    io.err(`remora lab down: left behind: ${describeLeftovers(left)}\n`);
    return 1;
  },
});

export const labStatusCommand = defineCommand({
  name: 'lab status',
  summary: 'What the lab runs, where, and how much memory it uses',
  usage: '[--dir /tmp/remora-lab]',
  flags: { dir: dirFlag },
  async run({ flags }, io) {
    const dir = resolve(io.cwd, flags.dir);
    if (!readState(dir)) {
      io.err(`remora lab status: no lab in ${dir}\n`);
      return 1;
    }
    return printStatus(dir, io);
  },
});

async function printStatus(dir: string, io: Io): Promise<number> {
  const s = readState(dir)!;
  const lines: string[] = [];
  lines.push(`lab ${s.id}: ${s.phase}${s.readyAfterMs !== undefined ? ` (up in ${(s.readyAfterMs / 1000).toFixed(1)} s)` : ''}${s.error ? `: ${s.error}` : ''}`);
  lines.push(`  folder      ${s.footprint.dir}`);
  if (s.kubeconfig) lines.push(`  kubeconfig  ${s.kubeconfig}   (admin; e.g. KUBECONFIG=${s.kubeconfig} kubectl get nodes)`);
  if (s.server) lines.push(`  apiserver   ${s.server}`);
  if (s.images) lines.push(`  images      ${s.images.pause}, ${s.images.echo} (imagePullPolicy: Never)`);
  lines.push('  dashboard   not part of the lab yet (issue 11)');
  const ready = await nodeReadiness(s);
  lines.push('  nodes');
  for (const n of s.nodes) lines.push(`    ${n.name.padEnd(8)} ${n.ip.padEnd(13)} ${(ready.get(n.name) ?? 'unknown').padEnd(8)} pods ${n.podSubnet.padEnd(16)} kubelet https://${n.ip}:10250 (webhook authn/authz)`);
  lines.push('  processes');
  for (const c of s.components) lines.push(`    ${c.name.padEnd(26)} pid ${String(c.pid).padEnd(8)} ${alive(c.pid) ? 'running' : 'GONE   '} ${c.listen ?? ''}`);
  const ps = labProcesses(s.footprint);
  lines.push(`  memory      RSS ${(rssBytes(ps.map((p) => p.pid)) / 2 ** 20).toFixed(0)} MiB over ${ps.length} processes (control plane, kubelets, containerd, shims, pods)`);
  io.out(lines.join('\n') + '\n');
  return 0;
}

async function nodeReadiness(s: LabState): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!s.kubeconfig || !existsSync(s.kubeconfig)) return out;
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    const nodes = await new HttpKubeClient(kc, { maxRetries: 0 }).request<{ items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] }>('GET', '/api/v1/nodes', { timeoutMs: 3000 });
    for (const n of nodes.items) out.set(n.metadata.name, n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady');
  } catch {
    /* apiserver down: unknown */
  }
  return out;
}
