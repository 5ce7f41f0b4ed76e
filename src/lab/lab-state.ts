/**
 * What a lab leaves on disk, and how to find it again from its folder alone: `lab.json` (the state file that
 * `remora lab status|down` read), the host footprint its names derive from, and the claims on a 10.2xx network.
 * Apart from the running lab (lab.ts) because `lab down` and a test cleaning up after a crash have only the folder.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { leftovers, SHARED_HOST_DIRS, sweep, terminate, usedTenNets, type HostFootprint, type Leftovers } from './host.js';
import type { NodeSpec } from './node.js';

export const STATE_FILE = 'lab.json';

export interface LabComponent {
  name: string;
  pid: number;
  log: string;
  /** Where it listens, when it does. */
  listen?: string;
}

/** `lab.json`: what `remora lab status|down` read. */
export interface LabState {
  version: 1;
  id: string;
  phase: 'starting' | 'ready' | 'failed' | 'stopping';
  error?: string;
  /** The process that owns the lab (`remora lab up`'s supervisor, or the test). */
  ownerPid: number;
  footprint: HostFootprint;
  server?: string;
  kubeconfig?: string;
  nodes: NodeSpec[];
  components: LabComponent[];
  startedAtMs: number;
  /** Wall time from start to every node Ready. */
  readyAfterMs?: number;
  images?: { pause: string; echo: string };
}

export function footprintFor(id: string, dir: string): HostFootprint {
  return { dir: resolve(dir), linkPrefix: `rl${id}`, cgroupPrefix: `remora-lab-${id}`, networkPrefix: `remora-lab-${id}`, createdDirs: SHARED_HOST_DIRS.filter((d) => !existsSync(d)) };
}

export function readState(dir: string): LabState | undefined {
  const f = join(dir, STATE_FILE);
  if (!existsSync(f)) return undefined;
  return JSON.parse(readFileSync(f, 'utf8')) as LabState;
}

/** The first 10.2xx slot that no address or route on the host uses and that no other lab has claimed. */
export function pickSlot(dir: string): number {
  const used = usedTenNets();
  for (let s = 0; s < 50; s++) if (!used.has(200 + s) && claimSlot(s, dir)) return s;
  throw new Error('no free 10.200-249.0.0/16 network for the lab on this host');
}

/**
 * Slot claims: two labs starting at once (two test files of the lab tier run concurrently) would both find the same
 * 10.2xx network free, since the links appear only seconds later. A lab claims its slot with a lock file
 * `/run/remora-lab-slot-<n>` (created exclusively, naming the lab folder) before it uses it; a claim whose lab folder
 * has no `lab.json` any more (and that is over a minute old) is stale and is taken over. Released by `stop()` and by `downFromState`.
 */
const slotLock = (s: number): string => `/run/remora-lab-slot-${s}`;

function claimSlot(s: number, dir: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(slotLock(s), dir, { flag: 'wx', mode: 0o600 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = '';
      try {
        owner = readFileSync(slotLock(s), 'utf8');
      } catch {
        continue; // released meanwhile
      }
      if (owner === dir) return true;
      // A claim younger than a minute may belong to a lab between its claim and its first lab.json.
      if (existsSync(join(owner, STATE_FILE)) || Date.now() - (statSync(slotLock(s), { throwIfNoEntry: false })?.mtimeMs ?? 0) < 60_000) return false;
      rmSync(slotLock(s), { force: true }); // stale: that lab is gone
    }
  }
  return false;
}

export function releaseSlot(dir: string): void {
  for (let s = 0; s < 50; s++) {
    try {
      if (readFileSync(slotLock(s), 'utf8') === dir) rmSync(slotLock(s), { force: true });
    } catch {
      /* no claim */
    }
  }
}

/**
 * Tear down a lab from its folder alone (`remora lab down`, or a test cleaning up after a crash): ask the owner
 * to stop (SIGTERM) and wait for it, then sweep whatever is left.
 */
export async function downFromState(dir: string, opts: { ownerTimeoutMs?: number } = {}): Promise<Leftovers | undefined> {
  const state = readState(dir);
  if (!state) return undefined;
  if (state.ownerPid !== process.pid) await terminate([state.ownerPid], opts.ownerTimeoutMs ?? 90_000);
  const left = await sweep(state.footprint);
  releaseSlot(state.footprint.dir);
  return left;
}

/** Current leftovers of the lab in `dir` (from its state file), or undefined when there is none. */
export function leftoversFromState(dir: string): Leftovers | undefined {
  const s = readState(dir);
  return s ? leftovers(s.footprint) : undefined;
}
