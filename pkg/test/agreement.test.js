// Native versus WebAssembly on 100,000 (flag, context) pairs: `cargo run --example agreement`
// writes the pairs and the native answers (`make js` runs it first); both WebAssembly builds
// (speed-tuned for servers, size-tuned for browsers) answer the same pairs through the package
// and must agree on every one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

import { Engine } from 'vexil';

import { compare } from './support/agreement.js';

function check(summary) {
  assert.equal(summary.missing, undefined, summary.missing);
  assert.equal(summary.contexts, summary.answers);
  assert.deepEqual(summary.lengthMismatches, []);
  assert.deepEqual(summary.differences, []);
  assert.ok(summary.pairs >= 100_000, `${summary.pairs} pairs`);
  // The pairs exercise every kind of answer, not just one.
  for (const reason of ['STATIC', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'DISABLED', 'OVERRIDE', 'PREREQUISITE_FAILED']) {
    assert.ok(summary.reasons.includes(reason), `no pair answered ${reason}`);
  }
}

test('native and the server build agree on every one of 100,000 (flag, context) pairs', () => {
  check(compare(Engine));
});

test('native and the browser build agree on every one of 100,000 (flag, context) pairs', async () => {
  const worker = new Worker(new URL('./support/agreement-web.js', import.meta.url));
  try {
    const [summary] = await once(worker, 'message');
    check(summary);
  } finally {
    await worker.terminate();
  }
});
