// The browser entry does not hold its importer up: the WebAssembly arrives after the import.
// Until then nothing throws at a caller who asks for a flag (defaults with PROVIDER_NOT_READY,
// an OpenFeature provider NOT_READY), engines refuse with NOT_INITIALIZED, and `ready()` says
// when it is over; if the WebAssembly cannot be had, `ready()` rejects and everything says why.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { launchChromium } from './support/chromium.js';
import { serve } from './support/server.js';

const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="importmap">{ "imports": {
  "vexil": "/pkg/src/entry/browser.js",
  "vexil/openfeature": "/pkg/src/openfeature.js",
  "@openfeature/core": "/pkg/node_modules/@openfeature/core/dist/esm/index.js",
  "@openfeature/web-sdk": "/pkg/node_modules/@openfeature/web-sdk/dist/esm/index.js"
} }</script>
<script type="module">
  import { Engine, createClient, ready } from 'vexil';
  import { VexilWebProvider } from 'vexil/openfeature';
  import { OpenFeature } from '@openfeature/web-sdk';

  const snapshot = { schemaVersion: 1, revision: 3, generatedAt: '2026-11-01T00:00:00Z', flags: [
    { key: 'f', type: 'string', variants: { a: 'from the snapshot' }, offVariant: 'a', rules: [], fallthrough: { variant: 'a' } },
  ] };
  const refusal = (make) => { try { make(); return null; } catch (error) { return { code: error.code, message: error.message }; } };
  const client = createClient({ bootstrap: snapshot, storage: null });
  const errors = [];
  client.on('error', ({ code, source }) => errors.push({ code, source }));
  OpenFeature.setProvider(new VexilWebProvider({ bootstrap: snapshot, storage: null }, { readyTimeout: 5000 }));
  const before = {
    engine: refusal(() => new Engine(snapshot)),
    client: client.getStringDetails('f', 'default'),
    provider: OpenFeature.getClient().providerStatus,
  };
  const loaded = await ready().then(() => 'resolved', (error) => 'rejected: ' + error.message);
  // The client loads its bootstrap (or reports why it cannot) once ready() has settled; a
  // failure leaves it waiting, which its own timeout ends.
  await client.ready({ timeout: 1000 });
  if (loaded === 'resolved' && OpenFeature.getClient().providerStatus !== 'READY') {
    await new Promise((resolve) => OpenFeature.getClient().addHandler('PROVIDER_READY', resolve));
  }
  window.result = {
    before,
    loaded,
    after: {
      engine: refusal(() => new Engine(snapshot)),
      client: client.getStringDetails('f', 'default'),
      provider: OpenFeature.getClient().providerStatus,
      errors,
    },
  };
</script>`;

// Opens the page, with the WebAssembly answered 404 if `missing`; returns what it recorded.
async function visit({ missing }) {
  const server = await serve({ '/': PAGE });
  const chromium = await launchChromium();
  try {
    const page = await chromium.browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    if (missing) await page.route('**/vexil_web.wasm', (route) => route.fulfill({ status: 404, body: 'gone' }));
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 30_000 });
    return { ...(await page.evaluate(() => window.result)), pageErrors };
  } finally {
    await chromium.stop();
    await server.close();
  }
}

test('before the WebAssembly arrives, a client answers the default, engines refuse, and the provider is NOT_READY; then all work', async () => {
  const { before, loaded, after, pageErrors } = await visit({ missing: false });
  assert.deepEqual(pageErrors, []);
  assert.equal(before.engine.code, 'NOT_INITIALIZED');
  assert.deepEqual(
    { value: before.client.value, reason: before.client.reason, errorCode: before.client.errorCode },
    { value: 'default', reason: 'ERROR', errorCode: 'PROVIDER_NOT_READY' },
  );
  assert.equal(before.provider, 'NOT_READY');
  assert.equal(loaded, 'resolved');
  assert.equal(after.engine, null);
  assert.equal(after.client.value, 'from the snapshot');
  assert.equal(after.client.errorCode, undefined);
  assert.equal(after.provider, 'READY');
  assert.deepEqual(after.errors, []);
});

test('when the WebAssembly cannot be fetched, ready() rejects, and engines and clients say why without throwing at callers', async () => {
  const { before, loaded, after, pageErrors } = await visit({ missing: true });
  assert.deepEqual(pageErrors, []);
  assert.equal(before.client.errorCode, 'PROVIDER_NOT_READY');
  assert.match(loaded, /^rejected: .*404/);
  assert.equal(after.engine.code, 'NOT_INITIALIZED');
  assert.match(after.engine.message, /could not be loaded: .*404/);
  assert.equal(after.client.value, 'default');
  assert.equal(after.client.errorCode, 'PROVIDER_NOT_READY');
  assert.deepEqual(after.errors, [{ code: 'NOT_INITIALIZED', source: 'bootstrap' }]);
  assert.notEqual(after.provider, 'READY');
});
