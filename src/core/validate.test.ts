// parseWith, the one zod → InvalidInputError translator: the wording of each issue kind it renders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { InvalidInputError } from './errors.js';
import { parseWith } from './validate.js';

const Schema = z
  .object({
    name: z.string().min(2),
    count: z.number().int().positive().max(10).default(1),
    mode: z.enum(['a', 'b']).optional(),
    tags: z.array(z.string()).min(1).max(2).optional(),
    exact: z.literal('x').optional(),
    shape: z.discriminatedUnion('kind', [z.object({ kind: z.literal('box') }).strict(), z.object({ kind: z.literal('ball') }).strict()]).optional(),
    rule: z.number().refine((v) => v % 2 === 0, { message: 'an even number' }).optional(),
  })
  .strict();

function message(input: unknown): string {
  try {
    parseWith(Schema, input, 'f.yaml');
  } catch (e) {
    assert.ok(e instanceof InvalidInputError);
    return e.message;
  }
  assert.fail('expected an error');
}

test('parseWith returns the parsed value with defaults', () => {
  assert.deepEqual(parseWith(Schema, { name: 'ab' }, 'f.yaml'), { name: 'ab', count: 1 });
});

test('each issue kind is one line: source, field, expected, actual', () => {
  assert.equal(message({}), 'f.yaml: name: expected string, got nothing (missing)');
  assert.equal(message({ name: 3 }), 'f.yaml: name: expected string, got 3');
  assert.equal(message({ name: 'a' }), 'f.yaml: name: expected at least 2 character(s), got "a"');
  assert.equal(message({ name: 'ab', count: 0 }), 'f.yaml: count: expected a number > 0, got 0');
  assert.equal(message({ name: 'ab', count: 11 }), 'f.yaml: count: expected a number <= 10, got 11');
  assert.equal(message({ name: 'ab', count: 1.5 }), 'f.yaml: count: expected integer, got 1.5');
  assert.equal(message({ name: 'ab', mode: 'c' }), 'f.yaml: mode: expected one of "a"|"b", got "c"');
  assert.equal(message({ name: 'ab', tags: [] }), 'f.yaml: tags: expected at least 1 item(s), got []');
  assert.equal(message({ name: 'ab', tags: ['a', 'b', 'c'] }), 'f.yaml: tags: expected at most 2 item(s), got ["a","b","c"]');
  assert.equal(message({ name: 'ab', exact: 'y' }), 'f.yaml: exact: expected "x", got "y"');
  assert.equal(message({ name: 'ab', shape: { kind: 'cube' } }), 'f.yaml: shape.kind: expected one of "box"|"ball", got "cube"');
  assert.equal(message({ name: 'ab', rule: 3 }), 'f.yaml: rule: expected an even number, got 3');
  assert.equal(message({ name: 'ab', extra: { deep: 1 } }), 'f.yaml: extra: expected no such key (unknown keys are errors), got {"deep":1}');
  assert.equal(message({ name: 'ab', shape: { kind: 'box', size: 2 } }), 'f.yaml: shape.size: expected no such key (unknown keys are errors), got 2');
  assert.equal(message('text'), 'f.yaml: (root): expected object, got "text"');
});
