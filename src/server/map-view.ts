/**
 * The map: the road (or GPS track), the edge nodes (cells) in their colours, the user, and the node serving them,
 * step by step. One SVG in one scale for both axes, rendered on the server at the chosen step, with every step's
 * position already projected to pixels in a JSON block beside it; a slider and a play button move through the
 * steps, and the small script ({@link MAP_SCRIPT}) only moves the user marker, redraws the link to the serving
 * node, marks that node and shows the trail travelled so far in the colour of the node that served each step.
 *
 * The episode explorer shows a twin episode (positions from `TwinInfo.positionXM/YM`, nodes from the scenario);
 * the controller's live page shows the feed's route and the UE's trail, following the newest step unless the
 * slider was moved back (see live.ts).
 */
import { escapeHtml } from '../experiments/report/html.js';

export interface MapPoint {
  x: number;
  y: number;
}

export interface MapNode extends MapPoint {
  name: string;
  color: string;
}

export interface MapStep extends MapPoint {
  /** Name of the node serving the user at this step, when known. */
  serving?: string;
  /** What the step is called under the slider (`t = 120 s`, a clock time). */
  label: string;
}

export interface MapSpec {
  /** Element id prefix (unique on the page). */
  id: string;
  /** The units of the coordinates (shown in the corner). */
  units: string;
  road: MapPoint[];
  nodes: MapNode[];
  steps: MapStep[];
  /** Step drawn by the server (default 0). */
  current?: number;
  /** Follow the newest step as the steps grow (the live page). */
  follow?: boolean;
  width?: number;
}

const e = (v: unknown): string => escapeHtml(String(v));
const f1 = (v: number): string => v.toFixed(1);

export function mapView(spec: MapSpec): string {
  const W = spec.width ?? 960;
  const pad = 36;
  const pts: MapPoint[] = [...spec.road, ...spec.nodes, ...spec.steps];
  if (!pts.length) return '<p>Nothing to draw: no road, node or position.</p>';
  const xs = pts.map((p) => p.x), ys = pts.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  // One scale for both axes, as large as fits W x 520 px; a straight road makes a strip, not a tall empty box.
  // 34 px above for the antennas and their labels.
  const k = Math.min((W - 2 * pad) / Math.max(x1 - x0, 1e-9), (520 - 2 * pad - 34) / Math.max(y1 - y0, 1e-9));
  const H = Math.round(Math.max(150, (y1 - y0) * k + 2 * pad + 34));
  const xOff = (W - 2 * pad - (x1 - x0) * k) / 2;
  const yOff = (H - 2 * pad - 34 - (y1 - y0) * k) / 2;
  const X = (x: number): number => pad + xOff + (x - x0) * k;
  const Y = (y: number): number => H - pad - yOff - (y - y0) * k;
  const colorOf = new Map(spec.nodes.map((n) => [n.name, n.color]));
  // Each step sits LANE px to the right of its direction of travel, so the way out and the way back of a round
  // trip on a two-way road are two lanes, not one trail painted over itself.
  const LANE = 5;
  const raw = spec.steps.map((s) => ({ x: X(s.x), y: Y(s.y) }));
  let normal = { x: 0, y: 0 };
  const steps = spec.steps.map((s, i) => {
    const a = raw[i === 0 ? 0 : i - 1]!, b = raw[i === 0 ? Math.min(1, raw.length - 1) : i]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len > 1e-6) normal = { x: (-(b.y - a.y) / len) * LANE, y: ((b.x - a.x) / len) * LANE };
    return { x: Number(f1(raw[i]!.x + normal.x)), y: Number(f1(raw[i]!.y + normal.y)), s: s.serving ?? '', l: s.label };
  });
  const cur = Math.max(0, Math.min(steps.length - 1, spec.current ?? 0));
  const at = steps[cur];

  const road = spec.road.length > 1 ? `<polyline class="road" points="${spec.road.map((p) => `${f1(X(p.x))},${f1(Y(p.y))}`).join(' ')}" fill="none" stroke="#c9c9c9" stroke-width="20" stroke-linecap="round" stroke-linejoin="round"/><polyline points="${spec.road.map((p) => `${f1(X(p.x))},${f1(Y(p.y))}`).join(' ')}" fill="none" stroke="#fff" stroke-width="1.2" stroke-dasharray="10 8"/>` : '';
  // The trail: one segment per step, coloured by the node serving at its end; hidden beyond the current step.
  const trail = steps
    .slice(1)
    .map((s, i) => `<line data-step="${i + 1}" x1="${steps[i]!.x}" y1="${steps[i]!.y}" x2="${s.x}" y2="${s.y}" stroke="${colorOf.get(s.s) ?? '#555'}" stroke-width="4" stroke-linecap="round"${i + 1 > cur ? ' visibility="hidden"' : ''}/>`)
    .join('');
  const nodes = spec.nodes
    .map((n) => {
      const [nx, ny] = [X(n.x), Y(n.y)];
      const serving = at?.s === n.name;
      return `<g class="node${serving ? ' serving' : ''}" data-node="${e(n.name)}"><circle class="halo" cx="${f1(nx)}" cy="${f1(ny)}" r="15" fill="none" stroke="${n.color}" stroke-width="3.5" stroke-opacity="0.9"${serving ? '' : ' visibility="hidden"'}/><path d="M${f1(nx)},${f1(ny - 24)} l-9,22 h18 z" fill="${n.color}"/><circle cx="${f1(nx)}" cy="${f1(ny)}" r="4" fill="${n.color}"/><text x="${f1(nx)}" y="${f1(ny - 28)}" font-size="12" text-anchor="middle">${e(n.name)}</text></g>`;
    })
    .join('');
  const servingNode = spec.nodes.find((n) => n.name === at?.s);
  const link = at && servingNode ? `<line class="link" x1="${at.x}" y1="${at.y}" x2="${f1(X(servingNode.x))}" y2="${f1(Y(servingNode.y))}" stroke="${servingNode.color}" stroke-width="2" stroke-dasharray="5 4"/>` : '<line class="link" x1="0" y1="0" x2="0" y2="0" visibility="hidden"/>';
  const ue = at ? `<g class="ue"><circle cx="${at.x}" cy="${at.y}" r="8" fill="#111" stroke="${colorOf.get(at.s) ?? '#fff'}" stroke-width="3"/><text x="${at.x}" y="${f1(at.y + 24)}" font-size="12" text-anchor="middle">UE</text></g>` : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" id="${e(spec.id)}-svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif"><rect width="${W}" height="${H}" fill="#f7f9fb" stroke="#dde3ea"/>${road}<g class="trail">${trail}</g>${link}${nodes}${ue}<text x="${W - 8}" y="${H - 8}" font-size="11" text-anchor="end" fill="#666">${e(spec.units)}</text></svg>`;
  const legend = spec.nodes.map((n) => `<span><span style="color:${n.color}">&#9650;</span> ${e(n.name)}</span>`).join(' ');
  const controls = steps.length > 1
    ? `<div class="map-controls"><button type="button" class="map-play">&#9654; play</button><input type="range" class="map-step" min="0" max="${steps.length - 1}" value="${cur}" aria-label="step"><span class="map-label">${e(at?.l ?? '')}</span><span class="map-serving muted">${at?.s ? `served by ${e(at.s)}` : ''}</span></div>`
    : `<div class="map-controls"><span class="map-label">${e(at?.l ?? '')}</span><span class="map-serving muted">${at?.s ? `served by ${e(at.s)}` : ''}</span></div>`;
  const data = JSON.stringify({ steps, nodes: Object.fromEntries(spec.nodes.map((n) => [n.name, { x: Number(f1(X(n.x))), y: Number(f1(Y(n.y))), c: n.color }])) }).replace(/</g, '\\u003c');
  return `<div class="map" style="max-width:${W}px" id="${e(spec.id)}" data-step="${cur}"${spec.follow ? ' data-follow="1"' : ''}>${svg}${controls}<p class="muted">Cells: ${legend}. The trail takes the colour of the node serving each step; the dashed line joins the user to it.</p><script type="application/json" class="map-data">${data}</script></div>`;
}

/**
 * The map's behaviour, once per page: `remoraMap(root)` binds a rendered map (call it again after its HTML is
 * swapped; a live map keeps following the newest step unless the slider was moved back).
 */
export const MAP_SCRIPT = `<script>
window.remoraMapState = window.remoraMapState || {};
window.remoraMap = function (root) {
  if (!root) return;
  const d = JSON.parse(root.querySelector('.map-data').textContent);
  const st = window.remoraMapState[root.id] = window.remoraMapState[root.id] || { follow: true };
  const svg = root.querySelector('svg'), slider = root.querySelector('.map-step'), play = root.querySelector('.map-play');
  const show = (i) => {
    const s = d.steps[i]; if (!s) return;
    root.dataset.step = String(i);
    const ue = svg.querySelector('g.ue'); const c = ue.querySelector('circle'), t = ue.querySelector('text');
    c.setAttribute('cx', s.x); c.setAttribute('cy', s.y); t.setAttribute('x', s.x); t.setAttribute('y', s.y + 24);
    const n = d.nodes[s.s]; c.setAttribute('stroke', n ? n.c : '#fff');
    const link = svg.querySelector('line.link');
    if (n) { link.setAttribute('x1', s.x); link.setAttribute('y1', s.y); link.setAttribute('x2', n.x); link.setAttribute('y2', n.y); link.setAttribute('stroke', n.c); link.removeAttribute('visibility'); }
    else link.setAttribute('visibility', 'hidden');
    for (const g of svg.querySelectorAll('g.node')) { const on = g.dataset.node === s.s; g.classList.toggle('serving', on); const h = g.querySelector('.halo'); if (on) h.removeAttribute('visibility'); else h.setAttribute('visibility', 'hidden'); }
    for (const l of svg.querySelectorAll('g.trail line')) { if (Number(l.dataset.step) <= i) l.removeAttribute('visibility'); else l.setAttribute('visibility', 'hidden'); }
    root.querySelector('.map-label').textContent = s.l;
    root.querySelector('.map-serving').textContent = s.s ? 'served by ' + s.s : '';
    if (slider) slider.value = String(i);
  };
  const last = d.steps.length - 1;
  if (root.dataset.follow && !st.follow && st.step !== undefined) show(Math.min(st.step, last));
  if (!slider) return;
  slider.addEventListener('input', () => { const i = Number(slider.value); st.step = i; st.follow = i >= last; show(i); });
  if (play) play.addEventListener('click', () => {
    if (st.timer) { clearInterval(st.timer); st.timer = undefined; play.textContent = '\\u25B6 play'; return; }
    let i = Number(slider.value) >= last ? 0 : Number(slider.value);
    play.textContent = '\\u275A\\u275A pause';
    st.timer = setInterval(() => { show(i); st.step = i; if (++i > last) { clearInterval(st.timer); st.timer = undefined; play.textContent = '\\u25B6 play'; } }, Math.max(30, Math.min(250, 12000 / Math.max(1, last))));
  });
};
for (const m of document.querySelectorAll('.map')) window.remoraMap(m);
</script>`;
