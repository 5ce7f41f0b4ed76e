/**
 * One of `remora reproduce`'s four training runs, with its settings, on the main thread (reproduce runs them in
 * workers), for profiling or for its CPU time:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof/edge --import tsx bench/profile-product.ts edge 200000
 *   npx tsx bench/cpuprofile-top.ts /tmp/prof/edge/<file>.0.001.cpuprofile
 *   /usr/bin/time -f '%U s user' npx tsx bench/profile-product.ts dqn
 *
 * Runs: `dqn` and `sarsa` (the paper's agents on sr111 with REPRODUCE_TRAIN_CONFIG), `paper` and `edge` (the product
 * presets, validation checkpoints included). Steps default to 200,000, as reproduce. Not a `*.bench.ts`: `npm run
 * bench` does not run it. Writes its run folder under the OS temp dir and removes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TrainConfigFile } from '../src/agents/config.js';
import { PRODUCT_PRESETS } from '../src/experiments/product.js';
import { REPRODUCE_TRAIN_CONFIG } from '../src/experiments/reproduce.js';
import { runTraining, VALIDATION_SEED, type TrainRunOptions } from '../src/experiments/train/train.js';

const RUNS = ['dqn', 'sarsa', 'paper', 'edge'] as const;
const which = (RUNS as readonly string[]).includes(process.argv[2] ?? '') ? (process.argv[2] as (typeof RUNS)[number]) : 'edge';
const steps = Number(process.argv[3] ?? 200_000);
const out = mkdtempSync(join(tmpdir(), `remora-prof-${which}-`));
let opts: TrainRunOptions;
if (which === 'dqn' || which === 'sarsa') {
  opts = { agent: which, scenario: 'sr111', steps, seed: 1, out, config: structuredClone(REPRODUCE_TRAIN_CONFIG) as TrainConfigFile, cwd: process.cwd() };
} else {
  const p = PRODUCT_PRESETS[which];
  opts = {
    agent: 'dqn', scenario: p.scenario, steps, seed: 1, out, config: structuredClone(p.config), cwd: process.cwd(),
    validation: { scenario: p.validation, every: p.validateEvery, episodes: p.validateEpisodes, seed: VALIDATION_SEED },
  };
}
const t0 = performance.now();
const r = runTraining(opts);
const s = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ run: which, steps: r.steps, updates: r.updates, episodes: r.episodes, selectedStep: r.selectedStep, seconds: Number(s.toFixed(2)), stepsPerSecond: Math.round(r.steps / s) }));
rmSync(out, { recursive: true, force: true });
