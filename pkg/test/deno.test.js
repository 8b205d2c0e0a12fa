// The vectors in Deno (the npm `deno` package's binary), through the package's Deno entry.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('../', import.meta.url));
const vectors = fileURLToPath(new URL('../../tests/vectors/', import.meta.url));
const DENO = fileURLToPath(new URL('../node_modules/.bin/deno', import.meta.url));

test('every vector gives the documented result in Deno', () => {
  const output = execFileSync(
    DENO,
    ['run', '--no-prompt', '--no-config', `--allow-read=${pkg},${vectors}`, 'test/support/deno-vectors.js'],
    { cwd: pkg, encoding: 'utf8', env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }, timeout: 60_000 },
  );
  const result = JSON.parse(output);
  assert.deepEqual(result.failures, []);
  assert.ok(result.counts.evaluation >= 250 && result.counts.bucketing >= 500, JSON.stringify(result.counts));
  assert.ok(result.checks >= result.counts.evaluation * 3 + result.counts.loadErrors + result.counts.bucketing);
});
