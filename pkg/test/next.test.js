// Next.js (App Router) as a new user sets it up, in a fresh project from the packed tarball with
// Next and React pinned in test/fixtures/next (installed once by scripts/setup-wasm.sh): the app
// in test/fixtures/next/app (the code pkg/README.md shows) is built with Turbopack (Next's
// default) and with webpack, with no configuration, and served by `next start`. A server
// component evaluates with the `vexil` client and gives the snapshot and its answers to a client
// component; headless Chromium must show the server's text from the first byte, hydrate without
// a mismatch even while the WebAssembly is held back, and render a new revision.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium } from './support/chromium.js';
import { HOSTILE, greetingSnapshot } from './support/greeting.js';
import { startNodeServer } from './support/node-server.js';
import { freePort } from './support/ports.js';

const fixtures = fileURLToPath(new URL('./fixtures/next/', import.meta.url));
const tools = join(fixtures, 'node_modules');

function snapshot(revision) {
  return greetingSnapshot(revision, {
    variants: { hostile: HOSTILE, hello: 'bonjour', later: 'salut' },
    offVariant: 'hello',
    rules: [{ id: 'u1', conditions: [{ attribute: 'targetingKey', op: 'in', values: ['u1'] }], serve: { variant: 'hostile' } }],
    fallthrough: { variant: revision === 1 ? 'hello' : 'later' },
  });
}

let scratch;
let app;
let chromium;

function next(args, env = {}) {
  try {
    return execFileSync(process.execPath, [join(app, 'node_modules', 'next', 'dist', 'bin', 'next'), ...args], {
      cwd: app,
      encoding: 'utf8',
      stdio: 'pipe',
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    });
  } catch (error) {
    throw new Error(`next ${args.join(' ')} failed:\n${error.stdout}\n${error.stderr}`);
  }
}

// `next start` on 127.0.0.1 and a free port; resolves to `{ url, stop }` once it is ready,
// `stop` ending it by PID.
async function nextStart() {
  const port = await freePort();
  return startNodeServer([join(app, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: app,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', VEXIL_SNAPSHOT: join(scratch, 'snapshot.json') },
    ready: /Local:\s+(http:\/\/127\.0\.0\.1:\d+)[\s\S]*Ready in/,
  });
}

before(async () => {
  if (!existsSync(join(tools, '.vexil-lock'))) {
    throw new Error(`Next.js is not installed in ${tools}: run scripts/setup-wasm.sh`);
  }
  scratch = mkdtempSync(join(tmpdir(), 'vexil-next-'));
  app = join(scratch, 'app');
  cpSync(join(fixtures, 'app'), app, { recursive: true });
  // Next's own files, hard-linked (Turbopack refuses node_modules linked from outside the
  // project), and the package unpacked from its tarball as npm would.
  execFileSync('cp', ['-al', tools, join(app, 'node_modules')]);
  rmSync(join(app, 'node_modules', 'vexil'), { recursive: true, force: true });
  const pkg = fileURLToPath(new URL('../', import.meta.url));
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: pkg, encoding: 'utf8' }));
  mkdirSync(join(app, 'node_modules', 'vexil'));
  execFileSync('tar', ['-xzf', join(scratch, packed.filename), '-C', join(app, 'node_modules', 'vexil'), '--strip-components=1']);
  chromium = await launchChromium();
});

after(async () => {
  await chromium?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// What the page shows, by user and revision.
const SHOWN = { u1: `${HOSTILE} (hostile), 2 flags`, u2: 'bonjour (hello), 2 flags', later: 'salut (later), 2 flags' };

// Opens the app as `user` with the WebAssembly held back `wasmDelay` ms; returns the text at
// first paint, after hydration and once the engine has loaded, with everything that went wrong.
async function visit(url, user, wasmDelay) {
  const context = await chromium.browser.newContext();
  try {
    await context.addCookies([{ name: 'user', value: user, url }]);
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error}`));
    page.on('console', (message) => {
      if (['error', 'warning'].includes(message.type())) problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) problems.push(`${response.status()} for ${response.url()}`);
    });
    let wasmAnswered = false;
    await page.route('**/*.wasm', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, wasmDelay));
      wasmAnswered = true;
      await route.continue();
    });
    await page.addInitScript(() => {
      document.addEventListener('DOMContentLoaded', () => {
        window.atLoad = document.getElementById('flag')?.textContent;
      });
    });
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.hydrated === 'yes', null, { timeout: 60_000 });
    const hydrated = await page.evaluate(() => document.getElementById('flag').textContent);
    const hydratedBeforeWasm = !wasmAnswered;
    await page.waitForFunction(() => window.vexilClient?.engine != null, null, { timeout: 60_000 });
    const loaded = await page.evaluate(() => document.getElementById('flag').textContent);
    return { page, context, atLoad: await page.evaluate(() => window.atLoad), hydrated, hydratedBeforeWasm, loaded, problems };
  } catch (error) {
    await context.close();
    throw error;
  }
}

for (const bundler of ['turbopack', 'webpack']) {
  test(`Next.js with ${bundler}: rendered on the server, hydrated without a mismatch, refreshed`, async () => {
    writeFileSync(join(scratch, 'snapshot.json'), snapshot(1));
    rmSync(join(app, '.next'), { recursive: true, force: true });
    // Next 16.4's webpack build fails on any Edge route (a missing client reference manifest),
    // with or without this package: the Edge route is built with Turbopack only.
    if (bundler === 'webpack') rmSync(join(app, 'app', 'edge'), { recursive: true, force: true });
    next(['build', `--${bundler}`]);
    // Deployments that copy only the server's output and the files it traces (output:
    // 'standalone', Vercel) carry the engine: webpack emits it into .next/server, Turbopack
    // traces the package's own file.
    if (bundler === 'webpack') {
      const media = join(app, '.next', 'server', 'chunks', 'static', 'media');
      assert.ok(readdirSync(media).some((file) => /^vexil_bg\.\w+\.wasm$/.test(file)), `no engine in ${media}`);
    } else {
      const traced = JSON.parse(readFileSync(join(app, '.next', 'server', 'app', 'page.js.nft.json'), 'utf8')).files;
      assert.ok(traced.some((file) => file.endsWith('node_modules/vexil/dist/vexil_bg.wasm')), `the engine is not traced: ${traced.join('\n')}`);
    }
    const server = await nextStart();
    try {
      // The server's HTML, as curl sees it.
      const html = await (await fetch(`${server.url}/`, { headers: { cookie: 'user=u2' } })).text();
      assert.match(html, /<p id="flag">bonjour \(hello\), 2 flags<\/p>/);
      if (bundler === 'turbopack') {
        const edge = await fetch(`${server.url}/edge`, { headers: { cookie: 'user=u1' } });
        assert.equal(edge.status, 200, await edge.clone().text());
        assert.deepEqual(await edge.json(), { value: HOSTILE, variant: 'hostile', reason: 'TARGETING_MATCH', ruleId: 'u1' });
      }

      // The WebAssembly held back past hydration: the server's answers stand in until it lands.
      const slow = await visit(`${server.url}/`, 'u1', 1500);
      try {
        assert.equal(slow.hydratedBeforeWasm, true, 'hydration waited for the WebAssembly');
        assert.deepEqual([slow.atLoad, slow.hydrated, slow.loaded], [SHOWN.u1, SHOWN.u1, SHOWN.u1]);
        assert.equal(await slow.page.evaluate(() => window.injected), undefined);
        assert.deepEqual(slow.problems, []);
      } finally {
        await slow.context.close();
      }

      // A new revision: the browser's client fetches /flags.json and the component renders it.
      const fast = await visit(`${server.url}/`, 'u2', 0);
      try {
        assert.deepEqual([fast.atLoad, fast.hydrated, fast.loaded], [SHOWN.u2, SHOWN.u2, SHOWN.u2]);
        writeFileSync(join(scratch, 'snapshot.json'), snapshot(2));
        await fast.page.evaluate(() => window.vexilClient.refresh());
        await fast.page.waitForFunction((text) => document.getElementById('flag').textContent === text, SHOWN.later, { timeout: 30_000 });
        assert.deepEqual(fast.problems, []);
      } finally {
        await fast.context.close();
      }
    } finally {
      server.stop();
    }
  });
}
