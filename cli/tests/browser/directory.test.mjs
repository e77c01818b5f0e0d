// The unit primitive directory of `cloud-connector serve` in Debian's headless Chromium, driven by
// playwright-core (no downloaded browser): filter by add-on and by group through the page's own
// form (with JavaScript off too: the directory must work without it), the quick filter box, a
// unit primitive page, and the link to its backend service. Expected rows come from the server's
// JSON API, so the test checks that the HTML and the API agree. Screenshots go to
// artifacts/browser/ at the repository root.
//
// CLOUD_CONNECTOR_BIN names the binary (the Makefile passes the one `cargo build` made).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const artifacts = join(repo, 'artifacts', 'browser');
const bin = process.env.CLOUD_CONNECTOR_BIN;
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling Google's hosts, which this
// machine's closed network refuses; --no-sandbox because the suite runs as root.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let server;
let base;
let browser;

/** Starts `serve` on a free port and resolves with its base URL from the first stdout line. */
function startServer() {
  assert.ok(bin, 'CLOUD_CONNECTOR_BIN must name the cloud-connector binary (make browser-test sets it)');
  // The embedded catalog, whatever the caller's environment says.
  const env = { ...process.env };
  delete env.CLOUD_CONNECTOR_CONFIG_DIR;
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'], env });
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`serve printed no address: ${out}`)), 20000);
    child.on('exit', (code) => fail(new Error(`serve exited early with ${code}: ${out}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        ok({ child, base: m[1] });
      }
    });
  });
}

async function api(path) {
  const res = await fetch(base + path);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.json();
}

/** The names in the directory table's first column, in page order (visible rows only). */
async function rowNames(page) {
  return page.$$eval('#unit-primitives tbody tr', (rows) =>
    rows.filter((r) => !r.hidden).map((r) => r.querySelector('td a').textContent.trim()),
  );
}

async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  ({ child: server, base } = await startServer());
  // launch() gives Chromium a new empty profile (--user-data-dir in a fresh temp directory),
  // removed on close.
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

test('the directory lists every unit primitive the API lists', async () => {
  const page = await browser.newPage();
  await page.goto(base + '/');
  assert.equal(await page.textContent('h1'), 'Unit primitives');
  const all = (await api('/api/v1/unit_primitives')).map((u) => u.name);
  assert.deepEqual(await rowNames(page), all);
  await shot(page, 'index');
  await page.close();
});

for (const javaScriptEnabled of [true, false]) {
  test(`filter by add-on, then by group, through the form (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    await page.goto(base + '/');

    const byAddOn = (await api('/api/v1/unit_primitives?add_on=duo_pro')).map((u) => u.name);
    await page.selectOption('select[name=add_on]', 'duo_pro');
    await Promise.all([page.waitForURL(/add_on=duo_pro/), page.click('form button')]);
    assert.deepEqual(await rowNames(page), byAddOn);
    assert.ok(byAddOn.length > 0 && byAddOn.length < (await api('/api/v1/unit_primitives')).length);
    // The form keeps the selection, so the next filter narrows this one.
    assert.equal(await page.inputValue('select[name=add_on]'), 'duo_pro');

    const group = 'group::code review';
    await page.selectOption('select[name=add_on]', '');
    await page.selectOption('select[name=group]', group);
    await Promise.all([page.waitForURL(/group=/), page.click('form button')]);
    const byGroup = (await api(`/api/v1/unit_primitives?group=${encodeURIComponent(group)}`)).map((u) => u.name);
    assert.deepEqual(await rowNames(page), byGroup);
    assert.ok(byGroup.length > 1);
    const groups = await page.$$eval('#unit-primitives tbody tr td:nth-child(2)', (cells) =>
      cells.map((c) => c.textContent.trim()),
    );
    assert.ok(groups.every((g) => g === group), `every row is owned by ${group}: ${groups}`);
    await shot(page, `filtered-by-group-js-${javaScriptEnabled ? 'on' : 'off'}`);

    // The search box narrows within the group: the form sends both.
    await page.fill('input[name=q]', 'merge request');
    await Promise.all([page.waitForURL(/q=merge/), page.click('form button')]);
    const searched = (
      await api(`/api/v1/unit_primitives?group=${encodeURIComponent(group)}&q=${encodeURIComponent('merge request')}`)
    ).map((u) => u.name);
    assert.deepEqual(await rowNames(page), searched);
    assert.ok(searched.length > 0 && searched.length < byGroup.length, `search narrows: ${searched}`);
    await context.close();
  });
}

test('a unit primitive page links to its backend service page', async () => {
  const page = await browser.newPage();
  await page.goto(base + '/?group=' + encodeURIComponent('group::duo chat'));
  const name = (await rowNames(page))[0];
  const expected = await api(`/api/v1/unit_primitives/${name}`);
  await Promise.all([page.waitForURL(`**/unit_primitives/${name}`), page.click(`#unit-primitives tbody tr td:first-child a >> text="${name}"`)]);
  assert.equal(await page.textContent('h1'), name);
  const field = (label) => page.textContent(`#record tr:has(th:text-is("${label}")) td`);
  assert.equal((await field('Owning group')).trim(), expected.group);
  assert.equal((await field('Feature category')).trim(), expected.feature_category);
  assert.equal((await field('Access now')).trim(), expected.access);
  assert.deepEqual(
    (await field('Add-ons')).split(',').map((s) => s.trim()),
    expected.add_ons,
  );
  await shot(page, 'unit-primitive');

  const backend = expected.backend_services[0];
  await Promise.all([
    page.waitForURL(`**/backend_services/${backend}`),
    page.click(`#record tr:has(th:text-is("Backend services")) a >> text="${backend}"`),
  ]);
  assert.equal(await page.textContent('h1'), `Backend service ${backend}`);
  const record = (await api('/api/v1/backend_services')).find((b) => b.name === backend);
  assert.equal(await page.textContent('code'), record.jwt_aud);
  const served = (await api(`/api/v1/unit_primitives?backend_service=${backend}`)).map((u) => u.name);
  assert.deepEqual(await rowNames(page), served);
  assert.ok(served.includes(name), `${backend} serves ${name}`);
  await shot(page, 'backend-service');
  await page.close();
});
