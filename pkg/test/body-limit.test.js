// No document over the size limit reaches WebAssembly memory, which grows for a document and
// never shrinks: the engine checks a snapshot's length before copying it in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { Engine } from 'vexil';
import * as glue from '../dist/vexil.js';

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
