/**
 * Writes `docs/scenarios/reference.md` from the scenario's zod schema (`src/twin/scenario-schema.ts`), so the
 * reference cannot drift from what the loader accepts: `npm run docs:scenarios`. `--check` exits 1 when the
 * checked-in file differs (the fast test `test/docs/scenario-reference.test.ts` does the same).
 *
 * The walk is generic: objects (one section each, a table row per key), discriminated unions (one section per
 * member, named by its tag), unions, enums, literals, arrays, defaults, optionals, number and length bounds, and the
 * `.describe()` text of each field. Schemas used in several places (a range, a duration) are described once, under
 * "Shared types", and linked. New schema fields appear on regeneration with no change here.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ZodTypeAny } from 'zod';
import { DurationSchema, LatLonSchema, RangeSchema, ScenarioSchema } from '../src/twin/scenario-schema.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the reference lives, relative to the repository root. */
export const REFERENCE_PATH = 'docs/scenarios/reference.md';

/** Schemas documented once under "Shared types" (by identity), with their anchor names. */
const SHARED: [ZodTypeAny, string][] = [
  [RangeSchema, 'range'],
  [DurationSchema, 'duration'],
  [LatLonSchema, 'lat-lon'],
];

// zod's internal definition, read through its stable `_def.typeName` tags rather than classes.
interface Def {
  typeName: string;
  description?: string;
  innerType?: ZodTypeAny;
  schema?: ZodTypeAny;
  defaultValue?: () => unknown;
  shape?: () => Record<string, ZodTypeAny>;
  unknownKeys?: string;
  options?: ZodTypeAny[] | Map<unknown, ZodTypeAny>;
  discriminator?: string;
  values?: readonly string[];
  value?: unknown;
  type?: ZodTypeAny;
  minLength?: { value: number } | null;
  maxLength?: { value: number } | null;
  exactLength?: { value: number } | null;
  checks?: { kind: string; value?: number; inclusive?: boolean }[];
}
const def = (s: ZodTypeAny): Def => (s as unknown as { _def: Def })._def;

/** A field with its wrappers peeled: the core schema, whether it may be omitted, its default and its description. */
interface Field {
  core: ZodTypeAny;
  optional: boolean;
  defaultValue?: unknown;
  hasDefault: boolean;
  description?: string;
  /** The shared type this field is, if any. */
  shared?: string;
}

function peel(schema: ZodTypeAny): Field {
  const f: Field = { core: schema, optional: false, hasDefault: false };
  let s = schema;
  for (;;) {
    const d = def(s);
    f.description ??= d.description;
    const shared = SHARED.find(([x]) => x === s);
    if (shared) f.shared ??= shared[1];
    if (d.typeName === 'ZodOptional' || d.typeName === 'ZodNullable') {
      f.optional = true;
      s = d.innerType!;
    } else if (d.typeName === 'ZodDefault') {
      f.hasDefault = true;
      f.defaultValue = d.defaultValue!();
      s = d.innerType!;
    } else if (d.typeName === 'ZodEffects') s = d.schema!;
    else break;
  }
  f.core = s;
  return f;
}

const code = (x: string) => '`' + x + '`';
const cell = (x: string) => x.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const json = (v: unknown) => JSON.stringify(v);

/** Bounds of a number or a length, as words. */
function constraints(core: ZodTypeAny): string[] {
  const d = def(core);
  const out: string[] = [];
  if (d.typeName === 'ZodNumber') {
    for (const c of d.checks ?? []) {
      if (c.kind === 'min') out.push(`${c.inclusive ? '>=' : '>'} ${c.value}`);
      if (c.kind === 'max') out.push(`${c.inclusive ? '<=' : '<'} ${c.value}`);
    }
  }
  if (d.typeName === 'ZodString') {
    for (const c of d.checks ?? []) {
      if (c.kind === 'min' && c.value! > 0) out.push(c.value === 1 ? 'non-empty' : `at least ${c.value} characters`);
      if (c.kind === 'length') out.push(c.value === 1 ? 'one character' : `exactly ${c.value} characters`);
    }
  }
  if (d.typeName === 'ZodArray') {
    if (d.minLength) out.push(`at least ${d.minLength.value} item(s)`);
    if (d.maxLength) out.push(`at most ${d.maxLength.value} item(s)`);
  }
  return out;
}

const tagOf = (member: ZodTypeAny, discriminator: string): string => String(def(def(member).shape!()[discriminator]!).value);
const membersOf = (d: Def): ZodTypeAny[] => (Array.isArray(d.options) ? d.options : [...(d.options as Map<unknown, ZodTypeAny>).values()]);
const anchor = (title: string) => title.toLowerCase().replace(/[^a-z0-9 -]/g, '').trim().replace(/ +/g, '-');

interface Section {
  title: string;
  intro?: string;
  rows: string[];
}

class Reference {
  readonly sections: Section[] = [];
  readonly shared: Section[] = [];
  /** Keys without a `.describe()` text (as paths), for the test that keeps the reference complete. */
  readonly undocumented: string[] = [];
  private readonly sharedDone = new Set<string>();

  /** The type column of a field, queueing the sections it links to (`path` names the field). */
  typeOf(f: Field, path: string): string {
    if (f.shared) {
      if (!this.sharedDone.has(f.shared)) {
        this.sharedDone.add(f.shared);
        const [schema] = SHARED.find(([, n]) => n === f.shared)!;
        this.describeInto(this.shared, f.shared, peel(schema), `shared:${f.shared}`);
      }
      return `[${f.shared}](#${f.shared})`;
    }
    const d = def(f.core);
    switch (d.typeName) {
      case 'ZodNumber':
        return (d.checks ?? []).some((c) => c.kind === 'int') ? 'integer' : 'number';
      case 'ZodString':
        return 'string';
      case 'ZodBoolean':
        return 'boolean';
      case 'ZodEnum':
        return d.values!.map((v) => code(json(v))).join(' | ');
      case 'ZodLiteral':
        return code(json(d.value));
      case 'ZodArray': {
        const el = peel(d.type!);
        const inner = this.typeOf(el, `${path}[]`);
        const extra = constraints(el.core);
        return `list of ${inner}${extra.length ? ` (${extra.join(', ')})` : ''}`;
      }
      case 'ZodUnion':
        return membersOf(d)
          .map((m) => {
            const p = peel(m);
            const bounds = constraints(p.core);
            return this.typeOf(p, path) + (bounds.length ? ` (${bounds.join(', ')})` : '');
          })
          .join(' or ');
      case 'ZodObject':
      case 'ZodDiscriminatedUnion':
        return this.describeInto(this.sections, code(path), f, path);
      default:
        return d.typeName.replace(/^Zod/, '').toLowerCase();
    }
  }

  /** Queue the section(s) of an object or a discriminated union; returns the link(s) to them. */
  private describeInto(into: Section[], title: string, f: Field, path: string): string {
    const d = def(f.core);
    const keyPath = path.startsWith('shared:') ? '' : path;
    if (d.typeName === 'ZodDiscriminatedUnion') {
      const disc = d.discriminator!;
      const parent: Section = { title, rows: [] };
      into.push(parent);
      const links: string[] = [];
      for (const member of membersOf(d)) {
        const tag = tagOf(member, disc);
        const t = `${title} (${disc}: ${tag})`;
        const m = peel(member);
        const sect: Section = { title: t, intro: def(def(m.core).shape!()[disc]!).description, rows: [] };
        into.push(sect);
        this.fill(sect, m.core, keyPath);
        links.push(`[${code(tag)}](#${anchor(t)})`);
      }
      const oneOf = `one of ${links.join(', ')} (by ${code(disc)})`;
      parent.intro = `${f.description ? f.description + ' ' : ''}${oneOf[0]!.toUpperCase()}${oneOf.slice(1)}.`;
      return oneOf;
    }
    if (d.typeName !== 'ZodObject') return this.typeOf({ ...f, shared: undefined }, path);
    const sect: Section = { title, intro: f.description, rows: [] };
    into.push(sect);
    this.fill(sect, f.core, keyPath);
    return `object, see [${title}](#${anchor(title)})`;
  }

  /** One table row per key of `obj` (whose keys sit under `path`). */
  fill(sect: Section, obj: ZodTypeAny, path: string): void {
    const shape = def(obj).shape!();
    for (const [key, schema] of Object.entries(shape)) {
      const f = peel(schema);
      const sub = path ? `${path}.${key}` : key;
      const type = this.typeOf(f, sub);
      const req = f.hasDefault ? `default ${code(json(f.defaultValue))}` : f.optional ? 'optional' : '**required**';
      const bounds = constraints(f.core).join(', ');
      if (!f.description) this.undocumented.push(sub || `${sect.title}.${key}`);
      sect.rows.push(`| ${code(key)} | ${cell(type)} | ${cell(req)} | ${cell(bounds)} | ${cell(f.description ?? '')} |`);
    }
    if (def(obj).unknownKeys === 'strict') sect.rows.push('', 'Unknown keys are errors.');
  }
}

function renderSection(s: Section): string {
  const head = `### ${s.title}\n`;
  const intro = s.intro ? `\n${s.intro}\n` : '';
  const table = s.rows.length ? `\n| key | type | default | bounds | description |\n|---|---|---|---|---|\n${s.rows.join('\n')}\n` : '';
  return head + intro + table;
}

function walk(): Reference {
  const ref = new Reference();
  const top: Section = { title: 'Scenario (top level)', intro: 'A scenario file is YAML or JSON holding one object with these keys.', rows: [] };
  ref.sections.push(top);
  // The top level goes through the same walk; its nested objects become the sections after it.
  ref.fill(top, ScenarioSchema, '');
  return ref;
}

/** Paths of the schema's keys that have no `.describe()` text. */
export function undocumentedScenarioKeys(): string[] {
  return walk().undocumented;
}

/** The reference as Markdown (deterministic: the schema's key order). */
export function renderScenarioReference(): string {
  const ref = walk();
  return [
    '# Scenario reference',
    '',
    '<!-- Generated by `npm run docs:scenarios` (scripts/gen-scenario-reference.ts) from src/twin/scenario-schema.ts. Do not edit by hand. -->',
    '',
    'Every key a scenario file may hold, with its type, default, bounds and unit, generated from the zod schema the loader',
    'validates with. Keys not listed are errors. Paths inside a scenario file (`file`, `dir`) are relative to the scenario',
    "file's folder; `builtin:<path>` names the package's `data/` folder. Worked examples: [README.md](README.md).",
    '',
    '## Sections',
    '',
    ...ref.sections.map((s) => renderSection(s)),
    '## Shared types',
    '',
    ...ref.shared.map((s) => renderSection(s)),
  ]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd() + '\n';
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const out = join(ROOT, REFERENCE_PATH);
  const text = renderScenarioReference();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(out, 'utf8');
    } catch {
      // missing: differs
    }
    if (current !== text) {
      console.error(`${REFERENCE_PATH} is out of date with src/twin/scenario-schema.ts: run \`npm run docs:scenarios\``);
      process.exit(1);
    }
  } else {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    console.log(`wrote ${REFERENCE_PATH}`);
  }
}
