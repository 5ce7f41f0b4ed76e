/**
 * Fleet-twin throughput (the goal: a 10k-user × 100-node tick in ≤ 20 ms on one core), policy excluded:
 * every user's action comes from a fixed table (95 % Wait, 5 % a migration to a random node, masked ones as Wait),
 * which exercises migrations, the caps and admission. Episodes restart when they end; resets are not timed.
 */
import { Rng } from '../../core/rng.js';
import { FleetTwin, type ResolvedScenario } from '../../twin/index.js';

export interface FleetBenchResult {
  scenario: string;
  /** Mean users per measured tick. */
  users: number;
  nodes: number;
  /** Mean wall time of one tick (`step`), ms. */
  tickMs: number;
  /** User-steps per second (users × ticks / s). */
  userStepsPerSecond: number;
}

/** `population` replaces a fixed population (the goal's 10,000); arrival-process scenarios keep theirs. */
export function benchFleet(scenario: ResolvedScenario, seconds: number, population?: number): FleetBenchResult {
  const fixed = scenario.spec.users?.arrivals.kind === 'fixed';
  const fleet = new FleetTwin(scenario, 1, { population: fixed ? population : undefined });
  const rng = new Rng(99);
  const table = new Int32Array(1 << 16);
  for (let i = 0; i < table.length; i++) table[i] = rng.uniform() < 0.95 ? 0 : 1 + rng.int(fleet.nodes);
  let actions = new Int32Array(1024);
  let r = fleet.reset({ seed: 1 });
  let k = 0;
  const A = fleet.A;
  /** One tick: its users and its wall time (ms). */
  let lastUsers = 0;
  const tick = (): number => {
    if (fleet.done) r = fleet.reset();
    if (actions.length < r.rows) actions = new Int32Array(2 * r.rows);
    for (let i = 0; i < r.rows; i++) {
      const a = table[k]!;
      k = (k + 1) & 0xffff;
      actions[i] = r.actionMasks[i * A + a] === 1 && !(r.terminated[i] || r.truncated[i]) ? a : 0;
    }
    lastUsers = r.rows;
    const t0 = performance.now();
    r = fleet.step(actions);
    return performance.now() - t0;
  };
  // Warm-up (JIT), then measure.
  const warm = performance.now();
  while (performance.now() - warm < 500) tick();
  let ticks = 0, users = 0, ms = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    ms += tick();
    users += lastUsers;
    ticks++;
  }
  const tickMs = ms / ticks;
  return { scenario: scenario.spec.name, users: Math.round(users / ticks), nodes: fleet.nodes, tickMs: Number(tickMs.toFixed(3)), userStepsPerSecond: Math.round((users / ticks) * (1000 / tickMs)) };
}
