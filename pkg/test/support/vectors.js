// Runs the language-neutral vectors of tests/vectors/ against an engine module (`Engine`,
// `VexilError`). Plain JavaScript with no Node APIs, so the same runner serves Node, Chromium
// and workerd. Returns how many checks ran and a list of failures (empty when all pass).

const ACCESSORS = {
  boolean: 'booleanDetails',
  string: 'stringDetails',
  number: 'numberDetails',
  object: 'objectDetails',
};

function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// The fields a vector pins; an absent errorCode or ruleId must be absent.
function pinned(result) {
  const out = { value: result.value ?? null, variant: result.variant ?? null, reason: result.reason };
  if (result.errorCode !== undefined) out.errorCode = result.errorCode;
  if (result.ruleId !== undefined) out.ruleId = result.ruleId;
  return canonical(out);
}

const snapshotText = (snapshot) => (typeof snapshot === 'string' ? snapshot : JSON.stringify(snapshot));

function evaluationVectors({ Engine }, file, check) {
  for (const suite of file.suites) {
    const engine = new Engine(snapshotText(suite.snapshot), { limits: suite.limits });
    for (const testCase of suite.cases) {
      const label = `evaluation: ${suite.name} / ${testCase.name}`;
      const options = { now: testCase.now };
      const want = pinned(testCase.expect);
      if (testCase.as) {
        const details = engine[ACCESSORS[testCase.as]](testCase.flag, testCase.default, testCase.context, options);
        check(label, pinned(details), want);
        continue;
      }
      const plain = engine.evaluate(testCase.flag, testCase.context, options);
      check(label, pinned(plain), want);
      // A context given as JSON text must read as the object JavaScript parses from it (1e400
      // becomes Infinity there); a repeated attribute, which no object can hold, is the exception.
      if (typeof testCase.context === 'string' && testCase.expect.errorCode !== 'INVALID_CONTEXT') {
        const parsed = engine.evaluate(testCase.flag, JSON.parse(testCase.context), options);
        check(`${label} (parsed)`, canonical(parsed), canonical(plain));
      }
      const prepared = engine.prepare(testCase.context);
      check(`${label} (prepared)`, canonical(engine.evaluate(testCase.flag, prepared, options)), canonical(plain));
      check(`${label} (explain)`, pinned(engine.explain(testCase.flag, prepared, options).evaluation), want);
      const listed = engine.evaluateAll(prepared, options).find((result) => result.key === testCase.flag);
      if (listed) {
        const { key, ...result } = listed;
        check(`${label} (evaluateAll)`, canonical(result), canonical(plain));
      }
    }
  }
}

function loadErrorVectors({ Engine, VexilError }, file, check) {
  for (const testCase of file.cases) {
    const label = `load error: ${testCase.name}`;
    let outcome;
    try {
      new Engine(testCase.document, { limits: testCase.limits });
      outcome = 'loaded';
    } catch (error) {
      outcome =
        error instanceof VexilError && error.message.length > 0
          ? canonical({ code: error.code, path: error.path ?? null })
          : `not a VexilError with a message: ${error}`;
    }
    check(label, outcome, canonical({ code: testCase.expect.code, path: testCase.expect.path ?? null }));
  }
}

function diagnosticsVectors({ Engine }, file, check) {
  const key = (d) => canonical([d.code, d.severity, d.path, d.flag ?? null, d.segment ?? null]);
  for (const testCase of file.cases) {
    const label = `diagnostics: ${testCase.name}`;
    const engine = new Engine(snapshotText(testCase.snapshot));
    check(label, canonical(engine.diagnostics().map(key).sort()), canonical(testCase.expect.diagnostics.map(key).sort()));
    check(`${label} has evaluations`, testCase.evaluations.length > 0, true);
    for (const evaluation of testCase.evaluations) {
      const result = engine.evaluate(evaluation.flag, evaluation.context, { now: evaluation.now });
      check(`${label} / ${evaluation.name}`, pinned(result), pinned(evaluation.expect));
    }
  }
}

// One string flag whose fallthrough is the split `weights`, bucketing by attribute `b`.
function splitEngine(Engine, salt, flagKey, weights) {
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

function bucketingVectors({ Engine }, file, check) {
  const halves = [
    { variant: 'low', weight: 50000 },
    { variant: 'high', weight: 50000 },
  ];
  for (const vector of file.vectors) {
    const engine = splitEngine(Engine, vector.salt, vector.flagKey, halves);
    const { steps } = engine.explain(vector.flagKey, { targetingKey: 'anyone', b: vector.value });
    const split = steps.find((step) => step.step === 'split');
    check(`bucket of ${canonical(vector.value)} for ${vector.flagKey}`, split ? split.bucket : 'no split step', vector.bucket);
  }
  for (const vector of file.splits) {
    const engine = splitEngine(Engine, vector.salt, vector.flagKey, vector.weights);
    const result = engine.evaluate(vector.flagKey, { targetingKey: 'anyone', b: vector.value });
    check(`split of ${canonical(vector.value)} for ${vector.flagKey}`, result.variant, vector.variant);
  }
}

/**
 * Runs every vector file given (`evaluation`, `loadErrors`, `diagnostics`, `bucketing`: the
 * parsed JSON of each) and returns `{ checks, failures, counts }`.
 */
export function runVectors(engineModule, files) {
  const failures = [];
  let checks = 0;
  const check = (label, actual, expected) => {
    checks += 1;
    if (actual !== expected) failures.push(`${label}: expected ${expected}, got ${actual}`);
  };
  const run = (name, runner, file) => {
    try {
      runner(engineModule, file, check);
    } catch (error) {
      failures.push(`${name}: the runner threw ${error && error.stack ? error.stack : error}`);
    }
  };
  run('evaluation', evaluationVectors, files.evaluation);
  run('load errors', loadErrorVectors, files.loadErrors);
  run('diagnostics', diagnosticsVectors, files.diagnostics);
  run('bucketing', bucketingVectors, files.bucketing);
  const counts = {
    evaluation: files.evaluation.suites.reduce((sum, suite) => sum + suite.cases.length, 0),
    loadErrors: files.loadErrors.cases.length,
    diagnostics: files.diagnostics.cases.length,
    bucketing: files.bucketing.vectors.length + files.bucketing.splits.length,
  };
  return { checks, failures, counts };
}

/** The vector files' names, by the key `runVectors` expects. */
export const VECTOR_FILES = {
  evaluation: 'evaluation.json',
  loadErrors: 'load-errors.json',
  diagnostics: 'diagnostics.json',
  bucketing: 'bucketing.json',
};
