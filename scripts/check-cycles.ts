/**
 * Fails (exit 1) when the import graph under the given folder has a cycle, or when an import breaks the
 * layering in HOUSE_STYLE: core imports nothing of ours; twin and nn import only core; agents never import
 * twin internals; cluster never imports training code or the twin; nothing imports cli.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'src');
const files: string[] = [];
(function walk(dir: string) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) files.push(p);
  }
})(root);

const importRe = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
const graph = new Map<string, string[]>();
for (const f of files) {
  const src = readFileSync(f, 'utf8');
  const deps: string[] = [];
  for (const m of src.matchAll(importRe)) {
    const spec = (m[1] ?? m[2])!;
    // `import type` edges still count for layering but not for runtime cycles; keep it simple and count both.
    let target = resolve(dirname(f), spec);
    // Only our TypeScript sources under the root take part (e.g. a build script under assembly/ does not).
    if (relative(root, target).startsWith('..')) continue;
    target = target.replace(/\.js$/, '.ts');
    if (!target.endsWith('.ts')) target += '.ts';
    deps.push(target);
  }
  graph.set(f, deps);
}

const rel = (p: string) => relative(root, p);
const layer = (p: string) => rel(p).split(/[\\/]/)[0]!;
// Allowed imports between top-level folders (a folder may always import itself).
const allowed: Record<string, string[]> = {
  core: [],
  twin: ['core'],
  nn: ['core'],
  agents: ['core', 'nn'],
  experiments: ['core', 'twin', 'nn', 'agents'],
  cluster: ['core', 'nn', 'agents'],
  probe: ['core'],
  server: ['core', 'twin', 'nn', 'agents', 'experiments'],
  // The lab is the paper's second environment: its route comes from the twin, its reports from experiments.
  lab: ['core', 'twin', 'nn', 'agents', 'experiments', 'cluster'],
  // Sweeps as Kubernetes Indexed Jobs: experiments' training and evaluation, driven through cluster's kube client.
  'kube-sweep': ['core', 'twin', 'nn', 'agents', 'experiments', 'cluster'],
  cli: ['core', 'twin', 'nn', 'agents', 'experiments', 'cluster', 'probe', 'server', 'lab', 'kube-sweep'],
  'index.ts': ['core', 'twin', 'nn', 'agents', 'experiments', 'cluster'],
};
// Files of `agents` that train (cluster must not import them).
const trainingFiles = /^agents[\\/](dqn|sarsa|trainer|replay)/;

const problems: string[] = [];
for (const [f, deps] of graph) {
  // Tests and test helpers may reach across layers (an oracle test runs baselines); production code may not.
  if (f.endsWith('.test.ts') || /[\\/]testing[\\/]/.test(f)) continue;
  const from = layer(f);
  for (const d of deps) {
    const to = layer(d);
    if (to === from) continue;
    if (to === 'cli') problems.push(`${rel(f)} imports ${rel(d)}: nothing may import cli`);
    else if (!(allowed[from] ?? []).includes(to)) problems.push(`${rel(f)} imports ${rel(d)}: ${from} may import only [${(allowed[from] ?? []).join(', ')}]`);
    if (from === 'cluster' && trainingFiles.test(rel(d))) problems.push(`${rel(f)} imports training code ${rel(d)}`);
  }
}

// Cycle detection (iterative DFS with colours).
const colour = new Map<string, 0 | 1 | 2>();
const stack: string[] = [];
function dfs(n: string): void {
  colour.set(n, 1);
  stack.push(n);
  for (const d of graph.get(n) ?? []) {
    if (!graph.has(d)) continue;
    const c = colour.get(d) ?? 0;
    if (c === 1) {
      const cycle = stack.slice(stack.indexOf(d)).concat(d).map(rel);
      problems.push(`import cycle: ${cycle.join(' -> ')}`);
    } else if (c === 0) dfs(d);
  }
  stack.pop();
  colour.set(n, 2);
}
for (const f of graph.keys()) if ((colour.get(f) ?? 0) === 0) dfs(f);

if (problems.length) {
  for (const p of problems) console.error(`check-cycles: ${p}`);
  process.exit(1);
}
console.log(`check-cycles: ${files.length} files, no import cycles, layering ok`);
