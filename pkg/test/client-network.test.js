// What the client does for each kind of answer, against real HTTP servers on 127.0.0.1: no
// answer makes it send more requests than its documented budget, wait on a timer longer than
// timers can hold, follow a redirect to another origin, or read a page that is not JSON.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { createClient } from 'vexil';
import { endless, manualTimers, simulatedTime, withServer } from './support/http.js';

const example = readFileSync(new URL('../../examples/snapshot.json', import.meta.url), 'utf8');
const snapshot = (revision) => JSON.stringify({ ...JSON.parse(example), revision });
const user = { targetingKey: 'user-42', jurisdiction: 'quebec' };
const HOUR = 60 * 60 * 1000;
const MAX_TIMER_DELAY = 2 ** 31 - 1;

const json = (body, headers = {}) => (request, response) =>
  response.writeHead(200, { 'content-type': 'application/json', ...headers }).end(body);
const status = (code, headers = {}) => (request, response) => response.writeHead(code, headers).end('no');

function makeClient(url, timers, extra = {}) {
  return createClient({
    url,
    context: user,
    storage: null,
    jitter: 0,
    ttl: 60_000,
    backoff: { initial: 1000, max: 8000 },
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    ...extra,
  });
}

function errors(client) {
  const events = [];
  client.on('error', (event) => events.push(event));
  return events;
}

// The poll the client has scheduled (the one wait it leaves pending between attempts).
const nextPoll = (timers) => {
  const delays = timers.delays();
  assert.equal(delays.length, 1, `pending waits ${delays}`);
  return delays[0];
};

test('Retry-After past what a timer holds does not make the client poll every millisecond', async () => {
  const farDate = new Date(Date.now() + 30 * 24 * HOUR).toUTCString();
  for (const retryAfter of ['3000000', farDate]) {
    await withServer(status(429, { 'retry-after': retryAfter }), async ({ url, requests }) => {
      // Real timers: the overflow is Node's own.
      const client = createClient({ url, bootstrap: example, storage: null, backoff: { initial: 1000, max: 8000 } });
      await client.refresh();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      client.close();
      assert.ok(requests.length <= 2, `${retryAfter}: ${requests.length} requests in a second`);
    });
  }
});

test('Retry-After lengthens a wait up to the longest backoff, never past it', async () => {
  const cases = [
    ['5', 5000],
    ['3000000', 8000],
    [new Date(Date.now() + 30 * 24 * HOUR).toUTCString(), 8000],
    // Shorter than the backoff, zero or unreadable: the backoff.
    ['0', 1000],
    ['soon', 1000],
  ];
  for (const [retryAfter, expected] of cases) {
    for (const code of [429, 503]) {
      await withServer(status(code, { 'retry-after': retryAfter }), async ({ url }) => {
        const timers = manualTimers();
        const client = makeClient(url, timers, { bootstrap: example });
        await client.refresh();
        assert.equal(nextPoll(timers), expected, `${code} with Retry-After: ${retryAfter}`);
        client.close();
      });
    }
  }
});

test('every wait is one a timer can hold, whatever the options say', async () => {
  await withServer(status(500), async ({ url }) => {
    const asked = [];
    const timers = manualTimers();
    const client = makeClient(url, timers, {
      ttl: Number.NaN,
      timeout: 1e12,
      jitter: Number.NaN,
      random: () => 0.5,
      backoff: { initial: Number.NaN, max: 1e15 },
      eventsUrl: `${url}/events`,
      flushInterval: Infinity,
      setTimeout: (callback, ms) => {
        asked.push(ms);
        return timers.setTimeout(callback, ms);
      },
    });
    client.ready({ timeout: 1e12 });
    client.ready({ timeout: Number.NaN });
    await client.refresh();
    // The request timeout, the flush, one ready() and the next poll.
    assert.equal(asked.length, 4, `delays ${asked}`);
    for (const ms of asked) assert.ok(ms >= 0 && ms <= MAX_TIMER_DELAY, `delay ${ms}`);
    // A NaN interval falls back to the default (1 s after one failure), not to at once.
    assert.equal(nextPoll({ delays: () => timers.delays().filter((ms) => ms !== MAX_TIMER_DELAY) }), 1000);
    client.close();
  });
});

test('401, 403 and 404 are configuration errors: the longest backoff at once, last good kept', async () => {
  for (const [code, says] of [
    [401, /key or headers/],
    [403, /key or headers/],
    [404, /no snapshot at this URL/],
  ]) {
    await withServer(status(code), async ({ url }) => {
      const timers = manualTimers();
      const client = makeClient(url, timers, { bootstrap: example });
      const events = errors(client);
      await client.refresh();
      assert.equal(nextPoll(timers), 8000, `${code}`);
      assert.deepEqual(
        events.map((event) => event.code),
        [`HTTP_${code}`],
      );
      assert.match(events[0].error.message, says);
      assert.equal(client.getBooleanValue('quebec-ontario-launch', false), true);
      client.close();
    });
  }
  // A server error is transient: the backoff starts short.
  await withServer(status(500), async ({ url }) => {
    const timers = manualTimers();
    const client = makeClient(url, timers, { bootstrap: example });
    await client.refresh();
    assert.equal(nextPoll(timers), 1000);
    client.close();
  });
});

test('a page that is not JSON is refused unread; JSON and generic types are read', async () => {
  for (const type of ['text/html; charset=utf-8', 'application/xml', 'image/png']) {
    await withServer(json(snapshot(43), { 'content-type': type }), async ({ url }) => {
      const timers = manualTimers();
      const client = makeClient(url, timers, { bootstrap: example });
      const events = errors(client);
      await client.refresh();
      assert.deepEqual(
        events.map((event) => event.code),
        ['CONTENT_TYPE'],
        type,
      );
      assert.equal(client.status.revision, 42, type);
      assert.equal(nextPoll(timers), 1000, type);
      client.close();
    });
  }
  const readable = ['application/json', 'application/json; charset=utf-8', 'application/vnd.vexil+json', 'text/plain', 'application/octet-stream', null];
  for (const type of readable) {
    const handler = (request, response) =>
      response.writeHead(200, type ? { 'content-type': type } : {}).end(snapshot(43));
    await withServer(handler, async ({ url }) => {
      const client = makeClient(url, manualTimers(), { bootstrap: example });
      await client.refresh();
      assert.equal(client.status.revision, 43, String(type));
      client.close();
    });
  }
});

test('a redirect to another origin is not followed; one to the same origin is', async () => {
  await withServer(json(snapshot(43)), async (elsewhere) => {
    await withServer(
      (request, response) => {
        if (request.url === '/moved.json') json(snapshot(44))(request, response);
        else if (request.url === '/away.json') response.writeHead(302, { location: `${elsewhere.url}/flags.json` }).end();
        else response.writeHead(301, { location: '/moved.json' }).end();
      },
      async (home) => {
        const away = makeClient(`${home.url}/away.json`, manualTimers(), { bootstrap: example, headers: { 'x-api-key': 'secret' } });
        const events = errors(away);
        await away.refresh();
        assert.deepEqual(
          events.map((event) => event.code),
          ['CROSS_ORIGIN_REDIRECT'],
        );
        assert.equal(elsewhere.requests.length, 0, 'nothing was sent to the other origin');
        assert.equal(away.status.revision, 42);
        away.close();

        const allowed = makeClient(`${home.url}/away.json`, manualTimers(), { bootstrap: example, allowCrossOriginRedirects: true });
        await allowed.refresh();
        assert.equal(allowed.status.revision, 43);
        assert.equal(elsewhere.requests.length, 1);
        allowed.close();

        const moved = makeClient(`${home.url}/flags.json`, manualTimers(), { bootstrap: example });
        await moved.refresh();
        assert.equal(moved.status.revision, 44);
        moved.close();
      },
    );
  });
});

test('a redirect loop ends after 5 redirects, with an error', async () => {
  await withServer(
    (request, response) => response.writeHead(307, { location: request.url }).end(),
    async ({ url, requests }) => {
      const timers = manualTimers();
      const client = makeClient(`${url}/loop.json`, timers, { bootstrap: example });
      const events = errors(client);
      await client.refresh();
      assert.equal(requests.length, 6);
      assert.deepEqual(
        events.map((event) => event.code),
        ['REDIRECT'],
      );
      assert.equal(nextPoll(timers), 1000);
      client.close();
    },
  );
});

test('a 304 with nothing cached is asked again at once, in full, once', async () => {
  // The configured headers carry a validator the client does not know the document of.
  const headers = { 'If-None-Match': '"old"' };
  let answered = 0;
  await withServer(
    (request, response) => {
      answered += 1;
      if (answered === 1) response.writeHead(304).end();
      else json(snapshot(42), { etag: '"r42"' })(request, response);
    },
    async ({ url, requests }) => {
      const timers = manualTimers();
      const client = makeClient(url, timers, { headers });
      const events = errors(client);
      await client.refresh();
      assert.equal(requests.length, 2);
      assert.equal(requests[0].headers['if-none-match'], '"old"');
      assert.equal(requests[1].headers['if-none-match'], undefined);
      assert.equal(client.status.ready, true);
      assert.deepEqual(events, []);
      assert.equal(nextPoll(timers), 60_000);
      client.close();
    },
  );
  await withServer(status(304), async ({ url, requests }) => {
    const timers = manualTimers();
    const client = makeClient(url, timers, { headers });
    const events = errors(client);
    await client.refresh();
    assert.equal(requests.length, 2);
    assert.deepEqual(
      events.map((event) => event.code),
      ['NOT_MODIFIED_WITHOUT_SNAPSHOT'],
    );
    assert.equal(nextPoll(timers), 1000);
    client.close();
  });
});

test('a 304 to a client serving its bootstrap confirms nothing: asked again at once, in full', async () => {
  // A cache on the way answers 304 to anyone who does not insist. The bootstrap was never sent
  // by the endpoint, so that 304 says nothing of it.
  await withServer(
    (request, response) => {
      if (request.headers['cache-control'] !== 'no-cache') response.writeHead(304).end();
      else json(snapshot(43), { etag: '"r43"' })(request, response);
    },
    async ({ url, requests }) => {
      const timers = manualTimers();
      const client = makeClient(url, timers, { bootstrap: snapshot(42) });
      const events = errors(client);
      await client.refresh();
      assert.equal(requests.length, 2);
      assert.equal(requests[1].headers['if-none-match'], undefined);
      assert.deepEqual(events, []);
      assert.deepEqual([client.status.revision, client.status.source], [43, 'network']);
      // Now the loaded snapshot's ETag is sent, and a 304 to it is a confirmation.
      await client.refresh();
      assert.equal(requests.length, 3);
      assert.equal(requests[2].headers['if-none-match'], '"r43"');
      assert.equal(client.status.failures, 0);
      client.close();
    },
  );
});

test('a new ETag on the same document neither reloads it nor rewrites storage', async () => {
  let served = 0;
  const writes = [];
  const items = new Map();
  const storage = {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      writes.push(key);
      items.set(key, value);
    },
    removeItem: (key) => items.delete(key),
  };
  await withServer(
    (request, response) => {
      served += 1;
      json(snapshot(42), { etag: `"e${served}"` })(request, response);
    },
    async ({ url, requests }) => {
      const client = makeClient(url, manualTimers(), { storage });
      await client.refresh();
      const engine = client.engine;
      const written = writes.length;
      await client.refresh();
      await client.refresh();
      assert.equal(requests.length, 3);
      assert.equal(writes.length, written, 'storage was not written again');
      assert.equal(client.engine, engine, 'the engine was kept');
      assert.equal(requests[2].headers['if-none-match'], '"e2"', 'the newest ETag is sent');
      client.close();
    },
  );
});

test('STALE means refreshing has failed for longer than the TTL, counted from the first failure', async () => {
  let clock = 1_000_000;
  let failing = false;
  await withServer(
    (request, response) => (failing ? status(500)(request, response) : json(snapshot(42))(request, response)),
    async ({ url }) => {
      const client = makeClient(url, manualTimers(), { now: () => clock, ttl: 60_000 });
      const stale = [];
      client.on('stale', (event) => stale.push(event));
      await client.refresh();
      const reason = () => client.getBooleanDetails('quebec-ontario-launch', false).reason;
      assert.equal(reason(), 'TARGETING_MATCH');

      // One failed poll just after the TTL: failing for no time yet.
      failing = true;
      clock += 61_000;
      await client.refresh();
      assert.equal(reason(), 'TARGETING_MATCH');
      assert.equal(client.status.failingSince, 1_061_000);
      clock += 60_000;
      await client.refresh();
      assert.equal(reason(), 'TARGETING_MATCH', 'failing for exactly the TTL is not longer');

      clock += 1;
      await client.refresh();
      const details = client.getBooleanDetails('quebec-ontario-launch', false);
      assert.deepEqual([details.reason, details.engineReason, details.value], ['STALE', 'TARGETING_MATCH', true]);
      assert.deepEqual(stale, [{ age: 121_001, failingSince: 1_061_000, revision: 42 }]);
      clock += 10_000;
      await client.refresh();
      assert.equal(stale.length, 1, 'reported once');

      failing = false;
      await client.refresh();
      assert.equal(reason(), 'TARGETING_MATCH');
      assert.equal(client.status.failingSince, null);
      client.close();
    },
  );
});

test('no answer makes the client send more than its request budget in an hour', async () => {
  const sent = { bytes: 0 };
  const far = new Date(Date.now() + 30 * 24 * HOUR).toUTCString();
  // With the default options and the shortest jitter, an hour of failures is 21 attempts (waits
  // doubling from 0.9 s to 270 s) and of refusals 14 (270 s each); an attempt is one request,
  // up to 6 with redirects, 2 after a 304 with nothing cached.
  const cases = [
    ['429 with Retry-After: 3000000', status(429, { 'retry-after': '3000000' }), 14],
    ['503 with Retry-After 30 days ahead', status(503, { 'retry-after': far }), 14],
    ['401', status(401), 14],
    ['403', status(403), 14],
    ['404', status(404), 14],
    ['500', status(500), 21],
    ['an HTML page', json('<!doctype html><p>Sign in', { 'content-type': 'text/html' }), 21],
    ['a body without end', endless(sent), 21],
    ['a redirect loop', (request, response) => response.writeHead(302, { location: request.url }).end(), 21 * 6],
    ['304 with nothing cached', status(304), 21 * 2, { bootstrap: undefined }],
  ];
  for (const [name, handler, budget, extra = {}] of cases) {
    await withServer(handler, async ({ url, requests }) => {
      const time = simulatedTime(Date.now());
      const client = createClient({
        url,
        context: user,
        storage: null,
        bootstrap: example,
        random: () => 0,
        setTimeout: time.setTimeout,
        clearTimeout: time.clearTimeout,
        now: time.now,
        ...extra,
      });
      await time.run(client, HOUR, () => requests.length > 10 * budget);
      client.close();
      assert.ok(requests.length <= budget, `${name}: ${requests.length} requests, budget ${budget}`);
      assert.ok(requests.length >= budget / 3, `${name}: kept trying (${requests.length} requests)`);
      if (extra.bootstrap === undefined && 'bootstrap' in extra) return;
      assert.equal(client.getBooleanValue('quebec-ontario-launch', false), true, `${name}: last good kept`);
    });
  }
});

test('in a page, where manual redirects are hidden: same-origin redirects followed, others refused', async () => {
  const { pageResult } = await import('./support/chromium.js');
  // The endpoint is on other origins than the page, so every answer allows the page to read it.
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' };
  const answer = (body) => (request, response) => {
    if (request.method === 'OPTIONS') response.writeHead(204, cors).end();
    else response.writeHead(200, { 'content-type': 'application/json', ...cors }).end(body);
  };
  await withServer(answer(snapshot(43)), async (elsewhere) => {
    await withServer(
      (request, response) => {
        if (request.method === 'OPTIONS') response.writeHead(204, cors).end();
        else if (request.url === '/moved.json') answer(snapshot(44))(request, response);
        else if (request.url === '/away.json') response.writeHead(302, { location: `${elsewhere.url}/flags.json`, ...cors }).end();
        else response.writeHead(301, { location: '/moved.json', ...cors }).end();
      },
      async (home) => {
        const page = `<!doctype html>
<script type="importmap">{ "imports": { "vexil": "/pkg/src/entry/browser.js" } }</script>
<script type="module">
  import { createClient } from 'vexil';
  const bootstrap = ${JSON.stringify(example)};
  const run = async (url) => {
    const client = createClient({ url, bootstrap, storage: null, setTimeout: () => 0, clearTimeout: () => undefined });
    const codes = [];
    client.on('error', (event) => codes.push(event.code));
    await client.refresh();
    await client.refresh();
    client.close();
    return { revision: client.status.revision, codes };
  };
  window.report = { moved: await run('${home.url}/flags.json'), away: await run('${home.url}/away.json') };
</script>`;
        const { value: report, errors } = await pageResult(page, 'report');
        assert.deepEqual(errors, []);
        assert.deepEqual(report.moved, { revision: 44, codes: [] });
        assert.deepEqual(report.away, { revision: 42, codes: ['CROSS_ORIGIN_REDIRECT', 'CROSS_ORIGIN_REDIRECT'] });
      },
    );
  });
});
