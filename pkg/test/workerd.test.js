// The vectors in Cloudflare's workerd runtime, through the package's workerd entry (which
// imports the WebAssembly as a compiled module, since Workers refuse to compile bytes).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startWorkerd } from './support/workerd.js';

const pkg = fileURLToPath(new URL('../', import.meta.url));
const vectors = fileURLToPath(new URL('../../tests/vectors/', import.meta.url));

let workerd;

before(async () => {
  workerd = await startWorkerd([
    ['test/support/worker.js', 'esModule', join(pkg, 'test/support/worker.js')],
    ['test/support/vectors.js', 'esModule', join(pkg, 'test/support/vectors.js')],
    ['src/entry/workerd.js', 'esModule', join(pkg, 'src/entry/workerd.js')],
    ['src/engine.js', 'esModule', join(pkg, 'src/engine.js')],
    ['src/client.js', 'esModule', join(pkg, 'src/client.js')],
    ['dist/vexil.js', 'esModule', join(pkg, 'dist/vexil.js')],
    ['dist/vexil_bg.wasm', 'wasm', join(pkg, 'dist/vexil_bg.wasm')],
    ['vectors/evaluation.json', 'json', join(vectors, 'evaluation.json')],
    ['vectors/load-errors.json', 'json', join(vectors, 'load-errors.json')],
    ['vectors/diagnostics.json', 'json', join(vectors, 'diagnostics.json')],
    ['vectors/bucketing.json', 'json', join(vectors, 'bucketing.json')],
  ]);
});

after(() => workerd?.stop());

test('every vector gives the documented result in workerd', async () => {
  const response = await fetch(workerd.url);
  assert.equal(response.status, 200, workerd.output.join(''));
  const result = await response.json();
  assert.deepEqual(result.failures, []);
  assert.ok(result.counts.evaluation >= 250 && result.counts.bucketing >= 500, JSON.stringify(result.counts));
  assert.ok(result.checks >= result.counts.evaluation * 3 + result.counts.loadErrors + result.counts.bucketing);
});
