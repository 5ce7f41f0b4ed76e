// The VM lab's refusals, without starting QEMU: each names the missing precondition or the bad field, in one
// line, and leaves nothing on the host. The real migration is test/lab/vm.test.ts.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { thrown } from '../../core/testing/thrown.js';
import { missingVmPreconditions } from './guest.js';
import { VmLab } from './vm-lab.js';

const made: string[] = [];
/** A fresh folder under the OS tmpdir, removed after the file's tests. */
const tmp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
};
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));


const guest = { dir: '/nonexistent', kernel: '/nonexistent/vmlinuz', initramfs: '/nonexistent/initramfs.cpio.gz', kernelPackage: 'none' };

test('VmLab: a missing QEMU binary is named with its package, before anything is created', async () => {
  const dir = join(tmp('remora-vm-pre-'), 'vm');
  const lab = new VmLab({ dir, guest, id: 'abc123', config: { qemu: 'qemu-system-remora-missing' } });
  await assert.rejects(lab.start(), /VM lab preconditions missing: .*qemu-system-remora-missing not on PATH \(apt-get install qemu-system-x86\)/);
  assert.equal(existsSync(dir), false, 'no folder');
  assert.deepEqual(missingVmPreconditions('qemu-system-remora-missing').filter((m) => m.includes('qemu')), ['qemu-system-remora-missing not on PATH (apt-get install qemu-system-x86)']);
});

test('VmLab: a missing kernel or initramfs is named with the script that builds it', async () => {
  const lab = new VmLab({ dir: join(tmp('remora-vm-pre-'), 'vm'), guest, id: 'abc124' });
  const host = missingVmPreconditions();
  // Where QEMU & co. are installed the guest file is the first thing missing; elsewhere the preconditions are.
  await assert.rejects(lab.start(), host.length ? /VM lab preconditions missing/ : /VM guest file \/nonexistent\/vmlinuz missing \(run scripts\/build-vm-guest\.sh\)/);
});

test('VmLab: bad config and ids are one line naming the field', () => {
  const e = thrown(() => new VmLab({ dir: '/tmp/x', guest, config: { memoryMiB: 16 } }));
  assert.match(e.message, /^VM lab config: memoryMiB: expected .*64.*, got 16$/);
  assert.match(thrown(() => new VmLab({ dir: '/tmp/x', guest, config: { migration: { pollMs: 1 } } })).message, /^VM lab config: migration\.pollMs: /);
  assert.match(thrown(() => new VmLab({ dir: '/tmp/x', guest, config: { hostname: 'Not A Label' } })).message, /^VM lab config: hostname: expected a DNS label/);
  assert.match(thrown(() => new VmLab({ dir: '/tmp/x', guest, id: 'xyz' })).message, /VmLab id: expected 6 hex characters, got "xyz"/);
});
