// What JavaScript hands the package (contexts, options, keys, instants) is read on the JavaScript
// side, and nothing it throws or names is mistaken for a failure of the engine: a throwing getter,
// `toJSON` or Proxy is INVALID_CONTEXT and leaves the WebAssembly instance alone; only a real trap
// replaces it. Flag keys, variant keys and attribute names that JavaScript objects already have
// (`__proto__`, `constructor`, `toString`, …) are data like any other, through every API.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { OpenFeature as ServerFeature } from '@openfeature/server-sdk';
import { OpenFeature as WebFeature } from '@openfeature/web-sdk';

import { Engine, VexilError, createClient } from 'vexil';
import { VexilServerProvider, VexilWebProvider } from 'vexil/openfeature';
import { _restartsForTesting, _trapForTesting } from '../src/engine.js';

const example = readFileSync(new URL('../../examples/snapshot.json', import.meta.url), 'utf8');
const NOW = '2026-11-22T12:00:00Z';
const KEY = 'quebec-ontario-launch';
const quebec = { targetingKey: 'user-42', jurisdiction: 'quebec' };
const launched = { value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleId: 'canada-east' };

// Values a getter, toJSON or Proxy trap might throw: not only Errors.
const THROWN = [
  new Error('a getter failed'),
  null,
  undefined,
  42,
  'text',
  Symbol('thrown'),
  { not: 'an Error' },
  Object.assign(new Error('an Error with a code'), { code: 'EVIL' }),
  Object.assign(new TypeError('a TypeError with a known code'), { code: 'FLAG_NOT_FOUND' }),
  new RangeError('a RangeError'),
  new WebAssembly.RuntimeError('a RuntimeError thrown by a caller, not by the engine'),
];

// Contexts whose reading throws `value`, each a different way.
function throwingContexts(value) {
  return [
    {
      targetingKey: 'user-42',
      get jurisdiction() {
        throw value;
      },
    },
    {
      targetingKey: 'user-42',
      toJSON() {
        throw value;
      },
    },
    new Proxy(
      {},
      {
        get() {
          throw value;
        },
      },
    ),
    new Proxy(
      { targetingKey: 'user-42' },
      {
        ownKeys() {
          throw value;
        },
        getPrototypeOf() {
          throw value;
        },
      },
    ),
  ];
}

// Runs `call`, and fails if it throws or if the WebAssembly instance was replaced meanwhile.
function withoutRestart(call, message) {
  const before = _restartsForTesting();
  let result;
  assert.doesNotThrow(() => {
    result = call();
  }, message);
  assert.equal(_restartsForTesting(), before, `${message}: the instance was replaced`);
  return result;
}

function assertError(result, code, message) {
  assert.equal(result.reason, 'ERROR', message);
  assert.equal(result.errorCode, code, message);
  assert.equal(typeof result.errorMessage, 'string', message);
}

test('a context that throws when read is INVALID_CONTEXT in every call, and the instance is kept', () => {
  const engine = new Engine(example);
  const prepared = engine.prepare(quebec);
  for (const value of THROWN) {
    for (const [index, context] of throwingContexts(value).entries()) {
      const what = `context ${index} throwing ${String(value?.message ?? typeof value)}`;
      assertError(withoutRestart(() => engine.evaluate(KEY, context), what), 'INVALID_CONTEXT', what);
      const typed = withoutRestart(() => engine.booleanDetails(KEY, false, context), what);
      assertError(typed, 'INVALID_CONTEXT', what);
      assert.equal(typed.value, false, what);
      for (const result of withoutRestart(() => engine.evaluateAll(context), what)) {
        assertError(result, 'INVALID_CONTEXT', what);
      }
      assertError(withoutRestart(() => engine.explain(KEY, context), what).evaluation, 'INVALID_CONTEXT', what);
      const refused = withoutRestart(() => engine.prepare(context), what);
      assertError(withoutRestart(() => engine.evaluate(KEY, refused), what), 'INVALID_CONTEXT', what);
    }
  }
  // Everything made before still works.
  assert.deepEqual(engine.evaluate(KEY, prepared, { now: NOW }), launched);
  assert.deepEqual(engine.evaluate(KEY, quebec, { now: NOW }), launched);
});

test('calls that never throw do not throw for null or unreadable options, or odd keys', () => {
  const engine = new Engine(example);
  const throwingOptions = [
    {
      get now() {
        throw null;
      },
    },
    {
      get defaultValue() {
        throw new Error('no default');
      },
    },
    new Proxy(
      {},
      {
        get() {
          throw Object.assign(new Error('coded'), { code: 'EVIL' });
        },
      },
    ),
  ];
  // null options are no options.
  assert.deepEqual(withoutRestart(() => engine.evaluate(KEY, quebec, null), 'evaluate null'), {
    ...engine.evaluate(KEY, quebec),
  });
  assert.equal(withoutRestart(() => engine.evaluateAll(quebec, null), 'evaluateAll null').length, engine.flagKeys.length);
  assert.ok(withoutRestart(() => engine.evaluateAll(quebec, null), 'evaluateAll null').every((result) => !result.errorCode));
  assert.equal(withoutRestart(() => engine.explain(KEY, quebec, null), 'explain null').evaluation.errorCode, undefined);
  assert.equal(withoutRestart(() => engine.booleanDetails(KEY, false, quebec, null), 'typed null').errorCode, undefined);
  for (const options of throwingOptions) {
    assertError(withoutRestart(() => engine.evaluate(KEY, quebec, options), 'options'), 'GENERAL', 'options');
    // Typed details read `now` alone.
    const typed = withoutRestart(() => engine.booleanDetails(KEY, false, quebec, options), 'typed');
    if (options === throwingOptions[1]) assert.equal(typed.errorCode, undefined);
    else assertError(typed, 'GENERAL', 'typed');
    for (const result of withoutRestart(() => engine.evaluateAll(quebec, options), 'evaluateAll')) {
      assertError(result, 'GENERAL', 'evaluateAll options');
    }
    assertError(withoutRestart(() => engine.explain(KEY, quebec, options), 'explain').evaluation, 'GENERAL', 'explain');
  }
  // An unknown type, however it is spelled, and one an object already has as a property.
  for (const type of [Symbol('type'), 'date', 'constructor', 'toString', '__proto__', { toString: () => 'boolean' }]) {
    assertError(withoutRestart(() => engine.evaluate(KEY, quebec, { type }), 'type'), 'GENERAL', 'type');
  }
  // A key that is not a string names no flag, whatever it would do when converted.
  const keys = [
    42,
    10n,
    Symbol('key'),
    null,
    undefined,
    {
      toJSON() {
        throw new Error('no');
      },
      toString: () => KEY,
    },
    new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
      },
    ),
    [KEY],
  ];
  for (const key of keys) {
    const what = typeof key;
    assertError(withoutRestart(() => engine.evaluate(key, quebec), what), 'FLAG_NOT_FOUND', what);
    assertError(withoutRestart(() => engine.stringDetails(key, 'x', quebec), what), 'FLAG_NOT_FOUND', what);
    assertError(withoutRestart(() => engine.explain(key, quebec), what).evaluation, 'FLAG_NOT_FOUND', what);
    assert.equal(withoutRestart(() => engine.flag(key), what), undefined);
  }
});

test('explain does not find a flag through a lone surrogate turned into U+FFFD', () => {
  const engine = new Engine({
    schemaVersion: 1,
    revision: 1,
    generatedAt: NOW,
    flags: [{ key: '\uFFFD', type: 'string', variants: { r: 'r' }, fallthrough: { variant: 'r' } }],
  });
  assert.equal(engine.explain('\uFFFD', {}).evaluation.value, 'r');
  assertError(withoutRestart(() => engine.explain('\uD800', {}), 'surrogate').evaluation, 'FLAG_NOT_FOUND', 'surrogate');
});

test('an instant that is not one answers INVALID_INSTANT in every call, without a restart', () => {
  const engine = new Engine(example);
  const date = new Date('2026-11-28T12:00:00Z');
  const odd = [
    'yesterday',
    '2026-13-01T00:00:00Z',
    Number.NaN,
    Number.POSITIVE_INFINITY,
    new Date(Number.NaN),
    null,
    Symbol('now'),
    10n,
    {},
    { valueOf: () => 0 },
    new Proxy(date, {
      getPrototypeOf() {
        throw new Error('no');
      },
    }),
  ];
  for (const [index, now] of odd.entries()) {
    const what = `instant ${index}`;
    assertError(withoutRestart(() => engine.evaluate(KEY, quebec, { now }), what), 'INVALID_INSTANT', what);
    assertError(withoutRestart(() => engine.numberDetails(KEY, 1, quebec, { now }), what), 'INVALID_INSTANT', what);
    for (const result of withoutRestart(() => engine.evaluateAll(quebec, { now }), what)) {
      assertError(result, 'INVALID_INSTANT', what);
    }
    assertError(withoutRestart(() => engine.explain(KEY, quebec, { now }), what).evaluation, 'INVALID_INSTANT', what);
  }
  // Dates still work, subclasses included.
  class Local extends Date {}
  assert.deepEqual(engine.evaluate(KEY, quebec, { now: new Local(NOW) }), launched);
});

test('a real trap still replaces the instance, and every engine reloads', () => {
  const engine = new Engine(example);
  const before = _restartsForTesting();
  assert.equal(_trapForTesting(), true);
  assert.equal(_restartsForTesting(), before + 1);
  assert.deepEqual(engine.evaluate(KEY, quebec, { now: NOW }), launched);
});

// Names every JavaScript object has, or that change an object when assigned.
const RESERVED = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
  'then',
  'toJSON',
];

// A flag per reserved name, keyed by it, with a variant of that name serving an object with that
// key, for users whose attribute of that name is "yes".
function reservedSnapshot(revision = 1) {
  return JSON.stringify({
    schemaVersion: 1,
    revision,
    generatedAt: NOW,
    flags: RESERVED.map((name) => ({
      key: name,
      type: 'object',
      variants: JSON.parse(`{${JSON.stringify(name)}: {${JSON.stringify(name)}: true, "isAdmin": true}, "plain": {}}`),
      rules: [
        {
          id: name,
          conditions: [{ attribute: name, op: 'equals', value: 'yes' }],
          serve: { variant: name },
        },
      ],
      fallthrough: { variant: 'plain' },
    })),
  });
}

// A context with every reserved name as an own attribute (JSON.parse makes `__proto__` one).
const reservedContext = JSON.parse(`{"targetingKey": "u", ${RESERVED.map((name) => `${JSON.stringify(name)}: "yes"`).join(', ')}}`);

function assertServed(value, name, message) {
  assert.ok(value !== null && typeof value === 'object', message);
  assert.ok(Object.hasOwn(value, name), `${message}: no own ${name}`);
  assert.equal(value[name], true, message);
}

test('reserved names are flag keys, variant keys and attribute names like any other, in the engine', () => {
  const engine = new Engine(reservedSnapshot());
  assert.deepEqual(engine.flagKeys, RESERVED);
  const all = engine.evaluateAll(reservedContext);
  assert.deepEqual(all.map((result) => result.key), RESERVED);
  for (const [position, name] of RESERVED.entries()) {
    const result = engine.evaluate(name, reservedContext);
    assert.equal(result.variant, name, name);
    assert.equal(result.ruleId, name, name);
    assertServed(result.value, name, name);
    assert.equal(all[position].variant, name, name);
    assert.equal(engine.objectDetails(name, {}, reservedContext).variant, name, name);
    assert.equal(engine.explain(name, reservedContext).evaluation.variant, name, name);
    assert.equal(engine.evaluate(name, { targetingKey: 'u' }).variant, 'plain', name);
    const flag = engine.flag(name);
    assert.equal(flag.key, name);
    assert.deepEqual(flag.variants.map(([variant]) => variant), [name, 'plain']);
    assert.equal(engine.evaluate(name, engine.prepare(reservedContext)).variant, name, name);
  }
  const stats = engine.stats();
  assert.ok(stats.flags.some((flag) => flag.flag === '__proto__' && flag.variants.some((entry) => entry.variant === '__proto__')));
});

test('reserved names are data like any other in the client: details, allFlags, overrides, stats', () => {
  const client = createClient({ bootstrap: reservedSnapshot(), storage: null, context: reservedContext });
  const all = client.allFlags();
  // Every flag is an own key, and none changes what the object is.
  assert.deepEqual(Object.keys(all), RESERVED);
  assert.equal(all.isAdmin, undefined);
  for (const name of RESERVED) {
    assert.ok(Object.hasOwn(all, name), name);
    assertServed(all[name], name, name);
    const details = client.getObjectDetails(name, {});
    assert.equal(details.variant, name, name);
    assertServed(details.value, name, name);
    assertServed(client.getObjectValue(name, {}, { targetingKey: 'v' }), name, `${name} merged`);
  }
  const plain = createClient({ bootstrap: reservedSnapshot(), storage: null }).allFlags({ targetingKey: 'w' });
  for (const name of RESERVED) assert.deepEqual(plain[name], {}, name);
  // A flag key the result does not hold is absent, not inherited.
  const none = createClient({ bootstrap: example, storage: null }).allFlags();
  for (const name of RESERVED) assert.equal(none[name], undefined, `allFlags() of a snapshot without ${name}`);

  for (const name of RESERVED) client.setOverride(name, 'plain');
  const overrides = client.overrides();
  assert.deepEqual(Object.keys(overrides), RESERVED);
  for (const name of RESERVED) {
    assert.equal(overrides[name], 'plain', name);
    assert.equal(client.getObjectDetails(name, {}).reason, 'LOCAL_OVERRIDE', name);
  }
  client.clearOverride();
  for (const name of RESERVED) assert.equal(client.overrides()[name], undefined, name);

  const stats = client.stats();
  const proto = stats.flags.find((flag) => flag.flag === '__proto__');
  assert.ok(Object.hasOwn(proto.variants, '__proto__'));
  assert.equal(typeof proto.variants.__proto__, 'number');
  for (const flag of stats.flags) {
    for (const name of RESERVED) {
      if (name !== flag.flag && name !== 'plain') assert.equal(flag.variants[name], undefined, `${flag.flag} ${name}`);
    }
  }
  client.close();
});

test('reserved names survive persisted overrides and are reported as changed flags', async () => {
  const items = new Map();
  const storage = { getItem: (key) => items.get(key) ?? null, setItem: (key, value) => items.set(key, value), removeItem: (key) => items.delete(key) };
  const first = createClient({ bootstrap: reservedSnapshot(), storage, context: reservedContext });
  for (const name of RESERVED) first.setOverride(name, 'plain');
  first.close();
  const again = createClient({ bootstrap: reservedSnapshot(), storage, context: reservedContext });
  assert.deepEqual(Object.keys(again.overrides()), RESERVED);
  assert.equal(again.getObjectDetails('__proto__', {}).reason, 'LOCAL_OVERRIDE');
  again.close();

  // A new revision where only `__proto__` and `constructor` changed.
  const next = JSON.parse(reservedSnapshot(2));
  for (const flag of next.flags) if (flag.key === '__proto__' || flag.key === 'constructor') flag.fallthrough = { variant: flag.key };
  const client = createClient({
    url: 'https://config.invalid/flags.json',
    bootstrap: reservedSnapshot(),
    storage: null,
    fetch: async () => new Response(JSON.stringify(next)),
    setTimeout: () => 0,
    clearTimeout: () => undefined,
  });
  const changes = [];
  client.on('change', ({ keys }) => changes.push(keys));
  await client.refresh();
  assert.deepEqual(changes, [['__proto__', 'constructor']]);
  assert.equal(client.getObjectDetails('__proto__', {}).variant, '__proto__');
  assert.deepEqual(client.allFlags({ targetingKey: 'w' }).constructor, { constructor: true, isAdmin: true });
  client.close();
});

test('a context that throws when read gives the default with INVALID_CONTEXT from the client', () => {
  const client = createClient({ bootstrap: example, storage: null, context: quebec });
  for (const value of THROWN) {
    // The client spreads a call's context over its own: a Proxy that throws only when a
    // property is read, and has none, is read as an empty context there.
    const contexts = throwingContexts(value).filter((_, index) => index !== 2);
    for (const context of contexts) {
      const result = withoutRestart(() => client.getBooleanDetails(KEY, false, context), 'client');
      assertError(result, 'INVALID_CONTEXT', 'client');
      assert.equal(result.value, false);
      assert.equal(withoutRestart(() => client.getBooleanValue(KEY, false, context), 'value'), false);
      const all = withoutRestart(() => client.allFlags(context), 'allFlags');
      assert.equal(Object.keys(all).length, client.engine.flagKeys.length);
      withoutRestart(() => client.setContext(context), 'setContext');
      assertError(withoutRestart(() => client.getBooleanDetails(KEY, false), 'set'), 'INVALID_CONTEXT', 'set');
      client.setContext(quebec);
    }
  }
  assert.equal(client.getBooleanValue(KEY, false), true);
  client.close();
});

test('reserved flag keys through both OpenFeature providers', async () => {
  const server = new VexilServerProvider({ bootstrap: reservedSnapshot(), storage: null });
  await ServerFeature.setProviderAndWait(server);
  const features = ServerFeature.getClient();
  for (const name of RESERVED) {
    const details = await features.getObjectDetails(name, {}, reservedContext);
    assert.equal(details.variant, name, name);
    assertServed(details.value, name, name);
    assert.equal((await features.getObjectDetails(name, {}, { targetingKey: 'u' })).variant, 'plain', name);
  }
  await ServerFeature.close();

  const web = new VexilWebProvider({ bootstrap: reservedSnapshot(), storage: null });
  await WebFeature.setProviderAndWait(web, reservedContext);
  const page = WebFeature.getClient();
  for (const name of RESERVED) {
    const details = page.getObjectDetails(name, {});
    assert.equal(details.variant, name, name);
    assertServed(details.value, name, name);
  }
  await WebFeature.close();
});

test('ready() and flush() neither throw nor reject, whatever options they are given', async () => {
  const client = createClient({ bootstrap: example, storage: null });
  const options = [
    null,
    42,
    {
      get timeout() {
        throw null;
      },
      get beacon() {
        throw new Error('no');
      },
    },
    new Proxy(
      {},
      {
        get() {
          throw Object.assign(new Error('coded'), { code: 'EVIL' });
        },
      },
    ),
  ];
  for (const option of options) {
    let ready;
    assert.doesNotThrow(() => {
      ready = client.ready(option);
    });
    assert.equal(await ready, true);
    client.getBooleanValue(KEY, false);
    const counts = await client.flush(option);
    assert.equal(counts.flags.length, 1);
  }
  client.close();
});

test('a snapshot or engine options that throw when read are refused with a VexilError', () => {
  const document = JSON.parse(example);
  for (const value of THROWN) {
    const snapshots = [
      {
        ...document,
        get flags() {
          throw value;
        },
      },
      {
        toJSON() {
          throw value;
        },
      },
      new Proxy(document, {
        getPrototypeOf() {
          throw value;
        },
        get() {
          throw value;
        },
      }),
    ];
    for (const snapshot of snapshots) {
      assert.throws(
        () => new Engine(snapshot),
        (error) => error instanceof VexilError && error.code === 'NOT_JSON' && typeof error.message === 'string',
      );
    }
    const options = [
      {
        get limits() {
          throw value;
        },
      },
      {
        limits: {
          get maxFlags() {
            throw value;
          },
        },
      },
    ];
    for (const option of options) {
      assert.throws(
        () => new Engine(example, option),
        (error) => error instanceof VexilError && error.code === 'INVALID_LIMITS',
      );
    }
  }
  // No options, null options and readable limits still load.
  assert.equal(new Engine(example, null).revision, 42);
  assert.equal(new Engine(example, { limits: { maxFlags: 100 } }).revision, 42);
  assert.throws(() => new Engine(example, { limits: { maxFlags: 1 } }), (error) => error.code === 'LIMIT_FLAGS');
});
