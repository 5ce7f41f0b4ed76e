/**
 * The unseen families' table of `sweep`: one row per policy, one column per `unseen` scenario (IQM over seeds with
 * its 95 % CI for the agent, the score for deterministic heuristics, then migrations per episode), kept apart from
 * the test days' tables because the claims differ: the test days measure the training distribution's held-out
 * part, the unseen families a condition no training run saw (leave-one-family-out).
 */

/** The parts of a sweep summary the table reads (`SweepSummary` has them; declared here so the two files form no cycle). */
export interface UnseenTableInput {
  episodes: number;
  roles: Record<string, string>;
  scenarios: Record<string, Record<string, { kind: string; iqm: number; ci95: [number, number]; perSeed: number[]; migrations: number }>>;
  comparisons: Record<string, { bestHeuristic: string | null; bestHeuristicIqm: number }>;
}

const fmt = (x: number) => (Number.isFinite(x) ? String(x) : 'n/a');
const perEpisode = (x: number, episodes: number) => (Number.isFinite(x) ? String(Math.round((10 * x) / episodes) / 10) : 'n/a');

/** Scenarios of the summary tagged `unseen`, in evaluation order. */
export function unseenScenarios(s: UnseenTableInput): string[] {
  return Object.keys(s.scenarios).filter((name) => s.roles[name] === 'unseen');
}

/** The markdown table of the unseen families ('' when the sweep evaluated none). */
export function unseenMarkdown(s: UnseenTableInput): string {
  const names = unseenScenarios(s);
  if (names.length === 0) return '';
  const policies = Object.keys(s.scenarios[names[0]!]!);
  const lines = [
    '## Unseen families (test only; no training run or choice saw them)',
    '',
    `| policy | ${names.map((n) => `\`${n}\``).join(' | ')} |`,
    `|---|${names.map(() => '---').join('|')}|`,
  ];
  for (const p of policies) {
    const cells = names.map((n) => {
      const r = s.scenarios[n]![p];
      if (!r) return 'n/a';
      const score = r.kind === 'agent' ? `${fmt(r.iqm)} [${fmt(r.ci95[0])}, ${fmt(r.ci95[1])}]; worst ${fmt(Math.min(...r.perSeed))}` : fmt(r.iqm);
      return `${score}; ${perEpisode(r.migrations, s.episodes)} mig.`;
    });
    lines.push(`| ${p} | ${cells.join(' | ')} |`);
  }
  lines.push('', `Best heuristic per family: ${names.map((n) => `${n} ${s.comparisons[n]!.bestHeuristic ?? 'n/a'} ${fmt(s.comparisons[n]!.bestHeuristicIqm)}`).join('; ')}.`, '');
  return lines.join('\n');
}
