// The language-neutral vectors of tests/vectors/, run against the WebAssembly build in Node
// through the package's public API: the same documents and contexts must give exactly what the
// native engine gives (which `cargo test` checks against the same files).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as vexil from 'vexil';
import { VECTOR_FILES, runVectors } from './support/vectors.js';

export function readVectorFiles() {
  return Object.fromEntries(
    Object.entries(VECTOR_FILES).map(([key, name]) => [
      key,
      JSON.parse(readFileSync(new URL(`../../tests/vectors/${name}`, import.meta.url), 'utf8')),
    ]),
  );
}

test('every vector gives the documented result in Node', () => {
  const { checks, failures, counts } = runVectors(vexil, readVectorFiles());
  assert.deepEqual(failures, []);
  assert.ok(counts.evaluation >= 250, `only ${counts.evaluation} evaluation cases`);
  assert.ok(counts.loadErrors >= 100 && counts.diagnostics >= 20 && counts.bucketing >= 500);
  // Each evaluation case is checked four ways, every other vector at least once.
  assert.ok(checks >= counts.evaluation * 3 + counts.loadErrors + counts.bucketing, `${checks} checks`);
});

test('the runner reports a wrong expectation', () => {
  const files = readVectorFiles();
  files.evaluation.suites[0].cases[0].expect.variant = 'not-a-variant';
  files.bucketing.vectors[0].bucket += 1;
  const { failures } = runVectors(vexil, files);
  assert.equal(failures.length, 2 + 1, failures.join('\n'));
});
