/**
 * The command line of one QEMU process of a VM lab. Source and target of a live migration must describe the
 * same machine; only the tap, the sockets and `-incoming` differ, so both come from this one function. TCG, not
 * KVM: KVM guests hang on this machine kind.
 */
import type { VmLabConfig } from './config.js';
import type { VmGuest } from './guest.js';
import type { VmNetworkSpec } from './network.js';

export interface QemuArgsInput {
  /** The VM lab's id: `-name remora-vm-<id>-<name>` is how a sweep finds the process. */
  id: string;
  /** `q0`, `q1`, …: which QEMU of the lab this is. */
  name: string;
  config: VmLabConfig;
  guest: VmGuest;
  net: VmNetworkSpec;
  tap: string;
  /** The guest's MAC, the same in every QEMU so the bridge relearns it after the switch-over. */
  mac: string;
  serialLog: string;
  qmpSock: string;
  /** A migration target: waits for `migrate-incoming` instead of booting. */
  incoming: boolean;
}

export function qemuArgs(p: QemuArgsInput): string[] {
  const { net, config: c } = p;
  const append = ['console=ttyS0', 'quiet', 'panic=-1', `remora.ip=${net.guestIp}/${net.prefixLength}`, `remora.gw=${net.hostIp}`, `remora.host=${c.hostname}`].join(' ');
  return [
    '-name', `remora-vm-${p.id}-${p.name}`,
    '-accel', 'tcg',
    '-machine', 'pc',
    '-cpu', 'qemu64',
    '-m', String(c.memoryMiB),
    '-smp', String(c.cpus),
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-kernel', p.guest.kernel,
    '-initrd', p.guest.initramfs,
    '-append', append,
    '-serial', `file:${p.serialLog}`,
    '-netdev', `tap,id=n0,ifname=${p.tap},script=no,downscript=no`,
    '-device', `virtio-net-pci,netdev=n0,mac=${p.mac}`,
    '-qmp', `unix:${p.qmpSock},server=on,wait=off`,
    ...(p.incoming ? ['-incoming', 'defer'] : []),
  ];
}
