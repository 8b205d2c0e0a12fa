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

test('vexil/html works in Deno: answers from the Deno entry, injected into a streamed page', () => {
  const script = `
import { createClient } from './src/entry/deno.js';
import { evaluateFlags, injectBootstrap } from './src/html.js';
const flags = createClient({ storage: null, bootstrap: { schemaVersion: 1, revision: 1, generatedAt: '2026-12-01T00:00:00Z',
  flags: [{ key: 'greeting', type: 'string', variants: { hi: '</script>hé' }, fallthrough: { variant: 'hi' } }] } });
const chunks = ['<html><head><title>t</title></he', 'ad><body>ok</body></html>'].map((text) => new TextEncoder().encode(text));
const page = new Response(new ReadableStream({ start(c) { chunks.forEach((chunk) => c.enqueue(chunk)); c.close(); } }), { headers: { 'content-type': 'text/html' } });
console.log(await injectBootstrap(page, evaluateFlags(flags, { targetingKey: 'u' })).text());
flags.close();
`;
  const output = execFileSync(DENO, ['run', '--no-prompt', '--no-config', '--ext=js', '-'], {
    cwd: pkg,
    input: script,
    encoding: 'utf8',
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    timeout: 60_000,
  });
  const json = /<title>t<\/title><script type="application\/json" id="vexil-bootstrap">(.*)<\/script><\/head><body>ok/.exec(output)?.[1];
  assert.ok(json, output);
  assert.equal(JSON.parse(json).flags.greeting.value, '</script>hé');
});
