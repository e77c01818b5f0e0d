// Verification with key sets, issuance and key rings, and interop with `jose` both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import * as jose from 'jose';

import { cc, loadVectors, repoRoot } from './helpers.mjs';

const V = loadVectors('tokens.json');
const PEM_A = V.keys.a;
const AUD = 'gitlab-ai-gateway';

function publicJwk(pem, kid) {
  return { ...createPublicKey(createPrivateKey(pem)).export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

async function joseToken(claims, { kid = 'a', pem = PEM_A, alg = 'RS256' } = {}) {
  const key = await jose.importPKCS8(createPrivateKey(pem).export({ format: 'pem', type: 'pkcs8' }), alg);
  return new jose.SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(key);
}

test('jose tokens verify with our KeySet, and its failures have our codes', async () => {
  const keys = cc.KeySet.fromJwks({ keys: [publicJwk(PEM_A, 'a')] });
  const now = Math.floor(Date.now() / 1000);
  const token = await joseToken({ aud: AUD, sub: 'instance-1', iat: now, exp: now + 600, scopes: ['duo_chat'] });
  const claims = keys.verify(token, AUD);
  assert.equal(claims.sub, 'instance-1');
  assert.deepStrictEqual(claims.scopes, ['duo_chat']);
  assert.equal(keys.verify(token, ['other', AUD]).sub, 'instance-1');

  const expired = await joseToken({ aud: AUD, exp: now - 10 });
  assert.throws(() => keys.verify(expired, AUD), (e) => e.code === 'token_expired');
  assert.equal(keys.verify(expired, AUD, { leeway: 60 }).aud, AUD);
  assert.throws(() => keys.verify(token, 'other'), (e) => e.code === 'audience_mismatch');
  const otherKey = await joseToken({ aud: AUD, exp: now + 600 }, { pem: V.keys.b });
  assert.throws(() => keys.verify(otherKey, AUD), (e) => e.code === 'invalid_signature');
  const ps = await joseToken({ aud: AUD, exp: now + 600 }, { alg: 'PS256' });
  assert.throws(() => keys.verify(ps, AUD), (e) => e.code === 'unsupported_algorithm');
  assert.throws(() => keys.verify('not.a.token', AUD), (e) => e.code === 'token_malformed');
  assert.throws(() => keys.verify(token, AUD, { algorithms: ['HS256'] }), (e) => e.code === 'invalid_argument');
  assert.throws(() => keys.verify(token, AUD, { issuer: 'https://gitlab.com' }), (e) => e.code === 'issuer_mismatch');
});

test('KeySet.verify gives the claims as the issuer wrote them: its key order, JSON values, unicode', async () => {
  const keys = cc.KeySet.fromJwks({ keys: [publicJwk(PEM_A, 'a')] });
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: 'instance-1',
    aud: AUD,
    exp: now + 600,
    zeta: { nested: [1, 2.5, null, true], 'ключ': 'значение ✓' },
    alpha: '\u2028 and "quotes"',
    scopes: ['duo_chat'],
  };
  const token = await joseToken(claims);
  const got = keys.verify(token, AUD);
  assert.deepStrictEqual(Object.keys(got), Object.keys(claims));
  assert.deepStrictEqual(got, claims);
  assert.deepStrictEqual(got, (await jose.jwtVerify(token, await jose.importJWK(publicJwk(PEM_A, 'a'), 'RS256'), { audience: AUD })).payload);
  // Each call parses its own object.
  assert.notStrictEqual(keys.verify(token, AUD), got);
});

/** A token over exactly `payload` (JSON text as written), signed with key a. */
function signedText(payload) {
  const b64 = (text) => Buffer.from(text).toString('base64url');
  const input = `${b64('{"alg":"RS256","kid":"a"}')}.${b64(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(createPrivateKey(PEM_A)).toString('base64url')}`;
}

test('KeySet.verify gives what JSON.parse gives for the payload: members, values, order', () => {
  const keys = cc.KeySet.fromJwks({ keys: [publicJwk(PEM_A, 'a')] });
  const exp = Math.floor(Date.now() / 1000) + 600;
  const scopes = Array.from({ length: 26 }, (_, i) => `"unit_primitive_${i}"`).join(',');
  const payloads = [
    `{"aud":["${AUD}","b"],"exp":${exp},"scopes":[${scopes}],"sub":"x"}`,
    ` {\n "scopes" :\t[ "a" ,\r\n"b"\n] , "aud" : "${AUD}", "exp": ${exp} } `,
    // A name given twice keeps its first place and its last value, however it is spelled.
    `{"scopes":["a"],"aud":"${AUD}","exp":${exp},"scopes":["b","c"]}`,
    `{"scopes":["a"],"aud":"${AUD}","exp":${exp},"scopes":7}`,
    `{"ab":["a"],"aud":"${AUD}","exp":${exp},"a\\u0062":["z"]}`,
    // A member named like Object.prototype's accessor stays an own member.
    `{"__proto__":["a","b"],"aud":"${AUD}","exp":${exp}}`,
    `{"constructor":["a"],"toString":["b"],"aud":"${AUD}","exp":${exp}}`,
    // More lists than are taken apart, lists that are not plain strings, nested lists.
    `{"l1":["a"],"l2":["b"],"l3":["c"],"l4":["d"],"l5":["e"],"aud":"${AUD}","exp":${exp}}`,
    `{"e":[],"m":["a",1],"s":["a\\nb"],"u":["é","✓"],"n":{"l":["a"]},"aud":"${AUD}","exp":${exp}}`,
  ];
  for (const payload of payloads) {
    const expected = JSON.parse(payload);
    for (let round = 0; round < 2; round++) {
      const got = keys.verify(signedText(payload), AUD);
      assert.equal(JSON.stringify(got), JSON.stringify(expected), payload);
      assert.deepStrictEqual(got, expected, payload);
      assert.equal(Object.getPrototypeOf(got), Object.prototype, payload);
    }
  }
  // Lists are the caller's to change: a later verification has its own.
  const token = signedText(payloads[0]);
  const first = keys.verify(token, AUD);
  first.scopes.push('mine');
  first.aud.length = 0;
  const second = keys.verify(token, AUD);
  assert.equal(second.scopes.length, 26);
  assert.deepStrictEqual(second.aud, [AUD, 'b']);
  assert.notStrictEqual(second.scopes, keys.verify(token, AUD).scopes);
  // More list texts than are kept (256): each token still gets its own lists.
  for (let i = 0; i < 300; i++) {
    const payload = `{"aud":"${AUD}","exp":${exp},"scopes":["s${i}","t${i}"]}`;
    assert.deepStrictEqual(keys.verify(signedText(payload), AUD).scopes, [`s${i}`, `t${i}`]);
  }
});

test('workers verify with their own JS environment, one after another and at once', async () => {
  const realistic = JSON.parse(readFileSync(path.join(repoRoot, 'bench', 'realistic_token.json'), 'utf8'));
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const cc = require(workerData.pkg);
    const keys = cc.KeySet.fromJwks(workerData.jwks);
    const got = [keys.verify(workerData.token, '${AUD}'), keys.verify(workerData.token, '${AUD}')];
    got[0].scopes.push('mine');
    parentPort.postMessage(got);`;
  const pkg = process.env.CLOUD_CONNECTOR_NODE ?? path.join(repoRoot, 'bindings-node');
  const run = () =>
    new Promise((resolve, reject) => {
      const w = new Worker(source, { eval: true, workerData: { pkg, jwks: realistic.jwks, token: realistic.token } });
      w.once('message', resolve);
      w.once('error', reject);
    });
  const expected = cc.KeySet.fromJwks(realistic.jwks).verify(realistic.token, AUD);
  const results = [await run(), await run(), ...(await Promise.all([run(), run(), run()]))];
  for (const [first, second] of results) {
    assert.deepStrictEqual(second, expected);
    assert.deepStrictEqual(first.scopes, [...expected.scopes, 'mine']);
  }
});

test('a token is read exactly: characters past ASCII are never narrowed to ASCII', () => {
  const keys = cc.KeySet.fromJwks({ keys: [publicJwk(PEM_A, 'a')] });
  const token = signedText(`{"aud":"${AUD}","exp":${Math.floor(Date.now() / 1000) + 600}}`);
  assert.equal(keys.verify(token, AUD).aud, AUD);
  const at = token.lastIndexOf('.') - 5;
  // U+0100 + c has c as its low byte: a Latin-1 copy alone would read the valid token.
  for (const swap of [(c) => String.fromCharCode(0x100 + c.charCodeAt(0)), () => 'é', () => '\ud800']) {
    const altered = token.slice(0, at) + swap(token[at]) + token.slice(at + 1);
    assert.throws(() => keys.verify(altered, AUD), (e) => e.code === 'token_malformed' || e.code === 'invalid_signature', altered);
  }
});

test('our TokenAuthority tokens verify with jose.jwtVerify', async () => {
  const authority = new cc.TokenAuthority(PEM_A);
  const { token, exp } = authority.encode(AUD, {
    sub: 'user-1',
    gitlabRealm: 'saas',
    gitlabInstanceId: 'instance-uuid',
    scopes: ['duo_chat'],
    duoSeatCount: '3',
    extraClaims: { gitlab_namespace_id: '42' },
  });
  const key = createPublicKey(createPrivateKey(PEM_A));
  const { payload, protectedHeader } = await jose.jwtVerify(token, key, { audience: AUD, algorithms: ['RS256'] });
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(payload.sub, 'user-1');
  assert.equal(payload.exp, exp);
  assert.equal(payload.gitlab_namespace_id, '42');
  assert.deepStrictEqual(payload.scopes, ['duo_chat']);
  assert.equal(payload.duo_seat_count, '3');

  assert.throws(
    () => new cc.TokenAuthority('not a pem').encode(AUD, { sub: 's', gitlabRealm: 'saas', gitlabInstanceId: 'i', scopes: [] }),
    (e) => e.code === 'key_invalid',
  );
  assert.throws(
    () => authority.encode(AUD, { sub: 's', gitlabRealm: 'saas', gitlabInstanceId: 'i', scopes: [], extraClaims: [1] }),
    (e) => e.code === 'invalid_argument' && /extraClaims/.test(e.message),
  );
});

// `encode.js` hands `encode`'s claims over as arguments when their types allow it
// (perf-node-encode-parts); `encodeAsync` always converts them whole, so it is the oracle for
// `encode`'s tokens and errors alike.
async function outcome(call) {
  try {
    const { token, exp } = await call();
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    // Per call: the times (a second may pass between the two calls) and the random jti.
    for (const name of ['iat', 'nbf', 'exp', 'jti']) if (name in payload) payload[name] = typeof payload[name];
    return { members: Object.entries(payload), exp: typeof exp };
  } catch (e) {
    return { code: e.code, message: e.message };
  }
}

test('encode signs what encodeAsync signs and throws what it throws, whichever way its claims go', async () => {
  const authority = new cc.TokenAuthority(PEM_A);
  const realistic = JSON.parse(readFileSync(path.join(repoRoot, 'bench', 'realistic_token.json'), 'utf8')).claims;
  const user = { sub: 'user-1', gitlabRealm: 'saas', gitlabInstanceId: 'instance-uuid', scopes: ['duo_chat'] };
  const many = Array.from({ length: 300 }, (_, i) => `unit_primitive_${i}`);
  const signed = {
    realistic: { ...user, gitlabInstanceId: realistic.gitlab_instance_id, scopes: realistic.scopes },
    'number id': { ...user, gitlabInstanceId: 42 },
    'large number id': { ...user, gitlabInstanceId: 2 ** 60 },
    'fraction id': { ...user, gitlabInstanceId: 1.5 },
    'boolean id': { ...user, gitlabInstanceId: false },
    'null id': { ...user, gitlabInstanceId: null },
    'object id': { ...user, gitlabInstanceId: { a: [1, 'b'] } },
    'bigint id': { ...user, gitlabInstanceId: 7n },
    'no scopes': { ...user, scopes: [] },
    'one empty scope': { ...user, scopes: [''] },
    'empty scopes': { ...user, scopes: ['', '', 'a', ''] },
    'scope holding NUL': { ...user, scopes: ['a\0b', 'c'] },
    'NUL scopes': { ...user, scopes: ['\0', '\0\0'] },
    'scopes past ASCII': { ...user, scopes: ['é', '日本', '\u{1F600}', '"\\\n'] },
    'lone surrogates': { ...user, scopes: ['\ud800', '\udc00', 'x\ud800'] },
    'a pair split over two scopes stays two': { ...user, scopes: ['\ud83d', '\ude00'] },
    '300 scopes': { ...user, scopes: many },
    'seat count': { ...user, duoSeatCount: '3' },
    'empty seat count': { ...user, duoSeatCount: '' },
    'extra claims': { ...user, extraClaims: { gitlab_namespace_id: '42', sub: 'replaced' } },
    'null extra claims': { ...user, extraClaims: null },
    'claims from a prototype': Object.create(user),
    'unicode names': { ...user, sub: 'ü\u{1F600}', gitlabRealm: '\ud800' },
  };
  for (const [name, claims] of Object.entries(signed)) {
    const sync = await outcome(() => authority.encode(`aud-${name}`, claims));
    assert.ok(sync.members, `${name}: ${sync.message}`);
    assert.deepStrictEqual(sync, await outcome(() => authority.encodeAsync(`aud-${name}`, claims)), name);
  }
  const refused = {
    'number scope': { ...user, scopes: ['a', 1] },
    'hole in scopes': { ...user, scopes: [, 'a'] }, // eslint-disable-line no-sparse-arrays
    'string scopes': { ...user, scopes: 'duo_chat' },
    'no sub': { ...user, sub: undefined },
    'number sub': { ...user, sub: 1 },
    'no realm': { sub: 's', gitlabInstanceId: 'i', scopes: [] },
    'no instance id': { ...user, gitlabInstanceId: undefined },
    'NaN id': { ...user, gitlabInstanceId: NaN },
    'symbol id': { ...user, gitlabInstanceId: Symbol('id') },
    'function id': { ...user, gitlabInstanceId: () => 1 },
    'null seat count': { ...user, duoSeatCount: null },
    'number seat count': { ...user, duoSeatCount: 3 },
    'list extra claims': { ...user, extraClaims: [1] },
    'symbol in extra claims': { ...user, extraClaims: { a: Symbol('a') } },
    'undefined in an extra list': { ...user, extraClaims: { a: [undefined] } },
    'null claims': null,
    'string claims': 'claims',
  };
  for (const [name, claims] of Object.entries(refused)) {
    const sync = await outcome(() => authority.encode(AUD, claims));
    assert.ok(sync.message, name);
    assert.deepStrictEqual(sync, await outcome(() => authority.encodeAsync(AUD, claims)), name);
  }
  assert.deepStrictEqual(await outcome(() => authority.encode(1, user)), await outcome(() => authority.encodeAsync(1, user)));
  assert.throws(() => cc.TokenAuthority.prototype.encode.call({}, AUD, user), TypeError);
  assert.throws(() => new cc.TokenAuthority('not a pem').encode(AUD, user), (e) => e.code === 'key_invalid');

  // The one difference (perf-node-encode-parts): napi's array conversion refuses a Proxy, the
  // parts take its strings, which also shows the parts are what `encode` took.
  const proxied = await outcome(() => authority.encode(AUD, { ...user, scopes: new Proxy(['a', 'b'], {}) }));
  assert.deepStrictEqual(new Map(proxied.members).get('scopes'), ['a', 'b']);
  await assert.rejects(async () => authority.encodeAsync(AUD, { ...user, scopes: new Proxy(['a'], {}) }));
  assert.equal('__encodeParts' in cc.TokenAuthority.prototype, false);
});

test('key ring: instance tokens with entitlements verify with jose and with us', async () => {
  const ring = new cc.KeyRing();
  assert.throws(
    () => ring.issueInstanceToken({ issuer: 'https://gitlab.com', subject: 'x', realm: 'saas', activeAddOns: [] }),
    (e) => e.code === 'key_ring',
  );
  const kid = ring.createNewKey();
  assert.deepStrictEqual(ring.kids, [kid]);
  const { token, claims } = ring.issueInstanceToken({
    issuer: 'https://gitlab.com',
    subject: 'instance-uuid',
    realm: 'saas',
    activeAddOns: ['duo_pro'],
    extraClaims: { gitlab_instance_uid: 'uid-1' },
  });
  assert.ok(claims.scopes.includes('duo_chat'));
  assert.ok(claims.aud.includes('gitlab-ai-gateway'));
  const jwks = ring.jwks();
  assert.equal(jwks.keys[0].kid, kid);
  const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), {
    issuer: 'https://gitlab.com',
    audience: 'gitlab-ai-gateway',
  });
  assert.equal(protectedHeader.kid, kid);
  assert.deepStrictEqual(payload, claims);
  assert.deepStrictEqual(cc.KeySet.fromJwks(jwks).verify(token, AUD), claims);

  // Rotation rules and the directory format.
  assert.throws(() => ring.rotate(), (e) => e.code === 'key_ring');
  const next = ring.createNewKey();
  ring.rotate();
  assert.deepStrictEqual(ring.kids, [next, kid]);
  const dir = mkdtempSync(path.join(tmpdir(), 'cc-node-ring-'));
  try {
    ring.saveDir(dir);
    assert.deepStrictEqual(readdirSync(dir).sort(), ['0001.pem', '0002.pem']);
    assert.deepStrictEqual(cc.KeyRing.loadDir(dir).kids, ring.kids);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  ring.trim();
  assert.deepStrictEqual(ring.kids, [next]);
  assert.throws(() => new cc.KeyRing(['garbage']), (e) => e.code === 'key_invalid');
});

test('signing and key generation have Promise forms that leave the event loop running', async () => {
  // A timer keeps firing while the work runs on the thread pool; the synchronous forms block it.
  const ticking = async (work) => {
    let ticks = 0;
    const timer = setInterval(() => { ticks += 1; }, 1);
    try {
      return { value: await work(), ticks };
    } finally {
      clearInterval(timer);
    }
  };
  const ring = new cc.KeyRing();
  const options = { issuer: 'https://gitlab.com', subject: 'instance-uuid', realm: 'saas', activeAddOns: ['duo_pro'] };
  await assert.rejects(ring.issueInstanceTokenAsync(options), (e) => e instanceof Error && e.code === 'key_ring');

  const made = ticking(() => ring.createNewKeyAsync());
  assert.ok(made instanceof Promise);
  const { value: kid, ticks } = await made;
  assert.ok(ticks > 0, 'the event loop ran while the key was generated');
  assert.deepStrictEqual(ring.kids, [kid]);

  const { token, claims } = await ring.issueInstanceTokenAsync(options, cc.Catalog.embedded());
  const sync = ring.issueInstanceToken(options);
  assert.deepStrictEqual(Object.keys(claims), Object.keys(sync.claims));
  assert.deepStrictEqual(claims.scopes, sync.claims.scopes);
  assert.deepStrictEqual(cc.KeySet.fromJwks(ring.jwks()).verify(token, AUD), claims);

  const authority = new cc.TokenAuthority(PEM_A);
  const user = { sub: 'user-1', gitlabRealm: 'saas', gitlabInstanceId: 'i', scopes: ['duo_chat'], extraClaims: { team: 'x' } };
  const encoded = await authority.encodeAsync(AUD, user);
  const verified = cc.KeySet.fromJwks({ keys: [publicJwk(PEM_A, 'a')] }).verify(encoded.token, AUD);
  assert.equal(verified.sub, 'user-1');
  assert.equal(verified.team, 'x');
  assert.equal(verified.exp, encoded.exp);
  await assert.rejects(new cc.TokenAuthority('not a pem').encodeAsync(AUD, user), (e) => e.code === 'key_invalid');
  await assert.rejects(authority.encodeAsync(AUD, { ...user, extraClaims: [1] }), (e) => e.code === 'invalid_argument');
});

test('thumbprints and key set details', () => {
  const jwk = publicJwk(PEM_A, 'a');
  const keys = cc.KeySet.fromJwks(JSON.stringify({ keys: [jwk, { kty: 'oct', k: 'AAAA' }] }));
  assert.equal(keys.length, 1);
  assert.equal(keys.skipped.length, 1);
  assert.deepStrictEqual(keys.kids, ['a']);
  assert.equal(keys.toJwks().keys.length, 1);
  assert.equal(cc.jwkThumbprint(jwk), cc.jwkThumbprint({ kty: 'RSA', n: jwk.n, e: jwk.e }));
  assert.throws(() => cc.KeySet.fromJwks('{not json'), (e) => e.code === 'jwks_invalid');
});

test('SignatureFloor prepares the raw signature check benchmarks time beside verify', () => {
  const vectors = loadVectors('tokens.json');
  const keys = cc.KeySet.fromJwks(vectors.jwks);
  const valid = vectors.cases.find((c) => c.expected.valid).token;
  const floor = new cc.SignatureFloor(valid, keys);
  assert.deepStrictEqual([floor.check(), floor.check()], [true, true]);
  const forged = `${valid.slice(0, valid.lastIndexOf('.'))}.${Buffer.alloc(256, 7).toString('base64url')}`;
  assert.throws(() => new cc.SignatureFloor(forged, keys), { code: 'invalid_signature' });
  assert.throws(() => new cc.SignatureFloor('not a token', keys), { code: 'token_malformed' });
});

test('SigningFloor prepares the raw signature benchmarks time beside issuance', () => {
  const issued = new cc.TokenAuthority(PEM_A).encode(AUD, { sub: 'u', gitlabRealm: 'saas', gitlabInstanceId: 'i', scopes: ['duo_chat'] });
  const floor = new cc.SigningFloor(PEM_A, issued.token);
  assert.deepStrictEqual([floor.sign(), floor.sign()], [true, true]);
  assert.throws(() => new cc.SigningFloor('not a key', issued.token), { code: 'key_invalid' });
  assert.throws(() => new cc.SigningFloor(PEM_A, 'not a token'), { code: 'token_malformed' });
});
