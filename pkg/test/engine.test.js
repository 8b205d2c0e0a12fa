// The JavaScript engine's own promises: evaluation never throws, whatever it is given and even
// when the WebAssembly instance traps; unusable snapshots throw a VexilError with a code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { Engine, PreparedContext, VexilError } from 'vexil';
import * as glue from '../dist/vexil.js';
import { _trapForTesting } from '../src/engine.js';

const example = readFileSync(new URL('../../examples/snapshot.json', import.meta.url), 'utf8');
const NOW = '2026-11-22T12:00:00Z';
const quebec = { targetingKey: 'user-42', jurisdiction: 'quebec' };
const launched = { value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleId: 'canada-east' };

test('a snapshot loads from text, bytes or an object, with its header', () => {
  for (const snapshot of [example, new TextEncoder().encode(example), JSON.parse(example)]) {
    const engine = new Engine(snapshot);
    assert.equal(engine.revision, 42);
    assert.equal(engine.schemaVersion, 1);
    assert.deepEqual(engine.diagnostics(), []);
    assert.ok(engine.flagKeys.includes('quebec-ontario-launch'));
    assert.deepEqual(engine.evaluate('quebec-ontario-launch', quebec, { now: NOW }), launched);
  }
});

test('text in any script loads the same as text, bytes, an ArrayBuffer or an object', () => {
  // Non-ASCII early and late (text is encoded straight into WebAssembly memory, in two steps
  // once a character needs more than one byte), four-byte characters, and a byte-order mark.
  const flag = (key, value) => ({
    key,
    type: 'string',
    enabled: true,
    variants: { only: value },
    fallthrough: { variant: 'only' },
  });
  const document = {
    schemaVersion: 1,
    revision: 7,
    generatedAt: '2026-11-22T00:00:00Z',
    flags: [
      flag('café-ü', 'Grüße aus Québec'),
      ...Array.from({ length: 50 }, (_, i) => flag(`plain-${i}`, 'ascii '.repeat(20))),
      flag('北京-🚀', '𝄞 music and 😀 smiles'),
    ],
  };
  const text = JSON.stringify(document);
  const bytes = new TextEncoder().encode(text);
  const forms = [text, `\uFEFF${text}`, bytes, bytes.buffer.slice(0), document];
  for (const snapshot of forms) {
    const engine = new Engine(snapshot);
    assert.deepEqual(engine.flagKeys, document.flags.map((each) => each.key));
    assert.equal(engine.evaluate('北京-🚀', {}).value, '𝄞 music and 😀 smiles');
    assert.equal(engine.evaluate('café-ü', {}).value, 'Grüße aus Québec');
    engine.free();
  }
  // The buffer a snapshot was encoded into is reused by the next: a shorter text after a longer
  // one must not see the longer one's end, nor a longer one be cut at the shorter's size.
  const short = { ...document, flags: document.flags.slice(0, 2) };
  for (const snapshot of [JSON.stringify(short), text, JSON.stringify(short), `\uFEFF${text}`, bytes]) {
    const engine = new Engine(snapshot);
    assert.equal(engine.flagKeys.length, snapshot === bytes || snapshot.length > 5000 ? 52 : 2);
    assert.equal(engine.evaluate('café-ü', {}).value, 'Grüße aus Québec');
  }
});

test('an unusable snapshot throws a VexilError with its code and path', () => {
  const cases = [
    ['{', 'NOT_JSON', undefined],
    ['[]', 'SHAPE', '$'],
    ['{"schemaVersion":2}', 'UNSUPPORTED_SCHEMA_VERSION', '$.schemaVersion'],
    [42, 'NOT_JSON', undefined],
    [null, 'NOT_JSON', undefined],
  ];
  for (const [snapshot, code, path] of cases) {
    assert.throws(
      () => new Engine(snapshot),
      (error) => error instanceof VexilError && error.code === code && error.path === path,
      String(snapshot),
    );
  }
  assert.throws(
    () => new Engine(example, { limits: { maxFlags: 'many' } }),
    (error) => error instanceof VexilError && error.code === 'INVALID_LIMITS',
  );
});

test('evaluation never throws, whatever it is given', () => {
  const engine = new Engine(example);
  const cyclic = { targetingKey: 'a' };
  cyclic.self = cyclic;
  const odd = [
    ['quebec-ontario-launch', cyclic, {}, 'INVALID_CONTEXT'],
    ['quebec-ontario-launch', { targetingKey: 10n }, {}, 'INVALID_CONTEXT'],
    ['quebec-ontario-launch', 'not json', {}, 'INVALID_CONTEXT'],
    ['quebec-ontario-launch', quebec, { now: 'yesterday' }, 'INVALID_INSTANT'],
    ['quebec-ontario-launch', quebec, { now: Number.NaN }, 'INVALID_INSTANT'],
    ['quebec-ontario-launch', quebec, { type: 'date' }, 'GENERAL'],
    [42, quebec, {}, 'FLAG_NOT_FOUND'],
    [undefined, undefined, undefined, 'FLAG_NOT_FOUND'],
  ];
  for (const [key, context, options, code] of odd) {
    const result = engine.evaluate(key, context, options);
    assert.equal(result.reason, 'ERROR', `${String(key)} ${code}`);
    assert.equal(result.errorCode, code, `${String(key)} ${code}`);
    assert.equal(result.value, null);
  }
  const prepared = engine.prepare(cyclic);
  assert.ok(prepared instanceof PreparedContext);
  assert.equal(engine.evaluate('quebec-ontario-launch', prepared).errorCode, 'INVALID_CONTEXT');
  const all = engine.evaluateAll(cyclic);
  assert.deepEqual(all.map((result) => result.key), engine.flagKeys);
  assert.ok(all.every((result) => result.errorCode === 'INVALID_CONTEXT'));
  assert.equal(engine.explain('quebec-ontario-launch', cyclic).evaluation.errorCode, 'INVALID_CONTEXT');
});

test('a context prepared for one engine is refused by another', () => {
  const first = new Engine(example);
  const second = new Engine(example);
  const prepared = first.prepare(quebec);
  assert.deepEqual(first.evaluate('quebec-ontario-launch', prepared, { now: NOW }), launched);
  assert.equal(second.evaluate('quebec-ontario-launch', prepared, { now: NOW }).errorCode, 'INVALID_CONTEXT');
});

test('typed details give the default with TYPE_MISMATCH for another type', () => {
  const engine = new Engine(example);
  const details = engine.stringDetails('quebec-ontario-launch', 'fallback', quebec, { now: NOW });
  assert.deepEqual(details, { value: 'fallback', variant: null, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
  assert.deepEqual(engine.booleanDetails('quebec-ontario-launch', false, quebec, { now: NOW }), launched);
  const missing = engine.numberDetails('no-such-flag', 7, quebec);
  assert.equal(missing.value, 7);
  assert.equal(missing.errorCode, 'FLAG_NOT_FOUND');
});

test('instants may be a Date, milliseconds or RFC 3339 text, to the nanosecond', () => {
  const engine = new Engine(example);
  const at = (now) => engine.evaluate('black-friday-banner', { targetingKey: 'u' }, { now }).variant;
  const inside = at('2026-11-28T12:00:00Z');
  assert.equal(at(new Date('2026-11-28T12:00:00Z')), inside);
  assert.equal(at(Date.parse('2026-11-28T12:00:00Z')), inside);
  // The sale ends at 2026-12-01T00:00:00-05:00: its last nanosecond is inside the window, the
  // end itself is not (a millisecond clock could not tell these apart).
  assert.equal(at('2026-12-01T04:59:59.999999999Z'), inside);
  assert.equal(at('2026-12-01T05:00:00Z'), 'none');
  assert.equal(inside, 'sale');
});

test('served values are frozen, so a caller cannot change what others are served', () => {
  const engine = new Engine(example);
  const { value } = engine.evaluate('onboarding-config', { targetingKey: 'u' }, { now: NOW });
  assert.equal(typeof value, 'object');
  assert.ok(Object.isFrozen(value));
  assert.throws(() => {
    'use strict';
    value.injected = true;
  }, TypeError);
});

test('bulk results are frozen and shared between calls, and still match single evaluations', () => {
  const engine = new Engine(example);
  const first = engine.evaluateAll(quebec, { now: NOW });
  const second = engine.evaluateAll(engine.prepare(quebec), { now: NOW });
  assert.ok(first.length > 1);
  first.forEach((result, position) => {
    assert.ok(Object.isFrozen(result));
    assert.equal(second[position], result, result.key);
    const { key, ...answer } = result;
    assert.deepEqual(answer, engine.evaluate(key, quebec, { now: NOW }));
  });
  // Another context with other answers gets other objects, not stale ones.
  const elsewhere = engine.evaluateAll({ targetingKey: 'user-42', jurisdiction: 'ontario' }, { now: NOW });
  const launch = (results) => results.find((result) => result.key === 'quebec-ontario-launch');
  assert.deepEqual(launch(elsewhere), { ...engine.evaluate('quebec-ontario-launch', { targetingKey: 'user-42', jurisdiction: 'ontario' }, { now: NOW }), key: 'quebec-ontario-launch' });
});

test('a plain context is prepared once for repeated calls, and a changed one again', () => {
  const engine = new Engine(example);
  const user = { targetingKey: 'user-42', jurisdiction: 'quebec' };
  const key = 'quebec-ontario-launch';
  const inQuebec = engine.evaluate(key, user, { now: NOW });
  assert.deepEqual(engine.evaluate(key, user, { now: NOW }), inQuebec);
  user.jurisdiction = 'alberta';
  const inAlberta = engine.evaluate(key, user, { now: NOW });
  assert.deepEqual(inAlberta, engine.evaluate(key, engine.prepare({ ...user }), { now: NOW }));
  assert.notDeepEqual(inAlberta, inQuebec);
  // After a trap replaces the instance, the remembered context is prepared again.
  assert.ok(_trapForTesting());
  assert.deepEqual(engine.evaluate(key, user, { now: NOW }), inAlberta);
  user.jurisdiction = 'quebec';
  assert.deepEqual(engine.evaluate(key, user, { now: NOW }), inQuebec);
  engine.free();
  assert.deepEqual(engine.evaluate(key, user, { now: NOW }), inQuebec);
});

test('statistics count evaluations per variant and reset', () => {
  const engine = new Engine(example);
  engine.evaluate('quebec-ontario-launch', quebec, { now: NOW });
  engine.evaluate('quebec-ontario-launch', quebec, { now: NOW });
  engine.evaluate('no-such-flag', quebec);
  const stats = engine.stats();
  const launch = stats.flags.find((flag) => flag.flag === 'quebec-ontario-launch');
  assert.equal(launch.evaluations, 2);
  assert.equal(launch.variants.find((entry) => entry.variant === 'on').count, 2);
  assert.equal(stats.unknownFlagEvaluations, 1);
  engine.resetStats();
  assert.ok(engine.stats().flags.every((flag) => flag.evaluations === 0));
});

test('after the instance traps, every engine and context keeps working', () => {
  const engine = new Engine(example);
  const prepared = engine.prepare(quebec);
  assert.deepEqual(engine.evaluate('quebec-ontario-launch', prepared, { now: NOW }), launched);

  assert.equal(_trapForTesting(), true);
  // The engine reloads its snapshot and the context is prepared again, transparently.
  assert.deepEqual(engine.evaluate('quebec-ontario-launch', prepared, { now: NOW }), launched);
  assert.deepEqual(engine.evaluate('quebec-ontario-launch', quebec, { now: NOW }), launched);
  assert.deepEqual(engine.evaluateAll(prepared, { now: NOW }).map((result) => result.key), engine.flagKeys);
  assert.deepEqual(engine.diagnostics(), []);
});

test('an evaluation that traps answers with the default, and the next one is right again', () => {
  const engine = new Engine(example);
  const prepared = engine.prepare(quebec);
  const original = glue.WasmEngine.prototype.evaluate;
  glue.WasmEngine.prototype.evaluate = function trapping() {
    glue.__vexilTrap();
  };
  let during;
  try {
    during = engine.booleanDetails('quebec-ontario-launch', false, prepared, { now: NOW });
  } finally {
    glue.WasmEngine.prototype.evaluate = original;
  }
  assert.deepEqual(
    { value: during.value, reason: during.reason, errorCode: during.errorCode },
    { value: false, reason: 'ERROR', errorCode: 'GENERAL' },
  );
  assert.deepEqual(engine.booleanDetails('quebec-ontario-launch', false, prepared, { now: NOW }), launched);
});

test('a freed engine or context is not a trap: it reloads or refuses', () => {
  const engine = new Engine(example);
  const prepared = engine.prepare(quebec);
  prepared.free();
  assert.equal(engine.evaluate('quebec-ontario-launch', prepared).errorCode, 'INVALID_CONTEXT');
  engine.free();
  assert.deepEqual(engine.evaluate('quebec-ontario-launch', quebec, { now: NOW }), launched);
});

test('flags are found as they are first asked for, and the key list is made when needed', () => {
  const flag = (key, value) => ({ key, type: 'string', variants: { v: value }, fallthrough: { variant: 'v' } });
  const keys = ['é-ß 🚀', '7', '__proto__', 'dup', 'dup', 'last'];
  const values = ['a', 'b', 'c', 'first', 'second', 'z'];
  const snapshot = {
    schemaVersion: 1,
    revision: 1,
    generatedAt: NOW,
    flags: keys.map((key, index) => flag(key, values[index])),
  };
  const engine = new Engine(snapshot);
  // Asked for before the key list exists.
  assert.equal(engine.evaluate('7', {}).value, 'b');
  assert.equal(engine.evaluate('__proto__', {}).value, 'c');
  assert.equal(engine.evaluate(7, {}).errorCode, 'FLAG_NOT_FOUND');
  // A lone surrogate is not the replacement character it would cross as.
  const replaced = new Engine({ ...snapshot, flags: [flag('\uFFFD', 'r')] });
  assert.equal(replaced.evaluate('\uD800', {}).errorCode, 'FLAG_NOT_FOUND');
  assert.equal(replaced.evaluate('\uFFFD', {}).value, 'r');
  replaced.free();
  for (let round = 0; round < 2; round += 1) {
    assert.equal(engine.evaluate('nope', {}).errorCode, 'FLAG_NOT_FOUND');
    assert.equal(engine.flag('nope'), undefined);
  }
  // A repeated key names its first flag (both are unusable).
  assert.equal(engine.evaluate('dup', {}).errorCode, 'PARSE_ERROR');
  assert.deepEqual(engine.flag('dup').variants, [['v', 'first']]);
  assert.deepEqual(engine.flagKeys, keys);

  // A replaced instance is asked again, for keys seen and unseen.
  const fresh = new Engine(snapshot);
  assert.equal(_trapForTesting(), true);
  assert.equal(engine.evaluate('7', {}).value, 'b');
  assert.equal(fresh.evaluate('é-ß 🚀', {}).value, 'a');
  assert.equal(fresh.stringDetails('last', 'default', {}).value, 'z');
  assert.deepEqual(fresh.flagKeys, keys);
  assert.deepEqual(
    fresh.evaluateAll({}).map((result) => [result.key, result.value ?? result.errorCode]),
    keys.map((key, index) => [key, key === 'dup' ? 'PARSE_ERROR' : values[index]]),
  );
});

test('a refused plain context changes nothing remembered; long and non-ASCII contexts cross too', () => {
  const engine = new Engine(example);
  const key = 'quebec-ontario-launch';
  const inQuebec = engine.evaluate(key, quebec, { now: NOW });
  assert.deepEqual(inQuebec, launched);
  // Refused while the remembered context is Quebec's, then Quebec's again by the same text.
  assert.equal(engine.evaluate(key, 'not json', { now: NOW }).errorCode, 'INVALID_CONTEXT');
  assert.deepEqual(engine.evaluate(key, { ...quebec }, { now: NOW }), inQuebec);
  const alberta = { targetingKey: 'user-42', jurisdiction: 'alberta' };
  const inAlberta = engine.evaluate(key, engine.prepare(alberta), { now: NOW });
  assert.notDeepEqual(inAlberta, inQuebec);
  assert.deepEqual(engine.evaluate(key, alberta, { now: NOW }), inAlberta);
  assert.equal(engine.evaluate(key, 'x'.repeat(10_000), { now: NOW }).errorCode, 'INVALID_CONTEXT');
  assert.deepEqual(engine.evaluate(key, alberta, { now: NOW }), inAlberta);
  // About 14 KB of UTF-8, more than the buffer contexts usually cross in, and other scripts.
  const long = { ...quebec, tags: Array.from({ length: 900 }, (_, index) => `é🚀${index}`) };
  assert.deepEqual(engine.evaluate(key, long, { now: NOW }), inQuebec);
  assert.deepEqual(engine.evaluate(key, engine.prepare(long), { now: NOW }), inQuebec);
  assert.deepEqual(engine.evaluate(key, { ...alberta, name: 'Zoë 🚀' }, { now: NOW }), inAlberta);
  // A list over the item limit is refused, whichever way the context crossed.
  const tooLong = { ...quebec, tags: Array.from({ length: 1001 }, () => 'é') };
  assert.equal(engine.evaluate(key, tooLong, { now: NOW }).errorCode, 'INVALID_CONTEXT');
  assert.deepEqual(engine.evaluate(key, quebec, { now: NOW }), inQuebec);
});

test("each flag's definition hash follows its text, not where it sits or what precedes it", () => {
  const document = JSON.parse(example);
  const base = new Engine(example)._definitions();
  assert.equal(base.size, document.flags.length);
  // A byte-order mark, and text in other scripts before every flag, move every flag's bytes.
  const moved = structuredClone(document);
  moved.environment = 'été — 🚀';
  const shifted = new Engine(`\uFEFF${JSON.stringify(moved, null, 2)}`)._definitions();
  const same = new Engine(JSON.stringify(moved, null, 2))._definitions();
  assert.deepEqual([...shifted], [...same]);
  // One flag changed: only its hash differs, in either formatting.
  const changed = structuredClone(moved);
  changed.flags[3].enabled = !(changed.flags[3].enabled ?? true);
  const after = new Engine(new TextEncoder().encode(JSON.stringify(changed, null, 2)))._definitions();
  const differing = [...after].filter(([key, hash]) => same.get(key) !== hash).map(([key]) => key);
  assert.deepEqual(differing, [document.flags[3].key]);
  assert.ok([...base.values()].every((hash) => Number.isSafeInteger(hash)));
});

test('objects of a replaced instance, collected later, do not free into the new one', async () => {
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc');
  // Engines, contexts and buffers left to the garbage collector, then a trap.
  for (let index = 0; index < 40; index += 1) {
    const engine = new Engine(example);
    engine.prepare({ targetingKey: `user-${index}` });
    engine.evaluate('quebec-ontario-launch', { targetingKey: `user-${index}`, jurisdiction: 'quebec' });
  }
  assert.equal(_trapForTesting(), true);
  for (let round = 0; round < 3; round += 1) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The new instance still allocates, loads and answers soundly.
  for (let index = 0; index < 40; index += 1) {
    const engine = new Engine(example);
    assert.deepEqual(engine.evaluate('quebec-ontario-launch', quebec, { now: NOW }), launched);
    engine.free();
  }
});
