// Workers' refresh on request, in Cloudflare's workerd runtime, from the packed tarball: there,
// timers set outside a request never run, so a client kept at module scope refreshes only when
// a request asks it to (`refreshIfDue(ctx)`), in the background through `ctx.waitUntil`, one
// refresh at a time. The config endpoint is a real HTTP server on loopback that can hold its
// answers, so a refresh can be caught in flight.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { installPacked } from './support/packed.js';
import { startWorkerd } from './support/workerd.js';

const TTL = 300;

const snapshot = (revision) =>
  JSON.stringify({
    schemaVersion: 1,
    revision,
    generatedAt: '2026-11-01T00:00:00Z',
    flags: [{ key: 'color', type: 'string', variants: { red: 'red', blue: 'blue' }, fallthrough: { variant: revision === 1 ? 'red' : 'blue' } }],
  });

// A worker keeping one client at module scope, as the README's Workers section shows. `?seen`
// answers how many flag requests it has had, without touching the client. `?refused` lists the
// timers and fetches the runtime refused: Workers allow neither outside a request, and refuse
// them by throwing (the client reaches both through the globals, which are watched before it is
// made).
const WORKER = `import { createClient } from './node_modules/vexil/src/entry/workerd.js';
import config from './config.json';

const refused = [];
for (const name of ['setTimeout', 'fetch']) {
  const real = globalThis[name];
  globalThis[name] = (...args) => {
    try {
      return real(...args);
    } catch (error) {
      refused.push(name + ': ' + error.message);
      throw error;
    }
  };
}

const flags = createClient({ url: config.url, ttl: config.ttl, jitter: 0, storage: null });
// Counting evaluations for eventsUrl, also made at module scope: no timer sends them there.
const counted = createClient({ bootstrap: config.bootstrap, eventsUrl: config.events, storage: null });
let seen = 0;

export default {
  async fetch(request, env, ctx) {
    if (request.method === 'HEAD') return new Response(null);
    if (new URL(request.url).searchParams.has('seen')) return Response.json(seen);
    if (new URL(request.url).searchParams.has('refused')) return Response.json(refused);
    if (new URL(request.url).searchParams.has('count')) {
      counted.getStringValue('color', 'none');
      ctx.waitUntil(counted.flush());
      return new Response(null, { status: 204 });
    }
    seen += 1;
    flags.refreshIfDue(ctx);
    await flags.ready({ timeout: 10000 });
    return Response.json({ color: flags.getStringValue('color', 'none'), revision: flags.status.revision });
  },
};
`;

let packed;
let endpoint;
let workerd;
// What the endpoint serves, the requests it got, and the answers it holds until `release()`.
const state = { revision: 1, requests: 0, held: [], hold: false, events: [] };

function release() {
  state.hold = false;
  for (const answer of state.held.splice(0)) answer();
}

async function until(check, what) {
  for (let tries = 0; tries < 200; tries += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never happened: ${what}\n${workerd?.output.join('')}`);
}

const ask = async (query = '') => (await fetch(`${workerd.url}${query}`)).json();

before(async () => {
  packed = installPacked();
  endpoint = createServer((request, response) => {
    if (request.method === 'POST') {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        state.events.push(JSON.parse(body));
        response.writeHead(204).end();
      });
      return;
    }
    state.requests += 1;
    const answer = () =>
      response.writeHead(200, { 'content-type': 'application/json', etag: `"r${state.revision}"` }).end(snapshot(state.revision));
    if (state.hold) state.held.push(answer);
    else answer();
  });
  await new Promise((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${endpoint.address().port}/flags.json`;
  writeFileSync(join(packed.app, 'worker.js'), WORKER);
  const events = `http://127.0.0.1:${endpoint.address().port}/events`;
  writeFileSync(join(packed.app, 'config.json'), JSON.stringify({ url, ttl: TTL, bootstrap: snapshot(1), events }));
  const files = ['src/entry/workerd.js', 'src/engine.js', 'src/client.js', 'dist/vexil.js'];
  workerd = await startWorkerd(
    [
      ['worker.js', 'esModule', join(packed.app, 'worker.js')],
      ['config.json', 'json', join(packed.app, 'config.json')],
      ...files.map((file) => [`node_modules/vexil/${file}`, 'esModule', join(packed.installed, file)]),
      ['node_modules/vexil/dist/vexil_bg.wasm', 'wasm', join(packed.installed, 'dist/vexil_bg.wasm')],
    ],
    { network: true, verbose: true },
  );
});

after(() => {
  release();
  workerd?.stop();
  endpoint?.close();
  packed?.remove();
});

test('a worker refreshes on request, in the background, one refresh in flight, and sees a change once the TTL has passed', async () => {
  // The first requests find no snapshot: the first starts the refresh, the others join it
  // rather than start their own, and all answer once it has loaded.
  state.hold = true;
  const first = Array.from({ length: 5 }, () => ask());
  await until(async () => (await ask('?seen')) === 5, 'five requests reached the worker');
  await until(() => state.held.length > 0, 'the refresh reached the endpoint');
  assert.equal(state.requests, 1, 'one refresh in flight for five requests');
  release();
  for (const answer of await Promise.all(first)) assert.deepEqual(answer, { color: 'red', revision: 1 });
  assert.equal(state.requests, 1);

  // A change is published. Without requests nothing is fetched, however long the TTL has
  // passed: timers set during a request do not outlive it.
  state.revision = 2;
  state.hold = true;
  await new Promise((resolve) => setTimeout(resolve, TTL * 3));
  assert.equal(state.requests, 1, 'no refresh without a request');

  // The next request starts the refresh and answers at once, from the copy it has; the
  // refresh goes on after the answer, through ctx.waitUntil.
  assert.deepEqual(await ask(), { color: 'red', revision: 1 });
  await until(() => state.held.length === 1, 'the refresh reached the endpoint');
  assert.deepEqual(await ask(), { color: 'red', revision: 1 }, 'answered while the refresh is in flight');
  assert.equal(state.requests, 2, 'still one refresh in flight');
  release();
  await until(async () => (await ask()).revision === 2, 'the worker serves revision 2');
  assert.deepEqual(await ask(), { color: 'blue', revision: 2 });
});

test('a client made at module scope with an eventsUrl loads, and sends its counts when a request flushes them', async () => {
  assert.equal((await fetch(`${workerd.url}?count`)).status, 204, workerd.output.join(''));
  await until(() => state.events.length === 1, 'the counts reached the events endpoint');
  assert.deepEqual(state.events[0].flags, [{ flag: 'color', variants: { red: 1 }, errors: 0 }]);
});

test('a client made at module scope attempts nothing outside a request, and nothing it does rejects unhandled', async () => {
  // Run after the refreshes above, so that they are covered too: workerd (verbose) reports a
  // rejected promise handed to waitUntil, and an uncaught exception, as "Uncaught".
  assert.deepEqual(await ask('?refused'), []);
  const output = workerd.output.join('');
  const reported = output.split('\n').filter((line) => /uncaught|unhandled/i.test(line));
  assert.deepEqual(reported, [], output);
});
