// The package in the bundlers people build browser apps with, each pinned exactly in
// test/fixtures/bundlers/package.json: a fresh project from the packed tarball, the app in
// test/fixtures/bundlers/app (the same code pkg/README.md shows), built with the real tool and
// opened in headless Chromium, which must show the flag's value from the snapshot with no error,
// no failed request, and the browser WebAssembly build served as `application/wasm`. Vite is
// also run as its dev server. No bundler gets any setting beyond what the README says. The same
// holds for vexil/openfeature's provider made from options, which loads the entry itself in
// initialize() (a chunk, with the .wasm, for Vite and webpack).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { installTarball, project, run, viteDev, visit } from './support/bundlers.js';
import { launchChromium } from './support/chromium.js';
import { serve } from './support/server.js';

const VITES = ['vite5', 'vite6', 'vite7', 'vite8'];

let scratch;
let installed;
let chromium;

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'vexil-bundlers-'));
  installed = installTarball(scratch);
  chromium = await launchChromium();
});

after(async () => {
  await chromium?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// The .wasm files a build wrote anywhere under `dist`, as their bytes.
function emittedWasm(dist) {
  return readdirSync(dist, { recursive: true })
    .filter((file) => String(file).endsWith('.wasm'))
    .map((file) => readFileSync(join(dist, String(file))));
}

// A build's output holds the browser WebAssembly build once, and never the server build.
function assertOnlyWebWasm(dist) {
  const web = readFileSync(join(installed, 'dist', 'vexil_web.wasm'));
  const files = emittedWasm(dist);
  assert.equal(files.length, 1, `expected one .wasm in ${dist}, found ${files.length}`);
  assert.ok(files[0].equals(web), 'the emitted .wasm is not the browser build');
}

// The page showed the default first (the WebAssembly was still on its way, and nothing threw),
// then the snapshot's answer, without any error; the wasm came as application/wasm.
function assertPage({ shown, problems, wasm }) {
  assert.deepEqual(problems, []);
  assert.equal(shown[0], 'false (PROVIDER_NOT_READY)');
  assert.match(shown.at(-1), /^true \(/);
  assert.equal(wasm.length, 1, JSON.stringify(wasm));
  assert.equal(wasm[0].status, 200);
  assert.equal(wasm[0].type, 'application/wasm');
}

// Builds the project in `dir` with `vite build` and opens the page it wrote.
async function viteBuild(dir) {
  run(dir, process.execPath, ['node_modules/vite/bin/vite.js', 'build']);
  const dist = join(dir, 'dist');
  assertOnlyWebWasm(dist);
  const server = await serve({ '/': readFileSync(join(dist, 'index.html'), 'utf8') }, { assets: join(dist, 'assets') });
  try {
    assertPage(await visit(chromium.browser, `${server.url}/`));
  } finally {
    await server.close();
  }
}

// Serves the project in `dir` with Vite's dev server and opens its page.
async function viteDevServer(dir) {
  const dev = await viteDev(dir);
  try {
    const result = await visit(chromium.browser, dev.url);
    assertPage(result);
    assert.equal(result.wasm[0].path, '/node_modules/vexil/dist/vexil_web.wasm');
  } finally {
    await dev.stop();
  }
  assert.doesNotMatch(dev.output.join(''), /error/i);
}

// Builds the project in `dir` with `webpack --mode production` (and `args`) and opens a page
// loading its bundle.
async function webpackBuild(dir, args = []) {
  const output = run(dir, process.execPath, ['node_modules/webpack-cli/bin/cli.js', '--mode', 'production', ...args]);
  // No warning: in particular none about the size of a .wasm nobody loads.
  assert.doesNotMatch(output, /WARNING/);
  const dist = join(dir, 'dist');
  assertOnlyWebWasm(dist);
  // webpack resolves the .wasm URL from its own script's address.
  const page = '<!doctype html><link rel="icon" href="data:,"><output id="launch"></output><script src="/site/main.js"></script>';
  const server = await serve({ '/': page }, { site: dist });
  try {
    assertPage(await visit(chromium.browser, `${server.url}/`));
  } finally {
    await server.close();
  }
}

// The OpenFeature web SDK (the package's own pinned copy) beside the app, whose page becomes
// src/openfeature.js: a provider made from options, which loads the entry itself.
function openFeatureProject(links) {
  const dir = project(scratch, links);
  symlinkSync(fileURLToPath(new URL('../node_modules/@openfeature', import.meta.url)), join(dir, 'node_modules', '@openfeature'));
  const html = join(dir, 'index.html');
  writeFileSync(html, readFileSync(html, 'utf8').replace('/src/index.js', '/src/openfeature.js'));
  return dir;
}

const WEBPACK = { webpack: 'webpack', 'webpack-cli': 'webpack-cli' };

for (const vite of VITES) {
  test(`${vite.replace('vite', 'Vite ')}: vite build, with no configuration`, () => viteBuild(project(scratch, { vite })));
  test(`${vite.replace('vite', 'Vite ')}: the dev server, with no configuration`, () => viteDevServer(project(scratch, { vite })));
}

test('webpack 5: webpack --mode production, with no configuration', () => webpackBuild(project(scratch, WEBPACK)));

test('Vite 8: vexil/openfeature with a provider made from options loads the default entry and its WebAssembly', () =>
  viteBuild(openFeatureProject({ vite: 'vite8' })));

test('Vite 8: the dev server, vexil/openfeature with a provider made from options', () => viteDevServer(openFeatureProject({ vite: 'vite8' })));

test('webpack 5: vexil/openfeature with a provider made from options loads the default entry and its WebAssembly', () =>
  webpackBuild(openFeatureProject(WEBPACK), ['--entry', './src/openfeature.js']));

for (const format of ['esm', 'iife']) {
  test(`esbuild (${format}): vexil/slim with the .wasm loader set to file`, async () => {
    const dir = project(scratch, { esbuild: 'esbuild' });
    run(dir, join(dir, 'node_modules', 'esbuild', 'bin', 'esbuild'), [
      'src/slim.js',
      '--bundle',
      `--format=${format}`,
      '--loader:.wasm=file',
      '--outdir=dist',
    ]);
    const dist = join(dir, 'dist');
    assertOnlyWebWasm(dist);
    // The file loader's URL is relative: the page sits beside the bundle.
    const type = format === 'esm' ? ' type="module"' : '';
    writeFileSync(join(dist, 'index.html'), `<!doctype html><link rel="icon" href="data:,"><output id="launch"></output><script${type} src="slim.js"></script>`);
    const server = await serve({}, { site: dist });
    try {
      assertPage(await visit(chromium.browser, `${server.url}/site/index.html`));
    } finally {
      await server.close();
    }
  });
}

test('the README shows the very app these tests build', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const file of ['src/index.js', 'src/slim.js', 'src/show.js']) {
    const source = readFileSync(new URL(`fixtures/bundlers/app/${file}`, import.meta.url), 'utf8');
    assert.ok(readme.includes(source), `pkg/README.md does not show test/fixtures/bundlers/app/${file} as it is`);
  }
});
