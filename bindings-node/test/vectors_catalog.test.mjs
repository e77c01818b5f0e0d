// tests/vectors/catalog.json through the Node package: the same results as the Rust core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { cc, loadVectors } from './helpers.mjs';
import { catalogOp, loadCatalog } from './vector_calls.mjs';

const V = loadVectors('catalog.json');
assert.equal(V.format, 1);

function run(c, dir) {
  return catalogOp(loadCatalog(cc, V, c.catalog, dir), c);
}

for (const c of V.cases) {
  test(`catalog vector ${c.id}`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cc-node-vectors-'));
    try {
      if (c.expect_error) {
        let err;
        try {
          run(c, dir);
        } catch (e) {
          err = e;
        }
        assert.ok(err instanceof Error, 'expected an error');
        assert.equal(err.code, c.expect_error.code, err.message);
        if ('message' in c.expect_error) assert.equal(err.message, c.expect_error.message);
        if ('problems' in c.expect_error) {
          const got = err.problems ?? [];
          assert.equal(got.length, c.expect_error.problems.length, JSON.stringify(got));
          for (const want of c.expect_error.problems) {
            assert.ok(
              got.some(
                (p) =>
                  p.kind === want.kind &&
                  typeof p.file === 'string' &&
                  p.file.endsWith(want.file) &&
                  (p.record ?? null) === want.record &&
                  (p.field ?? null) === want.field,
              ),
              `${JSON.stringify(want)} not in ${JSON.stringify(got)}`,
            );
          }
        }
        return;
      }
      const got = run(c, dir);
      if (c.op === 'entitlements_includes') {
        for (const s of c.expect.scopes) assert.ok(got.scopes.includes(s), s);
        for (const s of c.expect.not_scopes) assert.ok(!got.scopes.includes(s), s);
        for (const a of c.expect.audiences) assert.ok(got.audiences.includes(a), a);
      } else {
        assert.deepStrictEqual(JSON.parse(JSON.stringify(got)), c.expect);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
