// tests/vectors/arguments.json through the Node package: every bad option value is refused with
// the core's code and message (never a panic, which would abort the whole process), every good
// one accepted, with the options spelt in camelCase.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { cc, loadVectors } from './helpers.mjs';
import { argumentCase } from './vector_calls.mjs';

const V = loadVectors('arguments.json');

for (const c of V.cases) {
  test(`argument vector ${c.id}`, () => {
    const want = c.expect_error
      ? { error: c.expect_error.code, message: c.expect_error.message }
      : { ok: true };
    assert.deepEqual(argumentCase(cc, c), want);
  });
}

test('huge, infinite and NaN numbers are coded errors, not a crash of the process', () => {
  for (const value of [NaN, Infinity, -Infinity, 1e300, -1]) {
    assert.throws(() => new cc.CompositeProvider([], { unknownKidCooldownSeconds: value }), {
      code: 'invalid_argument',
      message: /^unknown_kid_cooldown_seconds must be a number of seconds from 0.01 to 86400; got /,
    });
    assert.throws(() => cc.KeySource.oidc('x', 'http://127.0.0.1:9', { timeoutSeconds: value }), {
      code: 'invalid_argument',
    });
  }
});
