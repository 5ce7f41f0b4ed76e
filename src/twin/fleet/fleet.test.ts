// The fleet twin: conformance (checkFleet, and checkEnv through EgoEnv) on both fleet scenarios,
// deliberately broken fleets refused, and the fleet's physics: load = background + hosted demand, admission,
// caps, and an arrival stream that does not depend on the policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEnv } from '../../core/check-env.js';
import type { FleetEnv, FleetNodeState, FleetResetOptions, FleetStep } from '../../core/fleet-env.js';
import { nodeLoad } from '../../core/reward.js';
import { fleetRegistry } from '../../agents/fleet/fleet-policies.js';
import { fleetContext } from '../../experiments/fleet/evaluate.js';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario, resolveScenario, type ResolvedScenario } from '../scenario-loader.js';
import { checkFleet, FleetCheckError } from './check-fleet.js';
import { EgoEnv } from './ego-env.js';
import { FleetTwin } from './fleet-twin.js';

const traffic = loadScenario('sr111-traffic');
const metro = loadScenario('metro-100');

/** A smaller metro for the fast tier: the same grid, motion and rules, fewer users and ticks. */
function smallMetro(users: number, maxSteps: number): ResolvedScenario {
  const s = metro.spec;
  return { ...metro, spec: { ...s, maxSteps, users: { ...s.users!, arrivals: { ...(s.users!.arrivals as Extract<NonNullable<typeof s.users>['arrivals'], { kind: 'fixed' }>), count: users, sessionMinutes: 2 } } } };
}

test('sr111-traffic passes the fleet check: users come and go on the highway, ids stable, ends exactly once', () => {
  const rep = checkFleet(new FleetTwin(traffic));
  assert.ok(rep.users > 50, `users ${rep.users}`);
  assert.equal(rep.ticks, traffic.spec.maxSteps);
  assert.ok(rep.passed.includes('same seed, same episode'));
});

test('metro-100 passes the fleet check (400 users, 40 ticks, 2-minute sessions so users leave and join)', () => {
  const rep = checkFleet(new FleetTwin(smallMetro(400, 40)));
  assert.ok(rep.users > 400, `ids beyond the population: ${rep.users} (replacements of ended sessions)`);
});

test('a pool of GPS tracks: users replay a track from its start and leave at its end; the fleet check passes', () => {
  const file = fileURLToPath(new URL('../testdata/gps-fleet.yaml', import.meta.url));
  const sc = loadScenario(file);
  assert.equal(sc.fleetTracks?.length, 2);
  const rep = checkFleet(new FleetTwin(sc));
  assert.ok(rep.users > 10, `users ${rep.users}`);
  const f = new FleetTwin(sc);
  let r = f.reset({ seed: 1 });
  const lifetimes: number[] = [];
  const born = new Map<number, number>();
  while (!f.done) {
    for (let i = 0; i < r.rows; i++) if (r.joined[i]) born.set(r.ids[i]!, r.t);
    r = f.step(new Int32Array(r.rows));
    for (let i = 0; i < r.rows; i++) if (r.truncated[i] && !f.done && born.get(r.ids[i]!)! > 0) lifetimes.push(r.t - born.get(r.ids[i]!)!);
  }
  // A 300 s track at 10 s per step: users who joined after t = 0 leave exactly 30 steps later.
  assert.ok(lifetimes.length > 5 && lifetimes.every((l) => l === 30), `lifetimes ${lifetimes.join(',')}`);
  // The pool needs the scenario's GPS track (its columns and origin): on a highway scenario it is refused, in one line.
  const onHighway = { ...traffic.spec, users: { ...traffic.spec.users!, arrivals: sc.spec.users!.arrivals } };
  assert.throws(() => resolveScenario(onHighway, 'x.yaml', { cwd: dirname(file) }), /users\.arrivals\.kind: expected gps-pool only with mobility.kind gps/);
});

test('EgoEnv passes checkEnv on both fleet scenarios, in a coordinated crowd', () => {
  for (const sc of [traffic, smallMetro(300, 30)]) {
    const crowd = fleetRegistry().resolve('sla-greedy+coord', fleetContext(sc), process.cwd());
    const rep = checkEnv(new EgoEnv(new FleetTwin(sc), crowd, 3));
    assert.ok(rep.steps >= 1, sc.spec.name);
  }
});

test('node load is the background plus the hosted services (Eq. 2 on the total); in-flight services count on both ends', () => {
  const f = new FleetTwin(traffic, 0);
  let r = f.reset({ seed: 5 });
  const acts = new Int32Array(4096);
  for (let tick = 0; tick < 40; tick++) {
    // Everyone asks for node 1 (the caps and room decide who gets it).
    for (let i = 0; i < r.rows; i++) acts[i] = r.actionMasks[i * f.A + 1] === 1 && r.observations[i * f.D] !== 1 ? 1 : 0;
    r = f.step(acts);
    const ns = f.nodeState;
    const cpu = new Float64Array(f.nodes), mem = new Float64Array(f.nodes);
    for (let i = 0; i < r.rows; i++) {
      if (r.terminated[i] || r.truncated[i]) continue;
      cpu[f.serving[i]!] += ns.cpuDemand[i]!;
      mem[f.serving[i]!] += ns.memDemand[i]!;
      if (f.target[i]! >= 0) {
        cpu[f.target[i]!] += ns.cpuDemand[i]!;
        mem[f.target[i]!] += ns.memDemand[i]!;
      }
    }
    for (let j = 0; j < f.nodes; j++) {
      const c = f.world.cpu[j]! + cpu[j]! / f.capacity[j]!, m = f.world.mem[j]! + mem[j]! / f.capacity[j]!;
      assert.ok(Math.abs(ns.cpu[j]! - c) < 1e-12 && Math.abs(ns.mem[j]! - m) < 1e-12, `node ${j} at tick ${r.t}`);
      assert.equal(f.load[j], nodeLoad(c, m));
      assert.equal(r.observations[1 + f.nodes + j], f.load[j], 'the observation shows the total load');
    }
  }
});

test('the twin enforces the caps (2 outbound per node, 5 per cluster) and counts what it refuses', () => {
  const f = new FleetTwin(traffic, 0);
  let r = f.reset({ seed: 9 });
  const acts = new Int32Array(4096);
  let refused = 0, started = 0;
  while (!f.done) {
    for (let i = 0; i < r.rows; i++) {
      const cur = r.observations[i * f.D]!;
      const want = cur === 1 ? 2 : 1;
      acts[i] = r.actionMasks[i * f.A + want] === 1 ? want : 0;
    }
    r = f.step(acts);
    const ns = f.nodeState;
    let inFlight = 0;
    for (let j = 0; j < f.nodes; j++) {
      assert.ok(ns.outboundInFlight[j]! <= 2, `node ${j}: ${ns.outboundInFlight[j]} outbound at tick ${r.t}`);
      inFlight += ns.outboundInFlight[j]!;
    }
    assert.equal(inFlight, ns.clusterInFlight);
    assert.ok(ns.clusterInFlight <= 5, `cluster: ${ns.clusterInFlight} at tick ${r.t}`);
    refused += f.stats.refusedByCaps;
    started += f.stats.migrationsStarted;
  }
  assert.ok(started > 0 && refused > started, `started ${started}, refused ${refused}`);
});

test('a full node refuses arrivals, loudly counted', () => {
  const s = traffic.spec;
  const tiny: ResolvedScenario = { ...traffic, spec: { ...s, nodes: s.nodes.map((n) => ({ ...n, capacity: 0.02 })) } };
  const f = new FleetTwin(tiny, 0);
  const r = f.reset({ seed: 1 });
  assert.ok(f.stats.arrivalsRefused > 0, 'arrivals refused');
  assert.equal(r.rows + f.stats.arrivalsRefused, f.stats.arrivals);
  for (let j = 0; j < f.nodes; j++) assert.ok(f.nodeState.cpu[j]! <= 1 && f.nodeState.mem[j]! <= 1);
});

test('the arrival stream and motion do not depend on the policy: the same users, at the same places', () => {
  const trace = (policy: string) => {
    const f = new FleetTwin(traffic, 0);
    const p = fleetRegistry().resolve(policy, fleetContext(traffic), process.cwd());
    let r = f.reset({ seed: 21 });
    const acts = new Int32Array(4096);
    const seen: string[] = [];
    for (let t = 0; t < 60; t++) {
      p.act(r, f, acts);
      r = f.step(acts);
      for (let i = 0; i < r.rows; i++) if (r.joined[i]) seen.push(`${r.ids[i]}@${t}`);
      seen.push(`x${f.x[0]!.toFixed(3)}`);
    }
    return seen.join(',');
  };
  assert.equal(trace('never'), trace('follow-me'));
});

test("a user's RTT is replayable from its position alone (the bound relies on it)", () => {
  const f = new FleetTwin(traffic, 0);
  let r = f.reset({ seed: 4 });
  r = f.step(new Int32Array(r.rows));
  for (let i = 0; i < Math.min(r.rows, 5); i++) {
    for (let j = 0; j < f.nodes; j++) assert.equal(f.rttMsAt(r.ids[i]!, r.t, j, f.x[i]!, f.y[i]!), r.observations[i * f.D + 1 + j]);
  }
});

/** Delegates to a real fleet and breaks one rule. */
class Broken implements FleetEnv {
  constructor(private readonly inner: FleetTwin, private readonly breakIt: (r: FleetStep, t: number) => void) {}
  get observationSpace() { return this.inner.observationSpace; }
  get actionSpace() { return this.inner.actionSpace; }
  get nodes() { return this.inner.nodes; }
  get maxUsers() { return this.inner.maxUsers; }
  get caps() { return this.inner.caps; }
  get nodeState(): FleetNodeState { return this.inner.nodeState; }
  get done() { return this.inner.done; }
  reset(o?: FleetResetOptions): FleetStep {
    const r = this.inner.reset(o);
    this.breakIt(r, 0);
    return r;
  }
  step(a: ArrayLike<number>): FleetStep {
    const r = this.inner.step(a);
    this.breakIt(r, r.t);
    return r;
  }
  close(): void {}
}

test('checkFleet refuses deliberately broken fleets, naming the check', () => {
  let gone = -1;
  const cases: [string, (r: FleetStep, t: number) => void, RegExp][] = [
    ['a NaN reward', (r, t) => { if (t === 5 && r.rows > 0) r.rewards[0] = Number.NaN; }, /rewards finite/],
    ['an observation out of its box', (r, t) => { if (t === 3 && r.rows > 0) r.observations[1] = -1; }, /observations in space/],
    ['a duplicated id', (r, t) => { if (t === 2 && r.rows > 1) r.ids[1] = r.ids[0]!; }, /ids/],
    ['Wait masked', (r, t) => { if (t === 4 && r.rows > 0) r.actionMasks[0] = 0; }, /action mask/],
    ['a user that comes back after it ended', (r, t) => { if (t === 6 && r.rows > 0) { gone = r.ids[0]!; r.truncated[0] = 1; } if (t === 9 && r.rows > 0) r.ids[r.rows - 1] = gone; }, /users leave once/],
    ['terminated and truncated together', (r, t) => { if (t === 8 && r.rows > 0) { r.terminated[0] = 1; r.truncated[0] = 1; } }, /flags/],
  ];
  for (const [what, breakIt, re] of cases) {
    assert.throws(() => checkFleet(new Broken(new FleetTwin(traffic), breakIt)), (e: unknown) => e instanceof FleetCheckError && re.test(e.message), what);
  }
  // Nondeterminism: a hidden counter that survives reset changes the second episode of the same seed.
  let resets = 0;
  assert.throws(() => checkFleet(new Broken(new FleetTwin(traffic), (r, t) => { if (t === 0) resets++; if (resets === 2 && t === 5 && r.rows > 0) r.rewards[0]! += 1e-9; })), /determinism/);
});
