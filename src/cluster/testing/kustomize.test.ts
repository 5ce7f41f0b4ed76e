// The test reader of deploy/'s kustomizations: it renders what ships, and refuses what it does not implement, so a
// kustomization that grows a feature cannot be tested as something other than what `kubectl apply -k` would apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './control-plane.js';
import { kustomizeBuild } from './kustomize.js';

const kinds = (dir: string): string[] => kustomizeBuild(dir).map((o) => `${o.kind}/${o.metadata.name}`);

test('the base renders its files in order; the sharded overlay swaps the Deployment and single-Lease Role for its own', () => {
  const base = kinds(join(REPO_ROOT, 'deploy/base'));
  assert.deepEqual(base, ['Namespace/remora-system', 'ServiceAccount/remora-controller', 'ClusterRole/remora-controller', 'ClusterRoleBinding/remora-controller', 'Role/remora-leader-election', 'RoleBinding/remora-leader-election', 'ConfigMap/remora-config', 'Deployment/remora-controller']);
  const sharded = kinds(join(REPO_ROOT, 'deploy/sharded'));
  assert.ok(!sharded.includes('Deployment/remora-controller') && !sharded.includes('Role/remora-leader-election'));
  assert.deepEqual(sharded.filter((k) => !base.includes(k)), ['Service/remora-controller', 'StatefulSet/remora-controller', 'Role/remora-shards', 'RoleBinding/remora-shards']);
});

test('a feature the reader does not implement, or a deletion of nothing, is one line naming the file and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-kustomize-'));
  const write = (sub: string, k: string): string => {
    mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, sub, 'kustomization.yaml'), k);
    writeFileSync(join(dir, sub, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: n }\n');
    return join(dir, sub);
  };
  assert.throws(() => kustomizeBuild(write('ns', 'resources: [cm.yaml]\nnamespace: other\n')), /ns\/kustomization\.yaml: field namespace: expected one of apiVersion, kind, resources, patches/);
  assert.throws(() => kustomizeBuild(write('merge', 'resources: [cm.yaml]\npatches:\n  - patch: "{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: n}, data: {x: y}}"\n')), /field patches\[0\]: expected \$patch: delete documents/);
  assert.throws(() => kustomizeBuild(write('gone', 'resources: [cm.yaml]\npatches:\n  - patch: "{$patch: delete, apiVersion: v1, kind: ConfigMap, metadata: {name: b, namespace: n}}"\n')), /expected an object of the resources to delete, got v1\/ConfigMap\/n\/b/);
  assert.throws(() => kustomizeBuild(write('missing', 'resources: [nope.yaml]\n')), /field resources: expected an existing file or folder, got nope\.yaml/);
  assert.deepEqual(kustomizeBuild(write('ok', 'resources: [cm.yaml]\npatches:\n  - patch: "{$patch: delete, apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: n}}"\n')), []);
});
