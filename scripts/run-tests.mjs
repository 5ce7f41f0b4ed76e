// Runs Node's built-in test runner (with tsx for TypeScript) over the *.test.ts files under src/ and test/.
// Node 20's runner does not glob .ts files itself, so we list them here.
//
//   node scripts/run-tests.mjs [--tier <name>[,<name>]] [--list] [path-fragment ...]
//
// Tiers are decided by where a test file lives or how it is named, so a new test is classified by its name:
//   cluster   any test under test/cluster/ or src/cluster/ (the cluster suite starts a real kube-apiserver)
//   lab       any test under test/lab/ (real kubelets + containerd as root); skips naming the missing
//             precondition, fails instead with REQUIRE_LAB=1 (as .ci/run sets)
//   learning  *.learning.test.ts   trains agents long enough to assert they learn on the real scenarios
//   browser   *.browser.test.ts    drives Chromium (/usr/bin/chromium or CHROMIUM_PATH) through playwright-core
//   python    *.python.test.ts     runs the Gymnasium adapter's pytest suite (python3 + gymnasium)
//   fast      everything else; `npm run test:fast` must stay under 60 s on 2 cores (README, Tests)
// Without --tier every tier runs (this is what `npm test` does). Path fragments narrow the selection further;
// --list prints each selected file with its tier instead of running them.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

const TIERS = ['fast', 'learning', 'browser', 'python', 'cluster', 'lab'];
/** Tiers that run only when asked for by name. */
const OPT_IN = [];

/** The tier of a test file path (relative to the repository root). */
function tierOf(path) {
  const p = path.split(sep).join('/');
  if (p.startsWith('test/lab/')) return 'lab';
  if (p.startsWith('test/cluster/') || p.startsWith('src/cluster/')) return 'cluster';
  if (p.endsWith('.learning.test.ts')) return 'learning';
  if (p.endsWith('.browser.test.ts')) return 'browser';
  if (p.endsWith('.python.test.ts')) return 'python';
  return 'fast';
}

const args = process.argv.slice(2);
const tiers = [];
const only = [];
let list = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--tier') tiers.push(...(args[++i] ?? '').split(','));
  else if (args[i].startsWith('--tier=')) tiers.push(...args[i].slice('--tier='.length).split(','));
  else if (args[i] === '--list') list = true;
  else only.push(args[i]);
}
const unknown = tiers.filter((t) => !TIERS.includes(t));
if (unknown.length) {
  console.error(`run-tests: --tier: expected one of ${TIERS.join(', ')}, got ${unknown.join(', ')}`);
  process.exit(2);
}

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'node_modules') walk(p); }
    else if (name.endsWith('.test.ts')) files.push(p);
  }
};
for (const r of ['src', 'test']) if (existsSync(r)) walk(r);
const selected = files
  .filter((f) => (tiers.length ? tiers.includes(tierOf(f)) : !OPT_IN.includes(tierOf(f))))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort();
if (!selected.length) {
  console.error(`run-tests: no test files match${tiers.length ? ` tier ${tiers.join(',')}` : ''}${only.length ? ` and ${only.join(' ')}` : ''}`);
  process.exit(1);
}
if (list) {
  for (const f of selected) console.log(`${tierOf(f).padEnd(9)}${f}`);
  process.exit(0);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// Lab files run one at a time, after the rest: each brings up its own lab (a 10.2xx slot picked from what the host
// uses, shim sockets and CNI cache files that lab.test.ts (e) checks are all gone), so two at once would race.
const lab = selected.filter((f) => tierOf(f) === 'lab');
const rest = selected.filter((f) => tierOf(f) !== 'lab');
let status = 0;
for (const [group, c] of [[rest, concurrency], [lab, '1']]) {
  if (!group.length) continue;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${c}`, ...group], { stdio: 'inherit' });
  if ((res.status ?? 1) !== 0) status = res.status ?? 1;
}
process.exit(status);
