// No memory outlives its owner, in Node: a churn of clients, snapshots and contexts leaves the
// WebAssembly memory on a plateau. (The same churn runs in Chromium and in workerd, in
// browser-lifetime.test.js and workerd-lifetime.test.js.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import * as vexil from 'vexil';
import { VexilServerProvider, VexilWebProvider } from 'vexil/openfeature';
import * as glue from '../dist/vexil.js';
import { churn, growth } from './support/churn.js';

const example = readFileSync(new URL('../../examples/snapshot.json', import.meta.url), 'utf8');
const memoryBytes = () => glue.__vexilMemory().byteLength;

test('clients made and closed, snapshots swapped and contexts changed leave WebAssembly memory on a plateau', async () => {
  const { samples, checks } = await churn(vexil, memoryBytes, example);
  assert.ok(checks > 5000, String(checks));
  assert.equal(growth(samples), undefined, growth(samples));
});

test('Symbol.dispose frees engines and prepared contexts, and closes clients', () => {
  assert.equal(typeof Symbol.dispose, 'symbol');
  const samples = [];
  for (let round = 0; round < 8; round += 1) {
    for (let index = 0; index < 50; index += 1) {
      const engine = new vexil.Engine(example);
      const prepared = engine.prepare({ targetingKey: `user-${index}`, jurisdiction: 'quebec' });
      assert.equal(engine.evaluate('quebec-ontario-launch', prepared).value, true);
      prepared[Symbol.dispose]();
      engine[Symbol.dispose]();
      const client = vexil.createClient({ bootstrap: example, storage: null });
      assert.equal(client.getBooleanValue('quebec-ontario-launch', true, { jurisdiction: 'texas' }), false);
      client[Symbol.dispose]();
      assert.equal(client.status.closed, true);
    }
    samples.push(memoryBytes());
  }
  assert.equal(growth(samples, { warmup: 2 }), undefined, growth(samples, { warmup: 2 }));
});

test('a closed client still answers from its last snapshot, and closing it again frees it again', () => {
  const client = vexil.createClient({ bootstrap: example, storage: null, context: { jurisdiction: 'quebec' } });
  const samples = [];
  for (let round = 0; round < 8; round += 1) {
    for (let index = 0; index < 50; index += 1) {
      client.close();
      assert.equal(client.getBooleanValue('quebec-ontario-launch', false), true);
    }
    samples.push(memoryBytes());
  }
  client.close();
  assert.equal(growth(samples, { warmup: 2 }), undefined, growth(samples, { warmup: 2 }));
});

test('OpenFeature providers made from options free their client when closed', async () => {
  // Every provider is kept to the end (and a closed one keeps its client), so that no finalizer
  // can free a client onClose left unfreed and hide it; onClose does its work before its first
  // await.
  const providers = [];
  const samples = [];
  for (let round = 0; round < 6; round += 1) {
    for (let index = 0; index < 50; index += 1) {
      for (const Provider of [VexilServerProvider, VexilWebProvider]) {
        const provider = new Provider({ bootstrap: example, storage: null, context: { jurisdiction: 'quebec' } });
        providers.push(provider);
        await provider.initialize();
        assert.equal(provider.client.getBooleanValue('quebec-ontario-launch', false), true);
        provider.onClose();
        assert.equal(provider.client.status.closed, true);
      }
    }
    samples.push(memoryBytes());
  }
  assert.equal(growth(samples), undefined, growth(samples));
});

// Last: the collections it forces free what earlier tests may have left, and the space freed
// would let leaks in a later test go unseen.
test('engines and contexts only dropped are freed by their finalizers once collected', async () => {
  // The backstop where finalizers run: a collection (forced here, since WebAssembly memory does
  // not bring one about) frees what was dropped, and the memory is used again.
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc');
  const samples = [];
  for (let round = 0; round < 8; round += 1) {
    for (let index = 0; index < 50; index += 1) {
      const engine = new vexil.Engine(example);
      engine.prepare({ targetingKey: `user-${index}` });
      engine.evaluate('quebec-ontario-launch', { targetingKey: `user-${index}` });
    }
    for (let pass = 0; pass < 5; pass += 1) {
      collect();
      await new Promise((resolve) => setImmediate(resolve));
    }
    samples.push(memoryBytes());
  }
  assert.equal(growth(samples, { warmup: 2 }), undefined, growth(samples, { warmup: 2 }));
});
