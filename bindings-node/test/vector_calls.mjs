// How a shared vector case (tests/vectors/*.json, snake_case) becomes calls on the Node package
// (camelCase): one place for the package's vector suites (vectors_catalog.test.mjs,
// vectors_tokens.test.mjs) and the Node runner of `make vectors` (tests/vectors/run_node.mjs),
// so both make the same calls. No side effects: the package is passed in.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// catalog.json `kind` -> the lookup by name or alias, and the list of every record.
export const LOOKUP = {
  unit_primitives: 'unitPrimitive',
  backend_services: 'backendService',
  add_ons: 'addOn',
  license_types: 'licenseType',
  services: 'service',
};
export const ALL = {
  unit_primitives: 'unitPrimitives',
  backend_services: 'backendServices',
  add_ons: 'addOns',
  license_types: 'licenseTypes',
  services: 'services',
};
// `<kind>/<association>` -> the method.
export const ASSOCIATIONS = {
  'unit_primitives/backend_services': 'backendServicesOf',
  'unit_primitives/add_ons': 'addOnsOf',
  'unit_primitives/license_types': 'licenseTypesOf',
  'services/unit_primitives': 'unitPrimitivesOf',
};

/**
 * The catalog a case names, from `vectors.catalogs` written under `dir` (`<dir>/<name>`):
 * `"embedded"` is the embedded catalog, `null` a directory that does not exist.
 */
export function loadCatalog(cc, vectors, name, dir) {
  if (name === 'embedded') return cc.Catalog.embedded();
  if (name === null) return cc.Catalog.loadDir(path.join(dir, 'missing'));
  const root = path.join(dir, name);
  for (const [rel, text] of Object.entries(vectors.catalogs[name].files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return cc.Catalog.loadDir(root);
}

/** A catalog.json case's `op` on `catalog`; its value as the vector states it. */
export function catalogOp(catalog, c) {
  switch (c.op) {
    case 'load':
      return 'loaded';
    case 'lookup':
      return catalog[LOOKUP[c.kind]](c.name)?.name ?? null;
    case 'all_names':
      return catalog[ALL[c.kind]]().map((r) => r.name);
    case 'associations': {
      const method = ASSOCIATIONS[`${c.kind}/${c.association}`];
      if (!method) throw new Error(`no association ${c.kind}/${c.association}`);
      return catalog[method](c.name).map((r) => r.name);
    }
    case 'entitlements':
    case 'entitlements_includes': {
      const r = c.request;
      return catalog.entitlements({
        addOns: r.add_ons,
        at: r.at == null ? undefined : new Date(r.at),
        licenseType: r.license_type ?? undefined,
        gitlabVersion: r.gitlab_version ?? undefined,
      });
    }
    case 'legacy':
      return catalog.availableServices(c.realm);
    default:
      throw new Error(`unknown op ${c.op}`);
  }
}

/** `KeySet#verify`'s audiences and options for a tokens.json case. */
export function verifyArgs(vectors, c) {
  const v = { ...vectors.default_validation, ...(c.validation ?? {}) };
  return {
    audiences: v.audiences,
    options: {
      algorithms: v.algorithms,
      issuer: v.issuer ?? undefined,
      leeway: v.leeway,
      maxTokenSize: v.max_token_size,
      rejectFutureIat: v.reject_future_iat,
      verifySignature: v.verify_signature,
      now: c.now,
    },
  };
}

// Every field of UserClaims: the vectors' (snake_case) name -> the package's.
export const CLAIM_FIELDS = {
  gitlab_realm: 'gitlabRealm',
  scopes: 'scopes',
  subject: 'subject',
  issuer: 'issuer',
  duo_seat_count: 'duoSeatCount',
  gitlab_instance_id: 'gitlabInstanceId',
  gitlab_instance_uid: 'gitlabInstanceUid',
  extra: 'extra',
};

/** An arguments.json value as a JS value: `{"$float": text}` for what JSON cannot hold. */
function vectorValue(v) {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).join() === '$float') {
    return Number(v.$float);
  }
  return Array.isArray(v) ? v.map(vectorValue) : v;
}

const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/** One arguments.json case through the package's entry points that take the options (names
 * in camelCase, as a JS caller writes them): `{ ok: true }` or the coded error. */
export function argumentCase(cc, c) {
  const options = Object.fromEntries(
    Object.entries(c.options).map(([k, v]) => [camel(k), vectorValue(v)]),
  );
  try {
    if (c.op === 'composite') new cc.CompositeProvider([], options);
    else if (c.op === 'oidc') cc.KeySource.oidc('vector', 'http://127.0.0.1:9', options);
    else if (c.op === 'verify') cc.KeySet.fromJwks({ keys: [] }).verify('x', 'gitlab-ai-gateway', options);
    else throw new Error(`unknown op ${c.op}`);
  } catch (e) {
    if (typeof e?.code !== 'string' || e.code.startsWith('Generic')) throw e;
    return { error: e.code, message: e.message };
  }
  return { ok: true };
}
