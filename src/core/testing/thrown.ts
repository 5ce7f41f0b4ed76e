/** Test helper: the error `f` throws (fails the test when it throws nothing), for asserting on its message. */
import assert from 'node:assert/strict';

export function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected an error');
}
