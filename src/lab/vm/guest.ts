/**
 * What a VM live migration needs from the host, and the guest it boots: a Debian cloud kernel and an initramfs
 * running the echo service, built (or found cached) by `scripts/build-vm-guest.sh`. Each missing piece is one
 * line that names it and the way to get it, as in `../preconditions.ts`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onPath } from '../host.js';

export const QEMU_BINARY = 'qemu-system-x86_64';

export interface VmGuest {
  /** The cache folder the build script printed. */
  dir: string;
  kernel: string;
  initramfs: string;
  /** e.g. `linux-image-6.1.0-57-cloud-amd64 6.1.192-3`. */
  kernelPackage: string;
}

/** Host preconditions for a VM migration that are missing, each a one-line reason (empty when all hold). */
export function missingVmPreconditions(qemu = QEMU_BINARY): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root: the VM lab creates a bridge and tap devices (run as root)');
  if (!onPath(qemu)) missing.push(`${qemu} not on PATH (apt-get install qemu-system-x86)`);
  if (!onPath('ip')) missing.push('ip not on PATH (apt-get install iproute2)');
  if (!existsSync('/dev/net/tun')) missing.push('/dev/net/tun missing: QEMU cannot open a tap device (load the tun module)');
  return missing;
}

/** Build (or find cached) the guest. Returns a one-line reason on failure (exit 3: a build tool is missing). */
export function ensureVmGuest(repoRoot: string): VmGuest | string {
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'build-vm-guest.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20 * 60_000 });
  if (r.status !== 0) {
    const why = (r.stderr ?? '').trim().split('\n').filter((l) => l.startsWith('build-vm-guest:')).at(-1) ?? (r.stderr ?? '').trim().split('\n').slice(-2).join(' | ');
    return `scripts/build-vm-guest.sh failed (exit ${r.status ?? r.signal}): ${why || r.error?.message || 'no output'}`;
  }
  const dir = r.stdout.trim().split('\n').pop() ?? '';
  const g = { dir, kernel: join(dir, 'vmlinuz'), initramfs: join(dir, 'initramfs.cpio.gz') };
  for (const f of [g.kernel, g.initramfs, join(dir, 'guest.env')]) if (!existsSync(f)) return `${f} missing after scripts/build-vm-guest.sh ran`;
  const env = Object.fromEntries(
    readFileSync(join(dir, 'guest.env'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => l.split('=', 2) as [string, string]),
  );
  return { ...g, kernelPackage: `${env.KERNEL_PACKAGE ?? '?'} ${env.KERNEL_VERSION ?? '?'}` };
}
