// JWKS provider faults through the Node package (issue 8), as the core, Python and Ruby suites do:
// a real OIDC issuer on 127.0.0.1 goes slow, answers 500 or garbage, goes down, rotates its keys
// and takes an unknown-kid storm. Throughout, tokens whose key is held keep verifying, and the
// fetches the issuer sees (or, while it is down, the provider's refresh count) stay within the
// core's rules: one background refresh once the keys are due, no retry for
// `retryAfterFailureSeconds`, at most one unknown-kid refresh per cooldown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import * as jose from 'jose';

import { cc, loadVectors, serve, json, rejectsWithCode } from './helpers.mjs';

const V = loadVectors('tokens.json');
const AUD = 'gitlab-ai-gateway';
const TTL = 1; // seconds until the held keys are due for a background refresh

const publicJwk = (pem, kid) => ({ ...createPublicKey(createPrivateKey(pem)).export({ format: 'jwk' }), kid });
const privateKeys = new Map();

async function sign(pem, kid) {
  if (!privateKeys.has(pem)) {
    const der = createPrivateKey(pem).export({ format: 'pem', type: 'pkcs8' });
    privateKeys.set(pem, await jose.importPKCS8(der, 'RS256'));
  }
  const now = Math.floor(Date.now() / 1000);
  // A fresh jti: every token is distinct, so none is answered from the token cache.
  return new jose.SignJWT({ aud: AUD, sub: 'held', scopes: ['duo_chat'], iat: now, exp: now + 600, jti: randomUUID() })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .sign(privateKeys.get(pem));
}

/** An issuer whose behaviour can be switched while it runs: ok, slow, 500, garbage. */
async function issuer(keys) {
  const state = { mode: 'ok', keys };
  let server;
  const answer = (body) => (req, res) => {
    if (state.mode === '500') return json({ error: 'boom' }, 500)(req, res);
    if (state.mode === 'garbage') return json('{"keys": [ not json')(req, res);
    if (state.mode === 'slow') return setTimeout(() => json(body())(req, res), 3000);
    return json(body())(req, res);
  };
  server = await serve({
    '/.well-known/openid-configuration': answer(() => ({ issuer: server.base, jwks_uri: `${server.base}/jwks` })),
    '/jwks': answer(() => ({ keys: state.keys })),
  });
  return Object.assign(state, server, { fetches: () => server.hits['/jwks'] ?? 0 });
}

function provider(base, options = {}) {
  return new cc.CompositeProvider([cc.KeySource.oidc('Gitlab', base, { timeoutSeconds: 1 })], {
    audiences: [AUD],
    ttlSeconds: TTL,
    ...options,
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** 150 distinct held-key tokens, verified concurrently: every one accepted, none waits long. */
async function heldKeysKeepVerifying(p, label) {
  const tokens = await Promise.all(Array.from({ length: 150 }, () => sign(V.keys.a, 'a')));
  const started = Date.now();
  const results = await Promise.all(
    tokens.map(async (t) => {
      const t0 = Date.now();
      const claims = await p.verify(t);
      return { sub: claims.sub, ms: Date.now() - t0 };
    }),
  );
  assert.ok(results.every((r) => r.sub === 'held'), `${label}: every held-key token verifies`);
  const slowest = Math.max(...results.map((r) => r.ms));
  assert.ok(slowest < 1500, `${label}: no verification waited for the failing refresh (${slowest} ms)`);
  return Date.now() - started;
}

for (const mode of ['slow', '500', 'garbage', 'down']) {
  test(`held keys keep verifying while the issuer is ${mode}; one refresh attempt, no retry`, async () => {
    const iss = await issuer([publicJwk(V.keys.a, 'a')]);
    let closed = false;
    try {
      const p = provider(iss.base);
      assert.equal((await p.verify(await sign(V.keys.a, 'a'))).sub, 'held');
      assert.equal(iss.fetches(), 1);
      const refreshesBefore = p.refreshes;
      if (mode === 'down') {
        await iss.close();
        closed = true;
      } else {
        iss.mode = mode;
      }
      await sleep(TTL * 1000 + 200); // the held keys are now due for a background refresh
      await heldKeysKeepVerifying(p, mode);
      await sleep(mode === 'slow' ? 1500 : 300); // let the background attempt finish (1 s timeout)
      await heldKeysKeepVerifying(p, `${mode}, after the failed refresh`);
      // Exactly one background attempt, and no retry inside retryAfterFailureSeconds (30 s).
      assert.equal(p.refreshes - refreshesBefore, 1, `${mode}: refresh attempts`);
      if (!closed) assert.ok(iss.fetches() <= 2, `${mode}: the issuer saw ${iss.fetches()} JWKS fetches`);
      const report = p.lastRefreshReport();
      assert.equal(report.failures.length, 1, `${mode}: the failing source is reported`);
      assert.equal(await p.ready(), true, 'last good keys still count as keys');
    } finally {
      if (!closed) await iss.close();
    }
  });
}

test('an unknown-kid storm of 1000 tokens costs at most one fetch per cooldown', async () => {
  const iss = await issuer([publicJwk(V.keys.a, 'a')]);
  try {
    const p = provider(iss.base, { ttlSeconds: 3600 });
    await p.refresh();
    assert.equal(iss.fetches(), 1);
    // 50 kids nobody publishes, 20 tokens each, all in flight at once.
    const storm = await Promise.all(Array.from({ length: 1000 }, (_, i) => sign(V.keys.b, `unknown-${i % 50}`)));
    const held = await Promise.all(Array.from({ length: 50 }, () => sign(V.keys.a, 'a')));
    const outcomes = await Promise.all([
      ...storm.map((t) => p.verify(t).then(() => 'accepted', (e) => e.code)),
      ...held.map((t) => p.verify(t).then((c) => c.sub, (e) => e.code)),
    ]);
    const stormCodes = new Set(outcomes.slice(0, 1000));
    assert.deepStrictEqual([...stormCodes], ['unknown_key']);
    assert.ok(outcomes.slice(1000).every((o) => o === 'held'), 'held-key tokens verify during the storm');
    assert.ok(iss.fetches() <= 2, `the storm caused ${iss.fetches() - 1} fetches (at most 1 per cooldown)`);
  } finally {
    await iss.close();
  }
});

test('unknown-kid refreshes over time stay within ceil(elapsed / cooldown) + 1', async () => {
  const iss = await issuer([publicJwk(V.keys.a, 'a')]);
  try {
    const cooldown = 0.25;
    const p = provider(iss.base, { ttlSeconds: 3600, unknownKidCooldownSeconds: cooldown });
    await p.refresh();
    const started = Date.now();
    let i = 0;
    while (Date.now() - started < 1200) {
      const token = await sign(V.keys.b, `nobody-${i++}`);
      await rejectsWithCode(() => p.verify(token), 'unknown_key');
    }
    const elapsed = (Date.now() - started) / 1000;
    const unknownKidFetches = iss.fetches() - 1;
    assert.ok(unknownKidFetches >= 2, `refreshes do happen after each cooldown (${unknownKidFetches})`);
    assert.ok(
      unknownKidFetches <= Math.ceil(elapsed / cooldown) + 1,
      `${unknownKidFetches} fetches in ${elapsed.toFixed(2)} s with a ${cooldown} s cooldown`,
    );
  } finally {
    await iss.close();
  }
});

test('rotation: a new key is picked up with one fetch; a key no longer published is refused', async () => {
  const iss = await issuer([publicJwk(V.keys.a, 'a')]);
  try {
    const p = provider(iss.base, { ttlSeconds: 3600, unknownKidCooldownSeconds: 0.2 });
    const old = await sign(V.keys.a, 'a');
    assert.equal((await p.verify(old)).sub, 'held');
    iss.keys = [publicJwk(V.keys.a, 'a'), publicJwk(V.keys.b, 'b')];
    assert.equal((await p.verify(await sign(V.keys.b, 'b'))).sub, 'held');
    assert.equal(iss.fetches(), 2, 'one fetch for the new kid');
    assert.equal((await p.verify(await sign(V.keys.a, 'a'))).sub, 'held', 'the old key still works');
    // The issuer stops publishing `a`: after the next refresh its tokens are refused, cached or not.
    iss.keys = [publicJwk(V.keys.b, 'b')];
    await sleep(250);
    await p.refresh();
    await rejectsWithCode(() => p.verify(old), 'unknown_key');
    const fresh = await sign(V.keys.a, 'a');
    await rejectsWithCode(() => p.verify(fresh), 'unknown_key');
  } finally {
    await iss.close();
  }
});
