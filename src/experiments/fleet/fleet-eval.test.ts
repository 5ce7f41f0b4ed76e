// Fleet evaluation: the relaxed bound bounds the reference policy's return, user by user; coordinated
// policies keep to the caps even on a cluster that does not enforce them (uncoordinated users do not); and the
// CLI prints the fleet comparison and the bench figures.
import { test } from 'node:test';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { Io } from '../../cli/command.js';
import { main } from '../../cli/main.js';
import { FleetTwin, loadScenario, type ResolvedScenario } from '../../twin/index.js';
import { BoundRecorder, userBound } from './bound.js';
import { compareFleet, FLEET_COLUMNS, resolveFleetPolicy } from './evaluate.js';

const traffic = loadScenario('sr111-traffic');

function capture(): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY: false, cwd: process.cwd(), env: {} as Record<string, string | undefined>, out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

test("the relaxed bound is at least each user's return under the reference policy", () => {
  const f = new FleetTwin(traffic, 0);
  const p = resolveFleetPolicy('sla-greedy+coord', traffic, process.cwd());
  let r = f.reset({ seed: 77 });
  const rec = new BoundRecorder();
  const returns = new Map<number, number>();
  const acts = new Int32Array(4096);
  while (!f.done) {
    rec.record(f);
    p.act(r, f, acts);
    r = f.step(acts);
    for (let i = 0; i < r.rows; i++) if (!r.joined[i]) returns.set(r.ids[i]!, (returns.get(r.ids[i]!) ?? 0) + r.rewards[i]!);
  }
  let tight = 0;
  assert.ok(rec.users.size > 50);
  for (const u of rec.users.values()) {
    const b = userBound(f, u, rec.loads);
    const got = returns.get(u.id)!;
    assert.ok(b >= got - 1e-9, `user ${u.id}: bound ${b} < return ${got}`);
    if (b - got < 1) tight++;
  }
  assert.ok(tight > 0, 'some users are within one reward unit of their bound');
});

test('on a cluster without limits, coordinated policies still keep to the caps; uncoordinated users exceed them', () => {
  const open: ResolvedScenario = { ...traffic, spec: { ...traffic.spec, users: { ...traffic.spec.users!, enforceCaps: false } } };
  const maxInFlight = (policy: string): number => {
    const f = new FleetTwin(open, 0);
    const p = resolveFleetPolicy(policy, open, process.cwd());
    let r = f.reset({ seed: 3 });
    const acts = new Int32Array(4096);
    let most = 0;
    while (!f.done) {
      p.act(r, f, acts);
      r = f.step(acts);
      most = Math.max(most, f.nodeState.clusterInFlight);
    }
    return most;
  };
  assert.ok(maxInFlight('sla-greedy+coord') <= 5);
  assert.ok(maxInFlight('follow-me+coord') <= 5);
  assert.ok(maxInFlight('sla-greedy') > 5);
});

test('remora compare on a fleet scenario prints every fleet policy against the relaxed bound', async () => {
  const io = capture();
  assert.equal(await main(['compare', '--scenario', 'sr111-traffic', '--json'], io), 0, io.stderr);
  const out = JSON.parse(io.stdout.trim().split('\n').pop()!);
  assert.equal(out.episodes, 1);
  assert.deepEqual(out.policies.map((p: { policy: string }) => p.policy), ['never', 'follow-me', 'sla-greedy', 'follow-me+coord', 'sla-greedy+coord', 'follow-me+defer', 'sla-greedy+defer', 'sla-greedy+social']);
  for (const p of out.policies) for (const c of FLEET_COLUMNS) assert.ok(c in p, `${p.policy}: ${c}`);
  const ref = out.policies.find((p: { policy: string }) => p.policy === 'sla-greedy+coord');
  assert.ok(ref.pctOfBound <= 100, 'the reference policy is at or under its bound');
  const table = capture();
  const svg = join(mkdtempSync(join(tmpdir(), 'remora-fleet-')), 'timeline.svg');
  assert.equal(await main(['compare', '--scenario', 'sr111-traffic', '--policies', 'never,sla-greedy', '--storm-pct', '10', '--svg', svg], table), 0, table.stderr);
  assert.match(table.stdout, /^policy +pctOfBound/);
  const picture = readFileSync(svg, 'utf8');
  assert.match(picture, /^<svg/);
  assert.match(picture, /Overloaded nodes/);
  assert.match(picture, /sla-greedy/);
  assert.match(table.stdout, /relaxed bound -?\d/);
  const bad = capture();
  assert.equal(await main(['compare', '--scenario', 'sr111-traffic', '--policies', 'nope'], bad), 1);
  assert.match(bad.stderr, /fleet policy/);
});

test('remora bench fleet --json prints users, nodes, tickMs and userStepsPerSecond', async () => {
  const io = capture();
  assert.equal(await main(['bench', 'fleet', '--scenario', 'metro-100', '--users', '500', '--seconds', '0.2', '--json'], io), 0, io.stderr);
  const r = JSON.parse(io.stdout);
  assert.deepEqual(Object.keys(r), ['users', 'nodes', 'tickMs', 'userStepsPerSecond']);
  assert.equal(r.nodes, 100);
  assert.ok(r.users >= 500 && r.tickMs > 0 && r.userStepsPerSecond > 0);
});

// Seed 2000: validation episodes, never the README's seed 1000.
test('sr111-traffic validation episodes: the deferral priority has no more violation time than first come, first served', () => {
  const sc = loadScenario('sr111-traffic');
  const { rows } = compareFleet(sc, ['follow-me', 'follow-me+defer', 'follow-me+coord'], { episodes: 3, seed: 2000, cwd: process.cwd() });
  const v = Object.fromEntries(rows.map((r) => [r.policy, r.violationSecondsPerUserHour]));
  assert.ok(v['follow-me+defer']! <= v['follow-me']!, `deferral ${v['follow-me+defer']} vs first come ${v['follow-me']}`);
  assert.ok(v['follow-me+defer']! < v['follow-me+coord']!, `deferral ${v['follow-me+defer']} vs largest gain ${v['follow-me+coord']}`);
});
