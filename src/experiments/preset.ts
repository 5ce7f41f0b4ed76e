/**
 * `--preset paper|edge` on `train`, `sweep` and `reproduce`: one product preset (`product.ts`) resolved into the
 * flags a results table needs, so each table is one command. Explicit flags override the preset field by field.
 * The unseen families (`twin/family-scenarios.ts`) of the preset's model are evaluated beside its test days,
 * tagged `unseen` so `sweep` reports them in a table of their own.
 */
import type { TrainConfigFile } from '../agents/config.js';
import { InvalidInputError } from '../core/errors.js';
import { unseenScenarioNames } from '../twin/index.js';
import { PRODUCT_PRESETS, type ProductModel, type ProductPreset } from './product.js';
import type { EvalScenario } from './sweep.js';

export const PRESET_NAMES = Object.keys(PRODUCT_PRESETS) as ProductModel[];

/** The family prefix of each model: its unseen scenarios are `<prefix>-unseen-<family>`. */
const FAMILY_PREFIX: Record<ProductModel, string> = { paper: 'sr111', edge: 'sr111-edge' };

/** The preset named `name`, or a one-line error naming the flag, the names and what was given. */
export function presetNamed(name: string, source: string): ProductPreset & { unseen: string[] } {
  if (!(PRESET_NAMES as string[]).includes(name)) throw new InvalidInputError({ source, field: '--preset', expected: `one of ${PRESET_NAMES.join(', ')}`, actual: JSON.stringify(name) });
  const model = name as ProductModel;
  return { ...PRODUCT_PRESETS[model], unseen: unseenScenarioNames(FAMILY_PREFIX[model]) };
}

/** What `sweep` takes from the command line that a preset can supply. */
export interface SweepPresetFlags {
  scenario?: string;
  steps?: number;
  eval?: EvalScenario[];
  validate?: string;
  validateEpisodes?: number;
  config?: TrainConfigFile;
  /** The agent asked for: `dagger` takes the preset's residual settings (`ProductPreset.residual`). */
  agent?: string;
}

/**
 * The sweep's settings: each explicit flag, else the preset's value (scenario, steps, validation, its test days
 * tagged `test` and its unseen families tagged `unseen`, hyperparameters; with `agent: 'dagger'` the residual
 * agent's), else nothing (the command's defaults).
 */
export function resolveSweepPreset(preset: string | undefined, flags: SweepPresetFlags, source = 'remora sweep'): SweepPresetFlags {
  if (preset === undefined) return flags;
  const p = presetNamed(preset, source);
  const evals: EvalScenario[] = [...p.test.map((scenario) => ({ scenario, role: 'test' as const })), ...p.unseen.map((scenario) => ({ scenario, role: 'unseen' as const }))];
  const a = flags.agent === 'dagger' ? p.residual : { config: p.config, steps: p.steps, validation: p.validation, validateEpisodes: p.validateEpisodes };
  return {
    scenario: flags.scenario ?? p.scenario,
    steps: flags.steps ?? a.steps,
    eval: flags.eval ?? evals,
    validate: flags.validate ?? a.validation,
    validateEpisodes: flags.validateEpisodes ?? a.validateEpisodes,
    config: flags.config ?? structuredClone(a.config),
    ...(flags.agent !== undefined ? { agent: flags.agent } : {}),
  };
}
