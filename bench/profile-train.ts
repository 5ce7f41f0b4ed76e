/**
 * A `runTraining` (what `remora train` runs: sr111, DQN defaults, the bench's network) for profiling the whole loop:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-train.ts lstm 30000
 *   npx tsx bench/cpuprofile-top.ts /tmp/prof/<file>.cpuprofile
 *
 * Not a `*.bench.ts`: `npm run bench` does not run it. Writes its run folder under the OS temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loopConfig } from '../src/experiments/bench/train-bench.js';
import { runTraining } from '../src/experiments/train/train.js';

const key = process.argv[2] === 'mlp' ? 'mlp' : 'lstm';
const steps = Number(process.argv[3] ?? 30000);
const out = mkdtempSync(join(tmpdir(), `remora-prof-${key}-`));
const t0 = performance.now();
const r = runTraining({ agent: 'dqn', scenario: 'sr111', steps, seed: 1, out, config: loopConfig(key), cwd: process.cwd() });
const s = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ network: key, steps: r.steps, updates: r.updates, episodes: r.episodes, seconds: Number(s.toFixed(2)), stepsPerSecond: Math.round(r.steps / s) }));
rmSync(out, { recursive: true, force: true });
