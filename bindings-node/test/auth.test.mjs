// Providers against real HTTP servers on 127.0.0.1, the composite cache, `authenticate`, users.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as jose from 'jose';

import { cc, loadVectors, oidcServer, serve, json, rejectsWithCode, repoRoot } from './helpers.mjs';

const V = loadVectors('tokens.json');
const AUD = 'gitlab-ai-gateway';

function publicJwk(pem, kid) {
  return { ...createPublicKey(createPrivateKey(pem)).export({ format: 'jwk' }), kid };
}

async function sign(pem, kid, claims = {}) {
  const key = await jose.importPKCS8(createPrivateKey(pem).export({ format: 'pem', type: 'pkcs8' }), 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({ aud: AUD, sub: 'instance-1', gitlab_realm: 'saas', scopes: ['duo_chat'], iat: now, exp: now + 600, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .sign(key);
}

test("a cached token's signature over another payload is refused; token text is read exactly", async () => {
  const p = new cc.CompositeProvider([cc.KeySource.staticJwks('static', { keys: [publicJwk(V.keys.a, 'a')] })], { audiences: [AUD] });
  await p.refresh();
  const keys = cc.KeySet.fromJwks({ keys: [publicJwk(V.keys.a, 'a')] });
  const token = await sign(V.keys.a, 'a');
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const forged = [header, Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url'), signature].join('.');
  for (let i = 0; i < 2; i++) {
    assert.deepStrictEqual({ ...p.verifySync(token) }, claims);
    assert.throws(() => p.verifySync(forged), (e) => e.code === 'invalid_signature');
    assert.throws(() => keys.verify(forged, AUD), (e) => e.code === 'invalid_signature');
  }
  assert.equal(p.cachedTokens, 1);
  // Text past ASCII is never read as a token's bytes (a character is not cut to its low byte).
  const last = token.at(-1);
  const wide = token.slice(0, -1) + String.fromCharCode(0x100 + last.charCodeAt(0));
  assert.throws(() => p.verifySync(wide), (e) => e.code === 'token_malformed');
  assert.throws(() => keys.verify(wide, AUD), (e) => e.code === 'token_malformed');
  assert.throws(() => p.verifySync(`\u00e9${token}`), (e) => e.code === 'token_malformed');
  // A value that is not a string: napi-rs's own error for a string argument, as before.
  for (const [value, shown] of [[1, 'Number 1 '], [null, 'Null'], [{}, 'Object {}']]) {
    for (const call of [() => p.verifySync(value), () => keys.verify(value, AUD)]) {
      assert.throws(call, (e) => e.code === 'StringExpected' && e.message === `Failed to convert JavaScript value \`${shown}\` into rust type \`String\``);
    }
  }
});

test('OIDC discovery: keys fetched off the event loop, unknown kid picked up once', async () => {
  let jwks = { keys: [publicJwk(V.keys.a, 'a')] };
  const server = await oidcServer(() => jwks);
  try {
    const p = new cc.CompositeProvider([cc.KeySource.oidc('Gitlab', server.base)], { audiences: [AUD] });
    assert.equal(p.cachedJwks(), null);
    const early = await sign(V.keys.a, 'a');
    await rejectsWithCode(() => p.verifySync(early), 'provider_unavailable');
    assert.equal(server.hits['/jwks'] ?? 0, 0, 'verifySync never fetches');

    const tokenA = await sign(V.keys.a, 'a');
    const claims = await p.verify(tokenA);
    assert.equal(claims.sub, 'instance-1');
    assert.equal(server.hits['/jwks'], 1);
    const first = p.verifySync(tokenA);
    assert.equal(first.sub, 'instance-1');
    assert.equal(p.cachedTokens, 1);
    // A cache hit hands back the same deeply frozen claims object.
    assert.equal(p.verifySync(tokenA), first);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.scopes));
    assert.throws(() => first.scopes.push('code_suggestions'), TypeError);
    assert.notEqual(await p.verify(tokenA), first, 'verify resolves to a fresh object');
    await rejectsWithCode(() => p.verifySync(tokenA, 'someone-else'), 'audience_mismatch');
    assert.equal(await p.ready(), true);
    assert.deepStrictEqual(p.cachedJwks().keys.map((k) => k.kid), ['a']);

    // A new key is published: verifySync refuses its unknown kid without fetching ...
    jwks = { keys: [publicJwk(V.keys.a, 'a'), publicJwk(V.keys.b, 'b')] };
    const tokenB = await sign(V.keys.b, 'b');
    await rejectsWithCode(() => p.verifySync(tokenB), 'unknown_key');
    assert.equal(server.hits['/jwks'], 1);
    // ... and verify refreshes once and accepts it.
    assert.equal((await p.verify(tokenB)).sub, 'instance-1');
    assert.equal(server.hits['/jwks'], 2);
    assert.ok(p.refreshes >= 2);
    await rejectsWithCode(() => p.verify(tokenB, 'someone-else'), 'audience_mismatch');
    assert.equal((await p.jwks()).keys.length, 2);
    assert.deepStrictEqual(p.lastRefreshReport(), { failures: [] });
  } finally {
    await server.close();
  }
});

test('verification continues while a JWKS fetch to a slow server is in flight', async () => {
  const slow = await oidcServer(() => ({ keys: [publicJwk(V.keys.b, 'b')] }), { delayMs: 1500 });
  try {
    // A provider with keys held already, verifying on the main thread ...
    const fast = new cc.CompositeProvider([cc.KeySource.staticJwks('static', { keys: [publicJwk(V.keys.a, 'a')] })], {
      audiences: [AUD],
      tokenCacheSize: 0,
    });
    await fast.refresh();
    const token = await sign(V.keys.a, 'a');
    // ... while another waits 1.5 s for its first JWKS.
    const started = Date.now();
    const pending = new cc.CompositeProvider([cc.KeySource.oidc('Slow', slow.base)], { audiences: [AUD] }).verify(
      await sign(V.keys.b, 'b'),
    );
    let settled = false;
    pending.then(() => (settled = true), () => (settled = true));
    let verified = 0;
    let asyncVerified = 0;
    const ticks = [];
    while (!settled) {
      assert.equal(fast.verifySync(token).sub, 'instance-1');
      verified += 1;
      assert.equal((await fast.verify(token)).sub, 'instance-1');
      asyncVerified += 1;
      ticks.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const claims = await pending;
    assert.equal(claims.sub, 'instance-1');
    assert.ok(Date.now() - started >= 1400, 'the slow fetch really was slow');
    assert.ok(verified > 20, `the event loop kept verifying (${verified} sync, ${asyncVerified} async)`);
    const gaps = ticks.slice(1).map((t, i) => t - ticks[i]);
    assert.ok(Math.max(...gaps) < 500, `no long stall of the event loop: ${Math.max(...gaps)} ms`);
  } finally {
    await slow.close();
  }
});

test('broken providers: HTTP 500, garbage, timeout, dead port; last good keys kept', async () => {
  const broken = await serve({
    '/.well-known/openid-configuration': json({ error: 'boom' }, 500),
  });
  const garbage = await serve({
    '/.well-known/openid-configuration': json('{not json'),
  });
  const hang = await serve({ '/.well-known/openid-configuration': () => {} });
  try {
    for (const [base, code] of [
      [broken.base, 'jwks_fetch_failed'],
      [garbage.base, 'jwks_invalid'],
    ]) {
      await rejectsWithCode(() => cc.KeySource.oidc('X', base).load(), code);
    }
    const started = Date.now();
    await rejectsWithCode(() => cc.KeySource.oidc('Hang', hang.base, { timeoutSeconds: 0.3 }).load(), 'jwks_fetch_failed');
    assert.ok(Date.now() - started < 5000);
    await rejectsWithCode(() => cc.KeySource.oidc('Dead', 'http://127.0.0.1:1').load(), 'jwks_fetch_failed');
    assert.throws(() => cc.KeySource.oidc('X', broken.base, { timeoutSeconds: -1 }), (e) => e.code === 'invalid_argument');

    // One good source and one broken: verification works, readiness says not ready.
    const p = new cc.CompositeProvider(
      [cc.KeySource.local(V.keys.a, '', AUD), cc.KeySource.oidc('Broken', broken.base)],
      { audiences: [AUD] },
    );
    const token = await sign(V.keys.a, `${AUD}_signing_key`);
    assert.equal((await p.verify(token)).sub, 'instance-1');
    assert.equal(await p.ready(), false);
    const report = p.lastRefreshReport();
    assert.equal(report.failures[0].source, 'Broken');
    assert.equal(report.failures[0].code, 'jwks_fetch_failed');
    assert.match(report.fallback, /JWKS/);

    // Nothing at all: provider_unavailable.
    const none = new cc.CompositeProvider([cc.KeySource.oidc('Broken', broken.base)], { audiences: [AUD] });
    await rejectsWithCode(() => none.verify(token), 'provider_unavailable');
  } finally {
    await Promise.all([broken.close(), garbage.close(), hang.close()]);
  }
});

test('static JWKS and local sources load without the network', async () => {
  const jwks = await cc.KeySource.staticJwks('S', JSON.stringify({ keys: [publicJwk(V.keys.a, 'a')] })).load();
  assert.deepStrictEqual(jwks.keys.map((k) => k.kid), ['a']);
  const local = cc.KeySource.local(V.keys.a, V.keys.b, 'svc');
  assert.equal(local.name.length > 0, true);
  assert.equal((await local.load()).keys.length, 2);
  assert.throws(() => cc.KeySource.staticJwks('S', '[]'), (e) => e.code === 'jwks_invalid');
  assert.throws(() => new cc.CompositeProvider([], { algorithms: ['none'] }), (e) => e.code === 'invalid_argument');
  assert.throws(() => new cc.CompositeProvider([], { ttlSeconds: Number.NaN }), (e) => e.code === 'invalid_argument');
});

test('authenticate: headers object, service name, users and can()', async () => {
  const p = new cc.CompositeProvider([cc.KeySource.local(V.keys.a, '', AUD)]);
  const token = await sign(V.keys.a, `${AUD}_signing_key`, { iss: 'https://gitlab.com', gitlab_instance_id: 'inst-1', sub: 'inst-1', gitlab_namespace_id: '7' });
  // Node's lower-case header names, as `req.headers` has them; arrays are ignored.
  const headers = {
    authorization: `Bearer ${token}`,
    'x-gitlab-authentication-type': 'oidc',
    'x-gitlab-realm': 'saas',
    'x-gitlab-instance-id': 'inst-1',
    'x-gitlab-global-user-id': 'u-9',
    'set-cookie': ['a=b'],
  };
  const { user, error, errorCode } = await cc.authenticate(headers, p, { serviceName: AUD });
  assert.equal(error, null);
  assert.equal(errorCode, null);
  assert.equal(user.authenticated, true);
  assert.equal(user.globalUserId, 'u-9');
  assert.equal(user.claims.issuer, 'https://gitlab.com');
  assert.deepStrictEqual(user.claims.scopes, ['duo_chat']);
  assert.equal(user.claims.extra.gitlab_namespace_id, '7');
  assert.equal(user.can('duo_chat'), true);
  assert.equal(user.can('code_suggestions'), false);
  assert.equal(user.can('duo_chat', ['https://gitlab.com']), false);
  assert.deepStrictEqual(user.unitPrimitives(), ['duo_chat']);

  const mismatch = await cc.authenticate({ ...headers, 'x-gitlab-realm': 'self-managed' }, p, { serviceName: AUD });
  assert.equal(mismatch.error, "Header mismatch 'X-Gitlab-Realm'");
  assert.equal(mismatch.errorCode, 'header_mismatch');
  assert.equal(mismatch.user.authenticated, false);

  // The service name comes from the environment when not given.
  process.env.CLOUD_CONNECTOR_SERVICE_NAME = 'another-service';
  const other = await cc.authenticate(headers, p);
  assert.equal(other.error, 'Forbidden by auth provider');
  delete process.env.CLOUD_CONNECTOR_SERVICE_NAME;
  await rejectsWithCode(() => cc.authenticate(headers, p), 'no_service_name');

  const debug = await cc.authenticate({}, null, { bypassAuth: true });
  assert.equal(debug.user.isDebug, true);
  assert.equal(debug.user.can('anything'), true);
  assert.equal(debug.user.claims, null);
  await rejectsWithCode(() => cc.authenticate({ authorization: 'Bearer x', 'x-gitlab-authentication-type': 'oidc' }, null), 'invalid_argument');
  await rejectsWithCode(() => cc.authenticate('not headers', p), 'invalid_argument');
});

// promises.js (decision node-promises-reject): what a Promise-returning call would throw before
// its Promise exists (napi's argument conversion, the core's argument checks, a foreign `this`)
// arrives as a rejection, so a `.catch()` chain sees it.
test('every call typed to return a Promise rejects instead of throwing', async () => {
  const dts = readFileSync(path.join(repoRoot, 'bindings-node', 'index.d.ts'), 'utf8');
  const promised = [];
  let owner = null;
  for (const line of dts.split('\n')) {
    const declared = /^export declare (class|function) (\w+)/.exec(line);
    if (declared) owner = declared[1] === 'class' ? declared[2] : null;
    const fn = /^export declare function (\w+)\(.*\): Promise</.exec(line);
    if (fn) promised.push([null, fn[1]]);
    const method = /^ {2}(\w+)\(.*\): Promise</.exec(line);
    if (method && owner) promised.push([owner, method[1]]);
  }
  assert.ok(promised.length >= 9, JSON.stringify(promised));
  for (const [owner, name] of promised) {
    const fn = owner ? cc[owner].prototype[name] : cc[name];
    const label = owner ? `${owner}.${name}` : name;
    let result;
    assert.doesNotThrow(() => {
      result = fn.call({}, Symbol('bad'), Symbol('bad'));
    }, label);
    assert.ok(result instanceof Promise, label);
    await assert.rejects(result, Error, label);
    assert.equal(fn.name, name, label);
  }
  // The error is the one the call threw before: coded when the core refused it.
  await assert.rejects(cc.authenticate(1), (e) => e.code === 'invalid_argument');
  const authority = new cc.TokenAuthority('not a pem');
  await assert.rejects(authority.encodeAsync('aud', { sub: 1 }), (e) => /UserTokenOptions\.sub/.test(e.message));
  await assert.rejects(new cc.KeyRing().issueInstanceTokenAsync(null), Error);
});
