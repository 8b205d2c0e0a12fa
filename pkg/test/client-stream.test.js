// The client's live stream against real HTTP servers on loopback, whose streams the tests write
// byte by byte: server-sent events split anywhere, hostile streams, failures and reconnection
// on the backoff, one stream per client, and when no stream is opened at all.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createClient } from '../src/entry/node.js';
import { within } from './support/http.js';
import { startWorkerd } from './support/workerd.js';

const pkg = fileURLToPath(new URL('../', import.meta.url));
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function snapshot(revision) {
  return JSON.stringify({
    schemaVersion: 1,
    revision,
    generatedAt: '2026-12-01T00:00:00Z',
    flags: [{ key: 'checkout', type: 'boolean', variants: { on: true, off: false }, fallthrough: { variant: 'on' }, metadata: { revision } }],
  });
}

/**
 * A config endpoint at `/flags.json` (revision `state.revision`, offering the stream at
 * `state.offer`, `/stream` by default; held unanswered in `state.held` while `state.hold`) whose
 * `/stream` requests go to `onStream`. Runs `use`
 * with `{ url, state, requests }`; closes everything after.
 */
async function withEndpoint(onStream, use) {
  const state = { revision: 1, offer: '/stream', hold: false, held: [] };
  const requests = [];
  const server = createServer((request, response) => {
    requests.push({ url: request.url, headers: request.headers });
    if (request.url === '/stream') return onStream(request, response);
    if (state.hold) return void state.held.push(response);
    const etag = `"r${state.revision}"`;
    const headers = { etag, 'x-vexil-stream': state.offer, 'content-type': 'application/json' };
    if (request.headers['if-none-match'] === etag) return response.writeHead(304, headers).end();
    response.writeHead(200, headers).end(snapshot(state.revision));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await use({ url: `http://127.0.0.1:${server.address().port}`, state, requests });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function openStream(response) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.flushHeaders();
  return response;
}

/** Timers fired by the test: `delays()` lists the waits pending, `fire(ms)` runs one of them. */
function heldTimers() {
  let next = 1;
  const pending = new Map();
  return {
    setTimeout: (callback, ms) => {
      pending.set(next, { callback, ms });
      return next++;
    },
    clearTimeout: (id) => pending.delete(id),
    delays: () => [...pending.values()].map((timer) => timer.ms),
    fire(ms) {
      const entry = [...pending].find(([, timer]) => timer.ms === ms);
      assert.ok(entry, `no timer of ${ms} ms among ${this.delays()}`);
      pending.delete(entry[0]);
      entry[1].callback();
    },
  };
}

test('a newer revision on the stream refreshes at once: events split anywhere, LF, CRLF or CR, others ignored', async () => {
  let stream;
  await withEndpoint(
    (request, response) => (stream = openStream(response)),
    async ({ url, state, requests }) => {
      const client = createClient({ url: `${url}/flags.json`, storage: null, headers: { authorization: 'Bearer k' } });
      try {
        assert.equal(await client.ready({ timeout: 5000 }), true);
        await within(5000, 'the stream request', () => stream);
        const opened = requests.find((r) => r.url === '/stream');
        assert.equal(opened.headers.authorization, 'Bearer k');
        assert.equal(opened.headers.accept, 'text/event-stream');
        const write = async (...chunks) => {
          for (const chunk of chunks) {
            stream.write(chunk);
            await pause(15);
          }
        };
        const changeTo = async (revision, chunks) => {
          state.revision = revision;
          const changed = new Promise((resolve) => client.on('change', resolve));
          await write(...chunks);
          const change = await Promise.race([changed, pause(5000).then(() => null)]);
          assert.ok(change, `no change to revision ${revision}`);
          assert.equal(change.revision, revision);
          assert.equal(client.status.revision, revision);
        };
        // A comment, the revision loaded and another event's revision: no request.
        await write(': hello\r\n', 'event: revision\r\nid: 1\r\ndata: {"environment":"production","revision":1}\r\n\r\n');
        await write('event: elsewhere\ndata: {"revision":99}\n\n');
        // CR line ends, no space after the colons, one byte per chunk.
        await changeTo(2, [...'event:revision\rdata:{"revision":2}\r\r']);
        // CRLF split between its CR and LF, inside an event and at its end.
        await changeTo(3, ['event: revision\r', '\ndata: {"revision":3}\r', '\n\r', '\n']);
        // Data over several lines, and an event whose data has no revision: its id says it.
        await changeTo(4, ['event: revision\ndata: {"environment": "production",\ndata:  "revision": 4}\n\n']);
        await changeTo(5, ['event: revision\nid: 5\ndata: not json\n\n']);
        assert.equal(requests.filter((r) => r.url === '/flags.json').length, 5, 'one snapshot request per new revision');
        assert.equal(requests.filter((r) => r.url === '/stream').length, 1);
      } finally {
        client.close();
      }
    },
  );
});

test('a revision announced while a refresh is in flight is fetched once that refresh is done', async () => {
  let stream;
  await withEndpoint(
    (request, response) => (stream = openStream(response)),
    async ({ url, state, requests }) => {
      const client = createClient({ url: `${url}/flags.json`, storage: null });
      try {
        assert.equal(await client.ready({ timeout: 5000 }), true);
        await within(5000, 'the stream request', () => stream);
        // A refresh asks before revision 2 exists, and its answer comes after the announcement.
        state.hold = true;
        const refreshing = client.refresh();
        await within(5000, 'the held request', () => state.held.length === 1);
        state.hold = false;
        state.revision = 2;
        const changed = new Promise((resolve) => client.on('change', resolve));
        stream.write('event: revision\ndata: {"revision":2}\n\n');
        // Time for the announcement to arrive while the refresh is still held.
        await pause(50);
        state.held[0].writeHead(304, { etag: '"r1"' }).end();
        await refreshing;
        const change = await Promise.race([changed, pause(5000).then(() => null)]);
        assert.equal(change?.revision, 2);
        assert.equal(requests.filter((r) => r.url === '/flags.json').length, 3);
      } finally {
        client.close();
      }
    },
  );
});

test('a hostile stream cannot grow memory: a line or an event over 64 KiB ends that connection', async () => {
  const sent = [];
  let connections = 0;
  // An endless line, then endless data lines of one event, then a well-behaved stream.
  const floods = ['x'.repeat(16 * 1024), `data: ${'y'.repeat(1024)}\n`];
  await withEndpoint(
    (request, response) => {
      const flood = floods[connections++];
      openStream(response);
      if (flood === undefined) return response.write('event: revision\ndata: {"revision":1}\n\n');
      const record = { bytes: 0, closed: false };
      sent.push(record);
      response.on('close', () => (record.closed = true));
      const pump = () => {
        while (!response.destroyed && record.bytes < 256 * 2 ** 20) {
          record.bytes += flood.length;
          if (!response.write(flood)) return void response.once('drain', pump);
        }
      };
      pump();
    },
    async ({ url }) => {
      const errors = [];
      const client = createClient({ url: `${url}/flags.json`, storage: null, backoff: { initial: 20, max: 50 } });
      client.on('error', (event) => errors.push(event));
      try {
        assert.equal(await client.ready({ timeout: 5000 }), true);
        await within(10_000, 'the third stream connection', () => connections === 3);
        await within(5000, 'both floods cut', () => sent.every((record) => record.closed));
        assert.deepEqual(errors.map((e) => `${e.source} ${e.code}`), ['stream LIMIT_STREAM_LINE', 'stream LIMIT_STREAM_LINE']);
        // What the client read is bounded; what the sockets held on the way is the kernel's.
        for (const record of sent) assert.ok(record.bytes < 16 * 2 ** 20, `${record.bytes} bytes sent before the cut`);
        assert.equal(client.getBooleanValue('checkout', false), true);
        assert.equal(client.status.failures, 0, 'the snapshot is unaffected');
      } finally {
        client.close();
      }
    },
  );
});

test('stream failures reconnect on the backoff, doubling to backoff.max; an event starts it again', async () => {
  let mode = 'refuse';
  await withEndpoint(
    (request, response) => {
      if (mode === 'refuse') return response.writeHead(503).end();
      openStream(response).end('event: revision\ndata: {"revision":1}\n\n');
    },
    async ({ url, requests }) => {
      const timers = heldTimers();
      const errors = [];
      const client = createClient({
        url: `${url}/flags.json`,
        storage: null,
        ttl: 30_000,
        jitter: 0,
        timeout: 5000,
        backoff: { initial: 100, max: 400 },
        setTimeout: timers.setTimeout,
        clearTimeout: timers.clearTimeout,
      });
      client.on('error', (event) => errors.push(`${event.source} ${event.code}`));
      try {
        await client.refresh();
        for (const [attempt, delay] of [100, 200, 400, 400].entries()) {
          await within(5000, `stream failure ${attempt + 1}`, () => errors.length === attempt + 1);
          await within(5000, `a reconnection after ${delay} ms`, () => timers.delays().includes(delay));
          if (attempt < 3) timers.fire(delay);
        }
        mode = 'open-then-end';
        timers.fire(400);
        await within(5000, 'the end of the stream', () => errors.length === 5);
        await within(5000, 'a reconnection after 100 ms', () => timers.delays().includes(100));
        assert.deepEqual(errors, [...Array(4).fill('stream HTTP_503'), 'stream STREAM_ENDED']);
        assert.equal(requests.filter((r) => r.url === '/stream').length, 5);
        // Polling goes on as before: the TTL's timer, and the snapshot's status untouched.
        assert.ok(timers.delays().includes(30_000));
        assert.equal(client.status.failures, 0);
        assert.equal(client.status.stale, false);
      } finally {
        client.close();
      }
    },
  );
});

test('a stream silent for 60 s, or with no answer within `timeout`, is taken for dead and opened again', async () => {
  let streams = 0;
  let closed = 0;
  await withEndpoint(
    (request, response) => {
      streams += 1;
      response.on('close', () => (closed += 1));
      // The second connection gets no answer at all.
      if (streams === 1) openStream(response).write('event: revision\ndata: {"revision":1}\n\n');
    },
    async ({ url }) => {
      const timers = heldTimers();
      const errors = [];
      const client = createClient({
        url: `${url}/flags.json`,
        storage: null,
        ttl: 30_000,
        timeout: 4000,
        jitter: 0,
        backoff: { initial: 100, max: 400 },
        setTimeout: timers.setTimeout,
        clearTimeout: timers.clearTimeout,
      });
      client.on('error', (event) => errors.push(`${event.source} ${event.code}`));
      try {
        await client.refresh();
        // Read a first chunk, the stream is watched for silence.
        await within(5000, 'the idle watch', () => timers.delays().includes(60_000));
        timers.fire(60_000);
        await within(5000, 'the silent stream closed', () => closed === 1);
        await within(5000, 'a reconnection', () => timers.delays().includes(100));
        timers.fire(100);
        await within(5000, 'the second connection', () => streams === 2);
        timers.fire(4000);
        await within(5000, 'the unanswered stream closed', () => closed === 2);
        await within(5000, 'another reconnection', () => timers.delays().includes(200));
        assert.deepEqual(errors, ['stream TIMEOUT', 'stream TIMEOUT']);
      } finally {
        client.close();
      }
    },
  );
});

test('one stream per client however often it refreshes; close() ends it and every timer', async () => {
  let streams = 0;
  let closed = false;
  await withEndpoint(
    (request, response) => {
      streams += 1;
      openStream(response).write('event: revision\ndata: {"revision":1}\n\n');
      response.on('close', () => (closed = true));
    },
    async ({ url }) => {
      const timers = heldTimers();
      const client = createClient({ url: `${url}/flags.json`, storage: null, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
      await client.refresh();
      await within(5000, 'the stream', () => streams === 1);
      await client.refresh();
      await client.refresh();
      client.close();
      await within(5000, 'the stream closed', () => closed);
      await within(5000, 'no timer left', () => timers.delays().length === 0);
      assert.equal(streams, 1);
    },
  );
});

test('no stream with stream: false, nor when it is offered on another origin', async () => {
  await withEndpoint(
    (request, response) => openStream(response),
    async ({ url, state }) => {
      const asked = [];
      const fetchRecorded = (target, init) => {
        asked.push(String(target));
        return fetch(target, init);
      };
      const off = createClient({ url: `${url}/flags.json`, storage: null, stream: false, fetch: fetchRecorded });
      await off.refresh();
      await off.refresh();
      off.close();
      // The same server under another name is another origin: the key is not sent there.
      state.offer = `${url.replace('127.0.0.1', 'localhost')}/stream`;
      const elsewhere = createClient({ url: `${url}/flags.json`, storage: null, fetch: fetchRecorded });
      await elsewhere.refresh();
      elsewhere.close();
      // Each client opens its stream, if at all, as soon as the response that offers it is read.
      assert.deepEqual(asked, [`${url}/flags.json`, `${url}/flags.json`, `${url}/flags.json`]);
    },
  );
});

test('in workerd the stream is opened only when asked (stream: true), and then works', async () => {
  let stream;
  await withEndpoint(
    (request, response) => {
      stream = openStream(response);
      stream.write('event: revision\ndata: {"revision":1}\n\n');
    },
    async ({ url, state, requests }) => {
      const workerd = await startWorkerd(
        [
          ['test/support/stream-worker.js', 'esModule', join(pkg, 'test/support/stream-worker.js')],
          ['src/entry/workerd.js', 'esModule', join(pkg, 'src/entry/workerd.js')],
          ['src/engine.js', 'esModule', join(pkg, 'src/engine.js')],
          ['src/client.js', 'esModule', join(pkg, 'src/client.js')],
          ['dist/vexil.js', 'esModule', join(pkg, 'dist/vexil.js')],
          ['dist/vexil_bg.wasm', 'wasm', join(pkg, 'dist/vexil_bg.wasm')],
        ],
        { network: true },
      );
      try {
        const endpoint = encodeURIComponent(`${url}/flags.json`);
        const plain = await (await fetch(`${workerd.url}?url=${endpoint}`)).json();
        assert.deepEqual(plain, { revision: 1, fetched: [`${url}/flags.json`], errors: [] }, workerd.output.join(''));
        assert.equal(requests.filter((r) => r.url === '/stream').length, 0);

        // Asked for, the stream is opened inside the request; a new revision on it is fetched.
        const answer = fetch(`${workerd.url}?url=${endpoint}&stream=1`).then((response) => response.json());
        await within(10_000, 'the stream request', () => stream);
        state.revision = 2;
        stream.write('event: revision\ndata: {"revision":2}\n\n');
        const live = await answer;
        assert.deepEqual(live, { revision: 2, fetched: [`${url}/flags.json`, `${url}/stream`, `${url}/flags.json`], errors: [] });
      } finally {
        workerd.stop();
      }
    },
  );
});
