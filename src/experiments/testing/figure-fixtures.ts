/** Figures built from real data, shared by the figure tests and their Chromium screenshot tier. */
import { loadScenario, OraclePolicy } from '../../twin/index.js';
import { evaluatePolicy } from '../evaluate/evaluate.js';
import { fig6 } from '../report/figures.js';

/** Fig. 6 of the oracle on the sr111 round trip (seed 1000), and how many migrations it made. */
export function oracleFig6Svg(): { svg: string; migrations: number } {
  const sc = loadScenario('sr111-roundtrip');
  const ev = evaluatePolicy(new OraclePolicy(sc), sc, { episodes: 1, seed: 1000, recordFirstEpisode: true });
  const trace = ev.trace!;
  const migrations = trace.filter((s, i) => s.servingAfter !== (i === 0 ? s.node : trace[i - 1]!.servingAfter)).length;
  return { svg: fig6(trace, { policy: 'oracle', stepSeconds: sc.spec.stepSeconds, rttMaxMs: 20, loadMax: 12, nodes: 3 }), migrations };
}
