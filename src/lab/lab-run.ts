/**
 * One episode of a policy on the lab (`remora lab run`), with the twin's prediction of the same route,
 * seed and trace beside it, and the sim-to-real report between the two.
 *
 * Three instances of the policy, each from the one registry's factory: one acts on the lab; one is asked, at every
 * lab step, about the twin's observation of that step (decision agreement); one runs its own twin episode of the
 * same scenario and seed (the Fig. 6 prediction). Outputs, in `outDir`:
 * - `lab-run.jsonl`: one {@link LabStepRecord} per step (measured and twin values side by side);
 * - `fig6-lab.svg`: the Fig. 6 timeline from the measured values, above the twin's for the same episode (the
 *   existing `fig6` renderer, twice);
 * - `sim-to-real.json` and `sim-to-real.md` (`sim-to-real.ts`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Policy } from '../core/env.js';
import type { TraceStep } from '../experiments/evaluate/evaluate.js';
import { rollout } from '../experiments/evaluate/rollout.js';
import { fig6 } from '../experiments/report/figures.js';
import { TwinEnv, type TwinInfo } from '../twin/env.js';
import type { LabEnv, LabInfo } from './lab-env.js';
import { simToReal, simToRealMarkdown, type LabStepRecord, type SimToRealReport, type TwinEpisode } from './sim-to-real.js';

export interface LabRunResult {
  steps: LabStepRecord[];
  labTrace: TraceStep[];
  twinTrace: TraceStep[];
  twin: TwinEpisode;
  report: SimToRealReport;
}

export interface LabRunInput {
  env: LabEnv;
  /** A fresh policy per call (the registry's factory). */
  policy: () => Policy;
  policyName: string;
  seed: number;
  /** After each lab step (progress). */
  onStep?: (r: LabStepRecord, lastStep: number) => void;
}

/** The twin's own episode of `policy` for the env's scenario and `seed`, cut to `maxSteps`. */
function twinEpisode(env: LabEnv, policy: Policy, seed: number, maxSteps: number): { trace: TraceStep[]; episode: TwinEpisode } {
  const twin = new TwinEnv(env.scenario);
  const n = twin.nodes;
  const trace: TraceStep[] = [];
  let ret = 0, migrations = 0;
  rollout(twin, policy, {
    episodes: 1,
    seed,
    onStep: (s) => {
      if (s.t >= maxSteps) return;
      const info = s.info as TwinInfo;
      ret += s.reward;
      if (info.migrated) migrations++;
      trace.push({ t: s.t, node: s.observation[0]!, action: s.action, servingAfter: info.servingNode, reward: s.reward, rttMs: Array.from(s.observation.subarray(1, 1 + n)), load: Array.from(s.observation.subarray(1 + n, 1 + 2 * n)), violation: info.rttViolation || info.loadViolation });
    },
  });
  return { trace, episode: { actions: trace.map((x) => x.action), migrations, return: ret } };
}

export function runLabEpisode(i: LabRunInput): LabRunResult {
  const { env } = i;
  const n = env.nodes;
  const labPolicy = i.policy(), twinPolicy = i.policy();
  const r0 = env.reset({ seed: i.seed });
  let info = r0.info as LabInfo;
  let obs = r0.observation.slice();
  labPolicy.reset();
  labPolicy.onReset?.(obs, info);
  twinPolicy.reset();
  twinPolicy.onReset?.(info.twinObservation, info);
  const steps: LabStepRecord[] = [];
  const labTrace: TraceStep[] = [];
  for (;;) {
    const action = labPolicy.act(obs, info.actionMask);
    const twinAction = twinPolicy.act(info.twinObservation, info.actionMask);
    const before = info;
    const s = env.step(action);
    const after = s.info as LabInfo;
    const violation = after.rttViolation || after.loadViolation;
    const rec: LabStepRecord = {
      t: before.t,
      node: obs[0]!,
      servingAfter: after.servingNode,
      action,
      twinAction,
      reward: s.reward,
      rttMs: Array.from(obs.subarray(1, 1 + n)),
      load: Array.from(obs.subarray(1 + n, 1 + 2 * n)),
      twinRttMs: Array.from(before.twinObservation.subarray(1, 1 + n)),
      twinLoad: Array.from(before.twinObservation.subarray(1 + n, 1 + 2 * n)),
      cpu: before.measuredCpu,
      mem: before.measuredMem,
      traceCpu: before.routeCpu,
      traceMem: before.routeMem,
      samples: before.samples,
      violation,
      missing: before.missing,
      stepWallMs: after.stepWallMs,
      overrunMs: after.overrunMs,
      loopDelayP99Ms: after.loopDelayP99Ms,
      migrations: after.finishedMigrations,
    };
    steps.push(rec);
    labTrace.push({ t: rec.t, node: rec.node, action, servingAfter: rec.servingAfter, reward: rec.reward, rttMs: rec.rttMs, load: rec.load, violation });
    i.onStep?.(rec, env.maxSteps ?? env.shadow.world.lastStep);
    if (s.terminated || s.truncated) break;
    obs = s.observation.slice();
    info = after;
  }
  const tw = twinEpisode(env, i.policy(), i.seed, steps.length);
  const report = simToReal({ scenario: env.scenario.spec, policy: i.policyName, seed: i.seed, stepSeconds: env.options.stepSeconds, steps, twin: tw.episode, proberOverheadMs: env.overheadMs });
  return { steps, labTrace, twinTrace: tw.trace, twin: tw.episode, report };
}

/** Two SVGs stacked (the same width), as one. */
export function stackSvgs(svgs: readonly string[]): string {
  const dims = svgs.map((s) => {
    const m = /<svg[^>]*\bwidth="(\d+(?:\.\d+)?)"[^>]*\bheight="(\d+(?:\.\d+)?)"/.exec(s);
    if (!m) throw new Error('stackSvgs: an SVG without width and height');
    return { w: Number(m[1]), h: Number(m[2]) };
  });
  const W = Math.max(...dims.map((d) => d.w)), H = dims.reduce((a, d) => a + d.h, 0);
  let y = 0;
  const parts = svgs.map((s, k) => {
    const inner = s.replace(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, `<svg y="${y}"`);
    y += dims[k]!.h;
    return inner;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">\n${parts.join('\n')}\n</svg>\n`;
}

/** Write `lab-run.jsonl`, `fig6-lab.svg`, `sim-to-real.json` and `.md`; returns their paths. */
export function writeLabRun(outDir: string, r: LabRunResult, env: LabEnv): string[] {
  mkdirSync(outDir, { recursive: true });
  const spec = env.scenario.spec;
  const files = { jsonl: join(outDir, 'lab-run.jsonl'), svg: join(outDir, 'fig6-lab.svg'), json: join(outDir, 'sim-to-real.json'), md: join(outDir, 'sim-to-real.md') };
  writeFileSync(files.jsonl, r.steps.map((s) => JSON.stringify(s)).join('\n') + '\n');
  const o = { stepSeconds: spec.stepSeconds, rttMaxMs: spec.sla.rttMs.max, loadMax: spec.sla.load.max, nodes: env.nodes };
  writeFileSync(
    files.svg,
    stackSvgs([
      fig6(r.labTrace, { ...o, policy: `${r.report.policy} (lab, measured)` }),
      fig6(r.twinTrace, { ...o, policy: `${r.report.policy} (twin, predicted)` }),
    ]),
  );
  writeFileSync(files.json, JSON.stringify(r.report, null, 2) + '\n');
  writeFileSync(files.md, simToRealMarkdown(r.report));
  return Object.values(files);
}
