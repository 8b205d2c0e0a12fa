// The client in Cloudflare's workerd runtime, fetching from a real HTTP server on loopback: what
// Workers' fetch accepts is narrower than browsers' and Node's (no `cache: 'reload'`, for one).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startWorkerd } from './support/workerd.js';

const pkg = fileURLToPath(new URL('../', import.meta.url));
const SNAPSHOT = JSON.stringify({
  schemaVersion: 1, revision: 1, generatedAt: '2026-11-01T00:00:00Z',
  flags: [{ key: 'checkout', type: 'boolean', variants: { on: true, off: false }, fallthrough: { variant: 'on' } }],
});

let workerd;
let server;
let requests = [];

before(async () => {
  // The first request of each client is answered 304 although it sent no validator (a cache on
  // the way can do that); the client must ask again, in full, in a way Workers accept.
  server = createServer((request, response) => {
    requests.push({ cache: request.headers['cache-control'] ?? null, etag: request.headers['if-none-match'] ?? null });
    if (requests.length % 2 === 1) {
      response.writeHead(304).end();
    } else {
      response.writeHead(200, { 'content-type': 'application/json', etag: '"r1"' }).end(SNAPSHOT);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  workerd = await startWorkerd([
    ['test/support/client-worker.js', 'esModule', join(pkg, 'test/support/client-worker.js')],
    ['src/entry/workerd.js', 'esModule', join(pkg, 'src/entry/workerd.js')],
    ['src/engine.js', 'esModule', join(pkg, 'src/engine.js')],
    ['src/client.js', 'esModule', join(pkg, 'src/client.js')],
    ['dist/vexil.js', 'esModule', join(pkg, 'dist/vexil.js')],
    ['dist/vexil_bg.wasm', 'wasm', join(pkg, 'dist/vexil_bg.wasm')],
  ], { network: true });
});

after(() => {
  workerd?.stop();
  server?.close();
});

test('in workerd, a 304 with nothing cached is asked again at once, in full, and the snapshot loads', async () => {
  requests = [];
  const endpoint = `http://127.0.0.1:${server.address().port}/flags.json`;
  const response = await fetch(`${workerd.url}?url=${encodeURIComponent(endpoint)}`);
  assert.equal(response.status, 200, workerd.output.join(''));
  const result = await response.json();
  assert.deepEqual(result, { value: true, reason: 'STATIC', errors: [] });
  assert.equal(requests.length, 2);
  assert.equal(requests[1].etag, null);
});
