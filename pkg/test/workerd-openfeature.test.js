// vexil/openfeature in Cloudflare's workerd runtime: a provider made from options loads the
// package's `vexil` entry itself (workerd's, which imports the WebAssembly as a compiled module)
// when initialized, and answers PROVIDER_NOT_READY before.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startWorkerd } from './support/workerd.js';

const pkg = fileURLToPath(new URL('../', import.meta.url));

let workerd;

before(async () => {
  workerd = await startWorkerd([
    ['test/support/openfeature-worker.js', 'esModule', join(pkg, 'test/support/openfeature-worker.js')],
    ['src/openfeature.js', 'esModule', join(pkg, 'src/openfeature.js')],
    ['src/vexil', 'esModule', join(pkg, 'test/support/workerd-vexil.js')],
    ['src/entry/workerd.js', 'esModule', join(pkg, 'src/entry/workerd.js')],
    ['src/engine.js', 'esModule', join(pkg, 'src/engine.js')],
    ['src/client.js', 'esModule', join(pkg, 'src/client.js')],
    ['dist/vexil.js', 'esModule', join(pkg, 'dist/vexil.js')],
    ['dist/vexil_bg.wasm', 'wasm', join(pkg, 'dist/vexil_bg.wasm')],
  ]);
});

after(() => workerd?.stop());

test('in workerd, a provider made from options loads the entry in initialize() and answers for each context', async () => {
  for (const [jurisdiction, value, reason] of [['quebec', true, 'TARGETING_MATCH'], ['texas', false, 'DEFAULT']]) {
    const response = await fetch(`${workerd.url}?jurisdiction=${jurisdiction}`);
    assert.equal(response.status, 200, workerd.output.join(''));
    assert.deepEqual(await response.json(), { before: 'PROVIDER_NOT_READY', value, reason });
  }
});
