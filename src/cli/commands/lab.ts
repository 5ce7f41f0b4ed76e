/**
 * `remora lab up|down|status|run`: the lab, a real small edge cluster on this machine (src/lab).
 * `up` starts a supervisor process that owns the lab (it keeps the control plane's logs, and tears the lab down
 * on SIGTERM), waits until every node is Ready, prints what runs and where, and returns. `down` stops the
 * supervisor and then sweeps whatever is left, from the lab folder alone. `run` drives one episode of a policy on the
 * lab (`LabEnv`), next to the twin's prediction, and writes the Fig. 6 timeline and the sim-to-real report.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { HttpKubeClient } from '../../cluster/kube/client.js';
import { alive, describeLeftovers, isClean, labProcesses, rssBytes } from '../../lab/host.js';
import { Lab } from '../../lab/lab.js';
import { downFromState, readState, type LabState } from '../../lab/lab-state.js';
import { LabEnv } from '../../lab/lab-env.js';
import { runLabEpisode, writeLabRun } from '../../lab/lab-run.js';
import { ensureToxiproxy } from '../../lab/route/toxiproxy.js';
import { REPO_ROOT } from '../../cluster/testing/control-plane.js';
import { contextFor, twinRegistry } from '../../experiments/policies.js';
import { loadScenario } from '../../twin/scenario-loader.js';
import { InvalidInputError, RemoraError } from '../../core/errors.js';
import { defineCommand, type Io } from '../command.js';

const DEFAULT_DIR = '/tmp/remora-lab';
/** `lab run`'s scenario when none is given; `lab up` sizes the lab for it, so `lab up && lab run` works as is. */
export const DEFAULT_LAB_SCENARIO = 'sr111-roundtrip';

/** The node count `lab up` starts without `--nodes`: as many as {@link DEFAULT_LAB_SCENARIO} has. */
export function defaultLabNodes(cwd: string): number {
  return loadScenario(DEFAULT_LAB_SCENARIO, { cwd }).spec.nodes.length;
}
const dirFlag = { type: 'string', description: 'Lab folder (0700; state, kubeconfigs, keys, logs)', default: DEFAULT_DIR, placeholder: '<dir>' } as const;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const labUpCommand = defineCommand({
  name: 'lab up',
  summary: 'Start the lab: etcd, kube-apiserver, kube-scheduler, kube-controller-manager and real kubelets with their own containerd',
  usage: '[--nodes N] [--dir /tmp/remora-lab]',
  details: 'Needs root, containerd, runc, containernetworking-plugins and Go (the first run builds kubelet & co., then cached). Ends when every node is Ready; `remora lab down` removes everything.',
  flags: {
    nodes: { type: 'integer', description: `Edge nodes (default: as many as \`lab run\`'s default scenario, ${DEFAULT_LAB_SCENARIO}, has)` },
    dir: dirFlag,
    foreground: { type: 'boolean', description: 'Run the lab in this process until SIGINT/SIGTERM (what `up` starts in the background)', default: false },
    'timeout-s': { type: 'integer', description: 'How long `up` waits for the lab (the first run builds binaries)', default: 1800 },
  },
  async run({ flags }, io) {
    const dir = resolve(io.cwd, flags.dir);
    const nodes = flags.nodes ?? defaultLabNodes(io.cwd);
    if (nodes < 1 || nodes > 8) throw new InvalidInputError({ source: 'remora lab up', field: '--nodes', expected: '1..8', actual: String(nodes) });
    if (flags.foreground) return foreground(dir, nodes, io);
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
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'lab', 'up', '--foreground', '--dir', dir, '--nodes', String(nodes)], { detached: true, stdio: ['ignore', fd, fd], cwd: io.cwd });
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
  lines.push('  dashboard   not part of the lab yet');
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

export const labRunCommand = defineCommand({
  name: 'lab run',
  summary: "Drive one episode of a policy on the lab (measured RTT and load, real migrations) next to the twin's prediction; Fig. 6 and the sim-to-real report",
  usage: '--policy <model.json|follow-me|...> [--scenario sr111-roundtrip] [--step-seconds 5] [--seed 1] [--out lab-run] [--dir /tmp/remora-lab]',
  details:
    'Uses the lab in --dir when one is up (remora lab up --nodes <scenario nodes>), else brings one up for the run and takes it down after. One lab step is one twin step; a --step-seconds below the scenario\'s compresses the route. Writes lab-run.jsonl, fig6-lab.svg, sim-to-real.json and sim-to-real.md to --out.',
  flags: {
    policy: { type: 'string', description: 'A registered policy name or a trained model.json', required: true, placeholder: '<policy>' },
    scenario: { type: 'string', description: 'Scenario (its node count must match the lab)', default: DEFAULT_LAB_SCENARIO },
    'step-seconds': { type: 'number', description: 'Wall time of one step (the paper: 5)', default: 5 },
    'max-steps': { type: 'integer', description: 'Cut the episode after this many steps (default: the whole route)' },
    seed: { type: 'integer', description: 'Episode seed (the route noise and trace segment; the twin gets the same)', default: 1 },
    out: { type: 'string', description: 'Output folder', default: 'lab-run', placeholder: '<dir>' },
    dir: dirFlag,
  },
  async run({ flags }, io) {
    const dir = resolve(io.cwd, flags.dir);
    const out = resolve(io.cwd, flags.out);
    if (!(flags['step-seconds'] > 0 && flags['step-seconds'] <= 60)) throw new InvalidInputError({ source: 'remora lab run', field: '--step-seconds', expected: 'a number in (0, 60]', actual: String(flags['step-seconds']) });
    if (flags['max-steps'] !== undefined && flags['max-steps'] < 1) throw new InvalidInputError({ source: 'remora lab run', field: '--max-steps', expected: 'an integer >= 1', actual: String(flags['max-steps']) });
    const scenario = loadScenario(flags.scenario, { cwd: io.cwd });
    const factory = twinRegistry.factoryFor(flags.policy, contextFor(scenario, flags.seed), io.cwd);
    const tp = ensureToxiproxy(REPO_ROOT);
    if ('error' in tp) {
      io.err(`remora lab run: ${tp.error}\n`);
      return 1;
    }
    let state = readState(dir);
    let own: Lab | undefined;
    if (state && state.phase !== 'ready') throw new RemoraError('E_LAB_NOT_READY', `remora lab run: the lab in ${dir} is ${state.phase}${state.error ? ` (${state.error})` : ''}; run \`remora lab down --dir ${dir}\` and try again`);
    if (!state) {
      const missing = Lab.preconditions();
      if (missing.length) {
        io.err(`remora lab run: no lab in ${dir}, and one cannot start here:\n${missing.map((m) => `  - ${m}\n`).join('')}`);
        return 1;
      }
      io.err(`remora lab run: no lab in ${dir}; bringing one up with ${scenario.spec.nodes.length} nodes for this run\n`);
      own = new Lab({ dir, nodes: scenario.spec.nodes.length, log: (l) => io.err(`lab: ${l}\n`) });
      try {
        await own.start();
      } catch (e) {
        await own.stop();
        throw new RemoraError('E_LAB_START', `remora lab run: the lab did not come up: ${(e as Error).message}`);
      }
      state = own.snapshot();
    }
    const t0 = Date.now();
    let env: LabEnv | undefined;
    try {
      env = new LabEnv(scenario, state, tp.bin, { stepSeconds: flags['step-seconds'], ...(flags['max-steps'] !== undefined ? { maxSteps: flags['max-steps'] } : {}) }, (l) => io.err(`lab: ${l}\n`));
      io.err(`remora lab run: ${flags.policy} on ${scenario.spec.name}, seed ${flags.seed}, ${flags['step-seconds']} s steps; prober overhead ${env.overheadMs.toFixed(2)} ms\n`);
      const r = runLabEpisode({
        env,
        policy: factory,
        policyName: flags.policy,
        seed: flags.seed,
        onStep: (s, last) => {
          const moved = s.migrations.map((m) => ` | migration node ${m.from + 1} -> ${m.to + 1} ${m.state} in ${m.wallMs} ms, downtime ${Number.isFinite(m.downtimeMs) ? m.downtimeMs + ' ms' : 'n/a'}`).join('');
          io.err(`step ${String(s.t + 1).padStart(3)}/${last}: action ${s.action} (twin ${s.twinAction}), node ${s.node} -> ${s.servingAfter}, RTT ${s.rttMs.map((x) => x.toFixed(1)).join('/')} ms (route ${s.twinRttMs.map((x) => x.toFixed(1)).join('/')}), load ${s.load.map((x) => x.toFixed(2)).join('/')}${moved}\n`);
        },
      });
      const files = writeLabRun(out, r, env);
      const rep = r.report;
      io.out(
        `${rep.steps} steps in ${((Date.now() - t0) / 1000).toFixed(0)} s: decision agreement ${(100 * rep.decisions.stepAgreement).toFixed(1)} % (episode ${(100 * rep.decisions.episodeAgreement).toFixed(1)} %), ` +
          `RTT error mean ${rep.rttErrorMs.meanAbs.toFixed(2)} ms / p95 ${rep.rttErrorMs.p95Abs.toFixed(2)} ms, migrations lab ${rep.decisions.labMigrations} vs twin ${rep.decisions.twinMigrations}\n` +
          files.map((f) => `  wrote ${f}\n`).join(''),
      );
      return 0;
    } finally {
      env?.close();
      if (own) {
        const left = await own.stop();
        if (!isClean(left)) io.err(`remora lab run: left behind: ${describeLeftovers(left)}\n`);
      }
    }
  },
});
