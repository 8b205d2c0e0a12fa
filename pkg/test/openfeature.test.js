// The OpenFeature providers through the real SDKs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { OpenFeature as WebFeature, ProviderEvents as WebEvents } from '@openfeature/web-sdk';
import { OpenFeature as ServerFeature, ProviderEvents as ServerEvents } from '@openfeature/server-sdk';

import { createClient } from 'vexil';
import { VexilServerProvider, VexilWebProvider } from 'vexil/openfeature';
import { createRemoteClient } from 'vexil/remote';
import * as slim from 'vexil/slim';

const example = JSON.parse(readFileSync(new URL('../../examples/snapshot.json', import.meta.url), 'utf8'));
const bootstrap = (revision = 42) => JSON.stringify({ ...example, revision });

test('the web provider answers for the static context, follows context changes and reports changes', async () => {
  const client = createClient({ bootstrap: bootstrap(), storage: null });
  const provider = new VexilWebProvider(client);
  await WebFeature.setProviderAndWait(provider, { targetingKey: 'user-42', jurisdiction: 'quebec' });
  const features = WebFeature.getClient();

  const details = features.getBooleanDetails('quebec-ontario-launch', false);
  assert.equal(details.value, true);
  assert.equal(details.variant, 'on');
  // From a bootstrap without a url: the engine's reason (nothing is cached from anywhere), and
  // the rule in the metadata.
  assert.equal(details.reason, 'TARGETING_MATCH');
  assert.deepEqual(details.flagMetadata, { ruleId: 'canada-east' });

  await WebFeature.setContext({ targetingKey: 'user-42', jurisdiction: 'texas' });
  assert.equal(features.getBooleanValue('quebec-ontario-launch', true), false);

  const missing = features.getStringDetails('no-such-flag', 'fallback');
  assert.equal(missing.value, 'fallback');
  assert.equal(missing.errorCode, 'FLAG_NOT_FOUND');
  const mismatch = features.getNumberDetails('quebec-ontario-launch', 7);
  assert.equal(mismatch.value, 7);
  assert.equal(mismatch.errorCode, 'TYPE_MISMATCH');

  await WebFeature.close();
});

test('the web provider forwards CONFIGURATION_CHANGED with the changed keys, and STALE', async () => {
  const changed = structuredClone(example);
  changed.revision = 43;
  changed.flags.find((flag) => flag.key === 'legacy-search').fallthrough = { variant: 'off' };
  const responses = [bootstrap(42), JSON.stringify(changed)];
  let clock = 0;
  const client = createClient({
    url: 'http://127.0.0.1:9/unused',
    storage: null,
    now: () => clock,
    ttl: 1000,
    setTimeout: () => 0,
    clearTimeout: () => {},
    fetch: async () => {
      const body = responses.shift();
      if (body === undefined) throw new TypeError('network down');
      return new Response(body, { status: 200, headers: { etag: `"${responses.length}"` } });
    },
  });
  const provider = new VexilWebProvider(client);
  await WebFeature.setProviderAndWait(provider, { targetingKey: 'u' });
  const features = WebFeature.getClient();
  const changes = [];
  const stale = [];
  features.addHandler(WebEvents.ConfigurationChanged, (event) => changes.push(event.flagsChanged));
  features.addHandler(WebEvents.Stale, () => stale.push(true));
  await client.refresh();
  await client.refresh();
  assert.deepEqual(changes, [['legacy-search']]);
  assert.equal(features.getBooleanValue('legacy-search', true), false);
  clock += 5000;
  await client.refresh();
  assert.equal(stale.length, 1);
  assert.equal(features.getBooleanDetails('legacy-search', true).reason, 'STALE');
  await WebFeature.close();
});

test('the server provider evaluates each call with its own context', async () => {
  const provider = new VexilServerProvider({ bootstrap: bootstrap(), storage: null });
  await ServerFeature.setProviderAndWait(provider);
  const features = ServerFeature.getClient();
  assert.equal(await features.getBooleanValue('quebec-ontario-launch', false, { targetingKey: 'a', jurisdiction: 'quebec' }), true);
  assert.equal(await features.getBooleanValue('quebec-ontario-launch', true, { targetingKey: 'a', jurisdiction: 'texas' }), false);
  const details = await features.getStringDetails('checkout-button-color', 'grey', { targetingKey: 'user-7', checkoutVariant: 'new' });
  assert.equal(typeof details.value, 'string');
  assert.ok(details.reason);
  const missing = await features.getBooleanDetails('no-such-flag', true, { targetingKey: 'a' });
  assert.equal(missing.errorCode, 'FLAG_NOT_FOUND');
  assert.equal(missing.value, true);
  await ServerFeature.close();
});

test('a provider that cannot load a snapshot reports an error, then READY when one arrives', async () => {
  let available = false;
  // Real timers here: the provider's ready timeout must fire. The backoff keeps retries away.
  const client = createClient({
    url: 'http://127.0.0.1:9/unused',
    storage: null,
    backoff: { initial: 60_000, max: 60_000 },
    fetch: async () => {
      if (!available) throw new TypeError('network down');
      return new Response(bootstrap(), { status: 200 });
    },
  });
  const provider = new VexilServerProvider(client, { readyTimeout: 20 });
  await assert.rejects(() => ServerFeature.setProviderAndWait(provider));
  const features = ServerFeature.getClient();
  const ready = [];
  features.addHandler(ServerEvents.Ready, () => ready.push(true));
  assert.equal((await features.getBooleanDetails('quebec-ontario-launch', false, { targetingKey: 'a' })).errorCode, 'PROVIDER_NOT_READY');
  available = true;
  await client.refresh();
  assert.equal(ready.length, 1);
  assert.equal(await features.getBooleanValue('quebec-ontario-launch', false, { targetingKey: 'a', jurisdiction: 'quebec' }), true);
  await ServerFeature.close();
  // The provider was given this client, so closing it is the caller's job.
  client.close();
});

test('a provider refuses the other paradigm', async () => {
  await assert.rejects(() => ServerFeature.setProviderAndWait(new VexilWebProvider({ bootstrap: bootstrap(), storage: null })));
  await ServerFeature.close();
});

test('a provider takes a client of vexil/slim as it is', async () => {
  await slim.initialize(readFileSync(new URL('../dist/vexil_web.wasm', import.meta.url)));
  const client = slim.createClient({ bootstrap: bootstrap(), storage: null });
  const provider = new VexilWebProvider(client);
  assert.equal(provider.client, client);
  await WebFeature.setProviderAndWait(provider, { targetingKey: 'user-42', jurisdiction: 'quebec' });
  assert.equal(WebFeature.getClient().getBooleanValue('quebec-ontario-launch', false), true);
  await WebFeature.close();
  // Given, not owned: closing OpenFeature leaves the client open.
  assert.equal(client.status.closed, false);
  client.close();
});

test('a provider made from options answers NOT_READY until initialized, then makes its client', async () => {
  const provider = new VexilServerProvider({ bootstrap: bootstrap(), storage: null });
  assert.equal(provider.client, undefined);
  const early = await provider.resolveBooleanEvaluation('quebec-ontario-launch', false, { targetingKey: 'a', jurisdiction: 'quebec' });
  assert.deepEqual(
    { value: early.value, reason: early.reason, errorCode: early.errorCode },
    { value: false, reason: 'ERROR', errorCode: 'PROVIDER_NOT_READY' },
  );
  const web = new VexilWebProvider({ bootstrap: bootstrap(), storage: null });
  assert.equal(web.resolveStringEvaluation('checkout-button-color', 'grey').errorCode, 'PROVIDER_NOT_READY');
  // A context given before the client exists is the one it evaluates for.
  web.onContextChange({}, { targetingKey: 'user-42', jurisdiction: 'quebec' });

  await Promise.all([provider.initialize(), web.initialize()]);
  const answer = await provider.resolveBooleanEvaluation('quebec-ontario-launch', false, { targetingKey: 'a', jurisdiction: 'quebec' });
  assert.equal(answer.value, true);
  assert.equal(web.resolveBooleanEvaluation('quebec-ontario-launch', false).value, true);

  // Closed, the client is closed; initialized again, the provider makes a new one.
  const first = provider.client;
  await provider.onClose();
  assert.equal(first.status.closed, true);
  await provider.initialize();
  assert.notEqual(provider.client, first);
  assert.equal(provider.client.status.closed, false);
  await provider.onClose();
  await web.onClose();
});

test('a provider closed while it initializes makes no client', async () => {
  const provider = new VexilWebProvider({ bootstrap: bootstrap(), storage: null });
  const initializing = provider.initialize();
  await provider.onClose();
  await initializing;
  assert.equal(provider.client, undefined);
});

test('a provider refuses a RemoteClient, whose answers take no context', () => {
  const remote = createRemoteClient({ url: 'http://127.0.0.1:9/flags', fetch: async () => new Response('{}') });
  try {
    assert.throws(() => new VexilServerProvider(remote), { name: 'TypeError', message: /VexilRemoteWebProvider/ });
  } finally {
    remote.close();
  }
});
