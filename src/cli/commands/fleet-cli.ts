/**
 * The fleet forms of `remora train` and `remora sweep` (`--fleet`): the fleet agent of
 * `experiments/fleet/fleet-train.ts`, one move model shared by every user, and its sweep over seeds against every
 * fleet heuristic on fleets it trained beside and on held-out ones (`experiments/fleet/sweep-fleet.ts`).
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { InvalidInputError } from '../../core/errors.js';
import { FLEET_POLICIES } from '../../agents/fleet/fleet-policies.js';
import { FleetTrainConfigSchema, readFleetTrainConfig, trainFleet, type FleetTrainConfig } from '../../experiments/fleet/fleet-train.js';
import { DEFAULT_FLEET_EVAL, fleetSweepMarkdown, sweepFleet, type FleetEval } from '../../experiments/fleet/sweep-fleet.js';
import { WorkProgress } from '../../experiments/train/train-progress.js';
import type { Io } from '../command.js';

const list = (text: string | undefined) => text?.split(',').map((s) => s.trim()).filter(Boolean);

/** The config file (or the defaults) with `--scenario`/`--validate` lists replacing its fleets. */
function fleetConfig(source: string, io: Io, flags: { config?: string; scenario?: string; validate?: string }): FleetTrainConfig {
  const base = flags.config ? readFleetTrainConfig(resolve(io.cwd, flags.config)) : FleetTrainConfigSchema.parse({});
  const train = list(flags.scenario), validation = list(flags.validate);
  if (flags.scenario !== undefined && !train?.length) throw new InvalidInputError({ source, field: '--scenario', expected: 'a comma-separated list of fleet scenarios', actual: JSON.stringify(flags.scenario) });
  if (flags.validate !== undefined && !validation?.length) throw new InvalidInputError({ source, field: '--validate', expected: 'a comma-separated list of fleet scenarios', actual: JSON.stringify(flags.validate) });
  return { ...base, ...(train ? { train } : {}), ...(validation ? { validation } : {}) };
}

/** `remora train --fleet`: writes `<out>/fleet-model.json` and `<out>/validation.json`. */
export function trainFleetCli(flags: { config?: string; scenario?: string; validate?: string; seed?: number; out?: string }, io: Io): number {
  const source = 'remora train --fleet';
  const config = fleetConfig(source, io, flags);
  const seed = flags.seed ?? 0;
  if (seed < 0) throw new InvalidInputError({ source, field: '--seed', expected: 'an integer >= 0', actual: String(seed) });
  const out = resolve(io.cwd, flags.out ?? join('runs', `fleet-agent-s${seed}`));
  const bar = new WorkProgress({ write: (t) => io.err(t), isTTY: io.isTTY }, () => performance.now(), 'train --fleet', 'fleet ticks');
  const r = trainFleet({ config, seed, cwd: io.cwd, out: join(out, 'fleet-model.json'), onProgress: (p) => bar.update(p.done, p.total, `iteration ${p.iteration + 1}/${config.iterations}: ${p.phase}`) });
  bar.finish();
  writeFileSync(join(out, 'validation.json'), JSON.stringify(r.validation, null, 2) + '\n');
  const c = r.chosen;
  io.out(`fleet agent seed ${seed}: trained on ${config.train.join(', ')} in ${r.seconds.toFixed(0)} s, ${r.samples} labelled moves\n`);
  io.out(`  chosen on ${config.validation.join(', ')}: iteration ${c.iteration + 1}, margin ${c.margin}, priority ${c.priority}, social weight ${c.social}; return ${c.relative >= 0 ? '+' : ''}${(100 * c.relative).toFixed(1)} % against ${config.rule}\n`);
  for (const f of c.perFleet) io.out(`    ${f.scenario}: ${f.returnPerUserHour.toFixed(1)} per user-hour (${config.rule}: ${f.ruleReturnPerUserHour.toFixed(1)}), violation ${f.violationSecondsPerUserHour.toFixed(0)} s per user-hour (${f.ruleViolationSecondsPerUserHour.toFixed(0)})\n`);
  io.out(`  model: ${r.modelPath}\n  validation: ${join(out, 'validation.json')}\n  use it: remora compare --scenario metro-100 --policies sla-greedy+social,${r.modelPath}\n`);
  return 0;
}

/** `remora sweep --fleet`. */
export function sweepFleetCli(flags: { config?: string; scenario?: string; validate?: string; seeds: number[]; eval?: string; episodes?: number; 'eval-seed': number; out?: string; policies?: string }, io: Io): number {
  const source = 'remora sweep --fleet';
  const config = fleetConfig(source, io, flags);
  const names = list(flags.eval);
  if (flags.eval !== undefined && !names?.length) throw new InvalidInputError({ source, field: '--eval', expected: 'a comma-separated list of fleet scenarios', actual: JSON.stringify(flags.eval) });
  if (flags.episodes !== undefined && flags.episodes < 1) throw new InvalidInputError({ source, field: '--episodes', expected: 'an integer >= 1', actual: String(flags.episodes) });
  const evals: FleetEval[] = (names ?? DEFAULT_FLEET_EVAL.map((e) => e.scenario)).map((scenario) => {
    const known = DEFAULT_FLEET_EVAL.find((e) => e.scenario === scenario);
    return { scenario, episodes: flags.episodes ?? known?.episodes ?? 1, role: known?.role ?? (config.train.includes(scenario) ? 'trained-beside' : 'held-out') };
  });
  const heuristics = list(flags.policies) ?? [...FLEET_POLICIES];
  const out = resolve(io.cwd, flags.out ?? join('runs', 'sweep-fleet'));
  const bar = new WorkProgress({ write: (t) => io.err(t), isTTY: io.isTTY }, () => performance.now(), 'sweep --fleet', 'jobs');
  const t0 = performance.now();
  const s = sweepFleet({ seeds: flags.seeds, eval: evals, config, heuristics, evalSeed: flags['eval-seed'], cwd: io.cwd, out, onProgress: (what, done, total) => bar.update(done, total, what, true) });
  bar.finish();
  io.out(fleetSweepMarkdown(s));
  io.out(`\nwrote ${join(out, 'sweep-fleet.json')}, sweep-fleet.svg, sweep-fleet.md (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  return 0;
}
