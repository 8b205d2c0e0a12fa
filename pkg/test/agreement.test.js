// Native versus WebAssembly on 100,000 (flag, context) pairs: `cargo run --example agreement`
// writes the pairs and the native answers (`make js` runs it first); here the WebAssembly build
// answers the same pairs through the package and must agree on every one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Engine } from 'vexil';

const directory = fileURLToPath(new URL('../../target/agreement/', import.meta.url));
const NOW = '2026-11-22T12:00:00Z';

test('native and WebAssembly agree on every one of 100,000 (flag, context) pairs', () => {
  assert.ok(existsSync(`${directory}expected.jsonl`), 'run `cargo run --example agreement -- target/agreement` first');
  const engine = new Engine(readFileSync(`${directory}snapshot.json`));
  const contexts = readFileSync(`${directory}contexts.jsonl`, 'utf8').trim().split('\n');
  const expected = readFileSync(`${directory}expected.jsonl`, 'utf8').trim().split('\n');
  assert.equal(contexts.length, expected.length);
  let pairs = 0;
  const differences = [];
  const reasons = new Set();
  contexts.forEach((line, index) => {
    const native = JSON.parse(expected[index]);
    const results = engine.evaluateAll(engine.prepare(JSON.parse(line)), { now: NOW });
    assert.equal(results.length, native.length, `context ${index}`);
    results.forEach((result, position) => {
      pairs += 1;
      reasons.add(result.reason);
      const ours = [result.variant, result.reason, result.errorCode ?? null, result.ruleId ?? null];
      if (JSON.stringify(ours) !== JSON.stringify(native[position]) && differences.length < 10) {
        differences.push({ context: line, flag: result.key, wasm: ours, native: native[position] });
      }
    });
  });
  assert.deepEqual(differences, []);
  assert.ok(pairs >= 100_000, `${pairs} pairs`);
  // The pairs exercise every kind of answer, not just one.
  for (const reason of ['STATIC', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'DISABLED', 'OVERRIDE', 'PREREQUISITE_FAILED']) {
    assert.ok(reasons.has(reason), `no pair answered ${reason}`);
  }
});
