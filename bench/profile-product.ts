/**
 * One of `remora reproduce`'s product runs (dqn-product or dqn-edge: its preset, validation checkpoints included)
 * for profiling, as `runParallel` runs it in a worker, here on the main thread:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof/edge --import tsx bench/profile-product.ts edge 200000
 *   npx tsx bench/cpuprofile-top.ts /tmp/prof/edge/<file>.0.001.cpuprofile
 *
 * Not a `*.bench.ts`: `npm run bench` does not run it. Writes its run folder under the OS temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PRODUCT_PRESETS } from '../src/experiments/product.js';
import { runTraining, VALIDATION_SEED } from '../src/experiments/train/train.js';

const which = process.argv[2] === 'paper' ? 'paper' : 'edge';
const p = PRODUCT_PRESETS[which];
const steps = Number(process.argv[3] ?? p.steps);
const out = mkdtempSync(join(tmpdir(), `remora-prof-${which}-`));
const t0 = performance.now();
const r = runTraining({
  agent: 'dqn', scenario: p.scenario, steps, seed: 1, out, config: structuredClone(p.config), cwd: process.cwd(),
  validation: { scenario: p.validation, every: p.validateEvery, episodes: p.validateEpisodes, seed: VALIDATION_SEED },
});
const s = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ preset: which, steps: r.steps, updates: r.updates, episodes: r.episodes, selectedStep: r.selectedStep, seconds: Number(s.toFixed(2)), stepsPerSecond: Math.round(r.steps / s) }));
rmSync(out, { recursive: true, force: true });
