import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isClean, leftovers, sweep } from './host.js';

// The host folders a lab creates (containerd's shim socket folder, libcni's cache) are shared with whoever
// else runs containerd on the host. A lab must remove them when it made them and they are empty, and must
// neither remove nor blame itself for them when another user has put something in them since.
test('sweep removes the empty folders the lab created, and leaves a folder another user now fills', async () => {
  const root = mkdtempSync(join(tmpdir(), 'remora-host-'));
  try {
    const mine = join(root, 'mine');
    const minePlusChild = join(mine, 'child');
    const shared = join(root, 'shared');
    mkdirSync(minePlusChild, { recursive: true });
    mkdirSync(shared);
    writeFileSync(join(shared, 'someone-elses.sock'), '');
    const id = `t${process.pid}`;
    const footprint = {
      dir: join(root, 'lab'),
      linkPrefix: `rz${id}`,
      cgroupPrefix: `remora-host-test-${id}`,
      networkPrefix: `remora-host-test-${id}`,
      createdDirs: [minePlusChild, mine, shared],
    };
    assert.deepEqual(leftovers(footprint).dirs, [minePlusChild], 'an empty created folder is a leftover; a filled one is not');
    const left = await sweep(footprint);
    assert.ok(isClean(left), `nothing of the lab's is left: ${JSON.stringify(left)}`);
    assert.equal(existsSync(mine), false, 'the created folders, emptied child first, are gone');
    assert.equal(existsSync(join(shared, 'someone-elses.sock')), true, "another user's file stays");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
