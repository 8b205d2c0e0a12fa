// The `vexil/slim` entry: the caller supplies the WebAssembly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { Engine, VexilError, initialize } from 'vexil/slim';

const example = readFileSync(new URL('../../examples/snapshot.json', import.meta.url), 'utf8');
const wasm = readFileSync(new URL('../dist/vexil_bg.wasm', import.meta.url));

test('engines wait for initialize, which takes the WebAssembly in any form', async () => {
  assert.throws(
    () => new Engine(example),
    (error) => error instanceof VexilError && error.code === 'NOT_INITIALIZED',
  );
  await assert.rejects(() => initialize(), TypeError);
  await initialize(await WebAssembly.compile(wasm));
  // Idempotent: a second call (with bytes this time) changes nothing.
  await initialize(wasm);
  const engine = new Engine(example);
  const result = engine.evaluate('quebec-ontario-launch', { targetingKey: 'u', jurisdiction: 'ontario' });
  assert.equal(result.variant, 'on');
});
