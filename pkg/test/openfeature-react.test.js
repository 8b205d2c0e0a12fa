// The OpenFeature React SDK on a page built on `vexil/slim`, the esbuild recipe of pkg/README.md:
// a fresh project from the packed tarball with React, the OpenFeature SDKs and esbuild pinned in
// test/fixtures/openfeature-react (installed once by scripts/setup-wasm.sh), the app in its
// `app` folder bundled with esbuild and opened in headless Chromium. The SDK's `useFlag` must
// show the answer for the context, render again when the context or the snapshot changes, and
// the page must fetch the one WebAssembly file it imported: `vexil/openfeature` may not load
// the default entry, whose own WebAssembly esbuild does not emit. (The page initializes after
// its first await, so such an entry would ask first: a 404, in the esm build.) Built as esm and
// as iife, which the README promises alike.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium } from './support/chromium.js';
import { installFixtureApp } from './support/packed.js';
import { serve } from './support/server.js';

const fixtures = fileURLToPath(new URL('./fixtures/openfeature-react/', import.meta.url));
const tools = join(fixtures, 'node_modules');
const LINKED = ['react', 'react-dom', 'scheduler', '@openfeature'];

// Quebec is greeted in French; Texas plainly, and in the South from revision 2.
function snapshot(revision) {
  const rule = (id, jurisdiction, variant) => ({ id, conditions: [{ attribute: 'jurisdiction', op: 'in', values: [jurisdiction] }], serve: { variant } });
  const greeting = {
    key: 'greeting',
    type: 'string',
    variants: { french: 'bonjour', plain: 'hello', southern: 'howdy' },
    offVariant: 'plain',
    rules: [rule('quebec', 'quebec', 'french'), rule('texas', 'texas', revision === 1 ? 'plain' : 'southern')],
    fallthrough: { variant: 'plain' },
  };
  return JSON.stringify({ schemaVersion: 1, revision, generatedAt: '2026-12-01T00:00:00Z', flags: [greeting] });
}

// The page of a build; its script and everything it fetches are beside it.
const page = (format) => `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>vexil/slim + OpenFeature React</title>
<div id="root"></div>
<script ${format === 'esm' ? 'type="module" ' : ''}src="/${format}/app.js"></script>`;

const FORMATS = ['esm', 'iife'];

let scratch;
let app;
let server;
let chromium;

function esbuild(format) {
  const args = ['app.jsx', '--bundle', `--format=${format}`, '--loader:.wasm=file', '--jsx=automatic', '--define:process.env.NODE_ENV="development"', `--outdir=dist/${format}`];
  try {
    execFileSync(join(tools, 'esbuild', 'bin', 'esbuild'), args, { cwd: app, stdio: 'pipe' });
  } catch (error) {
    throw new Error(`esbuild ${args.join(' ')} failed:\n${error.stderr}`);
  }
}

// Writes what the pages fetch: whom they evaluate for, and the snapshot at `revision`.
function publish(revision) {
  for (const format of FORMATS) {
    writeFileSync(join(app, 'dist', format, 'context.json'), JSON.stringify({ targetingKey: 'user-42', jurisdiction: 'quebec' }));
    writeFileSync(join(app, 'dist', format, 'snapshot.json'), snapshot(revision));
  }
}

before(async () => {
  ({ scratch, app } = installFixtureApp(fixtures, LINKED));
  for (const format of FORMATS) esbuild(format);
  const pages = Object.fromEntries(FORMATS.map((format) => [`/${format}/`, page(format)]));
  server = await serve(pages, Object.fromEntries(FORMATS.map((format) => [format, join(app, 'dist', format)])));
  chromium = await launchChromium();
});

after(async () => {
  await chromium?.stop();
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

for (const format of FORMATS) {
  test(`${format}: useFlag answers from a vexil/slim client, renders again on a new context and a new snapshot, and one WebAssembly is fetched`, async () => {
    publish(1);
    const context = await chromium.browser.newContext();
    const requests = [];
    const problems = [];
    const tab = await context.newPage();
    tab.on('request', (request) => requests.push(new URL(request.url()).pathname));
    tab.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
    tab.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    tab.on('pageerror', (error) => problems.push(`page error: ${error}`));
    tab.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    const shows = (text) => tab.waitForFunction((wanted) => document.getElementById('flag')?.textContent === wanted, text, { timeout: 30_000 });
    try {
      await tab.goto(`${server.url}/${format}/`);
      await shows('bonjour (french)');

      await tab.evaluate(() => window.vexil.OpenFeature.setContext({ targetingKey: 'user-42', jurisdiction: 'texas' }));
      await shows('hello (plain)');

      publish(2);
      await tab.evaluate(() => window.vexil.client.refresh());
      await shows('howdy (southern)');

      assert.deepEqual(problems, []);
      assert.deepEqual(await tab.evaluate(() => window.vexil.errors), []);
      const emitted = readdirSync(join(app, 'dist', format)).filter((file) => file.endsWith('.wasm'));
      assert.equal(emitted.length, 1, `esbuild emitted ${emitted.join(', ')}`);
      const wasm = requests.filter((path) => path.endsWith('.wasm'));
      assert.deepEqual(wasm, [`/${format}/${emitted[0]}`]);
    } finally {
      await context.close();
    }
  });
}
