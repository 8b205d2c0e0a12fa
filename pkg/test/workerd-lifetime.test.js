// No memory outlives its owner, in Cloudflare's workerd: the churn of support/churn.js (clients
// made and closed, snapshots swapped, contexts changed) leaves the WebAssembly memory on a
// plateau, both with finalizers and with a compatibility date before 2025-05-05, where Workers
// never run them and only what the package frees itself is given back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { growth } from './support/churn.js';
import { startWorkerd } from './support/workerd.js';

const pkg = fileURLToPath(new URL('../', import.meta.url));
const example = fileURLToPath(new URL('../../examples/snapshot.json', import.meta.url));

const MODULES = [
  ['test/support/churn-worker.js', 'esModule', join(pkg, 'test/support/churn-worker.js')],
  ['test/support/churn.js', 'esModule', join(pkg, 'test/support/churn.js')],
  ['src/entry/workerd.js', 'esModule', join(pkg, 'src/entry/workerd.js')],
  ['src/engine.js', 'esModule', join(pkg, 'src/engine.js')],
  ['src/client.js', 'esModule', join(pkg, 'src/client.js')],
  ['dist/vexil.js', 'esModule', join(pkg, 'dist/vexil.js')],
  ['dist/vexil_bg.wasm', 'wasm', join(pkg, 'dist/vexil_bg.wasm')],
  ['snapshot.json', 'text', example],
];

for (const compatibilityDate of ['2025-05-01', '2026-11-01']) {
  test(`in workerd (compatibility date ${compatibilityDate}), clients made and closed, snapshots swapped and contexts changed leave WebAssembly memory on a plateau`, async () => {
    const workerd = await startWorkerd(MODULES, { compatibilityDate });
    try {
      const response = await fetch(workerd.url);
      assert.equal(response.status, 200, workerd.output.join(''));
      const result = await response.json();
      assert.equal(result.failure, undefined);
      assert.ok(result.checks > 5000, String(result.checks));
      assert.equal(growth(result.samples), undefined, growth(result.samples));
    } finally {
      workerd.stop();
    }
  });
}
