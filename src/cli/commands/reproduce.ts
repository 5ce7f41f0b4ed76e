import { performance } from 'node:perf_hooks';
import { PRODUCT_AGENT, reproduce } from '../../experiments/reproduce.js';
import { PRESET_NAMES } from '../../experiments/preset.js';
import { HEURISTICS } from '../../agents/registry.js';
import { defineCommand } from '../command.js';
import { BACKEND_KINDS } from '../../nn/backend.js';

export const reproduceCommand = defineCommand({
  name: 'reproduce',
  summary: "Train DQN and SARSA, evaluate against baselines and the oracle, and write the paper's figures",
  usage: '[--preset paper|edge] [--quick] [--out <dir>] [--seed S] [--seeds N] [--eval-seed S] [--steps N] [--episodes N] [--kernels <kind>]',
  flags: {
    out: { type: 'string', description: 'Output folder', default: 'runs/reproduce', placeholder: '<dir>' },
    preset: { type: 'string', description: "One decision model only: paper (the paper's DQN and SARSA and dqn-product on the paper model's test days) or edge (dqn-edge on the edge model's); default both", choices: PRESET_NAMES },
    quick: { type: 'boolean', description: 'A smoke run (short training, one evaluation episode): well under a minute' },
    seed: { type: 'integer', description: 'Training seed (the first one with --seeds)', default: 1 },
    seeds: { type: 'integer', description: 'Training seeds per agent: N > 1 trains seeds seed..seed+N-1 and reports the IQM and 95 % CI over them', default: 1 },
    'eval-seed': { type: 'integer', description: 'Seed of the evaluation episodes', default: 1000 },
    steps: { type: 'integer', description: 'Training steps per agent (default 200000, Table II; 4000 with --quick)' },
    episodes: { type: 'integer', description: 'Evaluation episodes on sr111-roundtrip (default 10; 1 with --quick)' },
    kernels: { type: 'string', description: 'Training kernels (default: wasm-simd, the plain SIMD build, same bytes on every machine; wasm-relaxed: FMA, faster, bytes may differ by CPU)', choices: BACKEND_KINDS },
  },
  details: 'Writes index.html (self-contained), fig5a.svg, fig5b.svg, fig6.svg, compare.md, summary.json and the two run folders (dqn/, sarsa/).',
  async run({ flags }, io) {
    const s = await reproduce({
      out: flags.out,
      quick: Boolean(flags.quick),
      seed: flags.seed,
      seeds: flags.seeds,
      evalSeed: flags['eval-seed'],
      steps: flags.steps,
      episodes: flags.episodes,
      ...(flags.preset ? { preset: flags.preset } : {}),
      ...(flags.kernels ? { kernels: flags.kernels } : {}),
      cwd: io.cwd,
      progress: { write: (t) => io.err(t), isTTY: io.isTTY },
      now: () => performance.now(),
    });
    const pct = (scenario: string, p: string) => s.comparisons.find((c) => c.scenario === scenario)?.policies.find((r) => r.policy === p)?.pctOfOracle;
    const best = (scenario: string) => {
      const rows = s.comparisons.find((c) => c.scenario === scenario)!.policies.filter((r) => (HEURISTICS as readonly string[]).includes(r.policy));
      const b = rows.reduce((x, y) => (y.pctOfOracle > x.pctOfOracle ? y : x));
      return `best heuristic ${b.policy} ${b.pctOfOracle}%`;
    };
    if (s.dqn && s.sarsa) io.out(`paper model, sr111-roundtrip: DQN ${s.dqn.pctOfOracle}% of oracle, SARSA ${s.sarsa.pctOfOracle}%, ${PRODUCT_AGENT.paper} ${pct('sr111-roundtrip', PRODUCT_AGENT.paper)}%; ${best('sr111-roundtrip')}\n`);
    if (s.models.includes('edge')) io.out(`edge model, sr111-edge-roundtrip: ${PRODUCT_AGENT.edge} ${pct('sr111-edge-roundtrip', PRODUCT_AGENT.edge)}% of oracle; ${best('sr111-edge-roundtrip')}\n`);
    const figures = [...(s.dqn ? ['fig5a.svg', 'fig5b.svg', 'fig6.svg', 'fig6-product.svg'] : []), ...(s.models.includes('edge') ? ['fig6-edge.svg'] : [])];
    io.out(`${s.seconds} s; wrote ${flags.out}/index.html, ${figures.join(', ')}, compare.md, summary.json\n`);
    return 0;
  },
});
