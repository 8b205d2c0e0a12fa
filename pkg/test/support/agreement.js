// Compares an `Engine` class (from any entry, with either WebAssembly build) against the native
// answers that `cargo run --example agreement -- target/agreement` wrote. Returns a summary the
// test asserts on, so it can also run inside a worker thread.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const directory = fileURLToPath(new URL('../../../target/agreement/', import.meta.url));
const NOW = '2026-11-22T12:00:00Z';

export function compare(Engine) {
  if (!existsSync(`${directory}expected.jsonl`)) {
    return { missing: 'run `cargo run --example agreement -- target/agreement` first' };
  }
  const engine = new Engine(readFileSync(`${directory}snapshot.json`));
  const contexts = readFileSync(`${directory}contexts.jsonl`, 'utf8').trim().split('\n');
  const expected = readFileSync(`${directory}expected.jsonl`, 'utf8').trim().split('\n');
  let pairs = 0;
  const lengthMismatches = [];
  const differences = [];
  const reasons = new Set();
  contexts.forEach((line, index) => {
    const native = JSON.parse(expected[index]);
    const results = engine.evaluateAll(engine.prepare(JSON.parse(line)), { now: NOW });
    if (results.length !== native.length) lengthMismatches.push(index);
    results.forEach((result, position) => {
      pairs += 1;
      reasons.add(result.reason);
      const ours = [result.variant, result.reason, result.errorCode ?? null, result.ruleId ?? null];
      if (JSON.stringify(ours) !== JSON.stringify(native[position]) && differences.length < 10) {
        differences.push({ context: line, flag: result.key, wasm: ours, native: native[position] });
      }
    });
  });
  return {
    contexts: contexts.length,
    answers: expected.length,
    pairs,
    lengthMismatches,
    differences,
    reasons: [...reasons].sort(),
  };
}
