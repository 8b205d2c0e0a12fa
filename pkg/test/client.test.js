// The client against a real HTTP server on 127.0.0.1 that misbehaves on purpose. Timers are
// injected, so every wait the client asks for is visible and fired by the test, not slept on.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

import { createClient } from 'vexil';
import * as glue from '../dist/vexil.js';

const example = JSON.parse(readFileSync(new URL('../../examples/snapshot.json', import.meta.url), 'utf8'));
const user = { targetingKey: 'user-42', jurisdiction: 'quebec' };
const snapshot = (revision, change = {}) => JSON.stringify({ ...example, revision, ...change });

// Each test has its own path on the server, answered with that test's scripted responses in
// order and then its default, so a late request from an earlier test's client cannot take a
// response meant for another test.
const scripts = new Map();
const requests = [];
let server;
let base;
let url;

before(async () => {
  server = createServer((request, response) => {
    if (request.url === new URL(url).pathname) requests.push({ headers: request.headers, method: request.method });
    const route = scripts.get(request.url);
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    const next = route.script.length > 0 ? route.script.shift() : route.fallback;
    next(request, response);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let routes = 0;

function reset(...responses) {
  routes += 1;
  const path = `/snapshot-${routes}.json`;
  scripts.set(path, { script: responses, fallback: serve(snapshot(42), '"r42"') });
  url = `${base}${path}`;
  requests.length = 0;
}

function serve(body, etag, status = 200, headers = {}) {
  return (request, response) => {
    if (etag && request.headers['if-none-match'] === etag) {
      response.writeHead(304, { etag }).end();
      return;
    }
    response.writeHead(status, { 'content-type': 'application/json', ...(etag ? { etag } : {}), ...headers });
    response.end(body);
  };
}

const hang = () => () => {
  // Never answers: the client's timeout must end the request.
};

// Timers the test fires by hand.
function manualTimers() {
  let next = 1;
  const pending = new Map();
  return {
    setTimeout: (callback, ms) => {
      const id = next++;
      pending.set(id, { callback, ms });
      return id;
    },
    clearTimeout: (id) => pending.delete(id),
    delays: () => [...pending.values()].map((timer) => timer.ms),
    fire(ms) {
      for (const [id, timer] of pending) {
        if (timer.ms === ms) {
          pending.delete(id);
          timer.callback();
          return true;
        }
      }
      return false;
    },
  };
}

function collect(client) {
  const events = [];
  for (const name of ['ready', 'change', 'stale', 'error']) {
    client.on(name, (payload) => events.push({ name, code: payload.code, keys: payload.keys, source: payload.source }));
  }
  return events;
}

// Waits for the attempt the client starts on creation (refresh joins a request in flight).
const settled = (client) => client.refresh();

// Serves `first` and then `second`, loads the first and refreshes to the second (through
// `refreshing`, to wrap the refresh); gives the client and the keys of each `change` event.
async function refreshed(first, second, refreshing = (refresh) => refresh()) {
  reset(serve(first, '"first"'), serve(second, '"second"'));
  const client = makeClient(manualTimers());
  const events = collect(client);
  await client.ready();
  await settled(client);
  await refreshing(() => client.refresh());
  const changes = events.filter((event) => event.name === 'change').map((event) => event.keys);
  return { client, changes };
}

function makeClient(timers, extra = {}) {
  return createClient({
    url,
    context: user,
    storage: null,
    timeout: 1500,
    ttl: 60_000,
    jitter: 0,
    backoff: { initial: 1000, max: 8000 },
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    ...extra,
  });
}

test('loads from the endpoint, revalidates with its ETag, and keeps the engine on 304', async () => {
  reset();
  const timers = manualTimers();
  const client = makeClient(timers);
  const events = collect(client);
  assert.equal(await client.ready(), true);
  await settled(client);
  assert.deepEqual(client.getBooleanDetails('quebec-ontario-launch', false), {
    value: true,
    variant: 'on',
    reason: 'TARGETING_MATCH',
    ruleId: 'canada-east',
  });
  const engine = client.engine;
  await client.refresh();
  assert.equal(requests.length, 2);
  assert.equal(requests[1].headers['if-none-match'], '"r42"');
  assert.equal(client.engine, engine, 'a 304 keeps the loaded engine');
  assert.deepEqual(timers.delays().filter((ms) => ms === 60_000).length, 1, 'the next poll is one TTL away');
  assert.deepEqual(events.map((event) => event.name), ['ready']);
  client.close();
});

test('one request in flight, however many refreshes are asked for', async () => {
  reset();
  const client = makeClient(manualTimers());
  await client.ready();
  await settled(client);
  requests.length = 0;
  await Promise.all([client.refresh(), client.refresh(), client.refresh()]);
  assert.equal(requests.length, 1);
  client.close();
});

test('a new revision replaces the engine and reports the changed flag keys', async () => {
  const changed = structuredClone(example);
  changed.flags.find((flag) => flag.key === 'legacy-search').fallthrough = { variant: 'off' };
  const { client, changes } = await refreshed(snapshot(42), JSON.stringify({ ...changed, revision: 43 }));
  assert.equal(client.status.revision, 43);
  assert.deepEqual(changes, [['legacy-search']]);
  assert.equal(client.getBooleanValue('legacy-search', true), false);
  client.close();
});

test('the changed keys include added and removed flags, whatever scripts the text holds', async () => {
  const first = structuredClone({ ...example, revision: 42 });
  first.flags[0].metadata = { ...first.flags[0].metadata, description: 'Lancement — été 🚀' };
  const second = structuredClone({ ...first, revision: 43 });
  second.flags.find((flag) => flag.key === 'legacy-search').fallthrough = { variant: 'off' };
  const [moved] = second.flags.splice(second.flags.findIndex((flag) => flag.key === 'max-upload-mb'), 1);
  second.flags.push({ ...moved, key: 'max-upload-mb-v2' });
  const pretty = (document) => JSON.stringify(document, null, 2);
  const { client, changes } = await refreshed(pretty(first), pretty(second));
  assert.equal(client.status.revision, 43);
  assert.deepEqual(changes, [['legacy-search', 'max-upload-mb-v2', 'max-upload-mb']]);
  client.close();
});

test('if the engine fails telling what changed, every key of either snapshot is reported', async () => {
  const second = structuredClone({ ...example, revision: 43 });
  second.flags.pop();
  const { client, changes } = await refreshed(snapshot(42), JSON.stringify(second), async (refresh) => {
    const original = glue.WasmEngine.prototype.definitionHashes;
    glue.WasmEngine.prototype.definitionHashes = function trapping() {
      glue.__vexilTrap();
    };
    try {
      await refresh();
    } finally {
      glue.WasmEngine.prototype.definitionHashes = original;
    }
  });
  assert.equal(client.status.revision, 43);
  assert.deepEqual(changes, [example.flags.map((flag) => flag.key)]);
  // The engine came back from the trap and serves the new snapshot, without the removed flag.
  const removed = example.flags.at(-1).key;
  assert.equal(client.getBooleanDetails(removed, false).errorCode, 'FLAG_NOT_FOUND');
  assert.equal(client.getBooleanValue('quebec-ontario-launch', false, user), true);
  client.close();
});

test('faults keep the last good snapshot serving, and nothing throws', async () => {
  const faults = [
    ['a 5xx', serve('{"error":"down"}', null, 503), 'HTTP_503'],
    ['truncated JSON', serve(snapshot(44).slice(0, 200), '"t"'), 'NOT_JSON'],
    ['an HTML error page with status 200', serve('<!doctype html><h1>Bad gateway</h1>', '"h"'), 'NOT_JSON'],
    ['an older revision', serve(snapshot(41), '"r41"'), 'OLDER_REVISION'],
    ['a document of the wrong shape', serve('{"flags": 3}', '"s"'), 'SHAPE'],
  ];
  for (const [name, fault, code] of faults) {
    reset(serve(snapshot(42), '"r42"'), fault);
    const client = makeClient(manualTimers());
    const events = collect(client);
    await client.ready();
  await settled(client);
    await client.refresh();
    assert.equal(client.status.revision, 42, name);
    assert.equal(client.getBooleanValue('quebec-ontario-launch', false), true, name);
    assert.deepEqual(
      events.filter((event) => event.name === 'error').map((event) => event.code),
      [code],
      name,
    );
    client.close();
  }
});

test('a server that stops answering is timed out, and the client backs off exponentially to a cap', async () => {
  reset(serve(snapshot(42), '"r42"'), hang(), hang(), hang(), hang(), hang());
  const timers = manualTimers();
  const client = makeClient(timers);
  const events = collect(client);
  await client.ready();
  await settled(client);
  const backoffs = [];
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const refreshed = client.refresh();
    // Wait for the request to reach the server, then fire the client's timeout.
    while (requests.length < attempt + 2) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(timers.fire(1500), 'the request timeout was scheduled');
    await refreshed;
    backoffs.push(timers.delays().filter((ms) => ms !== 1500).at(-1));
  }
  assert.deepEqual(backoffs, [1000, 2000, 4000, 8000, 8000]);
  assert.ok(events.filter((event) => event.name === 'error').every((event) => event.code === 'TIMEOUT'));
  assert.equal(client.getBooleanValue('quebec-ontario-launch', false), true);
  client.close();
});

test('a bootstrap without a url is the configuration: the engine\'s reasons, never CACHED; with a url, CACHED until a fetch succeeds', async () => {
  const alone = createClient({ bootstrap: snapshot(42), storage: null, context: user });
  assert.equal(alone.status.source, 'bootstrap');
  const details = alone.getBooleanDetails('quebec-ontario-launch', false);
  assert.deepEqual(details, { value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleId: 'canada-east' });
  assert.equal(alone.getBooleanDetails('quebec-ontario-launch', false, { jurisdiction: 'texas' }).reason, 'DEFAULT');
  await alone.refresh();
  assert.equal(alone.getBooleanDetails('quebec-ontario-launch', false).reason, 'TARGETING_MATCH', 'still, after refresh()');
  alone.close();

  reset(serve(snapshot(43), '"r43"'));
  const fetching = createClient({ url, bootstrap: snapshot(42), storage: null, context: user });
  assert.equal(fetching.getBooleanDetails('quebec-ontario-launch', false).reason, 'CACHED');
  await fetching.ready();
  await fetching.refresh();
  assert.equal(fetching.status.source, 'network');
  assert.equal(fetching.getBooleanDetails('quebec-ontario-launch', false).reason, 'TARGETING_MATCH');
  fetching.close();
});

test('bootstrap answers at once as CACHED, and the persisted copy survives a restart', async () => {
  reset(hang());
  const storage = new Map();
  const store = {
    getItem: (key) => storage.get(key) ?? null,
    setItem: (key, value) => storage.set(key, value),
    removeItem: (key) => storage.delete(key),
  };
  const timers = manualTimers();
  const first = makeClient(timers, { bootstrap: snapshot(42), storage: store });
  assert.equal(first.status.ready, true);
  assert.equal(first.getBooleanDetails('quebec-ontario-launch', false).reason, 'CACHED');
  first.close();

  const second = makeClient(manualTimers(), { storage: store });
  assert.equal(second.status.source, 'storage');
  assert.equal(second.getBooleanValue('quebec-ontario-launch', false), true);
  second.close();

  // A corrupt copy is discarded with an error event, never fatal.
  const [key, record] = [...storage].find(([name]) => !name.endsWith(':overrides'));
  storage.set(key, record.replace('quebec', 'qvebec'));
  const third = createClient({ context: user, storage: store, storageKey: key });
  assert.equal(third.status.ready, false);
  assert.equal(storage.has(key), false);
  third.close();
});

test('ready() gives up at its timeout without throwing', async () => {
  reset(hang());
  const client = createClient({ url, storage: null, timeout: 5_000 });
  assert.equal(await client.ready({ timeout: 50 }), false);
  assert.deepEqual(client.getBooleanDetails('quebec-ontario-launch', false, user), {
    value: false,
    variant: null,
    reason: 'ERROR',
    errorCode: 'PROVIDER_NOT_READY',
  });
  client.close();
});

test('local overrides are reported as such, persisted, and cleared', async () => {
  reset();
  const storage = new Map();
  const store = {
    getItem: (key) => storage.get(key) ?? null,
    setItem: (key, value) => storage.set(key, value),
    removeItem: (key) => storage.delete(key),
  };
  const client = makeClient(manualTimers(), { storage: store });
  await client.ready();
  await settled(client);
  client.setOverride('quebec-ontario-launch', 'off');
  assert.deepEqual(client.getBooleanDetails('quebec-ontario-launch', true), {
    value: false,
    variant: 'off',
    reason: 'LOCAL_OVERRIDE',
  });
  client.close();
  const again = makeClient(manualTimers(), { storage: store });
  await again.ready();
  await settled(again);
  assert.deepEqual(again.overrides(), { __proto__: null, 'quebec-ontario-launch': 'off' });
  again.clearOverride();
  assert.equal(again.getBooleanValue('quebec-ontario-launch', false), true);
  again.close();
});

test('counts, the evaluation hook and flush to the events endpoint', async () => {
  reset();
  const posted = [];
  const seen = [];
  const client = makeClient(manualTimers(), {
    eventsUrl: `${url}?events`,
    onEvaluation: (event) => seen.push(event.key),
    fetch: async (target, init) => {
      if (init?.method === 'POST') {
        posted.push(JSON.parse(init.body));
        return new Response(null, { status: 204 });
      }
      return fetch(target, init);
    },
  });
  await client.ready();
  await settled(client);
  client.getBooleanValue('quebec-ontario-launch', false);
  client.getBooleanValue('quebec-ontario-launch', false);
  client.getStringValue('quebec-ontario-launch', 'x');
  assert.deepEqual(seen, ['quebec-ontario-launch', 'quebec-ontario-launch', 'quebec-ontario-launch']);
  const sent = await client.flush();
  assert.deepEqual(sent.flags, [{ flag: 'quebec-ontario-launch', variants: { __proto__: null, on: 2 }, errors: 1 }]);
  assert.deepEqual(posted[0].flags, JSON.parse(JSON.stringify(sent.flags)));
  assert.deepEqual(client.stats().flags, []);
  client.close();
});

test('close() stops polling: no request after it', async () => {
  reset();
  const timers = manualTimers();
  const client = makeClient(timers);
  await client.ready();
  await settled(client);
  client.close();
  const before = requests.length;
  assert.deepEqual(timers.delays(), []);
  await client.refresh();
  assert.equal(requests.length, before);
  assert.equal(client.getBooleanValue('quebec-ontario-launch', false), true, 'still answers after close');
});
