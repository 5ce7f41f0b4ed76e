/**
 * The controller's config file (`remora.yaml`), validated with zod. Every object is strict: an unknown or
 * misspelled key is an error naming the file, the key path, what was expected and what arrived.
 * Field docs are the reference; src/cluster/README.md shows a full example.
 */
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { InvalidInputError } from '../core/errors.js';
import { PAPER_REWARD_PARAMS, type RewardParams } from '../core/reward.js';
import { parseWith } from '../core/validate.js';

const positiveMs = z.number().int().positive();
const url = z.string().url();

const prometheusLoad = z
  .object({
    /** Prometheus base URL, e.g. `http://prometheus:9090`. */
    url,
    /** Instant query returning CPU utilisation in [0,1] per node. */
    cpuQuery: z.string().default('1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[1m]))'),
    /** Instant query returning memory utilisation in [0,1] per node. */
    memQuery: z.string().default('1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes'),
    /** Label of the result series that holds the node name. */
    nodeLabel: z.string().default('instance'),
    /** Optional map from that label's value to the Kubernetes node name (e.g. `10.0.0.1:9100: edge-1`). */
    nodeMap: z.record(z.string()).default({}),
    timeoutMs: positiveMs.default(5000),
  })
  .strict();

const loadSource = z.discriminatedUnion('source', [
  z.object({ source: z.literal('metrics-server') }).strict(),
  /** Each kubelet's Summary API through the apiserver's node proxy (needs `get nodes/proxy`); no metrics-server needed. */
  z
    .object({
      source: z.literal('kubelet-summary'),
      timeoutMs: positiveMs.default(3000),
      /**
       * `node`: the kubelet's node-level figures (one kubelet per machine). `containers`: the sum over the node's
       * containers, for kubelets that share one host (the lab in src/lab), where each reports the whole machine as node.
       */
      scope: z.enum(['node', 'containers']).default('node'),
    })
    .strict(),
  z.object({ source: z.literal('prometheus'), prometheus: prometheusLoad }).strict(),
]);

const rttSource = z.discriminatedUnion('source', [
  z
    .object({
      source: z.literal('http-json'),
      /** URL template; `{user}` is replaced (URL-encoded). Response format: see README. */
      url: z.string().min(1),
      /**
       * Batch form (the fleet path, `fleet.enabled`): one `POST <batchUrl>` per tick with `{"users":[...],"nodes":[...]}`,
       * answered with `{"users":{"<user>":{"samples":[...]}}}` (each user's samples as for `url`). Unset: one GET per user.
       */
      batchUrl: z.string().url().optional(),
      timeoutMs: positiveMs.default(3000),
    })
    .strict(),
  z
    .object({
      source: z.literal('prometheus'),
      url,
      /** Instant query template; `{user}` is replaced. One series per node, value in ms. */
      query: z.string().default('remora_user_rtt_ms{user="{user}"}'),
      nodeLabel: z.string().default('node'),
      /**
       * Batch form (the fleet path, `fleet.enabled`): one instant query per tick for every user, one series per
       * (user, node), the user in `userLabel`. Unset: one query per user.
       */
      batchQuery: z.string().min(1).optional(),
      userLabel: z.string().default('user'),
      timeoutMs: positiveMs.default(3000),
    })
    .strict(),
  z
    .object({
      source: z.literal('tcp-probe'),
      /** Per node, the `host:port` to TCP-connect to; `{user}` is replaced. */
      targets: z.record(z.string().min(1)),
      timeoutMs: positiveMs.default(1000),
    })
    .strict(),
  z
    .object({
      source: z.literal('mec013'),
      /** Base URL of the MEC 013 Location API, up to and excluding `/location/...`. */
      url,
      apiVersion: z.enum(['v2', 'v3']).default('v2'),
      /** Optional bearer token for the MEC platform. */
      bearerToken: z.string().optional(),
      /** Geographic position of each edge node (its cell site). */
      nodePositions: z.record(z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }).strict()),
      /** RTT model: `baseRttMs + msPerKm * distanceKm` (the paper's RTT is linear in UE–cell distance). */
      baseRttMs: z.number().nonnegative().default(1),
      msPerKm: z.number().positive().default(1),
      timeoutMs: positiveMs.default(3000),
    })
    .strict(),
]);

export const controllerConfigSchema = z
  .object({
    /** Namespace of the controller (its Lease lives here). */
    namespace: z.string().min(1).default('remora-system'),
    /** Candidate edge nodes N_1..N_N, in observation order. Must match the policy's N. */
    nodes: z.array(z.string().min(1)).min(1),
    /** Decision period, ms. */
    tickMs: positiveMs.default(5000),
    workloads: z
      .object({
        /** Label selector for opted-in workloads (VMIs and pods). */
        labelSelector: z.string().min(1).default('remora.io/managed=true'),
        /**
         * Also opt in objects annotated `<this key>: "true"` (for workloads whose labels you cannot change).
         * Costs a full list of VMIs/pods per tick in the managed namespaces, so it is off by default.
         */
        optInAnnotation: z.string().min(1).optional(),
        /** Namespaces to watch; empty = all namespaces. */
        namespaces: z.array(z.string().min(1)).default([]),
        /** Which workload kinds to manage. */
        kinds: z.array(z.enum(['vm', 'pod'])).min(1).default(['vm', 'pod']),
      })
      .strict()
      .default({}),
    observation: z
      .object({
        /** Observations older than this force Wait. */
        maxAgeMs: positiveMs.default(15_000),
        /**
         * Load observations older than this force Wait (default: `maxAgeMs`). Load sources sample more slowly
         * than RTT probes: a kubelet's Summary API refreshes its CPU figure every ~10 s (cAdvisor housekeeping),
         * metrics-server every 15-60 s. Without this, one budget had to be the slower source's.
         */
        loadMaxAgeMs: positiveMs.optional(),
        /** Eq.1: number of last RTT samples averaged per (user, node). */
        rttWindow: z.number().int().min(1).max(1000).default(5),
        load: loadSource.default({ source: 'metrics-server' }),
        rtt: rttSource,
      })
      .strict(),
    migration: z
      .object({
        /** Cluster-wide cap on concurrent in-flight migrations (migration storms). */
        maxConcurrent: z.number().int().min(1).default(2),
        /** Per-workload minimum time between the end of one migration and the start of the next. */
        cooldownMs: z.number().int().nonnegative().default(60_000),
        /** In-flight migrations older than this are cancelled (VMIM deleted). */
        timeoutMs: positiveMs.default(300_000),
        dryRun: z.boolean().default(false),
        kubevirt: z
          .object({
            /** `addedNodeSelector` (KubeVirt >= 1.6) or `labelMove` (older KubeVirt; the paper's fallback). */
            mode: z.enum(['addedNodeSelector', 'labelMove']).default('addedNodeSelector'),
            /** labelMove: label key the VMI's nodeSelector requires; moved from source to target node. */
            labelKey: z.string().default('remora.io/edge-host'),
            hostnameLabel: z.string().default('kubernetes.io/hostname'),
          })
          .strict()
          .default({}),
        pod: z
          .object({
            backend: z.enum(['recreate', 'podmigration', 'checkpoint']).default('recreate'),
            /** podmigration: the CR's `spec.action`. */
            podmigrationAction: z.string().default('live-migration'),
            /**
             * checkpoint: image the restored pod runs, built from the checkpoint archive by an external builder.
             * `{namespace}`, `{pod}`, `{container}`, `{archive}` (basename) are replaced.
             */
            checkpointImage: z.string().default('localhost/checkpoint-{pod}-{container}:latest'),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    /**
     * The controller at fleet scale (beyond the paper, which follows one UE). Off: one policy call per
     * workload, workloads listed every tick. On: workloads from a watch-fed cache, RTTs for all users in one batch
     * (where the source has a batch form), every workload scored in one batched pass, and the coordinated step
     * (`src/agents/coordination.ts`) picks the migrations, highest gain first, within the caps. See README "At fleet scale".
     */
    fleet: z
      .object({
        enabled: z.boolean().default(false),
        /** KubeVirt's `parallelOutboundMigrationsPerNode`: migrations leaving one node at once. The cluster-wide cap is `migration.maxConcurrent`. */
        maxOutboundPerNode: z.number().int().min(1).default(2),
        /**
         * Highest projected cpu use of a target (requests of the managed workloads on it, plus in-flight arrivals,
         * over its allocatable cpu) a migration may reach. 0.9 leaves a tenth as headroom (a choice; configurable).
         */
        targetCeiling: z.number().positive().max(1).default(0.9),
        /** Candidate moves with a gain at or below this (the scorer's units) are not worth a move. */
        minGain: z.number().min(0).default(0),
        /** Targets offered per workload to the coordinated step (its best ones), so a full node leaves a second choice. */
        candidatesPerWorkload: z.number().int().min(1).max(16).default(3),
        /** CPU demand of a workload that requests none (millicores). */
        defaultDemandMillicores: z.number().positive().default(100),
        /** Workloads per forward pass of a network scorer (bounds its buffers; all workloads are scored each tick). */
        batchRows: z.number().int().min(1).max(65536).default(512),
        /** Events recorded concurrently (deferrals at fleet scale; each is de-duplicated). */
        eventConcurrency: z.number().int().min(1).max(256).default(16),
      })
      .strict()
      .default({}),
    /**
     * The SLA the greedy rules score with (Eq. 4-7: R_min..R_max ms, L_min..L_max, the migration cost). The
     * defaults are the paper's (Sec. IV, Fig. 6), as in the twin's built-in scenarios; an operator whose users need
     * a tighter RTT bound sets it here, so `sla-greedy` and `greedy` rank nodes against that bound.
     */
    sla: z
      .object({
        rttMs: z.object({ min: z.number().nonnegative().default(PAPER_REWARD_PARAMS.rttSla.min), max: z.number().positive().default(PAPER_REWARD_PARAMS.rttSla.max) }).strict().default({}),
        load: z.object({ min: z.number().min(1).default(PAPER_REWARD_PARAMS.loadSla.min), max: z.number().min(1).default(PAPER_REWARD_PARAMS.loadSla.max) }).strict().default({}),
        migrationCost: z.number().nonnegative().default(PAPER_REWARD_PARAMS.migrationCost),
      })
      .strict()
      .default({}),
    leaderElection: z
      .object({
        enabled: z.boolean().default(true),
        leaseName: z.string().min(1).default('remora-controller'),
        leaseDurationMs: positiveMs.default(15_000),
        renewPeriodMs: positiveMs.default(5_000),
      })
      .strict()
      .default({}),
    metrics: z
      .object({
        /** Port of `/metrics`, `/healthz`, `/readyz`; 0 = ephemeral (tests). */
        port: z.number().int().min(0).max(65535).default(9090),
        bindAddress: z.string().default('0.0.0.0'),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (new Set(c.nodes).size !== c.nodes.length) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['nodes'], message: 'node names must be unique' });
    if (c.leaderElection.renewPeriodMs >= c.leaderElection.leaseDurationMs) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['leaderElection', 'renewPeriodMs'], message: 'must be < leaseDurationMs' });
    }
    for (const [k, r] of [['rttMs', c.sla.rttMs], ['load', c.sla.load]] as const) {
      if (r.min >= r.max) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['sla', k, 'min'], message: `a number < sla.${k}.max (${r.max})` });
    }
    const rtt = c.observation.rtt;
    const perNode = rtt.source === 'tcp-probe' ? rtt.targets : rtt.source === 'mec013' ? rtt.nodePositions : undefined;
    if (perNode) for (const n of c.nodes) if (!(n in perNode)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['observation', 'rtt', rtt.source === 'tcp-probe' ? 'targets' : 'nodePositions', n], message: `an entry for node ${n}` });
  });

export type ControllerConfig = z.infer<typeof controllerConfigSchema>;
export type ControllerConfigInput = z.input<typeof controllerConfigSchema>;

/**
 * Validate a parsed config object; throws {@link InvalidInputError} naming `source`, the field, expected and
 * actual, worded by core's one zod translator (`parseWith`), like every other config in the repo.
 */
export function parseControllerConfig(raw: unknown, source: string): ControllerConfig {
  return parseWith(controllerConfigSchema, raw, source);
}

/** The reward parameters (Eq. 4-8) the controller's rules score with: the config's SLA. */
export function slaRewardParams(c: Pick<ControllerConfig, 'sla'>): RewardParams {
  return { rttSla: { ...c.sla.rttMs }, loadSla: { ...c.sla.load }, migrationCost: c.sla.migrationCost };
}

/** Parse YAML text (a file's contents) and validate it. */
export function loadControllerConfig(text: string, source: string): ControllerConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new InvalidInputError({ source, field: '(yaml)', expected: 'valid YAML', actual: (e as Error).message.split('\n')[0]! }, { cause: e });
  }
  return parseControllerConfig(raw, source);
}
