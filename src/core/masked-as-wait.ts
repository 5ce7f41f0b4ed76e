/**
 * A wrapper that turns a masked action into Wait instead of an error. Learners that never read the mask
 * (Stable-Baselines3's DQN, most of Gymnasium's ecosystem) pick in-space actions that the mask forbids, e.g. a second
 * migration while one is in flight; the {@link Env} contract throws {@link InvalidActionError} for those, which ends
 * their training. Here such an action is executed as Wait (action 0, always legal) and `info.maskedAction` says so.
 *
 * Actions outside the action space still throw: they are a caller's bug, not a policy's choice.
 */
import type { Env, ResetOptions, ResetResult, StepInfo, StepResult } from './env.js';

/** What a served env does with a masked action: `error` keeps the {@link Env} contract, `wait` wraps it in {@link MaskedAsWait}. */
export type MaskedActionMode = 'wait' | 'error';

/** The info of a {@link MaskedAsWait} env. */
export interface MaskedAsWaitInfo extends StepInfo {
  /** The action given to the last `step` was masked and was executed as Wait. False after `reset`. */
  maskedAction: boolean;
}

export class MaskedAsWait<O = Float64Array> implements Env<O> {
  get observationSpace() {
    return this.env.observationSpace;
  }
  get actionSpace() {
    return this.env.actionSpace;
  }
  /** The action given to the last `step` was masked and executed as Wait (the same as `info.maskedAction`). */
  lastStepMasked = false;
  /** The mask of the current state: the inner env's, which it overwrites on every call. */
  private mask: Uint8Array | undefined;

  constructor(readonly env: Env<O>) {}

  reset(options?: ResetOptions): ResetResult<O> {
    const r = this.env.reset(options);
    this.mask = r.info.actionMask;
    this.lastStepMasked = false;
    // The inner env owns `info`; the extra field is allowed by StepInfo's index signature and set on every call.
    (r.info as MaskedAsWaitInfo).maskedAction = false;
    return r;
  }

  step(action: number): StepResult<O> {
    const masked = this.mask !== undefined && Number.isInteger(action) && action > 0 && action < this.mask.length && this.mask[action] !== 1;
    const r = this.env.step(masked ? 0 : action);
    this.mask = r.info.actionMask;
    this.lastStepMasked = masked;
    (r.info as MaskedAsWaitInfo).maskedAction = masked;
    return r;
  }

  close(): void {
    this.env.close();
  }
}
