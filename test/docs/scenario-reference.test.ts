// The scenario reference is generated from the zod schema: the checked-in file must be what the
// generator writes now, and every key must carry a `.describe()` text, so the reference cannot drift or go blank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE_PATH, renderScenarioReference, undocumentedScenarioKeys } from '../../scripts/gen-scenario-reference.js';

const root = join(import.meta.dirname, '..', '..');

test(`${REFERENCE_PATH} is up to date with src/twin/scenario-schema.ts`, () => {
  const current = readFileSync(join(root, REFERENCE_PATH), 'utf8');
  assert.ok(current === renderScenarioReference(), `${REFERENCE_PATH} differs from the schema: run \`npm run docs:scenarios\` and commit the result`);
});

test('every scenario key has a description (with its unit) in the schema', () => {
  assert.deepEqual(undocumentedScenarioKeys(), [], 'add .describe("...") to these keys in src/twin/scenario-schema.ts, then run `npm run docs:scenarios`');
});

test('the reference covers the schema: sections for every block, union member and shared type', () => {
  const text = renderScenarioReference();
  for (const title of ['### Scenario (top level)', '### `nodes[]`', '### `nodes[].trace` (format: csv)', '### `mobility` (kind: highway)', '### `mobility.route.waypoints[]`', '### `mobility` (kind: gps)', '### `workload.noise`', '### `migration.durations`', '### range', '### duration (kind: lognormal)']) {
    assert.ok(text.includes(`\n${title}\n`), `no section ${title}`);
  }
  assert.match(text, /\| `stepSeconds` \| number \| default `5` \| > 0 \| Wall-clock seconds per env step/);
  assert.match(text, /\| `kind` \| `"highway"` \| \*\*required\*\* \|/);
});
