// The twin's `lab-calibrated` overlay carries the lab's measured medians (so the twin is calibrated from the lab),
// so the two cannot drift apart: a change of LAB_MEASURED fails here until the overlay follows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEnv } from '../core/check-env.js';
import { BUILTIN_OVERLAYS } from '../twin/builtin-scenarios.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, makeEnv } from '../twin/index.js';
import { LAB_MEASURED } from './calibration.js';

test('lab-calibrated overlay = the lab\'s measured medians (durations, and the client-side gap as the downtime)', () => {
  const m = BUILTIN_OVERLAYS['lab-calibrated']!.migration!;
  assert.deepEqual(m.durations, {
    pod: { kind: 'lognormal', medianSeconds: LAB_MEASURED.pod.migrationSeconds, sigma: 0.1 },
    vm: { kind: 'lognormal', medianSeconds: LAB_MEASURED.vm.migrationSeconds, sigma: 0.1 },
  });
  assert.deepEqual(m.downtimeSeconds, { pod: LAB_MEASURED.pod.clientGapSeconds, vm: LAB_MEASURED.vm.clientGapSeconds });
});

test('extends: [sr111, edge, lab-calibrated] resolves and passes checkEnv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-lab-cal-'));
  try {
    const file = join(dir, 'sr111-lab.yaml');
    writeFileSync(file, 'name: sr111-lab\nextends: [sr111, edge, lab-calibrated]\n');
    const sc = loadScenario(file);
    assert.equal(sc.spec.migration.model, 'timed');
    const pod = sc.spec.migration.durations.pod;
    assert.equal(pod.kind === 'lognormal' && pod.medianSeconds, 1.255);
    assert.equal(sc.spec.terminateOnViolation, false, 'the edge overlay still applies');
    const r = checkEnv(makeEnv(sc));
    assert.ok(r.steps > 0 && r.passed.length >= 8, JSON.stringify(r));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
