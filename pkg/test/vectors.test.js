// The language-neutral vectors of tests/vectors/, run against the WebAssembly build through the
// package's public API: the same documents and contexts must give exactly what the native
// engine gives (which `cargo test` checks against the same files).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { Engine, VexilError } from 'vexil';

const vectors = (name) =>
  JSON.parse(readFileSync(new URL(`../../tests/vectors/${name}`, import.meta.url), 'utf8'));

const snapshotText = (snapshot) => (typeof snapshot === 'string' ? snapshot : JSON.stringify(snapshot));

// The fields a vector pins; an absent errorCode or ruleId must be absent.
function pinned(result) {
  const out = { value: result.value ?? null, variant: result.variant ?? null, reason: result.reason };
  if (result.errorCode !== undefined) out.errorCode = result.errorCode;
  if (result.ruleId !== undefined) out.ruleId = result.ruleId;
  return out;
}

function expected(expect) {
  const out = { value: expect.value ?? null, variant: expect.variant ?? null, reason: expect.reason };
  if (expect.errorCode !== undefined) out.errorCode = expect.errorCode;
  if (expect.ruleId !== undefined) out.ruleId = expect.ruleId;
  return out;
}

const ACCESSORS = {
  boolean: 'booleanDetails',
  string: 'stringDetails',
  number: 'numberDetails',
  object: 'objectDetails',
};

test('evaluation vectors give the documented results through every way of asking', () => {
  const file = vectors('evaluation.json');
  let cases = 0;
  for (const suite of file.suites) {
    const engine = new Engine(snapshotText(suite.snapshot), { limits: suite.limits });
    for (const testCase of suite.cases) {
      cases += 1;
      const label = `${suite.name} / ${testCase.name}`;
      const options = { now: testCase.now };
      if (testCase.as) {
        const details = engine[ACCESSORS[testCase.as]](testCase.flag, testCase.default, testCase.context, options);
        assert.deepEqual(pinned(details), expected(testCase.expect), label);
        continue;
      }
      const plain = engine.evaluate(testCase.flag, testCase.context, options);
      assert.deepEqual(pinned(plain), expected(testCase.expect), label);
      const prepared = engine.prepare(testCase.context);
      assert.deepEqual(engine.evaluate(testCase.flag, prepared, options), plain, `${label} (prepared)`);
      assert.deepEqual(engine.explain(testCase.flag, prepared, options).evaluation, pinned(plain), `${label} (explain)`);
      const all = engine.evaluateAll(prepared, options);
      if (Object.hasOwn(all, testCase.flag)) {
        assert.deepEqual(all[testCase.flag], plain, `${label} (evaluateAll)`);
      }
    }
  }
  assert.ok(cases >= 250, `only ${cases} evaluation cases`);
});

test('load-error vectors are rejected with their code and path', () => {
  const file = vectors('load-errors.json');
  for (const testCase of file.cases) {
    assert.throws(
      () => new Engine(testCase.document, { limits: testCase.limits }),
      (error) => {
        assert.ok(error instanceof VexilError, `${testCase.name}: ${error}`);
        assert.equal(error.code, testCase.expect.code, testCase.name);
        assert.equal(error.path ?? null, testCase.expect.path ?? null, testCase.name);
        assert.ok(error.message.length > 0, testCase.name);
        return true;
      },
      testCase.name,
    );
  }
});

test('diagnostics vectors report each problem and spare the healthy flags', () => {
  const file = vectors('diagnostics.json');
  const key = (d) => JSON.stringify([d.code, d.severity, d.path, d.flag ?? null, d.segment ?? null]);
  for (const testCase of file.cases) {
    const engine = new Engine(snapshotText(testCase.snapshot));
    const got = engine.diagnostics().map(key).sort();
    const want = testCase.expect.diagnostics.map(key).sort();
    assert.deepEqual(got, want, testCase.name);
    assert.ok(testCase.evaluations.length > 0, `${testCase.name} has no evaluations`);
    for (const evaluation of testCase.evaluations) {
      const result = engine.evaluate(evaluation.flag, evaluation.context, { now: evaluation.now });
      assert.deepEqual(pinned(result), expected(evaluation.expect), `${testCase.name} / ${evaluation.name}`);
    }
  }
  assert.ok(file.cases.length >= 20);
});

// One string flag whose fallthrough is the split `weights`, bucketing by attribute `b`.
function splitEngine(salt, flagKey, weights) {
  const flag = {
    key: flagKey,
    type: 'string',
    variants: Object.fromEntries(weights.map(({ variant }) => [variant, variant])),
    bucketBy: 'b',
    fallthrough: { split: weights },
  };
  if (salt !== '') flag.salt = salt;
  const limits = { maxKeyBytes: 65536, maxStringBytes: 65536, maxContextStringBytes: 65536 };
  return new Engine({ schemaVersion: 1, revision: 1, generatedAt: '2026-11-01T00:00:00Z', flags: [flag] }, { limits });
}

test('bucketing vectors: every value lands in its published bucket and variant', () => {
  const file = vectors('bucketing.json');
  const weights = [
    { variant: 'low', weight: 50000 },
    { variant: 'high', weight: 50000 },
  ];
  for (const vector of file.vectors) {
    const engine = splitEngine(vector.salt, vector.flagKey, weights);
    const { steps } = engine.explain(vector.flagKey, { targetingKey: 'anyone', b: vector.value });
    const split = steps.find((step) => step.step === 'split');
    assert.ok(split, `no split step for ${JSON.stringify(vector)}`);
    assert.equal(split.bucket, vector.bucket, JSON.stringify(vector));
  }
  for (const vector of file.splits) {
    const engine = splitEngine(vector.salt, vector.flagKey, vector.weights);
    const result = engine.evaluate(vector.flagKey, { targetingKey: 'anyone', b: vector.value });
    assert.equal(result.variant, vector.variant, JSON.stringify(vector));
  }
  assert.ok(file.vectors.length >= 400);
});
