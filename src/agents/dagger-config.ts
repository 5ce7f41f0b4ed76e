/**
 * Configuration of the residual DAgger agent (`agent: "dagger"`, dagger.ts): zod with defaults, as every agent's
 * (config.ts). A config file's `dagger` section sets any subset; unknown keys are errors.
 *
 * The method: Ross, Gordon and Bagnell 2011, "A Reduction of Imitation Learning and Structured Prediction to
 * No-Regret Online Learning" (DAgger), with the twin's exact oracle as the expert, as Comyco (Huang et al. 2019)
 * imitated an ABR oracle and LRB (Song et al. 2020) learned from Belady's. The network learns a residual over the
 * `sla-greedy` rule's action values (rule-prior.ts; residual policy learning, Silver et al. 2018), so with a zero
 * residual the agent is the rule.
 */
import { z } from 'zod';

const posInt = z.number().int().positive();
const layerWidth = posInt.max(1024);

export const DaggerFields = z
  .object({
    /** Hidden widths of the node-sequence network's shared per-node head and its Wait head (ReLU). */
    hidden: z.array(layerWidth).min(1).max(8).default([32, 32]),
    /**
     * DAgger iterations: each rolls out `steps / iterations` env steps, labels every visited state with the oracle's
     * action values and refits on everything gathered so far.
     */
    iterations: posInt.max(1000).default(8),
    /** Probability of playing the oracle's action in the first iteration (1 = behavioural cloning data first). */
    betaStart: z.number().min(0).max(1).default(1),
    /** β is multiplied by this after each iteration (Ross et al.'s decaying mixture). */
    betaDecay: z.number().min(0).max(1).default(0.5),
    /** Gradient updates after each iteration, on minibatches drawn uniformly from the aggregate data set. */
    updatesPerIteration: posInt.default(1500),
    batchSize: posInt.max(4096).default(64),
    /** Adam learning rate. */
    learningRate: z.number().positive().default(1e-3),
    /**
     * Oracle advantages below −clip are clipped to −clip: a move that ends the episode (the paper terminates on a
     * breach) loses the rest of the trip, hundreds of reward units that would drown the small differences that
     * decide between two good actions; any advantage beyond the clip already rules an action out.
     */
    targetClip: z.number().positive().default(5),
    /** L2 weight on the residual outputs: where the labels disagree, stay with the rule. */
    residualL2: z.number().nonnegative().default(0.01),
    /**
     * Deviation margins (reward units) tried with every validation checkpoint; the best (checkpoint, margin) pair on
     * the validation days is kept. Margin m plays the rule's action unless the residual's best action beats it by
     * more than m (residual-policy.ts). Without validation the first margin is used.
     */
    margins: z.array(z.number().nonnegative()).min(1).max(32).default([0]),
    /**
     * States with a feature outside the bounds of the labelled data (residual-policy.ts `FeatureRange`): `defer`
     * plays the rule there, `extrapolate` trusts the network everywhere.
     */
    outOfRange: z.enum(['defer', 'extrapolate']).default('extrapolate'),
    /** The rule's prior (rule-prior.ts): largest gap in reward units (0 = no prior, plain imitation) and temperature. */
    prior: z
      .object({ rule: z.enum(['sla-greedy', 'lookahead']).default('sla-greedy'), scale: z.number().nonnegative().default(1), temperature: z.number().positive().default(1) })
      .strict()
      .default({}),
  })
  .strict();

export type DaggerConfig = z.infer<typeof DaggerFields>;
