// The package as users get it: `npm pack`, install the tarball into a fresh scratch project,
// and use it from Node (ESM), from a page in headless Chromium and from a worker in workerd.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium } from './support/chromium.js';
import { serve } from './support/server.js';
import { startWorkerd } from './support/workerd.js';

const pkg = fileURLToPath(new URL('../', import.meta.url));
const example = readFileSync(new URL('../../examples/snapshot.json', import.meta.url), 'utf8');

// What each runtime is asked, and must answer.
const QUESTION = `
  const engine = new Engine(SNAPSHOT);
  const client = createClient({ bootstrap: SNAPSHOT, storage: null, context: { targetingKey: 'user-42', jurisdiction: 'quebec' } });
  const answer = {
    engine: engine.evaluate('quebec-ontario-launch', { targetingKey: 'user-42', jurisdiction: 'quebec' }).variant,
    client: client.getBooleanValue('quebec-ontario-launch', false),
    flags: engine.flagKeys.length,
  };
  client.close();
`;
const EXPECTED = { engine: 'on', client: true, flags: 9 };

let scratch;
let installed;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'vexil-package-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: pkg, encoding: 'utf8' }));
  const tarball = join(scratch, packed[0].filename);
  const app = join(scratch, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app });
  installed = join(app, 'node_modules', 'vexil');
  writeFileSync(join(app, 'snapshot.js'), `export const SNAPSHOT = ${JSON.stringify(example)};\n`);
});

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('the tarball holds what the package needs and nothing of the build', () => {
  for (const file of ['package.json', 'dist/vexil.js', 'dist/vexil_bg.wasm', 'dist/vexil_web.wasm', 'src/engine.js', 'src/client.js', 'types/index.d.ts']) {
    assert.ok(existsSync(join(installed, file)), `${file} is missing from the package`);
  }
  for (const file of ['test', 'bench', 'node_modules', 'package-lock.json']) {
    assert.ok(!existsSync(join(installed, file)), `${file} should not be in the package`);
  }
});

test('Node, as ESM, through the package name', () => {
  const app = join(scratch, 'app');
  writeFileSync(
    join(app, 'main.js'),
    `import { Engine, createClient } from 'vexil';\nimport { SNAPSHOT } from './snapshot.js';\n${QUESTION}\nconsole.log(JSON.stringify(answer));\n`,
  );
  const output = execFileSync(process.execPath, ['main.js'], { cwd: app, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(output), EXPECTED);
});

test('a page in headless Chromium, through the browser entry', async () => {
  const app = join(scratch, 'app');
  const page = `<!doctype html><meta charset="utf-8">
<script type="importmap">{ "imports": { "vexil": "/app/node_modules/vexil/src/entry/browser.js" } }</script>
<script type="module">
  import { Engine, createClient, ready } from 'vexil';
  import { SNAPSHOT } from '/app/snapshot.js';
  // The browser entry fetches its WebAssembly after the import.
  await ready();
  try { ${QUESTION} window.answer = answer; } catch (error) { window.answer = { error: String(error) }; }
</script>`;
  const server = await serve({ '/': page }, { app });
  const chromium = await launchChromium();
  try {
    const tab = await chromium.browser.newPage();
    await tab.goto(`${server.url}/`);
    await tab.waitForFunction(() => window.answer !== undefined, null, { timeout: 30_000 });
    assert.deepEqual(await tab.evaluate(() => window.answer), EXPECTED);
  } finally {
    await chromium.stop();
    await server.close();
  }
});

test('a worker in workerd, through the workerd entry', async () => {
  const app = join(scratch, 'app');
  writeFileSync(
    join(app, 'worker.js'),
    `import { Engine, createClient } from './node_modules/vexil/src/entry/workerd.js';
import { SNAPSHOT } from './snapshot.js';
export default { async fetch() { ${QUESTION} return new Response(JSON.stringify(answer)); } };
`,
  );
  const files = ['src/entry/workerd.js', 'src/engine.js', 'src/client.js', 'dist/vexil.js'];
  const workerd = await startWorkerd([
    ['worker.js', 'esModule', join(app, 'worker.js')],
    ['snapshot.js', 'esModule', join(app, 'snapshot.js')],
    ...files.map((file) => [`node_modules/vexil/${file}`, 'esModule', join(installed, file)]),
    ['node_modules/vexil/dist/vexil_bg.wasm', 'wasm', join(installed, 'dist/vexil_bg.wasm')],
  ]);
  try {
    const response = await fetch(workerd.url);
    assert.equal(response.status, 200, workerd.output.join(''));
    assert.deepEqual(await response.json(), EXPECTED);
  } finally {
    workerd.stop();
  }
});

test('the tarball holds both licences and the changelog, and package.json says where the project lives', () => {
  const read = (file) => readFileSync(join(installed, file), 'utf8');
  assert.match(read('LICENSE-MIT'), /^MIT License\n[\s\S]*Permission is hereby granted, free of charge/);
  assert.match(read('LICENSE-APACHE'), /Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/);
  const manifest = JSON.parse(read('package.json'));
  assert.equal(manifest.license, 'MIT OR Apache-2.0');
  for (const url of [manifest.repository.url.replace(/^git\+/, ''), manifest.homepage, manifest.bugs.url]) {
    assert.ok(URL.canParse(url), `${url} is a URL`);
  }
  const changelog = read('CHANGELOG.md');
  assert.match(changelog, /^## \[Unreleased\]$/m);
  assert.match(changelog, new RegExp(`^## \\[${manifest.version.replaceAll('.', '\\.')}\\]$`, 'm'), 'the released version has its entry');
});
