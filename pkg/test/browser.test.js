// The vectors in headless Chromium, through the package's browser entry (which fetches and
// streams the WebAssembly), exactly as a page would import it.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { pageResult } from './support/chromium.js';

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>vexil vectors</title>
<script type="importmap">{ "imports": { "vexil": "/pkg/src/entry/browser.js" } }</script>
<script type="module">
  try {
    const vexil = await import('vexil');
    await vexil.ready();
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

test('every vector gives the documented result in Chromium', async () => {
  const { value: result, errors } = await pageResult(PAGE, 'vectorResult');
  assert.deepEqual(errors, []);
  assert.deepEqual(result.failures, []);
  assert.ok(result.counts.evaluation >= 250 && result.counts.bucketing >= 500, JSON.stringify(result.counts));
  assert.ok(result.checks >= result.counts.evaluation * 3 + result.counts.loadErrors + result.counts.bucketing);
});
