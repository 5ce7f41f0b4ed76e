/**
 * Turn a zod validation failure into one {@link InvalidInputError} line: source, field path, expected, actual.
 * Schemas are `.strict()`, so an unknown key is reported as `field: expected no such key`.
 */
import type { ZodError, ZodIssue, ZodTypeAny, z } from 'zod';
import { InvalidInputError, renderValue } from './errors.js';

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function expectedOf(issue: ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected;
    case 'too_small':
      if (issue.type === 'array') return `at least ${issue.minimum} item(s)`;
      if (issue.type === 'string') return `at least ${issue.minimum} character(s)`;
      return `a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
    case 'too_big':
      if (issue.type === 'array') return `at most ${issue.maximum} item(s)`;
      return `a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
    case 'invalid_enum_value':
      return `one of ${issue.options.map((o) => JSON.stringify(o)).join('|')}`;
    case 'invalid_literal':
      return JSON.stringify(issue.expected);
    case 'unrecognized_keys':
      return 'no such key (known keys only)';
    case 'invalid_union_discriminator':
      return `one of ${issue.options.map((o) => JSON.stringify(o)).join('|')}`;
    default:
      return issue.message;
  }
}

/** Every issue of a zod failure as one {@link InvalidInputError} each (an unknown key is one error per key), in zod's order. */
export function zodIssuesToErrors(error: ZodError, source: string, input: unknown): InvalidInputError[] {
  const out: InvalidInputError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push(new InvalidInputError({ source, field: path.join('.'), expected: 'no such key (unknown keys are errors)', actual: renderValue(valueAt(input, path)) }));
      }
      continue;
    }
    const field = issue.path.length ? issue.path.join('.') : '(root)';
    const actual = issue.code === 'invalid_type' && issue.received === 'undefined' ? 'nothing (missing)' : renderValue(valueAt(input, issue.path));
    out.push(new InvalidInputError({ source, field, expected: expectedOf(issue), actual }));
  }
  return out;
}

/** The first issue of a zod failure as one {@link InvalidInputError} line. */
export function zodIssueToError(error: ZodError, source: string, input: unknown): InvalidInputError {
  return zodIssuesToErrors(error, source, input)[0]!;
}

/** Parse `input` with `schema` or throw a one-line {@link InvalidInputError}. */
export function parseWith<S extends ZodTypeAny>(schema: S, input: unknown, source: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw zodIssueToError(r.error, source, input);
  return r.data;
}

/**
 * Read a JSON file and validate it with `schema`: the one reader every JSON artefact (config files, summaries) goes
 * through, so a missing, unreadable or malformed file is the same one {@link InvalidInputError} line everywhere.
 */
export function readJsonWith<S extends ZodTypeAny>(schema: S, path: string, read: (path: string) => string): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(read(path));
  } catch (e) {
    throw new InvalidInputError({ source: path, field: '(file)', expected: 'a readable JSON file', actual: (e as Error).message.split('\n')[0]! }, { cause: e });
  }
  return parseWith(schema, raw, path);
}
