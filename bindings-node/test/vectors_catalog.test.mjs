// tests/vectors/catalog.json through the Node package: the same results as the Rust core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { cc, loadVectors } from './helpers.mjs';

const V = loadVectors('catalog.json');
assert.equal(V.format, 1);

const LOOKUP = {
  unit_primitives: 'unitPrimitive',
  backend_services: 'backendService',
  add_ons: 'addOn',
  license_types: 'licenseType',
  services: 'service',
};
const ALL = {
  unit_primitives: 'unitPrimitives',
  backend_services: 'backendServices',
  add_ons: 'addOns',
  license_types: 'licenseTypes',
  services: 'services',
};
const ASSOCIATIONS = {
  'unit_primitives/backend_services': 'backendServicesOf',
  'unit_primitives/add_ons': 'addOnsOf',
  'unit_primitives/license_types': 'licenseTypesOf',
  'services/unit_primitives': 'unitPrimitivesOf',
};

function catalog(name, dir) {
  if (name === 'embedded') return cc.Catalog.embedded();
  if (name === null) return cc.Catalog.loadDir(path.join(dir, 'missing'));
  const root = path.join(dir, name);
  for (const [rel, text] of Object.entries(V.catalogs[name].files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return cc.Catalog.loadDir(root);
}

function run(c, dir) {
  const cat = catalog(c.catalog, dir);
  switch (c.op) {
    case 'load':
      return 'loaded';
    case 'lookup':
      return cat[LOOKUP[c.kind]](c.name)?.name ?? null;
    case 'all_names':
      return cat[ALL[c.kind]]().map((r) => r.name);
    case 'associations': {
      const method = ASSOCIATIONS[`${c.kind}/${c.association}`];
      assert.ok(method, `no association ${c.kind}/${c.association}`);
      return cat[method](c.name).map((r) => r.name);
    }
    case 'entitlements':
    case 'entitlements_includes': {
      const r = c.request;
      return cat.entitlements({
        addOns: r.add_ons,
        at: r.at == null ? undefined : new Date(r.at),
        licenseType: r.license_type ?? undefined,
        gitlabVersion: r.gitlab_version ?? undefined,
      });
    }
    case 'legacy':
      return cat.availableServices(c.realm);
    default:
      throw new Error(`unknown op ${c.op}`);
  }
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
