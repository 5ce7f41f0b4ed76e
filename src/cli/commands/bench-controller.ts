import { baselineRegistry } from '../../agents/registry.js';
import { PAPER_REWARD_PARAMS } from '../../core/reward.js';
import { benchController } from '../../cluster/bench.js';
import { bulkScorerFor } from '../../cluster/bulk-score.js';
import { InvalidInputError } from '../../core/errors.js';
import { defineCommand } from '../command.js';

export const benchControllerCommand = defineCommand({
  name: 'bench controller',
  summary: "Measure the fleet controller's tick: the decide phase (no API I/O) and a full tick on a real kube-apiserver",
  usage: '[--users 10000] [--nodes 100] [--policy sla-greedy] [--ticks 10] [--shards N] [--decide-only] [--json]',
  details: `The decide phase (gates, one batched scoring pass, the coordinated step) runs in memory on a synthetic metro edge;
goal <= 100 ms per tick at 10k users x 100 nodes. The full tick creates the same fleet as pods on a real kube-apiserver
(the test harness; built from the Go module proxy by scripts/build-control-plane.sh, cached) and times the controller's
whole tick with 10k workloads in its watch-fed cache; goal <= 1 s. Without an apiserver that figure is omitted, with
one stderr line saying why. With --shards N the workloads are split by the sharded controller's hash: the decide phase
is timed per shard over its range, and N sharded controllers (own Lease each, one shared cap budget) tick in turn.
See src/cluster/README.md "At fleet scale" and docs/scaling.md.`,
  flags: {
    users: { type: 'integer', description: 'Users (one pod workload each)', default: 10_000 },
    nodes: { type: 'integer', description: 'Edge nodes', default: 100 },
    policy: { type: 'string', description: 'Policy with a batch form (follow-me, greedy, sla-greedy, never) a model.json with window 1, or a fleet-model.json (remora train --fleet)', default: 'sla-greedy', placeholder: '<name|model.json>' },
    ticks: { type: 'integer', description: 'Measured ticks per figure (after warm-up)', default: 10 },
    shards: { type: 'integer', description: 'Split the workloads over N shards (decide and full tick per shard)', default: 1 },
    seed: { type: 'integer', description: 'Seed of the synthetic fleet', default: 1 },
    'decide-only': { type: 'boolean', description: 'Skip the full tick on the apiserver', default: false },
    json: { type: 'boolean', description: 'Print {"users","nodes","decideMsPerTick","fullTickMs",...} as JSON' },
  },
  async run({ flags }, io) {
    for (const [flag, v, max] of [['--users', flags.users, 1_000_000], ['--nodes', flags.nodes, 10_000], ['--ticks', flags.ticks, 10_000], ['--shards', flags.shards, 64]] as const) {
      if (v < 1 || v > max) throw new InvalidInputError({ source: 'remora bench controller', field: flag, expected: `an integer in [1, ${max}]`, actual: String(v) });
    }
    const scorer = bulkScorerFor(flags.policy, baselineRegistry(), { nodes: flags.nodes, reward: PAPER_REWARD_PARAMS, batchRows: 512, cwd: io.cwd });
    const r = await benchController(
      { users: flags.users, nodes: flags.nodes, ticks: flags.ticks, seed: flags.seed, scorer, shards: flags.shards, decideOnly: flags['decide-only'], log: (l) => io.err(`${l}\n`) },
      (l) => io.err(`${l}\n`),
    );
    const ordered = { users: r.users, nodes: r.nodes, decideMsPerTick: r.decideMsPerTick, ...(r.fullTickMs !== undefined ? { fullTickMs: r.fullTickMs, fullTickCpuMs: r.fullTickCpuMs } : {}), decideWallMsPerTick: r.decideWallMsPerTick, policy: r.policy, scored: r.scored, moves: r.moves, deferred: r.deferred, ...(r.coldTickMs !== undefined ? { coldTickMs: r.coldTickMs, setupS: r.setupS } : {}), ...(r.shardSizes ? { shards: flags.shards, shardSizes: r.shardSizes, decideMsPerShard: r.decideMsPerShard } : {}), ...(r.fullTickMsPerShard ? { fullTickMsPerShard: r.fullTickMsPerShard } : {}) };
    if (flags.json) io.out(JSON.stringify(ordered) + '\n');
    else {
      io.out(`${r.users} users x ${r.nodes} nodes, ${r.policy}: decide phase ${r.decideMsPerTick} ms/tick (goal <= 100 ms; ${r.scored} scored, ${r.moves} moves, deferred ${JSON.stringify(r.deferred)})\n`);
      if (r.decideMsPerShard) io.out(`${flags.shards} shards of ${r.shardSizes!.join('/')} workloads: decide ${r.decideMsPerShard.join(' / ')} ms per shard${r.fullTickMsPerShard ? `; full tick ${r.fullTickMsPerShard.join(' / ')} ms per shard` : ''}\n`);
      if (r.fullTickMs !== undefined) io.out(`full tick on kube-apiserver: ${r.fullTickMs} ms steady (goal <= 1000 ms; ${r.fullTickCpuMs} ms CPU in the controller), first tick ${r.coldTickMs} ms, setup ${r.setupS} s\n`);
    }
    return 0;
  },
});
