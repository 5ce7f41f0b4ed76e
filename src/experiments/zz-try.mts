import { runTraining } from './train.js';
import { loadPolicy } from '../agents/index.js';
import { loadScenario, makeEnv } from '../twin/index.js';
import { rollout } from './rollout.js';
import { resolvePolicy } from './policies.js';
const agent = (process.argv[2] ?? 'dqn') as 'dqn' | 'sarsa';
const steps = Number(process.argv[3] ?? 20000);
const seed = Number(process.argv[4] ?? 1);
const t0 = performance.now();
const r = runTraining({ agent, scenario: 'sr111', steps, seed, out: `/tmp/try-${agent}-${seed}`, config: {}, cwd: '.', progressEvery: 5000, onProgress: (p) => console.log(JSON.stringify(p)) });
console.log('train s', ((performance.now() - t0) / 1000).toFixed(1), r.episodes);
const sc = loadScenario('sr111');
for (const p of [await loadPolicy(r.modelPath), await resolvePolicy('never', { seed: 5 }, '.'), await resolvePolicy('random', { seed: 5 }, '.'), await resolvePolicy('follow-me', { seed: 5 }, '.')]) {
  const eps = rollout(makeEnv(sc, 777), p, { episodes: 100, seed: 424242 });
  console.log(p.name, (eps.reduce((a, e) => a + e.return, 0) / eps.length).toFixed(2), (eps.reduce((a, e) => a + e.steps, 0) / eps.length).toFixed(1));
}
