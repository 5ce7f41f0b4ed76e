/**
 * VM live migration for real: the guest (a Debian cloud kernel and a busybox initramfs running
 * tools/lab/echo) boots in a QEMU process under TCG, and is live-migrated (pre-copy) to a second and then a
 * third QEMU process while `remora probe`'s prober PINGs it every 10 ms over the bridge. The figures are
 * QEMU's own (query-migrate); the client measures the gap it saw. Then a target is SIGKILLed mid-migration: the
 * guest must serve on from the source, and the retry must succeed.
 *
 * What sets this apart from a pod recreate (test/lab/lab.test.ts (c)): the same guest keeps serving, so its
 * counter goes on, one by one, instead of restarting at 1.
 *
 * Preconditions (root, qemu-system-x86_64, /dev/net/tun, ip; apt and Go for scripts/build-vm-guest.sh): a
 * missing one skips every test and names it; with REQUIRE_LAB=1 it fails them instead.
 * Run: node scripts/run-tests.mjs test/lab/vm (REMORA_KEEP_VM=1 keeps the folder: serial logs, QEMU logs,
 * probe JSONL and SVG).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { writeProbeReport } from '../../src/cli/commands/probe.js';
import { REPO_ROOT } from '../../src/cluster/testing/control-plane.js';
import { EchoClient } from '../../src/lab/echo-client.js';
import { alive } from '../../src/lab/host.js';
import { parseJsonl, ProbeEventSchema, Prober, ProbeSampleSchema, type ProbeSample } from '../../src/lab/probe.js';
import { ensureVmGuest, type VmGuest } from '../../src/lab/vm/guest.js';
import { vmLinks } from '../../src/lab/vm/network.js';
import { describeVmLeftovers, isVmClean, vmLeftovers } from '../../src/lab/vm/leftovers.js';
import { VmMigrationError, type VmMigrationStats } from '../../src/lab/vm/migration-report.js';
import { VmLab } from '../../src/lab/vm/vm-lab.js';

const REQUIRE = process.env.REQUIRE_LAB === '1';
const KEEP = process.env.REMORA_KEEP_VM === '1';
const PERIOD_MS = 10;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let unavailable = '';
let guest: VmGuest | undefined;
let lab: VmLab | undefined;
let outDir = '';
let eventsPath = '';
let stopped = false;
/** Boot: QEMU start to the guest's ready line, and to the first PONG. */
let bootMs = 0;
let firstPongMs = 0;

function need(t: TestContext): VmLab | undefined {
  if (unavailable) {
    if (REQUIRE) assert.fail(`REQUIRE_LAB=1 but ${unavailable}`);
    t.skip(unavailable);
    return undefined;
  }
  return lab!;
}

async function until(what: string, timeoutMs: number, f: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Migrate while the prober runs; returns QEMU's stats and the samples from 0.5 s before to 1 s after. */
async function migrateUnderProbe(l: VmLab): Promise<{ stats: VmMigrationStats; samples: ProbeSample[]; prober: Prober }> {
  const prober = new Prober({ target: `${l.address.host}:${l.address.port}`, periodMs: PERIOD_MS, durationS: 600, timeoutMs: 5000 });
  const run = prober.run();
  try {
    await until('50 replies before the move', 30_000, () => prober.samples().filter((s) => s.rttMs !== null).length >= 50);
    const stats = await l.migrate();
    const resumed = stats.targetResumedAtMs ?? Date.now();
    await until('replies for 1 s after the switch-over', 30_000, () => prober.samples().some((s) => s.rttMs !== null && s.atMs > resumed + 1000));
    return { stats, samples: (prober.stop(), await run), prober };
  } finally {
    prober.stop(); // a failed assertion must not leave a 600 s probe holding the test process
    await run;
  }
}

function checkStats(s: VmMigrationStats, l: VmLab): void {
  assert.equal(s.status, 'completed');
  assert.ok(s.downtimeMs > 0 && s.downtimeMs < s.totalTimeMs, `QEMU downtime ${s.downtimeMs} ms in (0, total ${s.totalTimeMs} ms)`);
  assert.ok(s.setupTimeMs >= 0 && s.setupTimeMs < s.totalTimeMs);
  // Pre-copy sends the guest's RAM at least once (zero pages as a flag each); 128 MiB gives tens of MB.
  assert.ok(s.transferredBytes > 1e6, `${s.transferredBytes} bytes transferred`);
  assert.ok(s.ramTotalBytes >= l.config.memoryMiB * 2 ** 20 * 0.9, `RAM total ${s.ramTotalBytes}`);
  assert.ok(s.dirtySyncCount >= 2, `pre-copy: the bulk pass and the final sync at least (${s.dirtySyncCount})`);
  assert.ok(s.progress.some((p) => p.status === 'active'), 'polled while active');
  assert.ok(s.sourceStoppedAtMs !== undefined && s.targetResumedAtMs !== undefined, 'QMP STOP on the source and RESUME on the target');
  assert.ok(s.startedAtMs <= s.sourceStoppedAtMs! && s.sourceStoppedAtMs! <= s.targetResumedAtMs!, 'migrate, then stop-and-copy, then the switch-over');
  assert.ok(s.sourceExitedAtMs >= s.targetResumedAtMs! - 5, 'the source exits after the guest runs on the target');
}

/** The same guest served every reply, one connection's counter by one: never reset, never skipped. */
function checkServedBySameGuest(samples: ProbeSample[], hostname: string, stats: VmMigrationStats): { gapMs: number; beforeCount: number; afterCount: number } {
  const replies = samples.filter((s) => s.rttMs !== null);
  assert.deepEqual([...new Set(replies.map((s) => s.host))], [hostname], 'one guest, before and after');
  for (let i = 1; i < replies.length; i++) assert.equal(replies[i]!.count, replies[i - 1]!.count! + 1, `counter continues at reply ${i} (${replies[i - 1]!.count} -> ${replies[i]!.count})`);
  const before = replies.filter((s) => s.atMs < stats.startedAtMs).at(-1)!;
  const after = replies.find((s) => s.atMs > stats.targetResumedAtMs!)!;
  assert.ok(before && after, 'replies before the migration started and after the switch-over');
  assert.ok(after.count! > before.count!, 'not reset: the count after the move is above the count before it');
  // The client-side gap: the longest time between two reply arrivals around the move.
  let gapMs = 0;
  for (let i = 1; i < replies.length; i++) {
    const a = replies[i - 1]!, b = replies[i]!;
    if (b.atMs + b.rttMs! < stats.startedAtMs) continue;
    gapMs = Math.max(gapMs, b.atMs + b.rttMs! - (a.atMs + a.rttMs!));
  }
  return { gapMs, beforeCount: before.count!, afterCount: after.count! };
}

describe('lab: a VM live-migrated between QEMU processes (TCG), the client connected', () => {
  before(async () => {
    const missing = VmLab.preconditions();
    if (missing.length) unavailable = `VM lab preconditions missing: ${missing.join('; ')}`;
    else {
      const g = ensureVmGuest(REPO_ROOT);
      if (typeof g === 'string') unavailable = `VM guest unavailable: ${g}`;
      else guest = g;
    }
    if (unavailable) {
      process.stderr.write(`\n!! VM LAB TESTS ${REQUIRE ? 'FAIL' : 'SKIPPED'}: ${unavailable}\n`);
      return;
    }
    outDir = mkdtempSync(join(process.env.REMORA_TEST_TMP ?? tmpdir(), 'remora-vm-'));
    eventsPath = join(outDir, 'events.jsonl');
    lab = new VmLab({ dir: join(outDir, 'vm'), guest: guest!, eventsPath, log: (l) => process.stderr.write(`vm: ${l}\n`) });
    const t0 = Date.now();
    try {
      await lab.start();
      bootMs = lab.bootMs;
      const c = new EchoClient({ ...lab.address, intervalMs: PERIOD_MS });
      c.start();
      await until('the first PONG', 30_000, () => c.pongs.length > 0);
      firstPongMs = c.pongs[0]!.sentAtMs + c.pongs[0]!.rttMs - t0;
      await c.stop();
    } catch (e) {
      await lab.stop().catch(() => undefined);
      stopped = true;
      throw e; // preconditions held, so this is a failure, not a skip
    }
  });

  after(async () => {
    if (lab && !stopped) await lab.stop({ keepDir: KEEP });
    if (outDir && !KEEP) rmSync(outDir, { recursive: true, force: true });
  });

  test('(a) pre-copy live migration: QEMU reports completed, downtime < total, bytes; the same guest serves on, its counter not reset', async (t) => {
    const l = need(t);
    if (!l) return;
    t.diagnostic(`guest ${guest!.kernelPackage}: QEMU start -> ready line ${bootMs} ms, -> first PONG ${firstPongMs} ms`);
    const sourcePid = l.running!.pid;
    const { stats, samples, prober } = await migrateUnderProbe(l);
    checkStats(stats, l);
    assert.equal(alive(sourcePid), false, 'the source QEMU exited');
    assert.equal(l.running!.name, stats.to);
    assert.notEqual(l.running!.pid, sourcePid);
    const served = checkServedBySameGuest(samples, l.config.hostname, stats);
    assert.ok(served.gapMs > 0);
    const losses = samples.filter((s) => s.rttMs === null).length;
    assert.equal(losses, 0, 'the TCP connection survived the move: no PING lost, no reconnect');

    // `remora probe`'s files for this run, with the events the lab wrote: JSONL that parses back, the SVG with both markers.
    const events = parseJsonl(ProbeEventSchema, readFileSync(eventsPath, 'utf8'), eventsPath);
    assert.deepEqual(events, [
      { atMs: stats.startedAtMs, kind: 'migration-start' },
      { atMs: stats.targetResumedAtMs!, kind: 'switchover' },
    ]);
    const jsonlPath = join(outDir, 'probe-vm.jsonl');
    const svgPath = join(outDir, 'probe-vm.svg');
    const { summary, markers } = writeProbeReport({ samples, events, startMs: prober.startMs, windowMs: 250, title: `VM live migration ${stats.from} -> ${stats.to} (QEMU TCG, 128 MiB)`, jsonlPath, svgPath });
    assert.deepEqual(parseJsonl(ProbeSampleSchema, readFileSync(jsonlPath, 'utf8'), jsonlPath), samples);
    const svg = readFileSync(svgPath, 'utf8');
    assert.match(svg, />migration start</);
    assert.match(svg, />switch-over</);
    assert.ok(markers[0]!.tS > 0 && markers[1]!.tS > markers[0]!.tS, JSON.stringify(markers));
    assert.equal(summary.hosts.length, 1);

    t.diagnostic(
      `migration ${stats.from} -> ${stats.to}: QEMU total ${stats.totalTimeMs} ms, downtime ${stats.downtimeMs} ms, setup ${stats.setupTimeMs} ms, ` +
        `${(stats.transferredBytes / 1e6).toFixed(1)} MB of ${(stats.ramTotalBytes / 2 ** 20).toFixed(0)} MiB RAM, ${stats.dirtySyncCount} dirty syncs, ${stats.mbps.toFixed(0)} Mbit/s; ` +
        `host: STOP -> RESUME ${(stats.targetResumedAtMs! - stats.sourceStoppedAtMs!).toFixed(0)} ms, migrate -> source exited ${stats.sourceExitedAtMs - stats.startedAtMs} ms; ` +
        `client: gap ${served.gapMs.toFixed(0)} ms (PING period ${PERIOD_MS} ms), count ${served.beforeCount} before -> ${served.afterCount} after, ${losses} lost, RTT p50 ${summary.rttP50Ms} ms; ` +
        `${KEEP ? `files ${jsonlPath}, ${svgPath}` : ''}`,
    );
  });

  test('(b) it moves on again (the next QEMU), still the same guest and counter', async (t) => {
    const l = need(t);
    if (!l) return;
    const sourcePid = l.running!.pid;
    const { stats, samples } = await migrateUnderProbe(l);
    checkStats(stats, l);
    assert.equal(alive(sourcePid), false, 'the source QEMU exited');
    const served = checkServedBySameGuest(samples, l.config.hostname, stats);
    assert.deepEqual(samples.filter((s) => s.rttMs === null), [], 'no PING lost, no reconnect');
    t.diagnostic(`migration ${stats.from} -> ${stats.to}: QEMU total ${stats.totalTimeMs} ms, downtime ${stats.downtimeMs} ms, ${(stats.transferredBytes / 1e6).toFixed(1)} MB; client gap ${served.gapMs.toFixed(0)} ms`);
  });

  test('(c) the target QEMU is SIGKILLed mid-migration: QEMU reports failed, the source serves on, the next migration succeeds', async (t) => {
    const l = need(t);
    if (!l) return;
    const source = l.running!;
    const prober = new Prober({ target: `${l.address.host}:${l.address.port}`, periodMs: PERIOD_MS, durationS: 600, timeoutMs: 5000 });
    const run = prober.run();
    t.after(async () => {
      prober.stop();
      await run;
    });
    const replies = (): ProbeSample[] => prober.samples().filter((s) => s.rttMs !== null);
    await until('50 replies before the move', 30_000, () => replies().length >= 50);
    const known = new Set(l.pids);
    // 8 MiB/s: the ~100 MB pre-copy takes ~12 s; the kill comes once 4 MB are across, in the middle of it.
    let sentMB = 0;
    const moving = l.migrate({ maxBandwidthMiBps: 8 }, (p) => (sentMB = p.status === 'active' ? p.transferredBytes / 1e6 : sentMB)).then(
      () => undefined,
      (e: unknown) => e,
    );
    await until('4 MB of the migration sent', 60_000, () => sentMB >= 4);
    const target = l.pids.find((p) => !known.has(p))!;
    const killedAtMs = Date.now();
    process.kill(target, 'SIGKILL');
    const err = await moving;
    assert.ok(err instanceof VmMigrationError, `a VmMigrationError, got ${String(err)}`);
    assert.match(err.message, /failed: .*\(the guest keeps running in q\d+\)/);
    assert.equal(err.lastStatus?.status, 'failed');
    const sent = err.progress.filter((p) => p.status === 'active').at(-1)?.transferredBytes ?? 0;
    assert.ok(sent > 0 && err.progress.at(-1)?.status === 'failed', 'the kill came while RAM was being sent');
    assert.equal(l.running!.name, source.name, 'the guest is still in the source');
    assert.ok(alive(source.pid), 'the source QEMU runs on');
    await until('replies for 1 s after the kill', 30_000, () => replies().some((s) => s.atMs > killedAtMs + 1000));
    prober.stop();
    const samples = await run;
    const ok = samples.filter((s) => s.rttMs !== null);
    assert.deepEqual(samples.filter((s) => s.rttMs === null), [], 'no PING lost');
    assert.deepEqual([...new Set(ok.map((s) => s.host))], [l.config.hostname]);
    for (let i = 1; i < ok.length; i++) assert.equal(ok[i]!.count, ok[i - 1]!.count! + 1, 'the counter continues through the failed attempt');
    let gapMs = 0;
    for (let i = 1; i < ok.length; i++) gapMs = Math.max(gapMs, ok[i]!.atMs + ok[i]!.rttMs! - (ok[i - 1]!.atMs + ok[i - 1]!.rttMs!));

    // The source keeps no trace of the cap: the retry runs at QEMU's default bandwidth again.
    const retry = await l.migrate();
    checkStats(retry, l);
    assert.ok(retry.mbps > 2 * 8 * 8.4, `the 8 MiB/s cap (67 Mbit/s) is gone (${retry.mbps.toFixed(0)} Mbit/s)`);
    t.diagnostic(`target killed after ${(sent / 1e6).toFixed(1)} MB: "${err.message}"; longest client gap ${gapMs.toFixed(0)} ms; retry ${retry.from} -> ${retry.to}: total ${retry.totalTimeMs} ms, downtime ${retry.downtimeMs} ms`);
  });

  test('(d) stop leaves nothing behind: no QEMU process, tap, bridge or folder', async (t) => {
    const l = need(t);
    if (!l) return;
    const pids = l.pids;
    assert.ok(pids.length >= 5, `five QEMU processes were started (${pids.length})`);
    assert.ok(vmLinks(l.id).length >= 6, 'the bridge and a tap per QEMU exist before stop');
    const left = await l.stop({ keepDir: KEEP });
    stopped = true;
    assert.ok(isVmClean(left), `left behind: ${describeVmLeftovers(left)}`);
    assert.deepEqual(pids.filter(alive), [], 'every QEMU is gone');
    assert.deepEqual(vmLinks(l.id), [], 'no rvm<id> link');
    if (!KEEP) assert.equal(existsSync(l.dir), false, 'the folder is gone');
    assert.ok(isVmClean({ ...vmLeftovers(l.footprint), dirs: [] }), 'and still nothing a moment later');
  });
});
