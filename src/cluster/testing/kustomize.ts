/**
 * The objects a kustomization under `deploy/` renders to, read the way `kubectl apply -k` reads them, for the tests
 * that send those objects through the real kube-apiserver's validation and RBAC.
 *
 * kustomize itself is not built here (only the control plane is), so this reader covers exactly the features the
 * shipped kustomizations use: `resources` (YAML files, or folders holding their own kustomization.yaml) and
 * `patches` whose documents are `$patch: delete` (an overlay removing a base object). Anything else in a
 * kustomization is refused with one line naming the file and the field, so a kustomization that grows a feature
 * this reader would silently ignore fails its test instead of testing something other than what ships.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import type { KubeObject } from '../kube/client.js';

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  patches?: { path?: string; patch?: string }[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'patches']);

const identity = (o: { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } }): string =>
  `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

function yamlObjects(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown> | null).filter((o): o is Record<string, unknown> => o !== null && typeof o === 'object');
}

/** The objects of the kustomization in `dir`, base objects first, with the overlay's deletions applied. */
export function kustomizeBuild(dir: string, root = dir): KubeObject[] {
  const file = join(dir, 'kustomization.yaml');
  const where = relative(dirname(root), file);
  if (!existsSync(file)) throw new Error(`${where}: no kustomization.yaml in ${dir}`);
  const k = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Kustomization;
  for (const field of Object.keys(k)) if (!SUPPORTED.has(field)) throw new Error(`${where}: field ${field}: expected one of ${[...SUPPORTED].join(', ')} (the features the test reader implements), got ${field}`);
  const objs: KubeObject[] = [];
  for (const r of k.resources ?? []) {
    const p = join(dir, r);
    if (!existsSync(p)) throw new Error(`${where}: field resources: expected an existing file or folder, got ${r}`);
    if (statSync(p).isDirectory()) objs.push(...kustomizeBuild(p, root));
    else objs.push(...(yamlObjects(readFileSync(p, 'utf8')).filter((o) => o.kind) as unknown as KubeObject[]));
  }
  for (const [i, patch] of (k.patches ?? []).entries()) {
    const text = patch.path !== undefined ? readFileSync(join(dir, patch.path), 'utf8') : patch.patch;
    if (text === undefined) throw new Error(`${where}: field patches[${i}]: expected path or patch, got neither`);
    for (const doc of yamlObjects(text)) {
      if (doc.$patch !== 'delete') throw new Error(`${where}: field patches[${i}]: expected $patch: delete documents (the only patch the test reader implements), got ${JSON.stringify(doc.$patch ?? 'a merge patch')}`);
      const id = identity(doc as Parameters<typeof identity>[0]);
      const at = objs.findIndex((o) => identity(o) === id);
      if (at < 0) throw new Error(`${where}: field patches[${i}]: expected an object of the resources to delete, got ${id}`);
      objs.splice(at, 1);
    }
  }
  return objs;
}
