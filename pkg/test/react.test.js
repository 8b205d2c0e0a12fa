// vexil/react as a React 19 app uses it, in a fresh project from the packed tarball with React,
// react-dom and esbuild pinned in test/fixtures/react (installed once by scripts/setup-wasm.sh):
// the app in test/fixtures/react/app (the code pkg/README.md shows) is built with esbuild, its
// plain Node HTTP server renders with renderToString and puts the snapshot in the page, and
// headless Chromium hydrates it. The page must show the server's text before and after
// hydration with no mismatch reported, and render again when the client loads a new revision.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium } from './support/chromium.js';
import { HOSTILE, greetingSnapshot } from './support/greeting.js';
import { startNodeServer } from './support/node-server.js';
import { installFixtureApp } from './support/packed.js';

const fixtures = fileURLToPath(new URL('./fixtures/react/', import.meta.url));
const tools = join(fixtures, 'node_modules');
const LINKED = ['react', 'react-dom', 'scheduler', '@openfeature', '@types', 'csstype'];

function snapshot(revision, greeting) {
  return greetingSnapshot(revision, {
    variants: { first: HOSTILE, second: greeting },
    offVariant: 'first',
    rules: [{ id: 'everyone', conditions: [], serve: { variant: revision === 1 ? 'first' : 'second' } }],
    fallthrough: { variant: 'first' },
  });
}

let scratch;
let app;
let server;
let chromium;

function esbuild(args) {
  try {
    execFileSync(join(tools, 'esbuild', 'bin', 'esbuild'), args, { cwd: app, stdio: 'pipe' });
  } catch (error) {
    throw new Error(`esbuild ${args.join(' ')} failed:\n${error.stderr}`);
  }
}

// Starts the app's server on a free port; resolves to `{ url, stop }`, `stop` ending it by PID.
const startServer = (snapshotFile) => startNodeServer(['dist/server.js', snapshotFile, join(app, 'dist')], { cwd: app });

before(async () => {
  ({ scratch, app } = installFixtureApp(fixtures, LINKED));
  esbuild(['client.jsx', '--bundle', '--format=esm', '--loader:.wasm=file', '--jsx=automatic', '--define:process.env.NODE_ENV="development"', '--outdir=dist']);
  esbuild(['openfeature.jsx', '--bundle', '--platform=node', '--format=esm', '--packages=external', '--jsx=automatic', '--outfile=dist/openfeature.js']);
  esbuild(['server.jsx', '--bundle', '--platform=node', '--format=esm', '--packages=external', '--jsx=automatic', '--outfile=dist/server.js']);
  writeFileSync(join(scratch, 'snapshot.json'), snapshot(1, 'bonjour'));
  server = await startServer(join(scratch, 'snapshot.json'));
  chromium = await launchChromium();
});

after(async () => {
  await chromium?.stop();
  server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const FIRST = `${HOSTILE} (first), 2 flags`;

test('the Node server renders the hooks with the snapshot, and puts it in the page inert', async () => {
  const html = await (await fetch(`${server.url}/?user=u1`)).text();
  const rendered = /<p id="flag">(.*?)<\/p>/.exec(html)?.[1];
  assert.ok(rendered, html);
  assert.equal(rendered.replace(/<!-- -->/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>'), FIRST);
  const json = /<script type="application\/json" id="vexil-snapshot">(.*?)<\/script>/s.exec(html)?.[1];
  assert.ok(json && !json.includes('<'), 'the snapshot in the page has an unescaped <');
  assert.equal(JSON.parse(json).revision, 1);
  assert.equal(JSON.parse(json).flags[0].variants.first, HOSTILE);
});

test('Chromium hydrates the page without a mismatch or a flicker, and renders a new revision', async () => {
  writeFileSync(join(scratch, 'snapshot.json'), snapshot(1, 'bonjour'));
  const page = await chromium.browser.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (['error', 'warning'].includes(message.type()) && !message.location().url.endsWith('/favicon.ico')) problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  // Every request but the browser's own for a favicon must be answered.
  page.on('response', (response) => {
    if (!response.ok() && !response.url().endsWith('/favicon.ico')) problems.push(`${response.status()} ${response.url()}`);
  });
  // The text as the HTML arrived, before any script of the page ran.
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      window.atLoad = document.getElementById('flag').textContent;
    });
  });
  try {
    await page.goto(`${server.url}/?user=u1`);
    await page.waitForFunction(() => window.vexilClient !== undefined, null, { timeout: 60_000 });
    const atLoad = await page.evaluate(() => window.atLoad);
    const hydrated = await page.evaluate(() => document.getElementById('flag').textContent);
    assert.equal(atLoad, FIRST);
    assert.equal(hydrated, FIRST);
    assert.equal(await page.evaluate(() => window.injected), undefined);
    assert.deepEqual(problems, []);

    // A new revision on the server: the client fetches it and the component renders it.
    writeFileSync(join(scratch, 'snapshot.json'), snapshot(2, 'bonjour'));
    await page.evaluate(() => window.vexilClient.refresh());
    await page.waitForFunction(() => document.getElementById('flag').textContent.startsWith('bonjour'), null, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => document.getElementById('flag').textContent), 'bonjour (second), 2 flags');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('the OpenFeature React SDK answers from the same snapshot through the web provider', () => {
  writeFileSync(join(scratch, 'snapshot.json'), snapshot(2, 'bonjour'));
  const html = execFileSync(process.execPath, ['dist/openfeature.js', join(scratch, 'snapshot.json')], { cwd: app, encoding: 'utf8' });
  assert.equal(html.trim().replace(/<!-- -->/g, ''), '<p id="flag">bonjour (second)</p>');
});

test('the declarations type each hook by its default, in strict TypeScript (nodenext)', () => {
  try {
    execFileSync(process.execPath, [join(tools, 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: app, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`);
  }
});
