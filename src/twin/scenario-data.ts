/**
 * Where a scenario's data files are and how they load: the built-in data folder, a data path resolved against the
 * scenario file's folder (or `builtin:`), the track filter of a GPS source, and a node's trace read through a memo
 * shared by nodes that name the same file. Apart from the loader because the geometry and the validator read the
 * same files the same way.
 */
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GpsTrackFilter } from './mobility.js';
import type { TraceRef } from './scenario-schema.js';
import { syntheticTrace } from './synthetic-traces.js';
import { readCsvTrace, readFollowMeTrace, readGoogle2011Job, readGoogle2019Cell, type TraceSeries } from './traces.js';

/** The package's `data/` folder (works from `src/twin` under tsx and from `dist/twin` once built). */
export const BUILTIN_DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

/** The track filter of a GPS source (`columns.trackColumn` + `track`), if any. */
export function gpsFilter(m: { columns: { trackColumn?: string }; track?: string | number }): GpsTrackFilter | undefined {
  return m.columns.trackColumn !== undefined && m.track !== undefined ? { column: m.columns.trackColumn, id: String(m.track) } : undefined;
}

/** A data path of a scenario: `builtin:<path>` under the package's data folder, else relative to `cwd`. */
export function resolveDataPath(p: string, cwd: string): string {
  if (p.startsWith('builtin:')) return resolvePath(BUILTIN_DATA_DIR, p.slice('builtin:'.length));
  return isAbsolute(p) ? p : resolvePath(cwd, p);
}

/** The trace of one node, from `cache` when another node already read the same reference. */
export function loadTrace(ref: TraceRef, name: string, cwd: string, cache?: Map<string, TraceSeries>): TraceSeries {
  const key = JSON.stringify({ ...ref, shiftSeconds: 0, cwd });
  const hit = cache?.get(key);
  if (hit) return hit;
  let s: TraceSeries;
  switch (ref.format) {
    case 'follow-me':
      s = readFollowMeTrace(resolveDataPath(ref.file, cwd), name, ref.sampleSeconds);
      break;
    case 'google2011-job':
      s = readGoogle2011Job(resolveDataPath(ref.dir, cwd), ref.job, name);
      break;
    case 'google2019-cell':
      s = readGoogle2019Cell(resolveDataPath(ref.file, cwd), name);
      break;
    case 'csv':
      s = readCsvTrace(resolveDataPath(ref.file, cwd), name, ref);
      break;
    case 'synthetic':
      s = syntheticTrace(ref, name);
      break;
  }
  cache?.set(key, s);
  return s;
}
