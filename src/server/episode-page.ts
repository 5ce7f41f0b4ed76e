/**
 * The episode explorer: one episode of any policy on any scenario, as its metrics, a map (the road or GPS track,
 * the cells, the user and the node serving them, step by step), the Fig. 6 timeline and the decision log.
 */
import type { PolicyMetrics, TraceStep } from '../experiments/evaluate/evaluate.js';
import { fig6 } from '../experiments/report/figures.js';
import { escapeHtml } from '../experiments/report/html.js';
import { PALETTE } from '../experiments/report/plots.js';
import type { ResolvedScenario } from '../twin/index.js';
import { MAP_SCRIPT, mapView, type MapPoint } from './map-view.js';
import { metricsTable } from './tables.js';

export interface Episode {
  metrics: PolicyMetrics;
  trace: TraceStep[];
  scenario: ResolvedScenario;
}

const e = escapeHtml;
/** Fig. 6 names nodes "Node j" and colours them by PALETTE in order; the map does the same, so the two agree. */
const nodeName = (j: number): string => `Node ${j + 1}`;

/** The road of the scenario (a highway's polyline, a GPS track's fixes), else the path the user drove. */
function roadOf(sc: ResolvedScenario, trace: TraceStep[]): MapPoint[] {
  if (sc.road) return Array.from(sc.road.forward.xM, (x, i) => ({ x, y: sc.road!.forward.yM[i]! }));
  if (sc.gpsTrack) return Array.from(sc.gpsTrack.xM, (x, i) => ({ x, y: sc.gpsTrack!.yM[i]! }));
  return trace.filter((s) => s.xM !== undefined).map((s) => ({ x: s.xM!, y: s.yM! }));
}

export function episodeMap(ep: Episode, id = 'episode-map'): string {
  const sc = ep.scenario;
  const nodes = Array.from(sc.nodeX, (x, j) => ({ name: nodeName(j), x, y: sc.nodeY[j]!, color: PALETTE[j % PALETTE.length]! }));
  const steps = ep.trace.filter((s) => s.xM !== undefined).map((s) => ({ x: s.xM!, y: s.yM!, serving: nodeName(s.servingAfter - 1), label: `step ${s.t}, t = ${(s.t * sc.spec.stepSeconds).toFixed(0)} s` }));
  return mapView({ id, units: 'metres (the scenario frame)', road: roadOf(sc, ep.trace), nodes, steps });
}

export function episodeBody(form: string, policy: string, ep: Episode): string {
  const sc = ep.scenario;
  const svg = fig6(ep.trace, { policy, stepSeconds: sc.spec.stepSeconds, rttMaxMs: sc.spec.sla.rttMs.max, loadMax: sc.spec.sla.load.max, nodes: sc.nodeX.length });
  const decisions = ep.trace
    .filter((s) => s.action !== 0)
    .map((s) => `<tr><td class="n">${s.t}</td><td class="n">${(s.t * sc.spec.stepSeconds).toFixed(0)}</td><td class="n">${s.node}</td><td>${s.action === s.node ? 'self (wait)' : `migrate to node ${s.action}`}</td><td class="n">${s.rttMs.map((x) => x.toFixed(1)).join(' / ')}</td><td class="n">${s.load.map((x) => x.toFixed(2)).join(' / ')}</td><td class="n">${s.reward.toFixed(3)}</td></tr>`)
    .join('\n');
  return `${form}${metricsTable([ep.metrics])}
<h2>Map</h2>${episodeMap(ep)}
${svg}
<h2>Decisions</h2><div class="fit"><table id="decisions"><thead><tr><th>step</th><th>time [s]</th><th>on node</th><th>action</th><th>RTT per node [ms]</th><th>load per node</th><th>reward</th></tr></thead><tbody>${decisions || '<tr><td colspan="7">no migrations</td></tr>'}</tbody></table></div>${MAP_SCRIPT}`;
}

export function episodeForm(scenarios: string[], policies: string[], scenario: string, policy: string, seed: number): string {
  const opt = (v: string, cur: string) => `<option value="${e(v)}"${v === cur ? ' selected' : ''}>${e(v)}</option>`;
  return `<form method="get" action="/episode">
<label>Scenario <select name="scenario">${scenarios.map((s) => opt(s, scenario)).join('')}</select></label>
<label>Policy <select name="policy">${policies.map((s) => opt(s, policy)).join('')}</select></label>
<label>Seed <input name="seed" type="number" min="0" value="${seed}" style="width:7em"></label><button type="submit">Run</button></form>`;
}
