// The catalog API: records with every field, lookups, associations, filters, validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { cc, repoRoot, rejectsWithCode } from './helpers.mjs';

const catalog = cc.Catalog.embedded();

test('unit primitives carry every field, dates as Date', () => {
  const chat = catalog.unitPrimitive('duo_chat');
  assert.equal(chat.name, 'duo_chat');
  assert.equal(chat.featureCategory.length > 0, true);
  assert.ok(chat.cutOffDate instanceof Date);
  assert.equal(chat.cutOffDate.toISOString(), '2024-10-17T00:00:00.000Z');
  assert.equal(chat.minGitlabVersion, '16.9');
  assert.equal(chat.minGitlabVersionForFreeAccess, '16.8');
  assert.deepStrictEqual(chat.backendServices, ['ai_gateway', 'duo_workflow_service']);
  assert.ok(Array.isArray(chat.aliasNames));
  const free = catalog.unitPrimitive('agent_quick_actions');
  assert.equal(free.cutOffDate, undefined);
  assert.deepStrictEqual(free.licenseTypes, ['ultimate']);
});

test('lookups by name and alias give the canonical record', () => {
  assert.equal(catalog.unitPrimitive('summarize_submitted_review').name, 'summarize_review');
  assert.equal(catalog.unitPrimitive('no_such_thing'), null);
  const gw = catalog.backendService('ai_gateway');
  assert.equal(gw.jwtAud, 'gitlab-ai-gateway');
  assert.equal(gw.projectUrl.startsWith('https://'), true);
  assert.equal(catalog.addOn('duo_pro').name, 'duo_pro');
  assert.equal(catalog.licenseType('ultimate').name, 'ultimate');
  assert.ok(catalog.service('duo_chat').unitPrimitives.length > 0);
  assert.equal(catalog.source, 'embedded');
});

test('lists and associations', () => {
  assert.ok(catalog.unitPrimitives().length > 20);
  assert.deepStrictEqual(
    catalog.licenseTypes().map((l) => l.name),
    ['premium', 'ultimate'],
  );
  assert.deepStrictEqual(catalog.backendServicesOf('duo_chat').map((b) => b.name), ['ai_gateway', 'duo_workflow_service']);
  assert.ok(catalog.addOnsOf('duo_chat').some((a) => a.name === 'duo_pro'));
  assert.ok(Array.isArray(catalog.licenseTypesOf('duo_chat')));
  assert.ok(catalog.unitPrimitivesOf('duo_chat').some((u) => u.name === 'duo_chat'));
  const err = assert.throws(() => catalog.addOnsOf('nope'), (e) => e.code === 'invalid_argument');
  void err;
  assert.throws(() => catalog.addOnsOf('nope'), /no unit primitive named 'nope'/);
  assert.throws(() => catalog.unitPrimitivesOf('nope'), /no service named 'nope'/);
});

test('filters, groups and feature categories', () => {
  const pro = catalog.filterUnitPrimitives({ addOn: 'duo_pro' });
  assert.ok(pro.length > 0);
  assert.ok(pro.every((u) => u.addOns.includes('duo_pro')));
  const paid = catalog.filterUnitPrimitives({ access: 'paid', at: new Date('2030-01-01T00:00:00Z') });
  assert.ok(paid.some((u) => u.name === 'duo_chat'));
  assert.ok(catalog.filterUnitPrimitives({ text: 'DUO_CHAT' }).some((u) => u.name === 'duo_chat'));
  assert.equal(catalog.filterUnitPrimitives().length, catalog.unitPrimitives().length);
  assert.throws(
    () => catalog.filterUnitPrimitives({ access: 'cheap' }),
    (e) => e.code === 'invalid_argument' && /'free' or 'paid'/.test(e.message),
  );
  const groups = catalog.groups();
  assert.deepStrictEqual([...groups].sort(), groups);
  assert.ok(catalog.featureCategories().includes(catalog.unitPrimitive('duo_chat').featureCategory));
});

test('entitlements and the legacy generator', () => {
  const grant = catalog.entitlements({ addOns: ['duo_pro'], at: new Date('2030-01-01T00:00:00Z') });
  assert.ok(grant.scopes.includes('duo_chat'));
  assert.ok(grant.audiences.includes('gitlab-ai-gateway'));
  assert.throws(
    () => catalog.entitlements({ addOns: [], licenseType: 'platinum' }),
    (e) => e.code === 'invalid_argument',
  );
  const legacy = catalog.availableServices('gitlab-com');
  assert.ok('duo_chat' in legacy.services, Object.keys(legacy.services).join());
  assert.throws(
    () => catalog.availableServices('gitlab.com'),
    (e) => e.code === 'invalid_realm' && e.message.startsWith('Wrong gitlab_realm'),
  );
  assert.deepStrictEqual(Object.keys(catalog.loadAll()).sort(), [
    'add_ons',
    'backend_services',
    'license_types',
    'services',
    'unit_primitives',
  ]);
});

test('overrides are merged and validated', () => {
  const c = cc.Catalog.embedded({ unit_primitives: { duo_chat: { description: 'Overridden.' } } });
  assert.equal(c.unitPrimitive('duo_chat').description, 'Overridden.');
  assert.notEqual(catalog.unitPrimitive('duo_chat').description, 'Overridden.');
  assert.throws(() => cc.Catalog.embedded({ nonsense: {} }), (e) => e.code === 'invalid_override');
  assert.throws(
    () => cc.Catalog.embedded({ unit_primitives: { duo_chat: { backend_services: 'x' } } }),
    (e) => e.code === 'catalog_invalid' && e.problems.length === 1,
  );
});

test('a directory loads; validation lists every problem with file and field', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cc-node-catalog-'));
  try {
    const root = path.join(dir, 'config');
    cpSync(path.join(repoRoot, 'config'), root, { recursive: true });
    const loaded = cc.Catalog.loadDir(root);
    assert.equal(loaded.source, root);
    assert.equal(loaded.unitPrimitives().length, catalog.unitPrimitives().length);
    assert.deepStrictEqual(cc.Catalog.validateDir(root), []);

    // Two broken files: a missing field and an unknown backend.
    writeFileSync(
      path.join(root, 'unit_primitives', 'duo_chat.yml'),
      'name: duo_chat\ngroup: g\nfeature_category: c\nbackend_services: [nope]\nadd_ons: []\nlicense_types: []\n',
    );
    writeFileSync(path.join(root, 'add_ons', 'duo_pro.yml'), 'name: duo_pro\ndescription: d\nextra_field: 1\n');
    const problems = cc.Catalog.validateDir(root);
    assert.ok(problems.length >= 2, JSON.stringify(problems));
    assert.ok(
      problems.some(
        (p) => p.kind === 'missing_field' && p.file.endsWith('unit_primitives/duo_chat.yml') && p.field === 'description',
      ),
      JSON.stringify(problems),
    );
    assert.ok(
      problems.some((p) => p.kind === 'unknown_field' && p.file.endsWith('add_ons/duo_pro.yml') && p.field === 'extra_field'),
      JSON.stringify(problems),
    );
    const err = assert.throws(() => cc.Catalog.loadDir(root), (e) => e.code === 'catalog_invalid');
    void err;
    try {
      cc.Catalog.loadDir(root);
    } catch (e) {
      assert.deepStrictEqual(e.problems, problems);
      assert.match(e.message, /^catalog is invalid: \d+ problems/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing directory is catalog_not_found', async () => {
  const missing = path.join(tmpdir(), 'cc-node-definitely-missing');
  await rejectsWithCode(() => cc.Catalog.loadDir(missing), 'catalog_not_found');
  await rejectsWithCode(() => cc.Catalog.validateDir(missing), 'catalog_not_found');
});

test('arguments of the wrong type are clear errors, not crashes', () => {
  assert.throws(() => cc.Catalog.loadDir(42), (e) => e instanceof Error && /string/i.test(e.message));
  assert.throws(() => catalog.entitlements({}), (e) => e instanceof Error && /addOns/.test(e.message));
  assert.throws(() => catalog.entitlements({ addOns: [], at: 'yesterday' }), (e) => e instanceof Error);
});

test('error codes are the core codes', () => {
  const codes = cc.errorCodes();
  assert.ok(codes.includes('catalog_invalid'));
  assert.ok(codes.includes('token_expired'));
  assert.equal(new Set(codes).size, codes.length);
});
