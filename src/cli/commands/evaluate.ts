import { InvalidInputError } from '../../core/errors.js';
import { evaluatePolicy, metricsRow, roundMetrics, METRIC_COLUMNS, unstableNote, type OracleCache } from '../../experiments/evaluate/evaluate.js';
import { HEURISTICS } from '../../agents/registry.js';
import { baselineNames, resolvePolicy } from '../../experiments/policies.js';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compareFleet, fleetTimelineSvg, DEFAULT_FLEET_POLICIES, FLEET_COLUMNS, FleetMetricsConfigSchema, fleetRow, roundFleetMetrics } from '../../experiments/fleet/evaluate.js';
import { loadScenario, scenarioNames, type ResolvedScenario } from '../../twin/index.js';
import { defineCommand, renderTable, type FlagSpecs, type Io } from '../command.js';

const common = {
  scenario: { type: 'string', description: `Built-in scenario (${scenarioNames().join(', ')}) or a .json/.yaml file`, default: 'sr111', placeholder: '<name|file>' },
  episodes: { type: 'integer', description: 'Held-out episodes (identical for every policy)', default: 20 },
  seed: { type: 'integer', description: 'Seed of the evaluation episodes', default: 1000 },
  json: { type: 'boolean', description: 'Print JSON instead of a table' },
} as const satisfies FlagSpecs;

function checkEpisodes(cmd: string, e: number): number {
  if (e < 1) throw new InvalidInputError({ source: `remora ${cmd}`, field: '--episodes', expected: 'an integer >= 1', actual: String(e) });
  return e;
}

export const evaluateCommand = defineCommand({
  name: 'evaluate',
  summary: 'Evaluate one policy on held-out episodes against the exact oracle',
  usage: '--policy <name|model.json> [--scenario <name|file>] [--episodes N] [--seed S] [--json]',
  flags: { policy: { type: 'string', description: `${baselineNames().join(', ')}, or a trained model.json`, placeholder: '<name|model.json>' }, ...common },
  details:
    'Reports return, oracleReturn, pctOfOracle, regret, steps, slaViolations, violationSeconds, migrations, downtimeSeconds, meanRttMs, p95RttMs, meanLoad and pctOfOracleUnstable ' +
    "(yes when the oracle's mean return is under 1 reward unit in magnitude: pctOfOracle then divides by almost nothing; compare by regret, in reward units).",
  async run({ flags }, io) {
    const episodes = checkEpisodes('evaluate', flags.episodes);
    const spec = flags.policy;
    if (!spec) throw new InvalidInputError({ source: 'remora evaluate', field: '--policy', expected: 'a policy name or model.json', actual: 'nothing' });
    const scenario = loadScenario(flags.scenario, { cwd: io.cwd });
    const seed = flags.seed;
    const policy = await resolvePolicy(spec, { seed, scenario }, io.cwd);
    const { metrics } = evaluatePolicy(policy, scenario, { episodes, seed });
    if (flags.json) io.out(JSON.stringify(roundMetrics(metrics)) + '\n');
    else io.out(renderTable([...METRIC_COLUMNS], [metricsRow(metrics)]) + (unstableNote([metrics]) ?? ''));
    return 0;
  },
});

export const compareCommand = defineCommand({
  name: 'compare',
  summary: 'Run several policies on identical episodes and print a comparison table (fleet scenarios: fleet policies against the relaxed bound)',
  usage: '--policies never,follow-me,sla-greedy,oracle,<model.json>... [--scenario ...] [--episodes N] [--seed S] [--json]',
  flags: {
    policies: { type: 'string', description: `Comma-separated policies (default: every heuristic and the oracle; on a fleet scenario: ${DEFAULT_FLEET_POLICIES.join(', ')}, plus a fleet-model.json (remora train --fleet) or a node-seq model.json)`, placeholder: '<a,b,...>' },
    ...common,
    episodes: { type: 'integer', description: 'Held-out episodes, identical for every policy (default 20; 1 on a fleet scenario)' },
    'storm-pct': { type: 'number', description: 'Fleet scenarios: a migration storm is a tick where more than this % of one node\'s services start to move', default: 20 },
    'bound-reference': { type: 'string', description: 'Fleet scenarios: the policy whose realised loads the relaxed bound is solved under', default: 'sla-greedy+coord', placeholder: '<policy>' },
    svg: { type: 'string', description: 'Fleet scenarios: also write the first episode\'s timeline of every policy (overloaded nodes, migrations, violations per tick) to this SVG file', placeholder: '<file.svg>' },
    'enforce-caps': { type: 'boolean', description: "Fleet scenarios: override the scenario's users.enforceCaps (false: a cluster without concurrency limits, where uncoordinated users can storm)" },
  },
  details:
    'Columns as in evaluate (pctOfOracleUnstable flags rows whose pctOfOracle divides by a near-zero oracle return). With --json the last line is {"policies": [{"policy": ..., "return": ..., "pctOfOracle": ..., "pctOfOracleUnstable": ..., ...}]}.\n' +
    'On a fleet scenario (one with `users`, e.g. sr111-traffic, metro-100) it prints, per fleet policy, metrics per user-hour: SLA-violation seconds, migrations, downtime, node-overload seconds, ' +
    'migration storms, admissions refused and cap deferrals, the storm and overload totals, and pctOfBound: the return as a percentage of the relaxed bound (the sum of per-user oracles ' +
    'under the reference policy\'s realised loads, with caps, admission and migration time relaxed; src/experiments/fleet/bound.ts).',
  async run({ flags }, io) {
    const loaded = loadScenario(flags.scenario, { cwd: io.cwd });
    if (loaded.spec.users) return compareFleetScenario(loaded, flags, io);
    const episodes = checkEpisodes('compare', flags.episodes ?? 20);
    const specs = (flags.policies ?? [...HEURISTICS, 'oracle'].join(',')).split(',').map((s) => s.trim()).filter(Boolean);
    if (specs.length === 0) throw new InvalidInputError({ source: 'remora compare', field: '--policies', expected: 'a comma-separated list', actual: '""' });
    const scenario = loaded;
    const seed = flags.seed;
    const cache: OracleCache = new Map();
    const rows = [];
    for (const spec of specs) {
      const policy = await resolvePolicy(spec, { seed, scenario }, io.cwd);
      const { metrics } = evaluatePolicy(policy, scenario, { episodes, seed }, cache);
      rows.push(roundMetrics({ ...metrics, policy: spec }));
    }
    if (flags.json) io.out(JSON.stringify({ scenario: scenario.spec.name, episodes, seed, policies: rows }) + '\n');
    else io.out(renderTable([...METRIC_COLUMNS], rows.map(metricsRow)) + (unstableNote(rows) ?? ''));
    return 0;
  },
});

/** `compare` on a fleet scenario. */
function compareFleetScenario(loaded: ResolvedScenario, flags: { policies?: string; episodes?: number; seed: number; json?: boolean; svg?: string; 'storm-pct': number; 'bound-reference': string; 'enforce-caps'?: boolean }, io: Io): number {
  const episodes = checkEpisodes('compare', flags.episodes ?? 1);
  const stormPct = flags['storm-pct'];
  if (!(stormPct >= 0 && stormPct <= 100)) throw new InvalidInputError({ source: 'remora compare', field: '--storm-pct', expected: 'a percentage in [0, 100]', actual: String(stormPct) });
  const users = loaded.spec.users!;
  const scenario: ResolvedScenario = flags['enforce-caps'] === undefined ? loaded : { ...loaded, spec: { ...loaded.spec, users: { ...users, enforceCaps: flags['enforce-caps'] } } };
  const specs = (flags.policies ?? DEFAULT_FLEET_POLICIES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  if (specs.length === 0) throw new InvalidInputError({ source: 'remora compare', field: '--policies', expected: 'a comma-separated list', actual: '""' });
  const metrics = FleetMetricsConfigSchema.parse({ stormFraction: stormPct / 100 });
  const res = compareFleet(scenario, specs, {
    episodes, seed: flags.seed, metrics, boundReference: flags['bound-reference'], cwd: io.cwd,
    onPolicy: (spec, seconds) => io.err(`compare: ${spec} done in ${seconds.toFixed(1)} s\n`),
  });
  const rows = res.rows.map(roundFleetMetrics);
  if (flags.svg) writeFileSync(resolve(io.cwd, flags.svg), fleetTimelineSvg(scenario, res.timelines));
  if (flags.json) io.out(JSON.stringify({ scenario: scenario.spec.name, episodes, seed: flags.seed, enforceCaps: scenario.spec.users!.enforceCaps, boundReference: flags['bound-reference'], bound: Number(res.bound.toFixed(2)), policies: rows }) + '\n');
  else io.out(renderTable([...FLEET_COLUMNS], res.rows.map(fleetRow)) + `relaxed bound ${res.bound.toFixed(1)} (reward units, ${episodes} episode(s); reference ${flags['bound-reference']}; caps ${scenario.spec.users!.enforceCaps ? 'enforced by the cluster' : 'not enforced by the cluster'})\n`);
  return 0;
}
