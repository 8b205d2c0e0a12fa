// vexil/remote against the real service, in Node and in headless Chromium: the same answers as
// the local client for the same context and snapshot, a new context fetched again, a change
// picked up on refresh, the last answers kept (then STALE) while the endpoint fails, and the
// OpenFeature web provider. In Chromium a page on another origin than the service's calls the
// service directly with a client key (CORS, server-only flags hidden), and a page asks a backend
// of its own that holds the key (the README's recipes); neither loads WebAssembly.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';

import { OpenFeature } from '@openfeature/web-sdk';

import { createClient } from '../src/entry/node.js';
import { VexilRemoteWebProvider, createRemoteClient } from '../src/remote.js';
import { launchChromium } from './support/chromium.js';
import { startService } from './support/service.js';

// In the example's `staff` segment (new-checkout on while enabled); the others are not.
const CONTEXTS = [{ targetingKey: 'user-1' }, { targetingKey: 'user-7', jurisdiction: 'quebec' }, { targetingKey: 'u-42', plan: 'pro' }];
const GETTERS = { boolean: 'getBooleanDetails', string: 'getStringDetails', number: 'getNumberDetails', object: 'getObjectDetails' };

let service;
let local;

before(async () => {
  service = await startService();
  local = createClient({ url: `${service.url}/sdk/v1/snapshot`, headers: { authorization: `Bearer ${service.serverKey}` }, storage: null });
  assert.equal(await local.ready({ timeout: 20_000 }), true);
});

after(async () => {
  local?.close();
  await service?.stop();
});

const evaluateUrl = () => `${service.url}/api/v1/evaluate`;
const serverHeaders = () => ({ authorization: `Bearer ${service.serverKey}` });

/** What the local client answers for every flag, as the remote getters give it. */
function localAnswers(context) {
  local.setContext(context);
  const answers = {};
  for (const key of local.engine.flagKeys) {
    const { value, variant, reason, ruleId } = local[GETTERS[local.engine.flag(key).type]](key, null);
    answers[key] = { value, variant, reason, ...(ruleId === undefined ? {} : { ruleId }) };
  }
  return answers;
}

function remoteAnswers(remote, keys) {
  const answers = {};
  for (const key of keys) answers[key] = remote[GETTERS[local.engine.flag(key).type]](key, null);
  return answers;
}

/** Resolves with the next `event` payload, or rejects after `ms`. */
function next(client, event, ms = 20_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    const stop = client.on(event, (payload) => {
      clearTimeout(timer);
      stop();
      resolve(payload);
    });
  });
}

async function toggle(flag, enabled) {
  const answer = await service.api('POST', `/api/v1/flags/${flag}/toggle`, { enabled });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  // The local client follows too, for the comparisons after the change.
  await local.refresh();
}

test('answers as the local client does for the same context and snapshot, and fetches again on setContext', async () => {
  const requests = [];
  const remote = createRemoteClient({
    url: evaluateUrl(),
    headers: serverHeaders(),
    context: CONTEXTS[0],
    fetch: (url, init) => {
      requests.push(JSON.parse(init.body).context);
      return fetch(url, init);
    },
  });
  try {
    // Before the answer: the caller's default, never a throw.
    assert.deepEqual(remote.getBooleanDetails('new-checkout', true), { value: true, variant: null, reason: 'ERROR', errorCode: 'PROVIDER_NOT_READY' });
    assert.equal(await remote.ready({ timeout: 20_000 }), true);
    for (const context of CONTEXTS) {
      if (context !== CONTEXTS[0]) await remote.setContext(context);
      assert.deepEqual(requests.at(-1), context);
      assert.deepEqual(remoteAnswers(remote, local.engine.flagKeys), localAnswers(context), JSON.stringify(context));
    }
    assert.equal(remote.status.revision, local.status.revision);
    assert.equal(remote.getBooleanValue('new-checkout', false), local.getBooleanValue('new-checkout', false));
    assert.deepEqual(remote.getStringDetails('no-such-flag', 'x'), { value: 'x', variant: null, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    assert.deepEqual(remote.getStringDetails('new-checkout', 'x'), { value: 'x', variant: null, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    assert.equal(remote.allFlags()['new-checkout'], local.allFlags(CONTEXTS.at(-1))['new-checkout']);
  } finally {
    remote.close();
  }
});

test('a Node script that waited in ready({ timeout }) ends once done, not when the timeout would have passed', () => {
  // The caller's wait holds the process while it waits, and not a moment longer.
  const script = `import { createRemoteClient } from ${JSON.stringify(new URL('../src/remote.js', import.meta.url).href)};
const [url, key] = process.argv.slice(1);
const remote = createRemoteClient({ url, headers: { authorization: 'Bearer ' + key }, context: { targetingKey: 'user-1' } });
const ready = await remote.ready({ timeout: 60000 });
console.log(JSON.stringify({ ready, value: remote.getBooleanValue('new-checkout', false) }));`;
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, evaluateUrl(), service.serverKey], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.signal, null, `the script did not end within 20 s: ${result.stdout} ${result.stderr}`);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { ready: true, value: true });
  assert.ok(Date.now() - started < 20_000);
});

test('a change made through the admin API is picked up on refresh, with a change event', async () => {
  const remote = createRemoteClient({ url: evaluateUrl(), headers: serverHeaders(), context: CONTEXTS[0] });
  try {
    await remote.ready({ timeout: 20_000 });
    assert.equal(remote.getBooleanValue('new-checkout', false), true);
    const changed = next(remote, 'change');
    await toggle('new-checkout', false);
    await remote.refresh();
    const { keys, revision } = await changed;
    assert.ok(keys.includes('new-checkout'), keys.join());
    assert.equal(revision, local.status.revision);
    assert.equal(remote.getBooleanValue('new-checkout', true), false);
    assert.equal(remote.getBooleanDetails('new-checkout', true).reason, local.getBooleanDetails('new-checkout', true, CONTEXTS[0]).reason);
  } finally {
    remote.close();
    await toggle('new-checkout', true);
  }
});

test('while the endpoint fails: the last answers, an error event, STALE once failing for longer than the TTL', async () => {
  // A service of its own, ended mid-test.
  const doomed = await startService();
  const remote = createRemoteClient({
    url: `${doomed.url}/api/v1/evaluate`,
    headers: { authorization: `Bearer ${doomed.serverKey}` },
    context: CONTEXTS[0],
    ttl: 300,
  });
  try {
    await remote.ready({ timeout: 20_000 });
    const before = remote.getBooleanDetails('new-checkout', false);
    assert.equal(before.value, true);
    await doomed.kill();
    const failed = next(remote, 'error');
    await remote.refresh();
    assert.equal((await failed).code, 'NETWORK');
    // Kept as it was until the TTL has passed since the first failure.
    const kept = remote.getBooleanDetails('new-checkout', false);
    if (!remote.status.stale) assert.deepEqual(kept, before);
    // The client retries on its own; once failing for longer than the TTL it says STALE.
    if (!remote.status.stale) await next(remote, 'stale');
    assert.deepEqual(remote.getBooleanDetails('new-checkout', false), { ...before, reason: 'STALE', engineReason: before.reason });
    assert.ok(remote.status.failures >= 2);
  } finally {
    remote.close();
    await doomed.stop();
  }
});

test('refused by the endpoint: the caller’s defaults and an error, for a key that is not valid', async () => {
  const unknown = `vxc_${'0'.repeat(12)}_${'0'.repeat(64)}`;
  const remote = createRemoteClient({ url: evaluateUrl(), headers: { authorization: `Bearer ${unknown}` } });
  try {
    assert.equal((await next(remote, 'error')).code, 'HTTP_401');
    assert.equal(await remote.ready({ timeout: 0 }), false);
    assert.equal(remote.getBooleanDetails('new-checkout', false).errorCode, 'PROVIDER_NOT_READY');
  } finally {
    remote.close();
  }
});

test('bootstrapped answers read CACHED until the endpoint confirms them', async () => {
  const answer = await (
    await fetch(evaluateUrl(), { method: 'POST', headers: serverHeaders(), body: JSON.stringify({ context: CONTEXTS[0] }) })
  ).json();
  const remote = createRemoteClient({ url: evaluateUrl(), headers: serverHeaders(), context: CONTEXTS[0], bootstrap: answer });
  try {
    const cached = remote.getBooleanDetails('new-checkout', false);
    assert.equal(cached.reason, 'CACHED');
    assert.equal(cached.engineReason, answer.flags['new-checkout'].reason);
    await remote.refresh();
    assert.equal(remote.getBooleanDetails('new-checkout', false).reason, answer.flags['new-checkout'].reason);
  } finally {
    remote.close();
  }
});

test('a backend evaluating the client snapshot with the local engine (the README recipe) answers as the service does', async () => {
  const snapshot = createClient({ url: `${service.url}/sdk/v1/snapshot`, headers: { authorization: `Bearer ${service.clientKey}` }, storage: null });
  assert.equal(await snapshot.ready({ timeout: 20_000 }), true);
  const backend = await listen(async (request, response) => {
    const { context } = JSON.parse(await body(request));
    const flags = Object.create(null);
    for (const result of snapshot.engine.evaluateAll(context)) flags[result.key] = result;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ revision: snapshot.status.revision, flags }));
  });
  const remote = createRemoteClient({ url: `${backend.url}/flags`, context: CONTEXTS[1] });
  try {
    await remote.ready({ timeout: 20_000 });
    // The example has no server-only flag: the client snapshot answers as the full one.
    assert.deepEqual(remoteAnswers(remote, local.engine.flagKeys), localAnswers(CONTEXTS[1]));
  } finally {
    remote.close();
    snapshot.close();
    await backend.close();
  }
});

test('the OpenFeature web provider answers from the remote client and follows context changes', async () => {
  const remote = createRemoteClient({ url: evaluateUrl(), headers: serverHeaders() });
  const provider = new VexilRemoteWebProvider(remote);
  try {
    await OpenFeature.setContext(CONTEXTS[0]);
    await OpenFeature.setProviderAndWait(provider);
    const client = OpenFeature.getClient();
    const expected = localAnswers(CONTEXTS[0])['new-checkout'];
    const details = client.getBooleanDetails('new-checkout', false);
    assert.equal(details.value, expected.value);
    assert.equal(details.variant, expected.variant);
    assert.equal(details.reason, expected.reason);
    await OpenFeature.setContext(CONTEXTS[2]);
    assert.equal(client.getBooleanValue('new-checkout', true), localAnswers(CONTEXTS[2])['new-checkout'].value);
    assert.equal(client.getStringDetails('no-such-flag', 'd').errorCode, 'FLAG_NOT_FOUND');
  } finally {
    await OpenFeature.close();
    remote.close();
  }
});

test('in Chromium, through a backend holding the client key: the local client’s answers, no WebAssembly', async () => {
  const module = await readFile(new URL('../src/remote.js', import.meta.url));
  const page = `<!doctype html><script type="module">
    import { createRemoteClient } from '/remote.js';
    const keys = ${JSON.stringify(local.engine.flagKeys.map((key) => [key, GETTERS[local.engine.flag(key).type]]))};
    const answers = (remote) => Object.fromEntries(keys.map(([key, getter]) => [key, remote[getter](key, null)]));
    const remote = createRemoteClient({ url: '/flags', context: ${JSON.stringify(CONTEXTS[0])} });
    const result = { ready: await remote.ready({ timeout: 20000 }), first: answers(remote) };
    await remote.setContext(${JSON.stringify(CONTEXTS[1])});
    result.second = answers(remote);
    window.result = result;
  </script>`;
  // The page's own backend: it adds the key, which the page never sees.
  const backend = await listen(async (request, response) => {
    if (request.url === '/flags' && request.method === 'POST') {
      const headers = { authorization: `Bearer ${service.clientKey}`, 'content-type': 'application/json' };
      const answer = await fetch(evaluateUrl(), { method: 'POST', headers, body: await body(request) });
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(await answer.text());
    } else if (request.url === '/remote.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(module);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' }).end(page);
    }
  });
  const chromium = await launchChromium();
  try {
    const tab = await chromium.browser.newPage();
    const errors = [];
    const fetched = [];
    tab.on('pageerror', (error) => errors.push(String(error)));
    tab.on('request', (request) => fetched.push(request.url()));
    await tab.goto(`${backend.url}/`);
    await tab.waitForFunction(() => window.result !== undefined, null, { timeout: 60_000 });
    const result = await tab.evaluate(() => window.result);
    assert.deepEqual(errors, []);
    assert.equal(result.ready, true);
    assert.deepEqual(result.first, localAnswers(CONTEXTS[0]));
    assert.deepEqual(result.second, localAnswers(CONTEXTS[1]));
    assert.deepEqual(fetched.filter((url) => url.endsWith('.wasm')), []);
    assert.equal(fetched.filter((url) => url.endsWith('/flags')).length, 2);
  } finally {
    await chromium.stop();
    await backend.close();
  }
});

test('in Chromium, on another origin, straight to the service with a client key: the client snapshot’s answers, no server-only flag', async () => {
  // A service of its own, with a server-only flag and a flag that needs it (both hidden from
  // client keys), so the other tests' snapshot stays the example.
  const own = await startService();
  const boolean = (key, extra) => ({ key, type: 'boolean', variants: { on: true, off: false }, offVariant: 'off', fallthrough: { variant: 'on' }, ...extra });
  const snapshotOf = (key) => createClient({ url: `${own.url}/sdk/v1/snapshot`, headers: { authorization: `Bearer ${key}` }, storage: null });
  let server;
  let client;
  const module = await readFile(new URL('../src/remote.js', import.meta.url));
  const page = `<!doctype html><script type="module">
    import { createRemoteClient } from '/remote.js';
    const url = ${JSON.stringify(`${own.url}/api/v1/evaluate`)};
    const keys = ['new-checkout', 'checkout-button-color', 'secret-discount', 'vip-checkout'];
    const answers = (remote) => Object.fromEntries(keys.map((key) => [key, remote[key === 'checkout-button-color' ? 'getStringDetails' : 'getBooleanDetails'](key, null)]));
    const remote = createRemoteClient({ url, headers: { authorization: 'Bearer ${own.clientKey}' }, context: ${JSON.stringify(CONTEXTS[0])} });
    const result = { origin: location.origin, ready: await remote.ready({ timeout: 20000 }), first: answers(remote), all: Object.keys(remote.allFlags()) };
    await remote.setContext(${JSON.stringify(CONTEXTS[2])});
    result.second = answers(remote);
    remote.close();
    // The same call with the server key: the service runs it but lets no page elsewhere read it.
    const refused = createRemoteClient({ url, headers: { authorization: 'Bearer ${own.serverKey}' } });
    result.serverKey = await new Promise((resolve) => refused.on('error', ({ code }) => resolve(code)));
    refused.close();
    window.result = result;
  </script>`;
  const site = await listen(async (request, response) => {
    if (request.url === '/remote.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(module);
    else response.writeHead(200, { 'content-type': 'text/html' }).end(page);
  });
  let chromium;
  try {
    const made = [
      await own.api('POST', '/api/v1/flags', boolean('secret-discount', { metadata: { serverOnly: true } })),
      await own.api('POST', '/api/v1/flags', boolean('vip-checkout', { prerequisites: [{ flag: 'secret-discount', variants: ['on'] }] })),
    ];
    for (const { status, body: answer } of made) assert.equal(status, 201, JSON.stringify(answer));
    server = snapshotOf(own.serverKey);
    client = snapshotOf(own.clientKey);
    assert.equal(await server.ready({ timeout: 20_000 }), true);
    assert.equal(await client.ready({ timeout: 20_000 }), true);
    assert.ok(server.engine.flagKeys.includes('secret-discount') && server.engine.flagKeys.includes('vip-checkout'));
    assert.deepEqual(client.engine.flagKeys, local.engine.flagKeys, 'the client snapshot: the example’s flags only');

    chromium = await launchChromium();
    const tab = await chromium.browser.newPage();
    const errors = [];
    tab.on('pageerror', (error) => errors.push(String(error)));
    await tab.goto(`${site.url}/`);
    await tab.waitForFunction(() => window.result !== undefined, null, { timeout: 60_000 });
    const result = await tab.evaluate(() => window.result);
    assert.deepEqual(errors, []);
    assert.notEqual(result.origin, new URL(own.url).origin, 'the page is on another origin than the service');
    assert.equal(result.ready, true);
    // What a page evaluating the client snapshot locally would answer.
    const expected = (context, key, getter) => {
      const { value, variant, reason, ruleId } = client[getter](key, null, context);
      return { value, variant, reason, ...(ruleId === undefined ? {} : { ruleId }) };
    };
    for (const [name, context] of [['first', CONTEXTS[0]], ['second', CONTEXTS[2]]]) {
      assert.deepEqual(result[name]['new-checkout'], expected(context, 'new-checkout', 'getBooleanDetails'), name);
      assert.deepEqual(result[name]['checkout-button-color'], expected(context, 'checkout-button-color', 'getStringDetails'), name);
      for (const hidden of ['secret-discount', 'vip-checkout']) {
        assert.deepEqual(result[name][hidden], { value: null, variant: null, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' }, `${name} ${hidden}`);
      }
    }
    assert.equal(result.first['new-checkout'].value, true, 'user-1 is staff');
    assert.deepEqual(result.all.sort(), [...client.engine.flagKeys].sort());
    assert.equal(result.serverKey, 'NETWORK', 'an answer to the server key is not readable from another origin');
    // The hidden flags are there for the server key, on the server.
    const full = await fetch(`${own.url}/api/v1/evaluate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${own.serverKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ context: CONTEXTS[0], flags: ['secret-discount', 'vip-checkout'] }),
    });
    const { flags } = await full.json();
    assert.equal(flags['secret-discount'].value, true);
    assert.equal(flags['vip-checkout'].value, true);
  } finally {
    await chromium?.stop();
    server?.close();
    client?.close();
    await site.close();
    await own.stop();
  }
});

function body(request) {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => resolve(text)).on('error', reject);
  });
}

async function listen(handler) {
  const server = createServer((request, response) => {
    handler(request, response).catch((error) => response.writeHead(500).end(String(error)));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
