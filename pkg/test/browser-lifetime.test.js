// No memory outlives its owner, in a Chromium tab: the churn of support/churn.js (clients made
// and closed, snapshots swapped, contexts changed) leaves the WebAssembly memory of the browser
// build on a plateau. It runs twice: as a page has it, and with FinalizationRegistry hidden
// before the package loads, as in runtimes that never run finalizers (Workers before
// compatibility date 2025-05-05), so that only what the package frees itself is given back and
// the garbage collector's timing cannot hide what it does not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { pageResult } from './support/chromium.js';
import { growth } from './support/churn.js';

const example = readFileSync(new URL('../../examples/snapshot.json', import.meta.url), 'utf8');

const page = (finalizers) => `<!doctype html>
<meta charset="utf-8">
<title>vexil lifetime</title>
<script type="importmap">{ "imports": { "vexil": "/pkg/src/entry/browser.js" } }</script>
<script type="module">
  try {
    ${finalizers ? '' : 'globalThis.FinalizationRegistry = undefined;'}
    const vexil = await import('vexil');
    await vexil.ready();
    // The same module instance the entry initialised: its memory is the engine's.
    const glue = await import('/pkg/dist/vexil.js');
    const { churn } = await import('/pkg/test/support/churn.js');
    window.churnResult = await churn(vexil, () => glue.__vexilMemory().byteLength, ${JSON.stringify(example)});
  } catch (error) {
    window.churnResult = { failure: String(error && error.stack || error) };
  }
</script>`;

for (const finalizers of [true, false]) {
  test(`in Chromium ${finalizers ? 'with' : 'without'} finalizers, clients made and closed, snapshots swapped and contexts changed leave WebAssembly memory on a plateau`, async () => {
    const { value: result, errors } = await pageResult(page(finalizers), 'churnResult');
    assert.deepEqual(errors, []);
    assert.equal(result.failure, undefined);
    assert.ok(result.checks > 5000, String(result.checks));
    assert.equal(growth(result.samples), undefined, growth(result.samples));
  });
}
