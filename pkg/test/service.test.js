// The client against the real flag service (`vexil serve`), in Node and in a Chromium page on
// another origin: changes made through the admin API arrive over the live stream within a
// second (or within one TTL by polling), the last good snapshot keeps serving when the service
// is gone, evaluation counts land in the service's statistics, and client keys never see
// server-only flags.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { createClient } from '../src/entry/node.js';
import { launchChromium } from './support/chromium.js';
import { within } from './support/http.js';
import { serve } from './support/server.js';
import { startService } from './support/service.js';

// In the example's `staff` segment: `new-checkout` is on for it while the flag is enabled.
const STAFF = { targetingKey: 'user-1' };

let service;

before(async () => {
  service = await startService();
});

after(async () => {
  await service?.stop();
});

/** The client's options for the service, its fetch recorded in `requests` ({ url, headers }). */
function options(key, requests = [], extra = {}) {
  return {
    url: `${service.url}/sdk/v1/snapshot`,
    headers: { authorization: `Bearer ${key}` },
    storage: null,
    fetch: (url, init) => {
      requests.push({ url: String(url), headers: init?.headers ?? {} });
      return fetch(url, init);
    },
    ...extra,
  };
}

/** Resolves with the next `event` payload `accept`s, or rejects once `ms` have passed. */
function next(client, event, ms, accept = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const stop = client.on(event, (payload) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      stop();
      resolve(payload);
    });
  });
}

/** Toggles `flag` through the admin API; resolves to when the API call returned. */
async function toggle(flag, enabled, target = service) {
  const answer = await target.api('POST', `/api/v1/flags/${flag}/toggle`, { enabled });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return Date.now();
}

test('Node: a change made through the API reaches the client over the stream within 1 s', async () => {
  const requests = [];
  const client = createClient(options(service.clientKey, requests));
  try {
    assert.equal(await client.ready({ timeout: 10_000 }), true);
    assert.equal(client.status.source, 'network');
    const before = client.getBooleanValue('new-checkout', null, STAFF);
    assert.equal(typeof before, 'boolean');
    // The stream is the one the snapshot response offered, opened with the client's headers.
    const stream = await within(5000, 'the stream request', () => requests.find((r) => r.url.endsWith('/sdk/v1/stream')));
    assert.equal(stream.url, `${service.url}/sdk/v1/stream`);
    assert.equal(stream.headers.authorization, `Bearer ${service.clientKey}`);
    // The snapshot's TTL is 5 minutes: only the stream can bring the change this soon.
    const changed = next(client, 'change', 10_000, ({ keys }) => keys.includes('new-checkout'));
    const returned = await toggle('new-checkout', !before);
    const change = await changed;
    const elapsed = Date.now() - returned;
    assert.ok(elapsed <= 1000, `the change arrived ${elapsed} ms after the API call returned`);
    assert.equal(change.source, 'network');
    assert.equal(client.getBooleanValue('new-checkout', null, STAFF), !before);
    assert.equal(requests.filter((r) => r.url.endsWith('/sdk/v1/stream')).length, 1, 'one stream per client');
  } finally {
    client.close();
  }
});

test('Node: with stream: false and a 300 ms TTL, the change arrives by polling within one TTL', async () => {
  const requests = [];
  const client = createClient(options(service.clientKey, requests, { stream: false, ttl: 300, jitter: 0 }));
  try {
    assert.equal(await client.ready({ timeout: 10_000 }), true);
    const before = client.getBooleanValue('new-checkout', null, STAFF);
    const changed = next(client, 'change', 10_000, ({ keys }) => keys.includes('new-checkout'));
    const returned = await toggle('new-checkout', !before);
    await changed;
    const elapsed = Date.now() - returned;
    // One TTL, and the time one request takes.
    assert.ok(elapsed <= 300 + 250, `the change arrived ${elapsed} ms after the API call returned`);
    assert.equal(client.getBooleanValue('new-checkout', null, STAFF), !before);
    assert.ok(requests.length >= 2);
    assert.deepEqual(requests.filter((r) => !r.url.endsWith('/sdk/v1/snapshot')), [], 'no stream opened');
  } finally {
    client.close();
  }
});

test('Node: flush() with the key in eventsUrl lands in the flag statistics, counts as evaluated', async () => {
  const stats = async () => {
    const answer = await service.api('GET', '/api/v1/flags/quebec-ontario-launch/stats');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const variants = {};
    for (const hour of answer.body.hours) {
      for (const [variant, count] of Object.entries(hour.variants)) variants[variant] = (variants[variant] ?? 0) + count;
    }
    return { evaluations: answer.body.evaluations, errors: answer.body.errors, variants };
  };
  const client = createClient(
    options(service.clientKey, [], {
      eventsUrl: `${service.url}/sdk/v1/events?key=${service.clientKey}`,
      flushInterval: 10 * 60 * 1000,
      stream: false,
    }),
  );
  try {
    assert.equal(await client.ready({ timeout: 10_000 }), true);
    const earlier = await stats();
    const answers = [];
    for (let index = 0; index < 3; index += 1) {
      answers.push(client.getBooleanValue('quebec-ontario-launch', null, { targetingKey: `q-${index}`, jurisdiction: 'quebec' }));
    }
    for (let index = 0; index < 2; index += 1) {
      answers.push(client.getBooleanValue('quebec-ontario-launch', null, { targetingKey: `t-${index}`, jurisdiction: 'texas' }));
    }
    assert.deepEqual(answers, [true, true, true, false, false]);
    const sent = await client.flush();
    assert.deepEqual(JSON.parse(JSON.stringify(sent.flags)), [
      { flag: 'quebec-ontario-launch', variants: { on: 3, off: 2 }, errors: 0 },
    ]);
    const now = await stats();
    assert.equal(now.evaluations - earlier.evaluations, 5);
    assert.equal(now.errors - earlier.errors, 0);
    assert.equal((now.variants.on ?? 0) - (earlier.variants.on ?? 0), 3);
    assert.equal((now.variants.off ?? 0) - (earlier.variants.off ?? 0), 2);
  } finally {
    client.close();
  }
});

test('a flag marked metadata.serverOnly is in the server key snapshot and never in the client key one', async () => {
  const flag = {
    key: 'internal-rate-limit',
    type: 'number',
    variants: { low: 10, high: 1000 },
    fallthrough: { variant: 'high' },
    metadata: { serverOnly: true, description: 'Never shipped to browsers.' },
  };
  const created = await service.api('POST', '/api/v1/flags', flag);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const document = async (key) => {
    const response = await fetch(`${service.url}/sdk/v1/snapshot`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(response.status, 200);
    return response.json();
  };
  const forClients = await document(service.clientKey);
  const forServers = await document(service.serverKey);
  assert.equal(forClients.revision, forServers.revision);
  assert.ok(forServers.flags.some((f) => f.key === flag.key));
  assert.ok(!forClients.flags.some((f) => f.key === flag.key));
  assert.ok(forClients.flags.some((f) => f.key === 'new-checkout'));

  // The same through the npm client.
  const browserSide = createClient(options(service.clientKey));
  const serverSide = createClient(options(service.serverKey));
  try {
    assert.equal(await browserSide.ready({ timeout: 10_000 }), true);
    assert.equal(await serverSide.ready({ timeout: 10_000 }), true);
    assert.equal(browserSide.status.revision, forClients.revision);
    assert.ok(!browserSide.engine.flagKeys.includes(flag.key));
    assert.equal(browserSide.getNumberDetails(flag.key, -1).errorCode, 'FLAG_NOT_FOUND');
    assert.equal(serverSide.getNumberValue(flag.key, -1), 1000);
  } finally {
    browserSide.close();
    serverSide.close();
  }
});

test('Node: after the service is killed the last good values keep serving, and turn STALE after the TTL', async () => {
  const doomed = await startService();
  const ttl = 300;
  const requests = [];
  const client = createClient({
    ...options(doomed.clientKey, requests, { ttl, jitter: 0, timeout: 1000, backoff: { initial: 50, max: 200 } }),
    url: `${doomed.url}/sdk/v1/snapshot`,
  });
  const errors = [];
  client.on('error', (event) => errors.push(event));
  try {
    assert.equal(await client.ready({ timeout: 10_000 }), true);
    const context = { targetingKey: 'user-7', jurisdiction: 'quebec' };
    await within(5000, 'the stream request', () => requests.some((r) => r.url.endsWith('/sdk/v1/stream')));
    const stale = next(client, 'stale', 10_000);
    await doomed.kill();
    const killed = Date.now();
    const lastSuccess = client.status.lastSuccess;
    // The stream's end is reported as the stream's, at once.
    await within(2000, 'a stream error', () => errors.some((event) => event.source === 'stream'));
    assert.deepEqual(client.getBooleanDetails('quebec-ontario-launch', false, context), {
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
      ruleId: 'canada-east',
    });
    const event = await stale;
    const now = Date.now();
    assert.ok(now - killed <= 3 * ttl + 1000, `stale ${now - killed} ms after the kill`);
    assert.ok(event.age > ttl, `stale after ${event.age} ms, not after the TTL of ${ttl}`);
    assert.ok(now - client.status.failingSince > ttl);
    assert.equal(client.status.lastSuccess, lastSuccess, "no success after the kill");
    assert.deepEqual(client.getBooleanDetails('quebec-ontario-launch', false, context), {
      value: true,
      variant: 'on',
      reason: 'STALE',
      engineReason: 'TARGETING_MATCH',
      ruleId: 'canada-east',
    });
    assert.ok(errors.some((e) => e.source === 'network' && e.code === 'NETWORK'));
    assert.ok(errors.every((e) => e.source === 'network' || e.source === 'stream'));
  } finally {
    client.close();
    await doomed.stop();
  }
});

// A page on its own origin: it loads the package from the static server and reads the service
// on another port, recording each response its client's fetch gets.
const PAGE = `<!doctype html>
<meta charset="utf-8">
<script type="importmap">{ "imports": { "vexil": "/pkg/src/entry/browser.js" } }</script>
<script type="module">
  import { createClient } from 'vexil';
  const params = new URLSearchParams(location.search);
  const log = (window.log = { responses: [], changes: [], errors: [] });
  const client = createClient({
    url: params.get('url'),
    headers: { authorization: 'Bearer ' + params.get('key') },
    context: { targetingKey: 'user-1' },
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      log.responses.push({
        url: String(url),
        status: response.status,
        etag: response.headers.get('etag'),
        stream: response.headers.get('x-vexil-stream'),
      });
      return response;
    },
  });
  client.on('change', ({ keys }) => log.changes.push({ keys, value: client.getBooleanValue('new-checkout', null) }));
  client.on('error', ({ code, source }) => log.errors.push(source + ': ' + code));
  window.client = client;
  window.ready = await client.ready({ timeout: 10000 });
</script>`;

test('Chromium, another origin: the page revalidates with the ETag (304) and a change arrives within 1 s', async () => {
  const site = await serve({ '/': PAGE });
  let chromium;
  try {
    assert.notEqual(new URL(site.url).origin, new URL(service.url).origin);
    chromium = await launchChromium();
    const page = await chromium.browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    const snapshotUrl = `${service.url}/sdk/v1/snapshot`;
    await page.goto(`${site.url}/?url=${encodeURIComponent(snapshotUrl)}&key=${service.clientKey}`);
    await page.waitForFunction(() => window.ready !== undefined, null, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => window.ready), true);
    const first = await page.evaluate(() => window.log.responses[0]);
    assert.equal(first.url, snapshotUrl);
    assert.equal(first.status, 200);
    assert.match(first.etag, /^"[^"]+"$/, 'the ETag is readable across origins');
    assert.equal(first.stream, '/sdk/v1/stream');
    // The stream is open (its response arrived: it was allowed across origins with the key).
    await page.waitForFunction(
      () => window.log.responses.some((r) => r.url.endsWith('/sdk/v1/stream') && r.status === 200),
      null,
      { timeout: 5000 },
    );
    // A refresh sends If-None-Match with that ETag; the service answers 304 and the page sees it.
    const revalidated = await page.evaluate(async () => {
      await window.client.refresh();
      return window.log.responses.at(-1);
    });
    assert.equal(revalidated.url, snapshotUrl);
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.etag, first.etag);

    const before = await page.evaluate(() => window.client.getBooleanValue('new-checkout', null));
    assert.equal(typeof before, 'boolean');
    const returned = await toggle('new-checkout', !before);
    const deadline = Math.max(1, returned + 1000 - Date.now());
    await page.waitForFunction(() => window.log.changes.length > 0, null, { timeout: deadline, polling: 10 });
    const elapsed = Date.now() - returned;
    assert.ok(elapsed <= 1000, `the change reached the page ${elapsed} ms after the API call returned`);
    const log = await page.evaluate(() => window.log);
    assert.ok(log.changes[0].keys.includes('new-checkout'));
    assert.equal(log.changes[0].value, !before);
    // The new revision came in full, under a new ETag.
    const refetched = log.responses.filter((r) => r.url === snapshotUrl).at(-1);
    assert.equal(refetched.status, 200);
    assert.notEqual(refetched.etag, first.etag);
    assert.equal(log.responses.filter((r) => r.url.endsWith('/sdk/v1/stream')).length, 1);
    assert.deepEqual(log.errors, []);
    assert.deepEqual(pageErrors, []);
    await page.evaluate(() => window.client.close());
  } finally {
    await chromium?.stop();
    await site.close();
  }
});

test('examples/watch-flags.mjs prints the flags at start and again when a change arrives', async () => {
  const { spawn } = await import('node:child_process');
  const script = new URL('../../examples/watch-flags.mjs', import.meta.url);
  const child = spawn(process.execPath, [script.pathname, service.url, service.clientKey, 'user-1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  try {
    await within(10_000, 'the ready line', () => /^ready \(revision \d+\) for user-1: .*new-checkout=/m.test(output));
    const current = /new-checkout=(true|false)/.exec(output)[1] === 'true';
    await toggle('new-checkout', !current);
    await within(2000, 'the change line', () => /^changed new-checkout \(revision \d+\) for user-1:/m.test(output));
    assert.match(output, new RegExp(`^changed new-checkout .*new-checkout=${!current}`, 'm'));
  } finally {
    child.kill('SIGKILL');
  }
});

test('examples/browser/: the page shows the flags and marks a change made through the API within 1 s', async () => {
  const { readFileSync } = await import('node:fs');
  const example = readFileSync(new URL('../../examples/browser/index.html', import.meta.url), 'utf8');
  const site = await serve({ '/examples/browser/': example });
  let chromium;
  try {
    chromium = await launchChromium();
    const page = await chromium.browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    const query = new URLSearchParams({ service: service.url, key: service.clientKey, user: 'user-1' });
    await page.goto(`${site.url}/examples/browser/?${query}`);
    const cell = 'tr[data-flag="new-checkout"] td.value';
    await page.waitForSelector(cell, { timeout: 30_000 });
    const before = JSON.parse(await page.textContent(cell));
    assert.equal(typeof before, 'boolean');
    const returned = await toggle('new-checkout', !before);
    await page.waitForSelector(`tr.changed[data-flag="new-checkout"]`, { timeout: Math.max(1, returned + 1000 - Date.now()) });
    assert.equal(JSON.parse(await page.textContent(cell)), !before);
    assert.deepEqual(pageErrors, []);
  } finally {
    await chromium?.stop();
    await site.close();
  }
});
