/**
 * ETSI GS MEC 013 (Location API) adapter. What is implemented, exactly:
 * - one request per user and tick: `GET {url}/location/{v2|v3}/queries/users?address={user}`
 *   (the "UE location lookup" of MEC 013 §7.3 users resource), optional `Authorization: Bearer`;
 * - from the response `userList.user[]`, the entry whose `address` equals the user (or the only entry):
 *   `locationInfo.latitude[0]`, `locationInfo.longitude[0]`, and `timestamp {seconds, nanoSeconds}` as the
 *   observation time (absent → the controller's clock);
 * - RTT per node = `baseRttMs + msPerKm × haversine(user, node position)`, node positions from the config.
 *   The paper's RTT is linear in the UE–cell distance; MEC 013 reports position, not RTT, so this is a model.
 * Not implemented: subscriptions/notifications, zones and access points, distance queries, OAuth2 token fetch,
 * `locationInfo` shapes other than a point (the first latitude/longitude pair is used for any shape).
 */
import { getJson } from './http.js';
import type { Clock, RttSource, Timed } from './types.js';

const EARTH_RADIUS_KM = 6371.0088;

export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

interface Mec013UserInfo {
  address?: string;
  timestamp?: { seconds?: number; nanoSeconds?: number };
  locationInfo?: { latitude?: number[]; longitude?: number[] };
}

export interface Mec013Options {
  url: string;
  apiVersion: 'v2' | 'v3';
  bearerToken?: string;
  nodePositions: Record<string, { latitude: number; longitude: number }>;
  baseRttMs: number;
  msPerKm: number;
  timeoutMs: number;
}

export class Mec013Rtt implements RttSource {
  readonly name = 'mec013';
  constructor(private readonly o: Mec013Options, private readonly clock: Clock) {}

  async readRtt(user: string, nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, Timed[]>> {
    const url = `${this.o.url.replace(/\/$/, '')}/location/${this.o.apiVersion}/queries/users?address=${encodeURIComponent(user)}`;
    const headers: Record<string, string> = this.o.bearerToken ? { Authorization: `Bearer ${this.o.bearerToken}` } : {};
    const body = (await getJson(url, this.o.timeoutMs, headers, signal)) as { userList?: { user?: Mec013UserInfo[] | Mec013UserInfo } };
    const raw = body?.userList?.user;
    const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
    const info = list.find((u) => u.address === user) ?? (list.length === 1 ? list[0] : undefined);
    const out = new Map<string, Timed[]>();
    if (!info) return out;
    const lat = info.locationInfo?.latitude?.[0];
    const lon = info.locationInfo?.longitude?.[0];
    const ts = info.timestamp;
    const atMs = ts && typeof ts.seconds === 'number' ? ts.seconds * 1000 + Math.floor((ts.nanoSeconds ?? 0) / 1e6) : this.clock.nowMs();
    for (const n of nodes) {
      const p = this.o.nodePositions[n];
      if (!p) continue;
      const value = typeof lat === 'number' && typeof lon === 'number' ? this.o.baseRttMs + this.o.msPerKm * haversineKm(lat, lon, p.latitude, p.longitude) : Number.NaN;
      out.set(n, [{ value, atMs }]);
    }
    return out;
  }
}
