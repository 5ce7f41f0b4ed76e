/**
 * Two minimal baseline policies so `remora controller` runs before trained policies can be loaded
 * (src/agents owns the real ones). Both honour the action mask.
 */
import type { Policy } from '../core/env.js';
import { nodeCountOf, rttOf } from '../core/observation.js';

/** Always Wait. With `--dry-run` it is a pure observer. */
export const neverPolicy = (): Policy => ({ name: 'never', reset() {}, act: () => 0 });

/** Follow-me: migrate to the legal node with the lowest average RTT (ties: lowest index); Wait when already there. */
export const followMePolicy = (): Policy => ({
  name: 'follow-me',
  reset() {},
  act(obs, mask) {
    const n = nodeCountOf(obs.length);
    let best = 0;
    let bestRtt = Number.POSITIVE_INFINITY;
    for (let j = 1; j <= n; j++) {
      const r = rttOf(obs, n, j);
      if (mask[j] === 1 && r < bestRtt) {
        bestRtt = r;
        best = j;
      }
    }
    return best === 0 || best === obs[0] ? 0 : best;
  },
});

export const BASELINES: Record<string, () => Policy> = { never: neverPolicy, 'follow-me': followMePolicy };
