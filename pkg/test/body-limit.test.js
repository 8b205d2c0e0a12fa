// No document over the size limit reaches WebAssembly memory, which grows for a document and
// never shrinks: the engine checks a snapshot's length before copying it in, and the client
// refuses a response body from its Content-Length, or while reading it, before holding more than
// the limit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { Engine, createClient } from 'vexil';
import * as glue from '../dist/vexil.js';
import { endless, manualTimers, withServer } from './support/http.js';

const example = readFileSync(new URL('../../examples/snapshot.json', import.meta.url), 'utf8');
const LIMIT = 16 * 2 ** 20;
const memory = () => glue.__vexilMemory().byteLength;

// The error `new Engine(...)` throws, or undefined if it loads.
function loadError(snapshot, options) {
  try {
    new Engine(snapshot, options).free();
    return undefined;
  } catch (error) {
    return error;
  }
}

test('a snapshot over the document limit is refused before it is copied into WebAssembly memory', () => {
  // Warm up: the first loads may take memory the engine keeps for later ones.
  loadError(example);
  const before = memory();
  const huge = ' '.repeat(200 * 2 ** 20);
  const cases = [
    ['200 MiB of text', huge],
    ['200 MiB of bytes', new TextEncoder().encode(huge)],
    // Fewer UTF-16 units than the limit, more UTF-8 bytes.
    ['9 Mi two-byte characters', 'é'.repeat(9 * 2 ** 20)],
    ['6 Mi three-byte characters', '€'.repeat(6 * 2 ** 20)],
    ['5 Mi emoji (surrogate pairs)', '🚀'.repeat(5 * 2 ** 20)],
  ];
  for (const [name, snapshot] of cases) {
    const error = loadError(snapshot);
    assert.equal(error?.code, 'LIMIT_DOCUMENT_BYTES', name);
    assert.equal(error.path, '$', name);
    assert.equal(memory(), before, `${name}: WebAssembly memory did not grow`);
  }
  // A smaller limit is checked the same way.
  const small = loadError(example, { limits: { maxDocumentBytes: example.length - 1 } });
  assert.equal(small?.code, 'LIMIT_DOCUMENT_BYTES');
  assert.match(small.message, new RegExp(`over the limit of ${example.length - 1}`));
});

test('a snapshot of exactly the limit loads, in characters of any width', () => {
  for (const [filler, width] of [[' ', 1], ['é', 2], ['€', 3], ['🚀', 4]]) {
    const document = JSON.parse(example);
    document.flags[0].metadata = { ...document.flags[0].metadata, description: '' };
    const room = LIMIT - Buffer.byteLength(JSON.stringify(document));
    document.flags[0].metadata.description = filler.repeat(Math.floor(room / width));
    let text = JSON.stringify(document);
    text += ' '.repeat(LIMIT - Buffer.byteLength(text));
    assert.equal(Buffer.byteLength(text), LIMIT, filler);
    const error = loadError(text, { limits: { maxStringBytes: LIMIT } });
    assert.equal(error, undefined, `${filler}: ${error?.message}`);
    // One byte more is refused.
    assert.equal(loadError(`${text} `, { limits: { maxStringBytes: LIMIT } })?.code, 'LIMIT_DOCUMENT_BYTES', filler);
  }
});

function makeClient(url, extra = {}) {
  const timers = manualTimers();
  return createClient({
    url,
    bootstrap: example,
    storage: null,
    jitter: 0,
    timeout: 60_000,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    ...extra,
  });
}

function errors(client) {
  const codes = [];
  client.on('error', (event) => codes.push(event.code));
  return codes;
}

test('a response body over the limit is refused while reading, and memory stays where it was', async () => {
  const sent = { bytes: 0 };
  await withServer(endless(sent), async ({ url }) => {
    const client = makeClient(url);
    // After the bootstrap snapshot is loaded, and before any of the body arrives.
    const before = memory();
    const codes = errors(client);
    await client.refresh();
    assert.deepEqual(codes, ['LIMIT_DOCUMENT_BYTES']);
    assert.equal(client.getBooleanValue('quebec-ontario-launch', false, { targetingKey: 'u', jurisdiction: 'quebec' }), true);
    assert.equal(memory(), before, 'WebAssembly memory did not grow');
    // The download stopped near the limit: what the socket buffers, not the 200 MiB offered.
    assert.ok(sent.bytes < 4 * LIMIT, `the server sent ${sent.bytes} bytes`);
    client.close();
  });
});

test('a Content-Length over the limit is refused before the body is read', async () => {
  let pulled = 0;
  const body = () =>
    new ReadableStream(
      {
        pull(controller) {
          pulled += 1;
          controller.enqueue(new Uint8Array(2 ** 20));
          if (pulled === 200) controller.close();
        },
      },
      { highWaterMark: 0 },
    );
  const fetch = async () =>
    new Response(body(), { headers: { 'content-type': 'application/json', 'content-length': String(200 * 2 ** 20) } });
  const client = makeClient('http://config.invalid/flags.json', { fetch });
  const codes = errors(client);
  await client.refresh();
  assert.deepEqual(codes, ['LIMIT_DOCUMENT_BYTES']);
  assert.equal(pulled, 0);

  // And over a real connection, announced as 200 MiB: refused with nothing read.
  const sent = { bytes: 0 };
  await withServer(endless(sent, { declared: true }), async ({ url }) => {
    const client = makeClient(url);
    const before = memory();
    const codes = errors(client);
    await client.refresh();
    assert.deepEqual(codes, ['LIMIT_DOCUMENT_BYTES']);
    assert.equal(memory(), before);
    assert.ok(sent.bytes < 4 * LIMIT, `the server sent ${sent.bytes} bytes`);
    client.close();
  });
  client.close();
});

test('maxBodyBytes sets the body limit; a body at the limit loads', async () => {
  const text = JSON.stringify({ ...JSON.parse(example), revision: 43 });
  const bytes = Buffer.byteLength(text);
  await withServer(
    (request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(text),
    async ({ url }) => {
      const under = makeClient(url, { maxBodyBytes: bytes - 1 });
      const codes = errors(under);
      await under.refresh();
      assert.deepEqual(codes, ['LIMIT_DOCUMENT_BYTES']);
      assert.equal(under.status.revision, 42);
      under.close();
      const at = makeClient(url, { maxBodyBytes: bytes });
      await at.refresh();
      assert.equal(at.status.revision, 43);
      at.close();
    },
  );
});
