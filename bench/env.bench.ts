/**
 * Twin throughput on one core, policy excluded (precomputed actions), for three scenarios, and the VecEnv
 * (8 copies in lockstep) against single-env stepping in the same process. Ratios, not timed assertions.
 */
import { performance } from 'node:perf_hooks';
import { VecEnv } from '../src/core/vec-env.js';
import { benchEnv } from '../src/experiments/bench/bench-env.js';
import { loadScenario, makeEnv } from '../src/twin/index.js';

const GOAL = 1_000_000;
const results = ['sr111', 'sr111-timed', 'highway-8'].map((s) => benchEnv(s, 2));
for (const r of results) console.log(`${r.scenario.padEnd(12)} ${r.stepsPerSecond.toLocaleString('en-US').padStart(11)} steps/s  ${r.nsPerStep} ns/step  ${(r.stepsPerSecond / GOAL).toFixed(2)}x the 1M goal`);

const sc = loadScenario('sr111');
const K = 8;
const vec = new VecEnv(Array.from({ length: K }, () => makeEnv(sc)));
vec.reset(1);
const actions = new Int32Array(K);
const t0 = performance.now();
let steps = 0;
while (performance.now() - t0 < 2000) {
  for (let i = 0; i < 512; i++) {
    for (let k = 0; k < K; k++) actions[k] = (i + k) % 37 === 0 ? 1 + ((i + k) % 3) : 0;
    for (let k = 0; k < K; k++) if (vec.actionMasks[k * 4 + actions[k]!] !== 1) actions[k] = 0;
    vec.step(actions);
    steps += K;
  }
}
const vecRate = steps / ((performance.now() - t0) / 1000);
console.log(`VecEnv(${K})    ${Math.round(vecRate).toLocaleString('en-US').padStart(11)} steps/s  ${(vecRate / results[0]!.stepsPerSecond).toFixed(2)}x single-env sr111`);
console.log(JSON.stringify({ env: Object.fromEntries(results.map((r) => [r.scenario, r.stepsPerSecond])), vecEnv8: Math.round(vecRate) }));
