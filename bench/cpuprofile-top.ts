/**
 * Self time per function of a V8 `.cpuprofile` (`node --cpu-prof`), highest first, with each function's share of
 * the profile's samples (idle/program/GC shown as V8 names them), then the same self time summed by source file
 * (`wasm` = the WASM-SIMD kernels; `node:`/`node_modules` = start-up: module loading, tsx).
 * Last, inclusive (self + callees) time of the loop's entry points named in INCLUSIVE.
 * Usage: `npx tsx bench/cpuprofile-top.ts FILE [N]`.
 */
import { readFileSync } from 'node:fs';

interface Frame { functionName: string; url: string; lineNumber: number }
interface Node { id: number; callFrame: Frame; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const [file, nArg] = process.argv.slice(2);
if (!file) throw new Error('usage: cpuprofile-top.ts FILE.cpuprofile [N]');
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
/** Functions whose inclusive time is printed (name, and the file it must come from). */
const INCLUSIVE: [string, string][] = [
  ['trainAgent', 'agents/trainer.ts'], ['act', 'agents/dqn.ts'], ['qCurrent', 'agents/dqn.ts'], ['observe', 'agents/dqn.ts'],
  ['storeObservation', 'agents/dqn.ts'], ['trainBatch', 'agents/dqn.ts'], ['sample', 'agents/replay.ts'], ['writeRow', 'agents/dqn.ts'],
  ['forward', 'nn/network.ts'], ['backward', 'nn/network.ts'], ['step', 'nn/adam.ts'], ['step', 'twin/env.ts'], ['reset', 'twin/env.ts'],
  ['metricsLine', 'train/metrics-jsonl.ts'], ['onEpisode', 'train/train.ts'], ['loadScenario', 'twin/scenario-loader.ts'],
];
const inclusive = new Map<string, number>();
const self = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  const f = byId.get(id)!.callFrame;
  const url = f.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '');
  const key = `${f.functionName || '(anonymous)'}  ${url ? `${url}:${f.lineNumber + 1}` : ''}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const where = url.startsWith('wasm://') ? 'wasm kernels' : url.startsWith('node:') || url.includes('node_modules') ? 'start-up (node:, node_modules)' : url || `(${f.functionName})`;
  byFile.set(where, (byFile.get(where) ?? 0) + dt);
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const cf = byId.get(n)!.callFrame;
    const hit = INCLUSIVE.find(([name, file]) => cf.functionName === name && cf.url.includes(file));
    if (hit) seen.add(`${hit[0]} (${hit[1]})`);
  }
  for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
  total += dt;
});
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(nArg ?? 25));
console.log(`total ${(total / 1000).toFixed(0)} ms`);
const show = ([k, us]: [string, number]): void => console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
rows.forEach(show);
console.log('by file:');
[...byFile.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(nArg ?? 25)).forEach(show);
console.log('inclusive:');
[...inclusive.entries()].sort((a, b) => b[1] - a[1]).forEach(show);
