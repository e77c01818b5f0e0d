// Shared by the suites: the package under test, the shared vectors, and small local servers.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

// `make node-test` points CLOUD_CONNECTOR_NODE at the package installed from the `npm pack`
// tarball, so the suites test what a user installs; by default, the source directory.
export const cc = require(process.env.CLOUD_CONNECTOR_NODE ?? path.join(here, '..'));

export const repoRoot = path.resolve(here, '..', '..');

export function loadVectors(name) {
  return JSON.parse(readFileSync(path.join(repoRoot, 'tests', 'vectors', name), 'utf8'));
}

/** Asserts that `fn` throws (or rejects with) an Error with `code`; returns the error. */
export async function rejectsWithCode(fn, code) {
  let caught;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  if (!(caught instanceof Error)) {
    throw new Error(`expected an Error with code ${code}, got ${caught === undefined ? 'no error' : String(caught)}`);
  }
  if (caught.code !== code) {
    throw new Error(`expected code ${code}, got ${caught.code}: ${caught.message}`);
  }
  return caught;
}

/**
 * A real HTTP server on 127.0.0.1. `routes` maps a path to `(req, res) => void`; every
 * request is counted per path in `hits`.
 */
export async function serve(routes) {
  const hits = {};
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    hits[url.pathname] = (hits[url.pathname] ?? 0) + 1;
    const route = routes[url.pathname];
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    route(req, res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

export function json(body, status = 200) {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

/** OIDC discovery at `/.well-known/openid-configuration` pointing at `/jwks`. */
export async function oidcServer(getJwks, { delayMs = 0 } = {}) {
  let server;
  const routes = {
    '/.well-known/openid-configuration': (req, res) =>
      json({ issuer: server.base, jwks_uri: `${server.base}/jwks` })(req, res),
    '/jwks': (req, res) => {
      const send = () => json(getJwks())(req, res);
      if (delayMs > 0) setTimeout(send, delayMs);
      else send();
    },
  };
  server = await serve(routes);
  return server;
}
