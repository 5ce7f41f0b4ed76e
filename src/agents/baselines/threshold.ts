/**
 * `threshold`: the rule-based controller the paper's authors released beside their agent
 * (teo-tsou/follow_me_5G, `auto-migration-controller.py`), as a policy.
 *
 * RTT and load each fall in a good / average / bad band. The defaults are the released controller's bands:
 * RTT good up to 15 ms, average up to 26 ms, bad above; load good up to 3, average up to 8, bad above (values below
 * a band's lower edge count as good). A node's score is the sum of its two band ranks (good 0, average 1, bad 2).
 * When the serving node leaves the good band in either metric, the service moves to the best-scoring node (ties:
 * lower RTT, then lower load), if that node scores strictly better. After a migration the controller waits
 * `cooldownSteps` steps before it may migrate again.
 */
import { z } from 'zod';
import type { Policy } from '../../core/env.js';
import { nodeCountOf } from '../../core/observation.js';
import { parseWith } from '../../core/validate.js';

export const ThresholdConfigSchema = z
  .object({
    /** Upper edges of the good and average RTT bands, ms. */
    rttGoodMaxMs: z.number().positive().default(15),
    rttAverageMaxMs: z.number().positive().default(26),
    /** Upper edges of the good and average load bands (Eq. 2). */
    loadGoodMax: z.number().min(1).default(3),
    loadAverageMax: z.number().min(1).default(8),
    /** Steps to wait after a migration before the next one. */
    cooldownSteps: z.number().int().min(0).default(3),
  })
  .strict()
  .refine((c) => c.rttGoodMaxMs <= c.rttAverageMaxMs && c.loadGoodMax <= c.loadAverageMax, { message: 'good band edges <= average band edges' });
export type ThresholdConfig = z.infer<typeof ThresholdConfigSchema>;

export class ThresholdPolicy implements Policy {
  readonly name = 'threshold';
  readonly config: ThresholdConfig;
  private cooldown = 0;
  /** @param nodes N; read from the observation length (the paper's layout) when omitted. */
  constructor(config: Partial<ThresholdConfig> = {}, private readonly nodes?: number, source = 'threshold config') {
    this.config = parseWith(ThresholdConfigSchema, config, source);
  }
  reset(): void {
    this.cooldown = 0;
  }
  private band(x: number, goodMax: number, averageMax: number): number {
    return x <= goodMax ? 0 : x <= averageMax ? 1 : 2;
  }
  private score(rtt: number, load: number): number {
    const c = this.config;
    return this.band(rtt, c.rttGoodMaxMs, c.rttAverageMaxMs) + this.band(load, c.loadGoodMax, c.loadAverageMax);
  }
  act(observation: Float64Array, actionMask: Uint8Array): number {
    if (this.cooldown > 0) {
      this.cooldown--;
      return 0;
    }
    const n = this.nodes ?? nodeCountOf(observation.length);
    const cur = observation[0]!;
    const c = this.config;
    const rtt = (j: number) => observation[j]!;
    const load = (j: number) => observation[n + j]!;
    const curGood = this.band(rtt(cur), c.rttGoodMaxMs, c.rttAverageMaxMs) === 0 && this.band(load(cur), c.loadGoodMax, c.loadAverageMax) === 0;
    if (curGood) return 0;
    let best = cur;
    for (let j = 1; j <= n; j++) {
      if (actionMask[j] !== 1 && j !== cur) continue;
      const sj = this.score(rtt(j), load(j)), sb = this.score(rtt(best), load(best));
      if (sj < sb || (sj === sb && (rtt(j) < rtt(best) || (rtt(j) === rtt(best) && load(j) < load(best))))) best = j;
    }
    if (best === cur || this.score(rtt(best), load(best)) >= this.score(rtt(cur), load(cur))) return 0;
    this.cooldown = c.cooldownSteps;
    return best;
  }
}
