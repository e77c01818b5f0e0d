// The Node runner of `make vectors` (tests/vectors/README.md "make vectors"): every case of
// tests/vectors/catalog.json and tokens.json through the INSTALLED package, printed as one JSON
// document of observed results for compare.py.
//
//   CLOUD_CONNECTOR_NODE=<installed package> node tests/vectors/run_node.mjs <repo root>
//
// Without CLOUD_CONNECTOR_NODE it loads <repo>/bindings-node (as bindings-node/test/helpers.mjs
// does). The calls are the ones the package's own vector suites make, from the module they share
// (bindings-node/test/vector_calls.mjs); the package's camelCase results are reported under the
// contract's snake_case names. A case the runner cannot read exits 2 naming the file and the
// case id; a package that cannot be loaded exits 1.
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  ASSOCIATIONS,
  CLAIM_FIELDS,
  argumentCase,
  LOOKUP,
  catalogOp,
  loadCatalog,
  verifyArgs,
} from '../../bindings-node/test/vector_calls.mjs';

const require = createRequire(import.meta.url);

class BadVector extends Error {}

function bad(file, id, what) {
  throw new BadVector(`${file}#${id}: ${what}`);
}

function loadPackage(repo) {
  const where = process.env.CLOUD_CONNECTOR_NODE || path.join(repo, 'bindings-node');
  try {
    return require(where);
  } catch (e) {
    process.stderr.write(
      `run_node: cannot load the Node package from ${where} (set CLOUD_CONNECTOR_NODE or run ` +
        `\`make node-test\` first): ${e.message.split('\n')[0]}\n`,
    );
    process.exit(1);
  }
}

function read(dir, name) {
  const file = path.join(dir, name);
  let doc;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BadVector(`${file}: ${e.message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new BadVector(`${file}: not a JSON object`);
  }
  return doc;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function cases(file, doc, section) {
  const list = doc[section];
  if (!Array.isArray(list)) bad(file, section, 'the section is missing or not a list');
  for (const c of list) {
    if (!isObject(c) || typeof c.id !== 'string') {
      bad(file, section, `a case without a string id: ${JSON.stringify(c)}`);
    }
  }
  return list;
}

/**
 * `call()`, awaited; the package's errors (an `Error` whose `code` is one of the core's codes)
 * go through `onError`, any other exception is reported as observed so it shows as a difference.
 */
async function observe(cc, onError, call) {
  try {
    return await call();
  } catch (e) {
    if (e instanceof Error && cc.errorCodes().includes(e.code)) return onError(e);
    const type = e instanceof Error ? e.constructor.name : typeof e;
    return { unexpected_exception: `${type}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

// -- catalog.json -------------------------------------------------------------------------------

// Each op and the inputs it needs.
const CATALOG_OPS = {
  lookup: ['kind', 'name'],
  all_names: ['kind'],
  associations: ['kind', 'name', 'association'],
  entitlements: ['request'],
  entitlements_includes: ['request'],
  legacy: ['realm'],
  load: [],
};

function scrub(text, tmp) {
  if (typeof text !== 'string') return text;
  for (const root of new Set([realpathSync(tmp), tmp])) text = text.split(root).join('$TMP');
  return text;
}

function catalogError(e, tmp) {
  const problems = (e.problems ?? []).map((p) => ({
    kind: p.kind,
    file: scrub(p.file ?? null, tmp),
    record: p.record ?? null,
    field: p.field ?? null,
    message: scrub(p.message, tmp),
  }));
  return { error: { code: e.code, message: scrub(e.message, tmp), problems } };
}

async function runCatalog(cc, dir, out) {
  const file = 'catalog.json';
  const doc = read(dir, file);
  if (doc.format !== 1) bad(file, 'format', `unknown format ${JSON.stringify(doc.format)}`);
  for (const c of cases(file, doc, 'cases')) {
    const id = c.id;
    if (!Object.hasOwn(CATALOG_OPS, c.op)) bad(file, id, `unknown op ${JSON.stringify(c.op)}`);
    const missing = CATALOG_OPS[c.op].filter((k) => !(k in c));
    if (missing.length) bad(file, id, `${c.op} needs ${missing.join(', ')}`);
    if ('kind' in c && c.op !== 'associations' && !Object.hasOwn(LOOKUP, c.kind)) {
      bad(file, id, `unknown kind ${JSON.stringify(c.kind)}`);
    }
    if (c.op === 'associations' && !Object.hasOwn(ASSOCIATIONS, `${c.kind}/${c.association}`)) {
      bad(file, id, `unknown association ${c.association} of ${c.kind}`);
    }
    const name = c.catalog ?? null;
    if (name !== null && name !== 'embedded' && !Object.hasOwn(doc.catalogs ?? {}, name)) {
      bad(file, id, `no catalog ${JSON.stringify(name)} in \`catalogs\``);
    }
    const tmp = mkdtempSync(path.join(tmpdir(), 'cc-node-vectors-'));
    try {
      out[`${file}#cases#${id}`] = await observe(
        cc,
        (e) => catalogError(e, tmp),
        () => catalogOp(loadCatalog(cc, doc, name, tmp), c),
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
}

// -- tokens.json --------------------------------------------------------------------------------

function verifyCase(doc, keys, c) {
  const { audiences, options } = verifyArgs(doc, c);
  return { valid: true, claims: keys.verify(c.token, audiences, options) };
}

async function authenticateCase(cc, provider, service, c) {
  const { user, error } = await cc.authenticate(c.headers, provider, {
    bypassAuth: c.bypass_auth,
    serviceName: service,
  });
  const claims = user.claims;
  return {
    authenticated: user.authenticated,
    is_debug: user.isDebug,
    global_user_id: user.globalUserId,
    error,
    claims:
      claims === null
        ? null
        : Object.fromEntries(Object.entries(CLAIM_FIELDS).map(([f, js]) => [f, claims[js]])),
  };
}

async function runTokens(cc, dir, out) {
  const file = 'tokens.json';
  const doc = read(dir, file);
  for (const name of ['jwks', 'default_validation', 'keys', 'authenticate']) {
    if (!isObject(doc[name])) bad(file, name, 'missing or not an object');
  }
  let keys;
  try {
    keys = cc.KeySet.fromJwks(doc.jwks);
  } catch (e) {
    bad(file, 'jwks', e.message);
  }
  const tokenError = (e) => ({ valid: false, error: e.code, message: e.message });
  const codeOnly = (e) => ({ error: e.code });
  for (const c of cases(file, doc, 'cases')) {
    if (typeof c.token !== 'string' || !Number.isInteger(c.now)) {
      bad(file, c.id, '`token` and an integer `now` are required');
    }
    out[`${file}#cases#${c.id}`] = await observe(cc, tokenError, () => verifyCase(doc, keys, c));
  }
  for (const c of cases(file, doc, 'jwks_cases')) {
    out[`${file}#jwks_cases#${c.id}`] = await observe(cc, codeOnly, () => {
      const set = cc.KeySet.fromJwks(c.jwks);
      const kids = set.kids.map((k) => k ?? null);
      return { keys: set.length, skipped: set.skipped.length, kids };
    });
  }
  for (const c of cases(file, doc, 'jwk_cases')) {
    out[`${file}#jwk_cases#${c.id}`] = await observe(cc, codeOnly, () => ({
      thumbprint: cc.jwkThumbprint(c.jwk),
    }));
  }
  const auth = doc.authenticate;
  const service = auth.service_name;
  const provider = new cc.CompositeProvider([cc.KeySource.local(doc.keys.a, doc.keys.b, service)]);
  for (const c of cases(file, auth, 'cases')) {
    if (!isObject(c.headers) || typeof c.bypass_auth !== 'boolean') {
      bad(file, c.id, '`headers` (object) and `bypass_auth` (boolean) are required');
    }
    out[`${file}#authenticate#${c.id}`] = await observe(
      cc,
      (e) => ({ raised: e.code }),
      () => authenticateCase(cc, provider, service, c),
    );
  }
}

function runArguments(cc, dir, out) {
  const file = 'arguments.json';
  for (const c of cases(file, read(dir, file), 'cases')) {
    out[`${file}#cases#${c.id}`] = argumentCase(cc, c);
  }
}

async function main(argv) {
  const repo = argv[0] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir = path.join(repo, 'tests', 'vectors');
  const cc = loadPackage(repo);
  const results = {};
  try {
    await runCatalog(cc, dir, results);
    await runTokens(cc, dir, results);
    runArguments(cc, dir, results);
  } catch (e) {
    if (!(e instanceof BadVector)) throw e;
    process.stderr.write(`run_node: ${e.message}\n`);
    return 2;
  }
  process.stdout.write(`${JSON.stringify({ language: 'node', results }, null, 2)}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
