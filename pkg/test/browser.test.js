// The vectors in headless Chromium, through the package's browser entry (which fetches and
// streams the WebAssembly), exactly as a page would import it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { launchChromium } from './support/chromium.js';
import { serve } from './support/server.js';


const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>vexil vectors</title>
<script type="importmap">{ "imports": { "vexil": "/pkg/src/entry/browser.js" } }</script>
<script type="module">
  try {
    const vexil = await import('vexil');
    const { runVectors, VECTOR_FILES } = await import('/pkg/test/support/vectors.js');
    const files = {};
    for (const [key, name] of Object.entries(VECTOR_FILES)) {
      files[key] = await (await fetch('/vectors/' + name)).json();
    }
    window.vectorResult = runVectors(vexil, files);
  } catch (error) {
    window.vectorResult = { checks: 0, failures: ['the page failed: ' + (error && error.stack || error)] };
  }
</script>`;

let server;
let chromium;

before(async () => {
  server = await serve({ '/': PAGE });
  chromium = await launchChromium();
});

after(async () => {
  // Both are ended even when a test failed; Chromium by its PID as well.
  await chromium?.stop();
  await server?.close();
});

test('every vector gives the documented result in Chromium', async () => {
  const page = await chromium.browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => window.vectorResult !== undefined, null, { timeout: 60_000 });
  const result = await page.evaluate(() => window.vectorResult);
  assert.deepEqual(errors, []);
  assert.deepEqual(result.failures, []);
  assert.ok(result.counts.evaluation >= 250 && result.counts.bucketing >= 500, JSON.stringify(result.counts));
  assert.ok(result.checks >= result.counts.evaluation * 3 + result.counts.loadErrors + result.counts.bucketing);
});
