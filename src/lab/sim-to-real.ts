/**
 * The sim-to-real report: how far the lab, where every observation is measured, is from the twin that
 * drives it, for one episode of one policy on one scenario and seed. Pure functions over the recorded steps.
 *
 * - **Decision agreement** (`stepAgreement`): at each lab step the same policy (a second instance) is also asked
 *   about the twin's observation of that step, with the lab's serving node (`LabInfo.twinObservation`); agreement
 *   is the share of steps where both choose the same action. It isolates what measurement changes in a decision.
 *   `episodeAgreement` compares the lab's actions with a whole twin episode of the same policy and seed, step by
 *   step: it also counts the drift once the two episodes' serving nodes part.
 * - **RTT error**: measured Eq. 1 RTT minus the twin's, over every (step, node): mean absolute, p95 absolute, and
 *   the mean signed error (bias). Likewise the load (Eq. 2).
 * - **Migrations**: count in the lab vs in the twin episode; the lab's measured duration (`start()` → succeeded)
 *   and client-side downtime vs the twin's migration model for the scenario (`migration.model`, the pod
 *   durations and downtime it would use in its timed model).
 * - **Step timing**: the step's wall time and its overrun past the period (the lab's I/O overhead).
 */
import type { Scenario } from '../twin/scenario-schema.js';
import type { MigrationRecord } from './lab-session-types.js';

/** One recorded lab step (a line of `lab-run.jsonl`). */
export interface LabStepRecord {
  t: number;
  /** Serving node when the action was taken (1-based), and after the step (the pod's real node). */
  node: number;
  servingAfter: number;
  action: number;
  /** The same policy's action on the twin's observation of this step. */
  twinAction: number;
  reward: number;
  /** Measured observation the action was taken on: Eq. 1 RTT (ms) and Eq. 2 load per node. */
  rttMs: number[];
  load: number[];
  /** The twin's values of the same step (the route). */
  twinRttMs: number[];
  twinLoad: number[];
  /** Measured cpu and mem fractions vs the trace's, per node. */
  cpu: number[];
  mem: number[];
  traceCpu: number[];
  traceMem: number[];
  samples: number[];
  violation: boolean;
  missing: string[];
  stepWallMs: number;
  overrunMs: number;
  /** p99 event-loop delay of the lab session's thread during the step, ms. */
  loopDelayP99Ms: number;
  migrations: MigrationRecord[];
}

export interface ErrorStats {
  meanAbs: number;
  p95Abs: number;
  bias: number;
  n: number;
}

export interface SimToRealReport {
  scenario: string;
  policy: string;
  seed: number;
  steps: number;
  stepSeconds: number;
  decisions: { stepAgreement: number; episodeAgreement: number; labMigrations: number; twinMigrations: number };
  rttErrorMs: ErrorStats;
  loadError: ErrorStats;
  cpuError: ErrorStats;
  memError: ErrorStats;
  migration: {
    lab: { count: number; succeeded: number; meanWallMs: number; maxWallMs: number; meanDowntimeMs: number; maxDowntimeMs: number; records: MigrationRecord[] };
    twin: { model: string; pod: { duration: unknown; downtimeSeconds: number } };
  };
  timing: { meanStepWallMs: number; meanOverrunMs: number; p95OverrunMs: number; proberOverheadMs: number; meanLoopDelayP99Ms: number };
  returns: { lab: number; twin: number };
}

export function errorStats(measured: readonly number[], reference: readonly number[]): ErrorStats {
  const d: number[] = [];
  for (let i = 0; i < measured.length; i++) {
    const x = measured[i]! - reference[i]!;
    if (Number.isFinite(x)) d.push(x);
  }
  const abs = d.map(Math.abs).sort((a, b) => a - b);
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
  return { meanAbs: mean(abs), p95Abs: abs.length ? abs[Math.min(abs.length - 1, Math.ceil(0.95 * abs.length) - 1)]! : Number.NaN, bias: mean(d), n: d.length };
}

export interface TwinEpisode {
  actions: number[];
  migrations: number;
  return: number;
}

export function simToReal(o: { scenario: Scenario; policy: string; seed: number; stepSeconds: number; steps: readonly LabStepRecord[]; twin: TwinEpisode; proberOverheadMs: number }): SimToRealReport {
  const s = o.steps;
  const flat = (f: (r: LabStepRecord) => number[]): number[] => s.flatMap(f);
  const share = (k: number): number => (s.length ? k / s.length : Number.NaN);
  const migs = s.flatMap((r) => r.migrations);
  const ok = migs.filter((m) => m.state === 'succeeded');
  const mean = (xs: number[]): number => {
    const f = xs.filter(Number.isFinite);
    return f.length ? f.reduce((a, b) => a + b, 0) / f.length : Number.NaN;
  };
  const max = (xs: number[]): number => {
    const f = xs.filter(Number.isFinite);
    return f.length ? Math.max(...f) : Number.NaN;
  };
  const overruns = s.map((r) => r.overrunMs).sort((a, b) => a - b);
  const kind = o.scenario.migration.serviceKind;
  return {
    scenario: o.scenario.name,
    policy: o.policy,
    seed: o.seed,
    steps: s.length,
    stepSeconds: o.stepSeconds,
    decisions: {
      stepAgreement: share(s.filter((r) => r.action === r.twinAction).length),
      episodeAgreement: share(s.filter((r, i) => r.action === o.twin.actions[i]).length),
      labMigrations: s.filter((r) => r.action !== 0 && r.action !== r.node).length,
      twinMigrations: o.twin.migrations,
    },
    rttErrorMs: errorStats(flat((r) => r.rttMs), flat((r) => r.twinRttMs)),
    loadError: errorStats(flat((r) => r.load), flat((r) => r.twinLoad)),
    cpuError: errorStats(flat((r) => r.cpu), flat((r) => r.traceCpu)),
    memError: errorStats(flat((r) => r.mem), flat((r) => r.traceMem)),
    migration: {
      lab: { count: migs.length, succeeded: ok.length, meanWallMs: mean(ok.map((m) => m.wallMs)), maxWallMs: max(ok.map((m) => m.wallMs)), meanDowntimeMs: mean(ok.map((m) => m.downtimeMs)), maxDowntimeMs: max(ok.map((m) => m.downtimeMs)), records: migs },
      twin: { model: o.scenario.migration.model, pod: { duration: o.scenario.migration.durations[kind], downtimeSeconds: o.scenario.migration.downtimeSeconds[kind] } },
    },
    timing: { meanStepWallMs: mean(s.map((r) => r.stepWallMs)), meanOverrunMs: mean(overruns), p95OverrunMs: overruns.length ? overruns[Math.min(overruns.length - 1, Math.ceil(0.95 * overruns.length) - 1)]! : Number.NaN, proberOverheadMs: o.proberOverheadMs, meanLoopDelayP99Ms: mean(s.map((r) => r.loopDelayP99Ms)) },
    returns: { lab: s.reduce((a, r) => a + r.reward, 0), twin: o.twin.return },
  };
}

const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : 'n/a');

/** The report as Markdown (`sim-to-real.md`). */
export function simToRealMarkdown(r: SimToRealReport): string {
  const m = r.migration;
  return [
    `# Sim-to-real: ${r.policy} on ${r.scenario} (seed ${r.seed})`,
    '',
    `${r.steps} steps of ${r.stepSeconds} s on the lab, each one twin step of the route (time-compressed when shorter than the scenario's step).`,
    '',
    '| what | lab | twin | error |',
    '| --- | --- | --- | --- |',
    `| decisions: same action on the twin's observation of each step | | | agreement ${pct(r.decisions.stepAgreement)} |`,
    `| decisions: same action as the twin's own episode, step by step | | | agreement ${pct(r.decisions.episodeAgreement)} |`,
    `| migrations started | ${r.decisions.labMigrations} | ${r.decisions.twinMigrations} | |`,
    `| return (Eq. 8 summed) | ${f(r.returns.lab)} | ${f(r.returns.twin)} | |`,
    `| RTT per node and step (Eq. 1), ms | measured | route | mean abs ${f(r.rttErrorMs.meanAbs)}, p95 abs ${f(r.rttErrorMs.p95Abs)}, bias ${f(r.rttErrorMs.bias)} (n = ${r.rttErrorMs.n}) |`,
    `| load per node and step (Eq. 2) | measured | trace | mean abs ${f(r.loadError.meanAbs, 3)}, p95 abs ${f(r.loadError.p95Abs, 3)}, bias ${f(r.loadError.bias, 3)} |`,
    `| cpu / mem fraction | kubelet | trace | cpu mean abs ${f(r.cpuError.meanAbs, 3)} (bias ${f(r.cpuError.bias, 3)}); mem mean abs ${f(r.memError.meanAbs, 3)} (bias ${f(r.memError.bias, 3)}) |`,
    `| migration time, start → target Ready and source gone | mean ${f(m.lab.meanWallMs, 0)} ms, max ${f(m.lab.maxWallMs, 0)} ms (${m.lab.succeeded}/${m.lab.count} succeeded) | model \`${m.twin.model}\`; pod durations ${JSON.stringify(m.twin.pod.duration)} | |`,
    `| client-side downtime per migration | mean ${f(m.lab.meanDowntimeMs, 0)} ms, max ${f(m.lab.maxDowntimeMs, 0)} ms | ${f(m.twin.pod.downtimeSeconds * 1000, 0)} ms (the scenario's pod switch-over downtime) | |`,
    `| step wall time / overrun past the period | mean ${f(r.timing.meanStepWallMs, 0)} ms / mean ${f(r.timing.meanOverrunMs, 0)} ms, p95 ${f(r.timing.p95OverrunMs, 0)} ms | | |`,
    `| prober round trip without a toxic (subtracted) | ${f(r.timing.proberOverheadMs)} ms | | |`,
    `| the lab session thread's event-loop delay, p99 per step (mean) | ${f(r.timing.meanLoopDelayP99Ms)} ms | | |`,
    '',
  ].join('\n');
}
