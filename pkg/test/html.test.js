// vexil/html in Node with the real engine (and the real service for keys): the markup it makes
// is inert in a page and reads back unchanged, a server key's snapshot is refused, and the
// injection finds `</head>` however the page's chunks split it, streaming the rest through.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';

import { createClient, Engine } from '../src/entry/node.js';
import {
  bootstrapScript,
  evaluateFlags,
  injectBootstrap,
  injectHtml,
  injectionStream,
  readBootstrap,
  serializeSnapshot,
  snapshotStorage,
} from '../src/html.js';
import { startService } from './support/service.js';

const HOSTILE = '</script><script>alert(1)</script><!-- \u2028 é 🙂';

const snapshot = (flags, segments = []) => ({ schemaVersion: 1, revision: 3, generatedAt: '2026-12-01T00:00:00Z', flags, segments });
const COLOR = {
  key: 'color',
  type: 'string',
  variants: { red: 'red', blue: 'blue', odd: HOSTILE },
  rules: [
    { id: 'bob', conditions: [{ attribute: 'targetingKey', op: 'equals', value: 'bob' }], serve: { variant: 'blue' } },
    { id: 'eve', conditions: [{ attribute: 'targetingKey', op: 'equals', value: 'eve' }], serve: { variant: 'odd' } },
  ],
  fallthrough: { variant: 'red' },
};
const SECRET = { key: 'secret', type: 'boolean', variants: { on: true, off: false }, fallthrough: { variant: 'on' }, metadata: { serverOnly: true } };

// A document with the one element readBootstrap looks for, as a page parses it.
const documentOf = (html) => ({
  getElementById: (id) => {
    const match = new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, 's').exec(html);
    return match && { textContent: match[1] };
  },
});

const page = (chunks, headers = { 'content-type': 'text/html; charset=utf-8', 'content-length': '999', 'x-origin': 'yes' }) => {
  const encoder = new TextEncoder();
  const body = new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
  return new Response(body, { status: 201, headers });
};

test('serializeSnapshot escapes < and everything outside ASCII, and JSON.parse reads it back', () => {
  const value = { text: HOSTILE };
  const text = serializeSnapshot(value);
  assert.match(text, /^[\x20-\x7e]*$/);
  assert.ok(!text.includes('<'));
  assert.deepEqual(JSON.parse(text), value);
  assert.equal(serializeSnapshot(JSON.stringify(value)), text);
});

test('evaluateFlags gives each user their own answers, in the remote client shape', () => {
  const client = createClient({ bootstrap: snapshot([COLOR]), storage: null });
  assert.equal(evaluateFlags(createClient({ storage: null }), {}), null, 'no snapshot yet');
  const alice = evaluateFlags(client, { targetingKey: 'alice' });
  const bob = evaluateFlags(client, { targetingKey: 'bob' });
  assert.equal(alice.revision, 3);
  assert.deepEqual([alice.flags.color.value, alice.flags.color.reason], ['red', 'DEFAULT']);
  assert.deepEqual([bob.flags.color.value, bob.flags.color.variant, bob.flags.color.ruleId], ['blue', 'blue', 'bob']);
  const engine = new Engine(snapshot([COLOR, { ...SECRET, metadata: {} }]));
  assert.deepEqual(Object.keys(evaluateFlags(engine, {}, { keys: ['color'] }).flags), ['color']);
  client.close();
});

test('evaluateFlags answers a flag called __proto__ like any other, through JSON too', () => {
  const proto = { ...COLOR, key: '__proto__' };
  const answers = evaluateFlags(new Engine(snapshot([proto, COLOR])), { targetingKey: 'bob' });
  assert.deepEqual(Object.keys(answers.flags), ['__proto__', 'color']);
  assert.equal(Object.getPrototypeOf(answers.flags), Object.prototype);
  assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(answers)).flags), ['__proto__', 'color']);
});

test('bootstrapScript holds answers or a client snapshot inertly, and refuses server-only definitions', () => {
  const answers = evaluateFlags(new Engine(snapshot([COLOR])), { targetingKey: 'eve' });
  const markup = bootstrapScript(answers);
  assert.equal(markup.match(/<\/script>/g).length, 1, 'the value cannot close the element');
  assert.equal(readBootstrap({ document: documentOf(markup) }).flags.color.value, HOSTILE);
  assert.equal(bootstrapScript(null), '');
  assert.equal(readBootstrap({ document: documentOf('<p>nothing</p>') }), undefined);
  assert.equal(readBootstrap({ document: documentOf('<script type="application/json" id="vexil-bootstrap">{oops</script>') }), undefined);
  assert.equal(readBootstrap({ document: undefined }), undefined);

  const client = JSON.stringify(snapshot([COLOR, { ...SECRET, metadata: { serverOnly: false } }]));
  assert.equal(JSON.parse(/>(.*)</.exec(bootstrapScript(client, { id: 'flags' }))[1]).revision, 3);
  const escaped = JSON.stringify(snapshot([COLOR, SECRET])).replace('"serverOnly"', '"server\\u004fnly"');
  assert.equal(JSON.parse(escaped).flags[1].metadata.serverOnly, true);
  for (const server of [escaped, snapshot([COLOR, SECRET]), JSON.stringify(snapshot([COLOR, SECRET])), snapshot([COLOR], [{ key: 'staff', metadata: { serverOnly: true } }])]) {
    assert.throws(() => bootstrapScript(server), /server-only flags or segments/);
  }
  assert.throws(() => bootstrapScript(answers, { id: '"><script>' }), /not a usable element id/);
});

test('the bootstrap goes in before </head> wherever the chunks split it, in any case', async () => {
  const markup = '<script type="application/json" id="b">1</script>';
  const html = '<!doctype html><html><HEAD><title>é</title></HeAd><body>ok</body></html>';
  const bytes = new TextEncoder().encode(html);
  const expected = html.replace('</HeAd>', `${markup}</HeAd>`);
  for (let cut = 0; cut <= bytes.length; cut += 1) {
    for (const second of [cut, Math.min(bytes.length, cut + 3)]) {
      const chunks = () => [bytes.slice(0, cut), bytes.slice(cut, second), bytes.slice(second)];
      assert.equal(await injectHtml(page(chunks()), markup).text(), expected, `split at ${cut} and ${second}`);
      const piped = page(chunks()).body.pipeThrough(injectionStream(markup));
      assert.equal(await new Response(piped).text(), expected, `injectionStream, split at ${cut} and ${second}`);
    }
  }
});

test('the injected response keeps status and headers, drops content-length, and streams', async () => {
  let more;
  const body = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('<html><head></head><body>first'));
      more = controller;
    },
  });
  const response = injectBootstrap(new Response(body, { status: 202, headers: { 'content-type': 'text/html', 'content-length': '5', 'set-cookie': 'a=1' } }), { flags: {} });
  assert.equal(response.status, 202);
  assert.equal(response.headers.get('content-length'), null);
  assert.equal(response.headers.get('set-cookie'), 'a=1');
  // The part before the end of the page arrives while the origin still sends.
  const reader = response.body.getReader();
  let seen = '';
  while (!seen.includes('first')) seen += new TextDecoder().decode((await reader.read()).value);
  assert.match(seen, /<head><script type="application\/json" id="vexil-bootstrap">\{"flags":\{\}\}<\/script><\/head><body>first/);
  more.close();
  assert.equal((await reader.read()).done, true);

  // A reader that goes away stops the origin's download.
  let cancelled;
  const endless = new ReadableStream({ pull: (controller) => controller.enqueue(new Uint8Array(1024).fill(0x61)), cancel: (reason) => (cancelled = reason) });
  const gone = injectHtml(new Response(endless, { headers: { 'content-type': 'text/html' } }), 'X').body.getReader();
  await gone.read();
  await gone.cancel('closed');
  assert.equal(cancelled, 'closed');
});

test('without </head> the bootstrap goes at the end; non-HTML and bodiless responses pass as they are', async () => {
  assert.equal(await injectHtml(page(['<p>a</p', '>']), 'X').text(), '<p>a</p>X');
  assert.equal(await injectHtml(page(['<p>a</he']), 'X').text(), '<p>a</heX');
  const json = page(['{"a":"</head>"}'], { 'content-type': 'application/json' });
  assert.equal(injectHtml(json, 'X'), json);
  const empty = new Response(null, { status: 304, headers: { 'content-type': 'text/html' } });
  assert.equal(injectHtml(empty, 'X'), empty);
  assert.equal(await injectHtml(page(['<div></div>'], { 'content-type': 'text/html' }), '<i>', { before: '</DIV>' }).text(), '<div><i></div>');
  assert.throws(() => injectHtml(page(['x']), 'X', { before: 'head' }), /a tag's text/);
});

test('snapshotStorage keeps the text of the snapshot a client fetched, for a page that evaluates locally', async () => {
  const text = JSON.stringify(snapshot([COLOR]));
  const endpoint = createServer((request, response) => {
    const allowed = request.headers.authorization === 'Bearer vxc_test';
    response.writeHead(allowed ? 200 : 401, { 'content-type': 'application/json' }).end(allowed ? text : '{}');
  });
  await new Promise((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const storage = snapshotStorage();
  const SERVICE = `http://127.0.0.1:${endpoint.address().port}`;
  const CLIENT_KEY = 'vxc_test';
  const flags = createClient({ url: `${SERVICE}/sdk/v1/snapshot`, headers: { authorization: `Bearer ${CLIENT_KEY}` }, storage });
  try {
    assert.equal(storage.snapshot, null);
    assert.equal(await flags.ready({ timeout: 10_000 }), true);
    assert.equal(storage.snapshot, text);
    const markup = bootstrapScript(storage.snapshot);
    assert.equal(readBootstrap({ document: documentOf(markup) }).flags[0].key, 'color');
  } finally {
    flags.close();
    endpoint.close();
  }
});

test("with the real service: a server key's snapshot is refused for a page, a client key's is written", async () => {
  const service = await startService();
  const clients = [];
  try {
    const flag = { key: 'internal-limit', type: 'number', variants: { low: 10 }, fallthrough: { variant: 'low' }, metadata: { serverOnly: true } };
    assert.equal((await service.api('POST', '/api/v1/flags', flag)).status, 201);
    const loaded = async (key) => {
      const storage = snapshotStorage();
      const url = `${service.url}/sdk/v1/snapshot`;
      clients.push(createClient({ url, headers: { authorization: `Bearer ${key}` }, storage }));
      assert.equal(await clients.at(-1).ready({ timeout: 10_000 }), true);
      return storage.snapshot;
    };
    const forServers = await loaded(service.serverKey);
    assert.ok(forServers.includes('internal-limit'));
    assert.throws(() => bootstrapScript(forServers), /server-only flags or segments/);
    const markup = bootstrapScript(await loaded(service.clientKey));
    const written = readBootstrap({ document: documentOf(markup) });
    assert.ok(written.flags.length > 0 && !written.flags.some((definition) => definition.key === 'internal-limit'));
    // Answers from a client key's client hold no server-only flag; from a server key's, only
    // the flags `keys` names.
    assert.ok(!('internal-limit' in evaluateFlags(clients[1], { targetingKey: 'user-1' }).flags));
    assert.equal(evaluateFlags(clients[0], { targetingKey: 'user-1' }).flags['internal-limit'].value, 10);
    assert.deepEqual(Object.keys(evaluateFlags(clients[0], { targetingKey: 'user-1' }, { keys: ['new-checkout'] }).flags), ['new-checkout']);
  } finally {
    for (const client of clients) client.close();
    await service.stop();
  }
});
