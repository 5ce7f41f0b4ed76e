/**
 * Env throughput: steps per second of the twin on one core, policy excluded (actions come from a precomputed
 * table: 90 % Wait, 10 % migrations to random nodes, which exercises migrations, terminations and resets).
 */
import { Rng } from '../../core/rng.js';
import { loadScenario, makeEnv } from '../../twin/index.js';

export interface EnvBenchResult {
  scenario: string;
  stepsPerSecond: number;
  episodesPerSecond: number;
  nsPerStep: number;
  /** Ratio to the project's goal of 1,000,000 steps/s. */
  ratioToGoal: number;
}

export function benchEnv(scenarioName = 'sr111', seconds = 3, cwd = process.cwd()): EnvBenchResult {
  const sc = loadScenario(scenarioName, { cwd });
  const env = makeEnv(sc, 1);
  const rng = new Rng(99);
  const table = new Int32Array(4096);
  for (let i = 0; i < table.length; i++) table[i] = rng.uniform() < 0.9 ? 0 : 1 + rng.int(env.nodes);
  let mask = env.reset({ seed: 1 }).info.actionMask;
  let steps = 0, episodes = 0, k = 0;
  const run = (budgetMs: number) => {
    const t0 = performance.now();
    let s = 0, e = 0;
    while (performance.now() - t0 < budgetMs) {
      for (let i = 0; i < 4096; i++) {
        let a = table[k]!;
        k = (k + 1) & 4095;
        if (mask[a] !== 1) a = 0;
        const r = env.step(a);
        mask = r.info.actionMask;
        s++;
        if (r.terminated || r.truncated) {
          mask = env.reset().info.actionMask;
          e++;
        }
      }
    }
    return { s, e, ms: performance.now() - t0 };
  };
  run(Math.min(500, seconds * 200)); // warm-up (JIT)
  const m = run(seconds * 1000);
  steps = m.s;
  episodes = m.e;
  const sps = steps / (m.ms / 1000);
  return { scenario: scenarioName, stepsPerSecond: Math.round(sps), episodesPerSecond: Math.round(episodes / (m.ms / 1000)), nsPerStep: Number((1e9 / sps).toFixed(1)), ratioToGoal: Number((sps / 1e6).toFixed(3)) };
}
