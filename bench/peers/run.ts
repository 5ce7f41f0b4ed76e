/**
 * `npm run bench:peers`: Remora's whole training loop against the stacks its users would otherwise pick, on this
 * machine, same networks and DQN settings, printed as ratios. Not part of CI or `npm run bench` (it needs Python
 * stacks that CI does not install, and minutes of CPU).
 *
 * - Remora: `trainAgent` on the sr111 twin (in process), env steps/s after the replay warm-up
 *   (`trainLoopRate`, the same figure as `remora bench train`'s loop), MLP 24-24 and LSTM(24) over W = 4.
 * - Stable-Baselines3 DQN, torch on 1 thread, MLP only (`sb3_dqn.py`; SB3's DQN has no recurrent policy).
 * - keras-rl2 DQNAgent on TF 2.5 (`kerasrl2_dqn.py`), MLP and LSTM: the paper's stack.
 * Each peer runs the pure-Python stand-in env (`standin_env.py`) by default, so its figure is its training loop and
 * not the IPC bridge; `--env remora` runs it on the twin through the Gymnasium adapter (python/remora_gym).
 *
 *   npm run bench:peers [-- --env remora] [--steps N] [--rounds R] [--clock wall|cpu]
 *
 * Which Python: `REMORA_SB3_PYTHON` (default `~/.cache/remora/sb3-venv/bin/python`, then `python3`) and
 * `REMORA_KERASRL2_PYTHON` (default `python3.9`, then `python3`). A peer whose stack is missing prints one line
 * naming what is missing; see bench/peers/README.md for the installs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clockNow, trainLoopRate } from '../../src/experiments/bench/train-bench.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values } = parseArgs({ options: { env: { type: 'string', default: 'standin' }, steps: { type: 'string', default: '3000' }, rounds: { type: 'string', default: '5' }, clock: { type: 'string', default: 'wall' } } });
// `--clock cpu`: every side on its own process CPU time (Remora's process.cpuUsage, Python's time.process_time), so a
// loaded machine's time slices for other processes do not count; torch and TF run on one thread, so CPU ≈ busy time.
// With `--env remora` the twin runs in a Node subprocess that Python's process time leaves out: use the wall clock.
const clock = values.clock === 'cpu' ? 'cpu' : 'wall';
const peerEnv = values.env === 'remora' ? 'remora' : 'standin';
const peerSteps = Number(values.steps);
const rounds = Number(values.rounds);

interface PeerResult { peer: string; network: string; stepsPerSecond: number; cpuStepsPerSecond: number; env: string }

/** The first of `candidates` that exists (paths) or runs (`--version`), else null. */
function findPython(candidates: string[]): string | null {
  for (const c of candidates) {
    if (c.includes('/') ? existsSync(c) : spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0) return c;
  }
  return null;
}

function runPeer(python: string | null, script: string, args: string[], what: string): PeerResult | string {
  if (!python) return `${what}: no Python interpreter found`;
  const r = spawnSync(python, [join(here, script), '--env', peerEnv, '--steps', String(peerSteps), ...args], { cwd: root, encoding: 'utf8', timeout: 30 * 60_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status === 0 && line.startsWith('{')) return JSON.parse(line) as PeerResult;
  const why = (r.stderr.trim().split('\n').pop() ?? '') || `exit code ${r.status}`;
  return `${what} (${python}): ${why}`;
}

const sb3Python = findPython([process.env.REMORA_SB3_PYTHON ?? join(homedir(), '.cache', 'remora', 'sb3-venv', 'bin', 'python'), 'python3']);
const kerasPython = findPython([process.env.REMORA_KERASRL2_PYTHON ?? 'python3.9', 'python3']);

const now = clockNow(clock);
const remora: Record<'mlp' | 'lstm', number> = { mlp: 0, lstm: 0 };
for (const key of ['mlp', 'lstm'] as const) {
  remora[key] = trainLoopRate(key, key === 'mlp' ? 5000 : 1000, rounds, 2, now, 'sr111', root).spread.median;
}
const peers: { network: 'mlp' | 'lstm'; result: PeerResult | string }[] = [
  { network: 'mlp', result: runPeer(sb3Python, 'sb3_dqn.py', [], 'Stable-Baselines3 DQN') },
  { network: 'mlp', result: runPeer(kerasPython, 'kerasrl2_dqn.py', ['--network', 'mlp'], 'keras-rl2 (MLP)') },
  { network: 'lstm', result: runPeer(kerasPython, 'kerasrl2_dqn.py', ['--network', 'lstm'], 'keras-rl2 (LSTM)') },
];
const lines = [`whole training loop, env steps/s after the 1,000-step warm-up, batch 32, one update per step; ${clock} clock (load average ${loadavg()[0]!.toFixed(1)})`,
  `Remora: sr111 twin in process, median of ${rounds} rounds; peers: ${peerEnv === 'standin' ? 'the pure-Python stand-in env' : 'the sr111 twin through the Gymnasium adapter'}, ${peerSteps} steps`,
  '', '| network | Remora steps/s | peer | peer steps/s | Remora ÷ peer |', '|---|---|---|---|---|'];
const missing: string[] = [];
for (const p of peers) {
  if (typeof p.result === 'string') { missing.push(p.result); continue; }
  const r = remora[p.network];
  const peer = clock === 'cpu' ? p.result.cpuStepsPerSecond : p.result.stepsPerSecond;
  lines.push(`| ${p.network} | ${r.toFixed(0)} | ${p.result.peer} | ${peer.toFixed(1)} | ${(r / peer).toFixed(1)}× |`);
}
if (missing.length === peers.length) lines.push(`| mlp | ${remora.mlp.toFixed(0)} | — | — | — |`, `| lstm | ${remora.lstm.toFixed(0)} | — | — | — |`);
for (const m of missing) lines.push(`missing: ${m}`);
console.log(lines.join('\n'));
