// Node benchmark (not a test): our verify against jose, jsonwebtoken and fast-jwt, one process,
// all RS256 with the same key and the realistic token of issue 18 (bench/realistic_token.json:
// claims of about 900 bytes, 26 scopes, an `aud` list, `kid` among four keys). Run from the repository root after `make node-test`
// (or `npm run build` in bindings-node):  node bench/node_bench.mjs [--quick]
//
// Rows: median microseconds per operation over several batches. Also issuance (TokenAuthority
// against jose SignJWT, jsonwebtoken.sign and fast-jwt's signer), authenticate over headers, and
// the catalog's first use (a fresh node process) and lookups. With `--json PATH` it also writes
// its rows for bench/report.py (the one cross-language table).
import { createRequire } from 'node:module';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'bindings-node', 'package.json'));
const cc = require(process.env.CLOUD_CONNECTOR_NODE ?? path.join(root, 'bindings-node'));
const jose = await import(require.resolve('jose'));
const jsonwebtoken = require('jsonwebtoken');
const { createSigner, createVerifier } = require('fast-jwt');

const QUICK = process.argv.includes('--quick');
const AUD = 'gitlab-ai-gateway';
const pem = JSON.parse(readFileSync(path.join(root, 'tests', 'vectors', 'tokens.json'), 'utf8')).keys.a;
const privateKey = createPrivateKey(pem);
// The realistic token of issue 18 and its four-key JWKS (bench/make_realistic_token.py).
const realistic = JSON.parse(readFileSync(path.join(root, 'bench', 'realistic_token.json'), 'utf8'));
const { token, claims } = realistic;
const jwks = realistic.jwks;
const { kid } = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
const publicKey = createPublicKey({ key: jwks.keys.find((k) => k.kid === kid), format: 'jwk' });
const publicPem = publicKey.export({ format: 'pem', type: 'spki' });

// Ours.
const keys = cc.KeySet.fromJwks(jwks);
const cached = new cc.CompositeProvider([cc.KeySource.staticJwks('static', jwks)], { audiences: [AUD] });
await cached.refresh();
const uncached = new cc.CompositeProvider([cc.KeySource.staticJwks('static', jwks)], {
  audiences: [AUD],
  tokenCacheSize: 0,
});
await uncached.refresh();
// Theirs, each with its key prepared once.
const joseKey = await jose.importSPKI(publicPem, 'RS256');
const fastNoCache = createVerifier({ key: publicPem, algorithms: ['RS256'], allowedAud: AUD });
const fastCache = createVerifier({ key: publicPem, algorithms: ['RS256'], allowedAud: AUD, cache: true });

// Every verifier must accept the token with the same claims before it is timed.
for (const got of [
  keys.verify(token, AUD),
  cached.verifySync(token),
  uncached.verifySync(token),
  await cached.verify(token),
  (await jose.jwtVerify(token, joseKey, { audience: AUD })).payload,
  jsonwebtoken.verify(token, publicKey, { audience: AUD, algorithms: ['RS256'] }),
  fastNoCache(token),
  fastCache(token),
]) {
  if (got.sub !== claims.sub || got.scopes.length !== claims.scopes.length) throw new Error('a verifier disagrees');
}

async function medianUs(fn, batch, isAsync = false) {
  const rounds = QUICK ? 5 : 15;
  const samples = [];
  for (let i = 0; i < Math.max(1, batch / 10); i++) isAsync ? await fn() : fn(); // warm-up
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    if (isAsync) for (let i = 0; i < batch; i++) await fn();
    else for (let i = 0; i < batch; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000 / batch);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

// Medians of `fns` timed in alternation, a batch of each per round: a machine whose speed drifts
// slows them alike, so their ratios (ours over the raw floor) hold.
function interleavedUs(fns, batch) {
  const samples = fns.map(() => []);
  for (const fn of fns) for (let i = 0; i < Math.max(1, batch / 10); i++) fn(); // warm-up
  for (let r = 0; r < (QUICK ? 5 : 21); r++) {
    fns.forEach((fn, k) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) fn();
      samples[k].push(Number(process.hrtime.bigint() - t0) / 1000 / batch);
    });
  }
  return samples.map((s) => s.sort((a, b) => a - b)[Math.floor(s.length / 2)]);
}

// Issuance: the same claims, the same private key, prepared once.
const authority = new cc.TokenAuthority(pem);
const userClaims = { sub: 'u', gitlabRealm: 'self-managed', gitlabInstanceId: claims.gitlab_instance_id, scopes: claims.scopes };
const josePrivate = await jose.importPKCS8(privateKey.export({ format: 'pem', type: 'pkcs8' }), 'RS256');
const fastSign = createSigner({ key: pem, algorithm: 'RS256' });
const headers = {
  authorization: `Bearer ${token}`,
  'x-gitlab-authentication-type': 'oidc',
  'x-gitlab-instance-id': claims.gitlab_instance_id,
  'x-gitlab-realm': claims.gitlab_realm,
};
const auth = await cc.authenticate(headers, cached, { serviceName: AUD });
if (!auth.user.authenticated) throw new Error(`authenticate failed: ${auth.error}`);
const catalog = cc.Catalog.embedded();

// First use: a fresh process loads the package and looks a unit primitive up.
const FIRST_USE = `const t0 = process.hrtime.bigint();
const cc = require(${JSON.stringify(process.env.CLOUD_CONNECTOR_NODE ?? path.join(root, 'bindings-node'))});
cc.Catalog.embedded().unitPrimitive('duo_chat');
console.log(Number(process.hrtime.bigint() - t0) / 1000);`;
function firstUseUs() {
  const runs = Array.from({ length: QUICK ? 3 : 7 }, () => Number(execFileSync(process.execPath, ['-e', FIRST_USE])));
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)];
}

const b = QUICK ? 200 : 1000;
// Issue 18's ratio: ours and the raw signature check (the floor), alternating in this process.
const floor = new cc.SignatureFloor(token, keys);
const [rawUs, verifyUs] = interleavedUs([() => floor.check(), () => keys.verify(token, AUD)], b / 2);
// The same for issuance: the raw RS256 signature of one of our tokens, and our encode.
const signFloor = new cc.SigningFloor(pem, authority.encode(AUD, userClaims).token);
const [rawSignUs, encodeUs] = interleavedUs([() => signFloor.sign(), () => authority.encode(AUD, userClaims)], b / 10);
const rows = [
  ['raw aws-lc-rs RS256 verify (SignatureFloor.check, same process)', rawUs],
  ['ours KeySet.verify (uncached)', verifyUs],
  ['ours CompositeProvider.verifySync, cache off', await medianUs(() => uncached.verifySync(token), b)],
  ['ours CompositeProvider.verifySync, cache hit', await medianUs(() => cached.verifySync(token), b * 20)],
  ['ours CompositeProvider.verify (Promise), cache hit', await medianUs(() => cached.verify(token), b, true)],
  ['jose.jwtVerify (prepared KeyObject)', await medianUs(() => jose.jwtVerify(token, joseKey, { audience: AUD }), b, true)],
  ['jsonwebtoken.verify (KeyObject)', await medianUs(() => jsonwebtoken.verify(token, publicKey, { audience: AUD, algorithms: ['RS256'] }), b)],
  ['fast-jwt verifier, no cache', await medianUs(() => fastNoCache(token), b)],
  ['fast-jwt verifier, cache hit', await medianUs(() => fastCache(token), b * 20)],
  ['ours authenticate (headers, cache hit, Promise)', await medianUs(() => cc.authenticate(headers, cached, { serviceName: AUD }), b, true)],
  ['raw aws-lc-rs RS256 sign (SigningFloor.sign, same process)', rawSignUs],
  ['ours TokenAuthority.encode', encodeUs],
  ['jose SignJWT', await medianUs(() => new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(josePrivate), b / 10, true)],
  ['jsonwebtoken.sign', await medianUs(() => jsonwebtoken.sign(claims, privateKey, { algorithm: 'RS256' }), b / 10)],
  ['fast-jwt signer', await medianUs(() => fastSign(claims), b / 10)],
  ['ours first use (fresh process: require, lookup)', firstUseUs()],
  ["ours Catalog.unitPrimitive('duo_chat')", await medianUs(() => catalog.unitPrimitive('duo_chat'), b * 10)],
];

console.log(`${'node operation'.padEnd(52)} ${'median us'.padStart(10)}`);
for (const [name, us] of rows) console.log(`${name.padEnd(52)} ${us.toFixed(2).padStart(10)}`);

const get = (name) => rows.find(([n]) => n.startsWith(name))[1];
const uncachedRatio = get('fast-jwt verifier, no cache') / get('ours KeySet.verify');
const hitRatio = get('fast-jwt verifier, cache hit') / get('ours CompositeProvider.verifySync, cache hit');
console.log('');
console.log(`target: uncached verify >= 1.4x fast-jwt without cache: ${uncachedRatio.toFixed(2)}x ${uncachedRatio >= 1.4 ? 'met' : 'NOT met'}`);
console.log(`target: cache hit >= 2x faster than fast-jwt's cache hit: ${hitRatio.toFixed(2)}x ${hitRatio >= 2 ? 'met' : 'NOT met'}`);

// (operation, implementation) of each row, for bench/report.py; "ours" marks our own rows.
const ROW_KEYS = {
  'raw aws-lc-rs RS256 verify (SignatureFloor.check, same process)': ['verify', 'raw aws-lc'],
  'ours KeySet.verify (uncached)': ['verify', 'ours'],
  'jose.jwtVerify (prepared KeyObject)': ['verify', 'jose'],
  'jsonwebtoken.verify (KeyObject)': ['verify', 'jsonwebtoken'],
  'fast-jwt verifier, no cache': ['verify', 'fast-jwt'],
  'ours CompositeProvider.verifySync, cache hit': ['cache_hit', 'ours'],
  'fast-jwt verifier, cache hit': ['cache_hit', 'fast-jwt (cache)'],
  'ours authenticate (headers, cache hit, Promise)': ['authenticate', 'ours'],
  'raw aws-lc-rs RS256 sign (SigningFloor.sign, same process)': ['issue', 'raw aws-lc'],
  'ours TokenAuthority.encode': ['issue', 'ours'],
  'jose SignJWT': ['issue', 'jose'],
  'jsonwebtoken.sign': ['issue', 'jsonwebtoken'],
  'fast-jwt signer': ['issue', 'fast-jwt'],
  'ours first use (fresh process: require, lookup)': ['catalog_first_use', 'ours'],
  "ours Catalog.unitPrimitive('duo_chat')": ['catalog_lookup', 'ours'],
};
const jsonAt = process.argv.indexOf('--json');
if (jsonAt >= 0) {
  const out = rows.filter(([name]) => ROW_KEYS[name]).map(([name, us]) => ({ op: ROW_KEYS[name][0], impl: ROW_KEYS[name][1], us }));
  writeFileSync(process.argv[jsonAt + 1], `${JSON.stringify({ language: 'node', rows: out }, null, 1)}\n`);
}
