/**
 * `hysteresis`: follow-me with a margin and a minimum dwell time, the rule of thumb an operator writes to
 * stop follow-me's ping-pong at cell borders. It migrates to the lowest-RTT legal node only when that node's RTT
 * beats the serving node's by at least `marginMs`, and only once `dwellSteps` steps have passed since the service
 * last moved (an episode starts free to move). Beyond plain follow-me it skips target nodes above the load SLA
 * (L_max) whenever a node inside it exists, so it does not follow the user into an overloaded node. The defaults
 * were chosen on the validation days (see the README's baseline table), never on the test days.
 */
import { z } from 'zod';
import type { Policy } from '../../core/env.js';
import { nodeCountOf } from '../../core/observation.js';
import { parseWith } from '../../core/validate.js';

export const HysteresisConfigSchema = z
  .object({
    /** The RTT improvement a move must bring, ms. */
    marginMs: z.number().min(0).default(4),
    /** Steps the service stays put after a move before the next one. */
    dwellSteps: z.number().int().min(0).default(3),
    /** L_max of the scenario: targets above it are skipped when a node within it exists. */
    loadMax: z.number().min(1).default(12),
  })
  .strict();
export type HysteresisConfig = z.infer<typeof HysteresisConfigSchema>;

export class HysteresisPolicy implements Policy {
  readonly name = 'hysteresis';
  readonly config: HysteresisConfig;
  private sinceMove: number;
  /** @param nodes N; read from the observation length (the paper's layout) when omitted. */
  constructor(config: Partial<HysteresisConfig> = {}, private readonly nodes?: number, source = 'hysteresis config') {
    this.config = parseWith(HysteresisConfigSchema, config, source);
    this.sinceMove = this.config.dwellSteps;
  }
  reset(): void {
    this.sinceMove = this.config.dwellSteps;
  }
  act(observation: Float64Array, actionMask: Uint8Array): number {
    const n = this.nodes ?? nodeCountOf(observation.length);
    const c = this.config;
    const current = observation[0]!;
    this.sinceMove++;
    if (this.sinceMove <= c.dwellSteps) return 0;
    const rtt = (j: number) => observation[j]!;
    const load = (j: number) => observation[n + j]!;
    let anyOk = false;
    for (let j = 1; j <= n; j++) if (j !== current && actionMask[j] === 1 && load(j) <= c.loadMax) anyOk = true;
    let best = 0;
    for (let j = 1; j <= n; j++) {
      if (j === current || actionMask[j] !== 1 || (anyOk && load(j) > c.loadMax)) continue;
      if (best === 0 || rtt(j) < rtt(best)) best = j;
    }
    if (best === 0 || rtt(best) > rtt(current) - c.marginMs) return 0;
    this.sinceMove = 0;
    return best;
  }
}
