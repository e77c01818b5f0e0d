// One path of the Node package in a loop on the realistic token, for callgrind (bench/callgrind/per_call.sh).
//   node bench/callgrind/node_loop.mjs verify|hit|issue N
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, 'bindings-node', 'package.json'));
const cc = require(process.env.CLOUD_CONNECTOR_NODE ?? path.join(root, 'bindings-node'));
const [what, nText] = process.argv.slice(2);
const n = Number(nText);
const r = JSON.parse(readFileSync(path.join(root, 'bench', 'realistic_token.json'), 'utf8'));
const { token, claims, jwks } = r;
const AUD = 'gitlab-ai-gateway';
const keys = cc.KeySet.fromJwks(jwks);
const cached = new cc.CompositeProvider([cc.KeySource.staticJwks('static', jwks)], { audiences: [AUD] });
await cached.refresh();
const pem = JSON.parse(readFileSync(path.join(root, 'tests', 'vectors', 'tokens.json'), 'utf8')).keys.a;
const authority = new cc.TokenAuthority(pem);
const userClaims = { sub: 'u', gitlabRealm: 'self-managed', gitlabInstanceId: claims.gitlab_instance_id, scopes: claims.scopes };
// Warm both paths (and V8's compilation of this loop) before the counted part.
for (let i = 0; i < 3; i++) { keys.verify(token, AUD); cached.verifySync(token); authority.encode(AUD, userClaims); }
let sink = 0;
if (what === 'verify') for (let i = 0; i < n; i++) sink += keys.verify(token, AUD).exp;
if (what === 'hit') for (let i = 0; i < n; i++) sink += cached.verifySync(token).exp;
if (what === 'issue') for (let i = 0; i < n; i++) sink += authority.encode(AUD, userClaims).exp;
if (sink < 0) console.log(sink);
