// tests/vectors/tokens.json through the Node package: the same results as the Rust core.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { cc, loadVectors } from './helpers.mjs';
import { CLAIM_FIELDS, verifyArgs } from './vector_calls.mjs';

const V = loadVectors('tokens.json');
const keys = cc.KeySet.fromJwks(V.jwks);

for (const c of V.cases) {
  test(`token vector ${c.id}`, () => {
    const { audiences, options: o } = verifyArgs(V, c);
    if (c.expected.valid) {
      const claims = keys.verify(c.token, audiences, o);
      assert.equal(typeof claims, 'object');
      assert.ok(claims !== null);
    } else {
      assert.throws(
        () => keys.verify(c.token, audiences, o),
        (e) => e instanceof Error && e.code === c.expected.error,
      );
    }
  });
}

for (const c of V.jwks_cases) {
  test(`jwks vector ${c.id}`, () => {
    const want = c.expected;
    if ('error' in want) {
      assert.throws(() => cc.KeySet.fromJwks(c.jwks), (e) => e.code === want.error);
      return;
    }
    const set = cc.KeySet.fromJwks(c.jwks);
    if ('keys' in want) assert.equal(set.length, want.keys);
    if ('skipped' in want) assert.equal(set.skipped.length, want.skipped);
    if ('kids' in want) assert.deepStrictEqual(set.kids.map((k) => k ?? null), want.kids);
  });
}

for (const c of V.jwk_cases) {
  test(`jwk vector ${c.id}`, () => {
    const want = c.expected;
    if ('error' in want) {
      assert.throws(() => cc.jwkThumbprint(c.jwk), (e) => e.code === want.error);
    } else {
      assert.equal(cc.jwkThumbprint(c.jwk), want.thumbprint);
    }
  });
}

const AUTH = V.authenticate;
const EMPTY_CLAIMS = {
  gitlabRealm: '',
  scopes: [],
  subject: '',
  issuer: '',
  duoSeatCount: '',
  gitlabInstanceId: '',
  gitlabInstanceUid: '',
};

for (const c of AUTH.cases) {
  test(`authenticate vector ${c.id}`, async () => {
    process.env.CLOUD_CONNECTOR_SERVICE_NAME = AUTH.service_name;
    const provider = new cc.CompositeProvider([cc.KeySource.local(V.keys.a, V.keys.b)]);
    const { user, error } = await cc.authenticate(c.headers, provider, { bypassAuth: c.bypass_auth });
    const want = c.expected;
    assert.equal(error, want.error);
    assert.equal(user.authenticated, want.authenticated);
    assert.equal(user.isDebug, want.is_debug);
    assert.equal(user.globalUserId, want.global_user_id);
    if (want.claims === null) {
      assert.equal(user.claims, null);
    } else if (want.claims === 'empty') {
      const { extra, ...rest } = user.claims;
      assert.deepStrictEqual(rest, EMPTY_CLAIMS);
      assert.equal(extra, null);
    } else {
      for (const [field, value] of Object.entries(want.claims)) {
        assert.deepStrictEqual(user.claims[CLAIM_FIELDS[field]], value, field);
      }
    }
  });
}
