// The `js` blocks of bindings-node/README.md run as written, in order, as one async function
// whose `require` gives the package under test for '@gitlab/cloud-connector'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { cc, repoRoot } from './helpers.mjs';

const nodeRequire = createRequire(import.meta.url);
const AsyncFunction = (async () => {}).constructor;

function readmeBlocks() {
  const text = readFileSync(path.join(repoRoot, 'bindings-node', 'README.md'), 'utf8');
  return [...text.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

test('the README examples run', async () => {
  const blocks = readmeBlocks();
  assert.ok(blocks.length >= 5, 'bindings-node/README.md lost its examples');
  const examples = new AsyncFunction('require', blocks.join('\n'));
  await examples((name) => (name === '@gitlab/cloud-connector' ? cc : nodeRequire(name)));
});
