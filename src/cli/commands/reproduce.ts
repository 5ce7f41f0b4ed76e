import { performance } from 'node:perf_hooks';
import { reproduce } from '../../experiments/reproduce.js';
import { defineCommand } from '../command.js';

export const reproduceCommand = defineCommand({
  name: 'reproduce',
  summary: "Train DQN and SARSA, evaluate against baselines and the oracle, and write the paper's figures",
  usage: '[--quick] [--out <dir>] [--seed S] [--eval-seed S] [--steps N] [--episodes N]',
  flags: {
    out: { type: 'string', description: 'Output folder', default: 'runs/reproduce', placeholder: '<dir>' },
    quick: { type: 'boolean', description: 'A smoke run (short training, one evaluation episode): well under a minute' },
    seed: { type: 'integer', description: 'Training seed', default: 1 },
    'eval-seed': { type: 'integer', description: 'Seed of the evaluation episodes', default: 1000 },
    steps: { type: 'integer', description: 'Training steps per agent (default 200000, Table II; 4000 with --quick)' },
    episodes: { type: 'integer', description: 'Evaluation episodes on sr111-roundtrip (default 10; 1 with --quick)' },
  },
  details: 'Writes index.html (self-contained), fig5a.svg, fig5b.svg, fig6.svg, compare.md, summary.json and the two run folders (dqn/, sarsa/).',
  async run({ flags }, io) {
    const s = await reproduce({
      out: flags.out,
      quick: Boolean(flags.quick),
      seed: flags.seed,
      evalSeed: flags['eval-seed'],
      steps: flags.steps,
      episodes: flags.episodes,
      cwd: io.cwd,
      progress: { write: (t) => io.err(t), isTTY: io.isTTY },
      now: () => performance.now(),
    });
    io.out(`DQN ${s.dqn.pctOfOracle}% of oracle, SARSA ${s.sarsa.pctOfOracle}%, follow-me ${s.baselines['follow-me']!.pctOfOracle}%, threshold ${s.baselines.threshold!.pctOfOracle}% on sr111-roundtrip; ${s.seconds} s\n`);
    io.out(`wrote ${flags.out}/index.html, fig5a.svg, fig5b.svg, fig6.svg, compare.md, summary.json\n`);
    return 0;
  },
});
