/**
 * A scenario's geometry: node positions and the user's path in one planar frame, metres, with lat/lon projected
 * onto the plane tangent at the frame's origin. Apart from the loader because it is the one place where degrees
 * become metres, and the choice of origin (documented on {@link resolveGeometry}) deserves a file a reader can find.
 */
import { InvalidInputError } from '../core/errors.js';
import { makeRoad, projectToMetres, readGpsCsv, type GpsTrack, type Road } from './mobility.js';
import { gpsFilter, resolveDataPath } from './scenario-data.js';
import type { Scenario } from './scenario-schema.js';

/** The geometry fields of a `ResolvedScenario` (scenario-loader.ts), documented there. */
export interface ScenarioGeometry {
  nodeX: Float64Array;
  nodeY: Float64Array;
  gpsTrack?: GpsTrack;
  road?: Road;
  projectionOrigin?: { lat: number; lon: number };
}

/**
 * Node positions and the user's path in one planar frame (metres). `gps` mobility: the frame of the track (origin:
 * `mobility.origin` or its first fix). `highway`: metres as written; lat/lon nodes and waypoints (and a
 * `route.fromGps` track) are projected onto the plane tangent at `mobility.origin`, by default the centroid of those
 * lat/lon positions (mean latitude and longitude: a choice that keeps every point within half the scenario's extent
 * of the origin, where the projection is most accurate; see `projectToMetres`). A frame that mixes metres and
 * degrees needs `origin`, since nothing else says where x = y = 0 lies.
 */
export function resolveGeometry(spec: Scenario, source: string, cwd: string): ScenarioGeometry {
  const n = spec.nodes.length;
  const nodeX = new Float64Array(n), nodeY = new Float64Array(n);
  const p = new Float64Array(2);
  const m = spec.mobility;
  let gpsTrack: GpsTrack | undefined, road: Road | undefined;
  let origin: { lat: number; lon: number } | undefined;
  if (m.kind === 'gps') {
    gpsTrack = readGpsCsv(resolveDataPath(m.file, cwd), m.columns, m.origin, gpsFilter(m));
    origin = { lat: gpsTrack.originLat, lon: gpsTrack.originLon };
  } else {
    const route = m.route;
    const track = route?.fromGps ? readGpsCsv(resolveDataPath(route.fromGps.file, cwd), route.fromGps.columns, undefined, gpsFilter(route.fromGps)) : undefined;
    const lats: number[] = [], lons: number[] = [];
    let metres: string | undefined;
    spec.nodes.forEach((node, j) => {
      if (!(node.xM !== undefined && node.yM !== undefined)) {
        lats.push(node.lat!);
        lons.push(node.lon!);
      } else metres ??= `nodes.${j}`;
    });
    route?.waypoints?.forEach((w, i) => {
      if (w.lat !== undefined && w.lon !== undefined) {
        lats.push(w.lat);
        lons.push(w.lon);
      } else metres ??= `mobility.route.waypoints.${i}`;
    });
    if (track) {
      lats.push(...track.lat);
      lons.push(...track.lon);
    }
    if (!route) metres ??= 'mobility.fromXM';
    if (lats.length) {
      if (!m.origin && metres) {
        throw new InvalidInputError({ source, field: 'mobility.origin', expected: `the lat/lon of x = y = 0, since ${metres} is in metres while other positions are in degrees`, actual: 'none' });
      }
      origin = m.origin ?? { lat: mean(lats), lon: mean(lons) };
    }
    const xs: number[] = [], ys: number[] = [];
    if (!route) {
      xs.push(m.fromXM!, m.toXM!);
      ys.push(m.yM ?? 0, m.yM ?? 0);
    } else if (route.waypoints) {
      for (const w of route.waypoints) {
        if (w.xM !== undefined && w.yM !== undefined) {
          xs.push(w.xM);
          ys.push(w.yM);
        } else {
          projectToMetres(w.lat!, w.lon!, origin!.lat, origin!.lon, p);
          xs.push(p[0]!);
          ys.push(p[1]!);
        }
      }
    } else {
      for (let i = 0; i < track!.lat.length; i++) {
        projectToMetres(track!.lat[i]!, track!.lon[i]!, origin!.lat, origin!.lon, p);
        xs.push(p[0]!);
        ys.push(p[1]!);
      }
    }
    road = makeRoad(xs, ys, source, route ? (route.waypoints ? 'mobility.route.waypoints' : `mobility.route.fromGps (${track!.source})`) : 'mobility.toXM');
  }
  spec.nodes.forEach((node, j) => {
    if (node.xM !== undefined && node.yM !== undefined) {
      nodeX[j] = node.xM;
      nodeY[j] = node.yM;
    } else {
      projectToMetres(node.lat!, node.lon!, origin!.lat, origin!.lon, p);
      nodeX[j] = p[0]!;
      nodeY[j] = p[1]!;
    }
  });
  return { nodeX, nodeY, gpsTrack, road, projectionOrigin: origin };
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}
