/** A dashboard over a fresh runs folder holding one short SARSA run (`sarsa-quick`), for the dashboard tests. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dashboard } from '../dashboard.js';
import { runTraining } from '../../experiments/train/train.js';

export async function withDashboard(fn: (url: string, runs: string) => Promise<void>): Promise<void> {
  const runs = mkdtempSync(join(tmpdir(), 'remora-dash-'));
  runTraining({ agent: 'sarsa', scenario: 'sr111', steps: 3000, seed: 2, out: join(runs, 'sarsa-quick'), config: {}, cwd: process.cwd() });
  const d = new Dashboard({ runsDir: runs, port: 0 });
  const url = await d.start();
  try {
    await fn(url, runs);
  } finally {
    await d.stop();
  }
}
