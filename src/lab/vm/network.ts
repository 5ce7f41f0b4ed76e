/**
 * The guest's layer-2 network: one Linux bridge on the host, and one tap per QEMU process enslaved to it. The
 * guest keeps its MAC and IP across a migration. After the switch-over QEMU announces the guest (RARP, the
 * `announce-*` migration parameters), so the bridge learns the MAC on the target's tap and the host's TCP
 * connection to the guest carries on. This is the same layer-2 idea as the paper's MacVLAN static IPs (Sec.
 * III-A), with a bridge in place of the physical LAN.
 *
 * Why on the host and not in a network namespace: the client (the test, `remora probe`) runs on the host and
 * connects to the guest directly; a namespace would need a veth into it and nothing more would be isolated.
 * Every name carries the lab's prefix `rvm<id>` (`b` the bridge, `t<n>` the taps), so a sweep finds them
 * without memory. The bridge has STP off, so a new tap forwards at once.
 */
import { deleteLink, links, run, usedTenNets } from '../host.js';

/** Prefix of every link a VM lab creates: `rvm` + a 6-hex id (+ `b` or `t<n>`, at most 15 characters). */
export const VM_LINK_PREFIX = 'rvm';

/** Second octets tried for the bridge's 10.<octet>.0.0/24 (the pod lab uses 10.200-249). */
export const VM_SUBNET_OCTETS = [250, 251, 252, 253, 254] as const;

export interface VmNetworkSpec {
  bridge: string;
  /** The host's address on the bridge (the guest's gateway). */
  hostIp: string;
  /** The guest's address; stable across migrations. */
  guestIp: string;
  prefixLength: number;
}

/** The network of lab `id`: the first free 10.25x.0.0/24 unless `octet` is given. */
export function planVmNetwork(id: string, octet?: number): VmNetworkSpec {
  let o = octet;
  if (o === undefined) {
    const used = usedTenNets();
    o = VM_SUBNET_OCTETS.find((x) => !used.has(x));
    if (o === undefined) throw new Error(`no free 10.${VM_SUBNET_OCTETS[0]}-${VM_SUBNET_OCTETS.at(-1)}.0.0/24 network for the VM lab on this host`);
  }
  return { bridge: `${VM_LINK_PREFIX}${id}b`, hostIp: `10.${o}.0.1`, guestIp: `10.${o}.0.2`, prefixLength: 24 };
}

export function tapName(id: string, n: number): string {
  return `${VM_LINK_PREFIX}${id}t${n}`;
}

/** Run `ip`; a failure names the precondition it points to (`what`), then ip's own words. */
function ip(what: string, args: string[]): void {
  try {
    run('ip', args);
  } catch (e) {
    throw new Error(`VM network: ${what}: ${(e as Error).message}`, { cause: e });
  }
}

export function createBridge(s: VmNetworkSpec): void {
  ip('cannot create the Linux bridge (needs root and the kernel\'s bridge support)', ['link', 'add', s.bridge, 'type', 'bridge', 'stp_state', '0']);
  ip(`cannot give ${s.bridge} its address`, ['addr', 'add', `${s.hostIp}/${s.prefixLength}`, 'dev', s.bridge]);
  ip(`cannot bring ${s.bridge} up`, ['link', 'set', s.bridge, 'up']);
}

export function createTap(name: string, bridge: string): void {
  ip('cannot create a tap device (needs root and /dev/net/tun)', ['tuntap', 'add', 'dev', name, 'mode', 'tap']);
  ip(`cannot attach ${name} to ${bridge}`, ['link', 'set', name, 'master', bridge]);
  ip(`cannot bring ${name} up`, ['link', 'set', name, 'up']);
}

/** Links of lab `id` (or of every VM lab when `id` is omitted) that exist now. */
export function vmLinks(id = ''): string[] {
  return links(`${VM_LINK_PREFIX}${id}`);
}

/** Delete the taps first, then the bridge. */
export function deleteVmLinks(id: string): void {
  const ls = vmLinks(id);
  for (const l of ls.filter((x) => !x.endsWith('b'))) deleteLink(l);
  for (const l of ls.filter((x) => x.endsWith('b'))) deleteLink(l);
}
