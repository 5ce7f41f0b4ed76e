/**
 * What a VM lab leaves on the host and how to remove it: its QEMU processes (found by name or by a socket in its
 * folder), its links and its folder. Apart from vm-lab.ts because a sweep needs only the lab's id and folder, not
 * a running lab: `stop()` uses it, and so does a test cleaning up after a crash.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { terminate } from '../host.js';
import { deleteVmLinks, vmLinks } from './network.js';

export interface VmLeftovers {
  processes: { pid: number; cmd: string }[];
  links: string[];
  dirs: string[];
}

export const isVmClean = (l: VmLeftovers): boolean => !l.processes.length && !l.links.length && !l.dirs.length;

export function describeVmLeftovers(l: VmLeftovers): string {
  const parts: string[] = [];
  if (l.processes.length) parts.push(`processes ${l.processes.map((p) => `${p.cmd}(${p.pid})`).join(', ')}`);
  if (l.links.length) parts.push(`links ${l.links.join(', ')}`);
  if (l.dirs.length) parts.push(`folders ${l.dirs.join(', ')}`);
  return parts.length ? parts.join('; ') : 'nothing';
}

/** What identifies a VM lab on the host. */
export interface VmFootprint {
  id: string;
  dir: string;
}

/** QEMU processes of lab `f` (by `-name remora-vm-<id>-`, or a QMP socket in its folder). */
export function vmProcesses(f: VmFootprint): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue;
    }
    const cmd = cmdline.split(' ')[0]?.split('/').pop() ?? '';
    if (cmd.startsWith('qemu-system') && (cmdline.includes(`remora-vm-${f.id}-`) || cmdline.includes(`${f.dir}/`))) out.push({ pid, cmd });
  }
  return out;
}

export function vmLeftovers(f: VmFootprint): VmLeftovers {
  return { processes: vmProcesses(f), links: vmLinks(f.id), dirs: existsSync(f.dir) ? [f.dir] : [] };
}

/** Kill the lab's QEMUs, delete its links, remove its folder (unless `keepDir`); returns what is still there. */
export async function sweepVmLab(f: VmFootprint, opts: { keepDir?: boolean } = {}): Promise<VmLeftovers> {
  await terminate(
    vmProcesses(f).map((p) => p.pid),
    3000,
  );
  deleteVmLinks(f.id);
  if (!opts.keepDir) rmSync(f.dir, { recursive: true, force: true });
  const left = vmLeftovers(f);
  return opts.keepDir ? { ...left, dirs: [] } : left;
}
