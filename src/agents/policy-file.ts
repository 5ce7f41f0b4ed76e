/**
 * Model files: `model.json` (a versioned header) next to `model.bin` (the weights, little-endian float32, in the
 * order of `weights.tensors`). Loading validates everything — format and version, architecture, that the tensor
 * table matches the architecture, byte length and sha256 of the weights, finiteness — and refuses a bad file with
 * one {@link InvalidInputError} line (`<file>: <field>: expected …, got …`), never a stack trace.
 *
 * `loadPolicy(path)` is the entry point for consumers (the Kubernetes controller imports it dynamically).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { Policy } from '../core/env.js';
import { InvalidInputError } from '../core/errors.js';
import { actionLabels, observationLabels, observationLength } from '../core/observation.js';
import { parseWith } from '../core/validate.js';
import { VERSION } from '../core/version.js';
import type { Vec } from '../nn/backend.js';
import { createBackend } from '../nn/create-backend.js';
import { createNetwork, paramLayout, validateArchitecture, type ArchitectureSpec, type Network } from '../nn/network.js';
import { featureSize, featuresPerNode, RTT_SCALE_MS, type FeatureLayout, type FeatureSet } from './features.js';
import { FixedNormalizer, normalizerKinds } from './normalizer.js';
import { QPolicy } from './q-policy.js';
import { plannerFor, ResidualQPolicy, type Deployment } from './residual-policy.js';
import { SCALE_FREE_FEATURES } from './scale-free-features.js';
import type { NodeSequenceNetwork } from '../nn/node-sequence.js';

export const POLICY_FORMAT = 'remora-policy';
/** Bump on any incompatible change of the header or the weight layout. */
export const POLICY_FORMAT_VERSION = 1;

const posInt = z.number().int().positive();
const ArchitectureSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mlp'), inputSize: posInt, hidden: z.array(posInt), outputs: posInt }).strict(),
  z.object({ kind: z.literal('lstm-mlp'), inputSize: posInt, steps: posInt, lstmUnits: posInt, hidden: z.array(posInt), outputs: posInt }).strict(),
  z.object({ kind: z.literal('node-seq'), featureSize: posInt, context: z.enum(['attention', 'lstm', 'none']), contextUnits: posInt, hidden: z.array(posInt), nodes: posInt }).strict(),
]);

export const PolicyHeaderSchema = z
  .object({
    format: z.literal(POLICY_FORMAT),
    formatVersion: z.literal(POLICY_FORMAT_VERSION),
    packageVersion: z.string(),
    agent: z.enum(['dqn', 'sarsa', 'dagger']),
    architecture: ArchitectureSchema,
    dueling: z.boolean(),
    /** `set`: the feature set (features.ts; absent in files written before it existed = `paper`). */
    features: z.object({ layout: z.enum(['flat', 'node-sequence']), set: z.enum(['paper', 'reward-terms', 'advised', 'scale-free']).default('paper'), window: posInt, rttScaleMs: z.number().positive(), encoding: z.string() }).strict(),
    /**
     * Frozen running statistics of the encoded features (`observationNorm: 'running'`, normalizer.ts), one per
     * feature (flat) or per feature of a node (node-sequence). Absent: the fixed encoding alone, as before.
     */
    normalizer: z.object({ mean: z.array(z.number()), std: z.array(z.number().positive()) }).strict().optional(),
    /**
     * The rule a residual agent (`dagger`) adds its network's output to (rule-prior.ts), with the prior's shape and
     * the SLA and migration cost the rule and the scale-free features read (the training scenario's).
     */
    prior: z.object({ rule: z.enum(['sla-greedy', 'lookahead']), scale: z.number().nonnegative(), temperature: z.number().positive(),
      /** Deviation margin (residual-policy.ts `residualArgmax`), chosen with the checkpoint; absent in older files = 0. */
      margin: z.number().nonnegative().default(0),
      /**
       * Feature bounds of the fitted states, one per scale-free feature; outside them the policy plays its rule.
       * null: no state was labelled (an empty range, so the policy is its rule everywhere).
       */
      range: z.object({ lo: z.array(z.number().nullable()), hi: z.array(z.number().nullable()) }).strict().optional(),
      /** What the `lookahead` rule plans with: the training scenario's migration model and RTT floor. */
      planner: z.object({ rttBaseMs: z.number().positive(), migration: z.object({ durationSteps: z.number().int().nonnegative(), spikeMs: z.number().nonnegative(), trafficCost: z.number().nonnegative(), violationPenalty: z.number().nonnegative(), terminateOnViolation: z.boolean() }).strict() }).strict().optional(),
      reward: z.object({ rttSla: z.object({ min: z.number(), max: z.number() }).strict(), loadSla: z.object({ min: z.number(), max: z.number() }).strict(), migrationCost: z.number() }).strict() }).strict().optional(),
    /** `inFlight`: the edge model's in-flight block follows the loads (absent in files written before it existed). */
    observation: z.object({ nodes: posInt, inFlight: z.boolean().default(false), length: posInt, labels: z.array(z.string()) }).strict(),
    actions: z.object({ n: posInt, labels: z.array(z.string()) }).strict(),
    training: z.object({ scenario: z.string(), seed: z.number().int(), steps: z.number().int().nonnegative(), episodes: z.number().int().nonnegative(), updates: z.number().int().nonnegative(), meanReward: z.number().nullable(), config: z.record(z.unknown()),
      /** The checkpoint kept: chosen on validation days, never on test days (absent: the last weights). */
      selection: z.object({ step: z.number().int().nonnegative(), scenario: z.string(), episodes: z.number().int().positive(), pctOfOracle: z.number(), return: z.number() }).strict().optional() }).strict(),
    weights: z
      .object({
        file: z.string().min(1),
        dtype: z.literal('float32'),
        count: z.number().int().nonnegative(),
        byteLength: z.number().int().nonnegative(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        tensors: z.array(z.object({ name: z.string(), shape: z.array(posInt), offset: z.number().int().nonnegative() }).strict()),
      })
      .strict(),
  })
  .strict();

export type PolicyHeader = z.infer<typeof PolicyHeaderSchema>;

/** What to save besides the weights. */
export interface SaveModelInput {
  agent: PolicyHeader['agent'];
  architecture: ArchitectureSpec;
  dueling: boolean;
  layout: FeatureLayout;
  window: number;
  nodes: number;
  /** Observations carry the edge model's in-flight block. */
  inFlight: boolean;
  /** Feature set the network reads. */
  featureSet: PolicyHeader['features']['set'];
  params: Vec;
  /** The residual agent's rule prior (see the header's `prior`). */
  prior?: PolicyHeader['prior'];
  training: PolicyHeader['training'];
  /** Feature statistics the weights were trained with (`observationNorm: 'running'`); omitted otherwise. */
  normalizer?: { mean: ArrayLike<number>; std: ArrayLike<number> } | null;
}

const ENCODING = 'per node: isCurrent, R/rttScaleMs - 1, ln(L) - 1 (+ M/30 s with the in-flight block, + the reward-terms set; src/agents/features.ts)';
const SCALE_FREE_ENCODING = 'per node: the scale-free set of src/agents/scale-free-features.ts (relative to the prior\'s SLA)';

/** Writes `<dir>/model.json` and `<dir>/model.bin`; returns the model.json path. */
export function saveModel(dir: string, m: SaveModelInput): string {
  mkdirSync(dir, { recursive: true });
  const f32 = new Float32Array(m.params.length);
  for (let i = 0; i < f32.length; i++) f32[i] = m.params[i];
  const bytes = new Uint8Array(f32.buffer);
  const { specs } = paramLayout(m.architecture);
  const header: PolicyHeader = {
    format: POLICY_FORMAT,
    formatVersion: POLICY_FORMAT_VERSION,
    packageVersion: VERSION,
    agent: m.agent,
    architecture: m.architecture,
    dueling: m.dueling,
    features: { layout: m.layout, set: m.featureSet, window: m.window, rttScaleMs: RTT_SCALE_MS, encoding: m.featureSet === 'scale-free' ? SCALE_FREE_ENCODING : ENCODING },
    ...(m.prior ? { prior: m.prior } : {}),
    ...(m.normalizer ? { normalizer: { mean: Array.from(m.normalizer.mean), std: Array.from(m.normalizer.std) } } : {}),
    observation: { nodes: m.nodes, inFlight: m.inFlight, length: observationLength(m.nodes, m.inFlight), labels: observationLabels(m.nodes, m.inFlight) },
    actions: { n: m.nodes + 1, labels: actionLabels(m.nodes) },
    training: m.training,
    weights: {
      file: 'model.bin',
      dtype: 'float32',
      count: f32.length,
      byteLength: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      tensors: specs.map((s) => ({ name: s.name, shape: s.shape, offset: s.offset })),
    },
  };
  writeFileSync(join(dir, 'model.bin'), bytes);
  const path = join(dir, 'model.json');
  writeFileSync(path, JSON.stringify(header, null, 2) + '\n');
  return path;
}

/** A loaded, validated model. */
export interface LoadedModel {
  path: string;
  header: PolicyHeader;
  /** float32 weights as stored. */
  weights: Float32Array;
  /** A fresh network (batch 1) holding the weights. */
  network: Network;
  /**
   * A fresh greedy policy over the network. `deployment`: the SLA and migration model of where it runs (a scenario's, a cluster's), which a
   * residual agent's rule and scale-free features read, as the rule itself would; without it they read the
   * training scenario's (the file's `prior`). A plain DQN/SARSA network ignores it: its encoding is fixed.
   */
  policy(deployment?: Deployment): Policy;
}

function bad(source: string, field: string, expected: string, actual: string): InvalidInputError {
  return new InvalidInputError({ source, field, expected, actual });
}

/** Read and validate a model file. Throws a one-line InvalidInputError for anything wrong. */
export function loadModel(path: string): LoadedModel {
  const src = resolve(path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(src, 'utf8'));
  } catch (e) {
    const msg = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message.split('\n')[0]!;
    throw bad(src, '(file)', 'a Remora model.json (JSON)', msg);
  }
  if (raw && typeof raw === 'object' && (raw as Record<string, unknown>).format === 'layers-model') {
    throw bad(src, 'format', `"${POLICY_FORMAT}" (this is a TF.js export; load the Remora model.json it was exported from)`, '"layers-model"');
  }
  if (raw && typeof raw === 'object' && typeof (raw as Record<string, unknown>).formatVersion === 'number' && (raw as Record<string, unknown>).formatVersion !== POLICY_FORMAT_VERSION) {
    throw bad(src, 'formatVersion', `${POLICY_FORMAT_VERSION} (written by remora ${VERSION})`, String((raw as Record<string, unknown>).formatVersion));
  }
  const header = parseWith(PolicyHeaderSchema, raw, src);
  const arch = header.architecture as ArchitectureSpec;
  try {
    validateArchitecture(arch);
  } catch (e) {
    throw bad(src, 'architecture', 'a valid architecture', (e as Error).message);
  }
  const N = header.observation.nodes;
  const inFlight = header.observation.inFlight;
  const len = observationLength(N, inFlight);
  if (header.observation.length !== len) throw bad(src, 'observation.length', `${inFlight ? 3 : 2}·nodes + 1 = ${len}`, String(header.observation.length));
  if (header.actions.n !== N + 1) throw bad(src, 'actions.n', `nodes + 1 = ${N + 1}`, String(header.actions.n));
  const outputs = arch.kind === 'node-seq' ? N + 1 : arch.outputs;
  if (outputs !== N + 1 + (header.dueling ? 1 : 0)) throw bad(src, 'architecture.outputs', `${N + 1 + (header.dueling ? 1 : 0)} for ${N} nodes${header.dueling ? ' (dueling)' : ''}`, String(outputs));
  const inputs = arch.kind === 'node-seq' ? arch.featureSize : arch.inputSize;
  const set = header.features.set;
  const residual = header.agent === 'dagger';
  if (residual !== (set === 'scale-free') || residual !== (header.prior !== undefined) || (residual && arch.kind !== 'node-seq')) {
    throw bad(src, 'agent', 'dagger with a node-seq network, the scale-free features and a prior, or dqn/sarsa without them', `${header.agent} with ${arch.kind}, features ${set}, ${header.prior ? 'a' : 'no'} prior`);
  }
  // A stacked MLP (network window W > 1) reads W observations at once.
  const expectIn = set === 'scale-free' ? SCALE_FREE_FEATURES : arch.kind === 'node-seq' ? featuresPerNode(inFlight, set) : featureSize(N, inFlight, set) * (arch.kind === 'mlp' ? header.features.window : 1);
  if (inputs !== expectIn) throw bad(src, 'architecture.inputSize', `${expectIn} features for ${N} nodes`, String(inputs));
  if (arch.kind === 'lstm-mlp' && header.features.window !== arch.steps) throw bad(src, 'features.window', `the LSTM length ${arch.steps}`, String(header.features.window));
  if (header.features.rttScaleMs !== RTT_SCALE_MS) throw bad(src, 'features.rttScaleMs', String(RTT_SCALE_MS), String(header.features.rttScaleMs));
  const norm = header.normalizer;
  if (norm) {
    const kinds = normalizerKinds(header.features.layout, N, inFlight);
    const per = header.features.layout === 'flat' ? `one per feature for ${N} nodes` : 'one per feature of a node';
    if (norm.mean.length !== kinds) throw bad(src, 'normalizer.mean', `${kinds} numbers (${per})`, `${norm.mean.length}`);
    if (norm.std.length !== kinds) throw bad(src, 'normalizer.std', `${kinds} numbers (${per})`, `${norm.std.length}`);
  }
  const { specs, total } = paramLayout(arch);
  const w = header.weights;
  if (w.count !== total) throw bad(src, 'weights.count', `${total} for this architecture`, String(w.count));
  if (w.byteLength !== 4 * total) throw bad(src, 'weights.byteLength', String(4 * total), String(w.byteLength));
  if (w.tensors.length !== specs.length) throw bad(src, 'weights.tensors', `${specs.length} tensors`, String(w.tensors.length));
  specs.forEach((s, i) => {
    const t = w.tensors[i]!;
    if (t.name !== s.name || t.offset !== s.offset || t.shape.join('x') !== s.shape.join('x')) {
      throw bad(src, `weights.tensors[${i}]`, `${s.name} [${s.shape.join('x')}] at ${s.offset}`, `${t.name} [${t.shape.join('x')}] at ${t.offset}`);
    }
  });
  const binPath = resolve(dirname(src), w.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(binPath);
  } catch {
    throw bad(src, 'weights.file', `a readable weights file ${binPath}`, 'no such file');
  }
  if (bytes.length !== w.byteLength) throw bad(binPath, '(size)', `${w.byteLength} bytes`, `${bytes.length} bytes (truncated or wrong file)`);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== w.sha256) throw bad(binPath, '(sha256)', `${w.sha256} from model.json`, `${sha} (corrupted or mismatched weights)`);
  const weights = new Float32Array(total);
  new Uint8Array(weights.buffer).set(bytes);
  for (let i = 0; i < total; i++) {
    if (!Number.isFinite(weights[i]!)) throw bad(binPath, `weights[${i}]`, 'finite numbers', String(weights[i]));
  }
  const network = createNetwork(arch, { backend: createBackend('float32', undefined, 4 * 1024 * 1024), maxRows: 1 });
  network.params.set(weights);
  const layout = header.features.layout;
  const window = header.features.window;
  const prior = header.prior;
  if (set === 'scale-free') {
    if (!prior) throw bad(src, 'prior', 'the rule prior of a residual agent', 'none');
    if (prior.rule === 'lookahead' && !prior.planner) throw bad(src, 'prior.planner', 'the migration model and RTT floor of a lookahead prior', 'none');
    return { path: src, header, weights, network, policy: (d?: Deployment) => {
      const plan = d ? plannerFor(d) : prior.planner;
      const range = prior.range && { lo: Float64Array.from(prior.range.lo, (v) => v ?? Infinity), hi: Float64Array.from(prior.range.hi, (v) => v ?? -Infinity) };
      return new ResidualQPolicy(network as NodeSequenceNetwork, d?.reward ?? prior.reward, prior, inFlight, plan, 'dagger', prior.margin, range);
    } };
  }
  return {
    path: src,
    header,
    weights,
    network,
    policy: () => new QPolicy(header.agent, network, layout, window, N, header.dueling, inFlight, norm ? new FixedNormalizer(Float64Array.from(norm.mean), Float64Array.from(norm.std)) : null, set),
  };
}

/** Load a trained policy from a `model.json` (validated; see {@link loadModel}). */
export async function loadPolicy(path: string): Promise<Policy> {
  return loadModel(path).policy();
}
