/**
 * Dashboards over fresh runs folders, for the dashboard tests. `withDashboard` holds one short SARSA run
 * (`sarsa-quick`); `withRunsTree` adds a real sweep nested in a group (`sweeps/smoke`, its seeds inside it) and,
 * with `reproduce`, a real quick `remora reproduce` output (`reproduce`, its training runs inside it).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dashboard, type DashboardOptions } from '../dashboard.js';
import { reproduce } from '../../experiments/reproduce.js';
import { sweep } from '../../experiments/sweep.js';
import { runTraining } from '../../experiments/train/train.js';

const quiet = { write: () => {}, isTTY: false };

export async function serve(runs: string, fn: (url: string, runs: string, d: Dashboard) => Promise<void>, opts: Partial<DashboardOptions>): Promise<void> {
  const d = new Dashboard({ runsDir: runs, port: 0, ...opts });
  const url = await d.start();
  try {
    await fn(url, runs, d);
  } finally {
    await d.stop();
  }
}

function trainQuick(runs: string): void {
  runTraining({ agent: 'sarsa', scenario: 'sr111', steps: 3000, seed: 2, out: join(runs, 'sarsa-quick'), config: {}, cwd: process.cwd() });
}

export async function withDashboard(fn: (url: string, runs: string, d: Dashboard) => Promise<void>, opts: Partial<DashboardOptions> = {}): Promise<void> {
  const runs = mkdtempSync(join(tmpdir(), 'remora-dash-'));
  trainQuick(runs);
  await serve(runs, fn, opts);
}

/** The smoke sweep: 2 seeds × 600 steps of an MLP DQN, evaluated on two scenarios (about 2 s). */
export async function sweepQuick(runs: string, out = 'sweeps/smoke'): Promise<void> {
  let t = 0;
  await sweep({
    agent: 'dqn', trainScenario: 'sr111', seeds: [1, 2], steps: 600, config: { dqn: { network: { kind: 'mlp', hidden: [16] }, warmupSteps: 200 } },
    evalScenarios: ['sr111-roundtrip', 'sr111-test'], episodes: 2, evalSeed: 1000, out, workers: 2, bootstrapReps: 500, cwd: runs, progress: quiet, now: () => (t += 10),
  });
}

/** A fresh runs folder holding `sarsa-quick`, the smoke sweep `sweeps/smoke` and, with `reproduce`, a quick reproduce. */
export async function makeRunsTree(o: { reproduce?: boolean } = {}): Promise<string> {
  const runs = mkdtempSync(join(tmpdir(), 'remora-dash-'));
  trainQuick(runs);
  await sweepQuick(runs);
  if (o.reproduce) {
    let t = 0;
    await reproduce({ out: join(runs, 'reproduce'), quick: true, seed: 1, evalSeed: 1000, steps: 1000, cwd: process.cwd(), progress: quiet, now: () => (t += 10) });
  }
  return runs;
}

export async function withRunsTree(fn: (url: string, runs: string, d: Dashboard) => Promise<void>, o: { reproduce?: boolean } & Partial<DashboardOptions> = {}): Promise<void> {
  const { reproduce: withReproduce, ...opts } = o;
  await serve(await makeRunsTree({ reproduce: withReproduce ?? false }), fn, opts);
}
