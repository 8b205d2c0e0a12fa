// Vexil (through its public API) side by side with two pure-JS flag evaluators, flagd-core and
// GrowthBook, in one Node process, on the generated workload of the other benchmarks (written by
// `cargo run --release --example bench_snapshots -- target/bench-snapshots`). Each peer gets the
// same snapshot translated into its own format by translate.mjs, and the same user.
//
//   cd pkg/bench/peers && npm install && node peers.bench.mjs ../../../target/bench-snapshots
//
// Measures, per engine: one flag (the 30 % rollout of the `evaluate/rollout` benchmark), all 200
// flags for one context, and loading the 5,000-flag snapshot from JSON text. Vexil is measured
// with a prepared context and with a plain object, since the peers only take plain objects.
// Figures are the median of timed batches, as in ../engine.bench.mjs.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { GrowthBookClient } from '@growthbook/growthbook';
import { FlagdCore } from '@openfeature/flagd-core';

import { Engine } from '../../src/entry/node.js';
import { duration, measure, show } from '../measure.mjs';
import { APPROXIMATIONS, peerContext, toFlagd, toGrowthBook } from './translate.mjs';

// GrowthBook reads NODE_ENV at every evaluation and, unless it is "production", builds messages
// for its debug log even when that is off. Servers run with it set; so does this benchmark.
process.env.NODE_ENV ??= 'production';

const directory = resolve(process.argv[2] ?? fileURLToPath(new URL('../../../target/bench-snapshots/', import.meta.url)));
const read = (name) => readFileSync(join(directory, name), 'utf8');
const workload = JSON.parse(read('workload.json'));
const now = workload.now;
const rolloutKey = workload.flags.rollout;

// The context attributes holding lists, which the peers' rules must be told to test item by item.
const listAttributes = new Set(Object.keys(workload.user).filter((name) => Array.isArray(workload.user[name])));

/** A snapshot and its translations, all as JSON text, the form each engine loads from. */
function texts(name) {
  const vexil = read(name);
  const snapshot = JSON.parse(vexil);
  return {
    snapshot,
    vexil,
    flagd: JSON.stringify(toFlagd(snapshot, { listAttributes })),
    growthBook: JSON.stringify(toGrowthBook(snapshot, { listAttributes })),
  };
}
const small = texts('snapshot-200.json');
const large = texts('snapshot-5000.json');

// flagd-core reports broken definitions and failed evaluations only through its logger, so every
// FlagdCore here counts what it is told: a message means the figures would measure an error path.
const flagdMessages = [];
const flagdLogger = {
  error: (...message) => flagdMessages.push(message),
  warn: (...message) => flagdMessages.push(message),
  info: () => {},
  debug: (...message) => flagdMessages.push(message),
};
function checkFlagdSilent(when) {
  if (flagdMessages.length) throw new Error(`flagd-core complained ${when}: ${flagdMessages[0].join(' ').slice(0, 500)}`);
}

const vexil = new Engine(small.vexil);
const prepared = vexil.prepare(workload.user);
const flagd = new FlagdCore(undefined, flagdLogger);
flagd.setConfigurations(small.flagd);
checkFlagdSilent('loading the 200 flags');
const growthBook = new GrowthBookClient().initSync({ payload: JSON.parse(small.growthBook) });

// Both peers read the same context: the user plus the evaluation time (see translate.mjs).
const context = peerContext(workload.user, now);
const growthBookUser = { attributes: context };

const flagdResolvers = {
  boolean: 'resolveBooleanEvaluation',
  string: 'resolveStringEvaluation',
  number: 'resolveNumberEvaluation',
  object: 'resolveObjectEvaluation',
};
const types = new Map(small.snapshot.flags.map((flag) => [flag.key, flag.type]));
const keys = small.snapshot.flags.map((flag) => flag.key);
const rolloutResolver = flagdResolvers[types.get(rolloutKey)];

// ---------------------------------------------------------------------------------------------
// Before timing anything: every engine must evaluate every flag without an error, and the rollout
// flag must take its split path in each, or the figures would measure something else.

const NOT_SERVED = Symbol('not served'); // flagd's answer when it serves no variant
const vexilAnswers = new Map(vexil.evaluateAll(prepared, { now }).map((result) => [result.key, result]));
const answers = { flagd: new Map(), growthBook: new Map() };
const problems = [];
for (const key of keys) {
  const vexilAnswer = vexilAnswers.get(key);
  if (vexilAnswer.errorCode) problems.push(`Vexil: ${key} answered ${vexilAnswer.errorCode}`);
  const flagdAnswer = flagd[flagdResolvers[types.get(key)]](key, NOT_SERVED, context);
  if (flagdAnswer.errorCode) problems.push(`flagd-core: ${key} answered ${flagdAnswer.errorCode}`);
  answers.flagd.set(key, flagdAnswer.value === NOT_SERVED ? null : flagdAnswer.value);
  const growthBookAnswer = growthBook.evalFeature(key, growthBookUser);
  if (['unknownFeature', 'cyclicPrerequisite'].includes(growthBookAnswer.source)) {
    problems.push(`GrowthBook: ${key} answered ${growthBookAnswer.source}`);
  }
  answers.growthBook.set(key, growthBookAnswer.value);
}
const rolloutPaths = {
  Vexil: vexil.evaluate(rolloutKey, prepared, { now }).reason,
  'flagd-core': flagd[rolloutResolver](rolloutKey, false, context).reason,
  GrowthBook: growthBook.evalFeature(rolloutKey, growthBookUser).source,
};
const expectedPaths = { Vexil: 'SPLIT', 'flagd-core': 'TARGETING_MATCH', GrowthBook: 'experiment' };
for (const [engine, path] of Object.entries(rolloutPaths)) {
  if (path !== expectedPaths[engine]) problems.push(`${engine}: ${rolloutKey} answered ${path}, not ${expectedPaths[engine]}`);
}
// resolveAll leaves out DISABLED flags (killed without an offVariant) and flags it fails on.
const flagdEnabled = [...flagd.getFlags().values()].filter((flag) => flag.state === 'ENABLED').length;
if (flagd.resolveAll(context).length !== flagdEnabled) problems.push('flagd-core: resolveAll left flags out');
checkFlagdSilent('evaluating the 200 flags');
if (problems.length) throw new Error(`an engine does not evaluate the workload:\n  ${problems.join('\n  ')}`);

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const served = [...vexilAnswers.values()].filter((answer) => answer.value !== null).length;
console.log(`Node ${process.version}, NODE_ENV=${process.env.NODE_ENV}; ${keys.length} flags, rollout flag ${rolloutKey}`);
const require = createRequire(import.meta.url);
console.log(
  `@openfeature/flagd-core ${require('@openfeature/flagd-core/package.json').version}, ` +
    `@growthbook/growthbook ${require('@growthbook/growthbook/package.json').version}`,
);
console.log(`\nVerification (the workload's user): Vexil serves a snapshot value for ${served}/${keys.length} flags, no errors.`);
for (const [peer, name] of [['flagd', 'flagd-core'], ['growthBook', 'GrowthBook']]) {
  const peerAnswers = answers[peer];
  const differing = keys.filter((key) => !same(peerAnswers.get(key), vexilAnswers.get(key).value));
  const byReason = {};
  for (const key of differing) byReason[vexilAnswers.get(key).reason] = (byReason[vexilAnswers.get(key).reason] ?? 0) + 1;
  const peerServed = [...peerAnswers.values()].filter((value) => value !== null).length;
  console.log(
    `  ${name}: serves a snapshot value for ${peerServed}/${keys.length} flags, no errors; ` +
      `same value as Vexil for ${keys.length - differing.length}` +
      (differing.length ? ` (differs on ${differing.length}, Vexil reasons: ${JSON.stringify(byReason)})` : ''),
  );
}
console.log('  Differences are expected where a split decides: each engine buckets with its own hash.');

console.log('\nTranslation approximations:');
for (const [peer, notes] of Object.entries(APPROXIMATIONS)) {
  for (const note of notes) console.log(`  [${peer}] ${note}`);
}

// ---------------------------------------------------------------------------------------------

console.log('\nMedian of 15 batches (fastest – slowest batch)');
let sink = 0;
const figures = {};
function record(operation, engine, name, result) {
  show(name, result, 52);
  (figures[operation] ??= {})[engine] = result.median;
}

// Another user on every plain-object call, for every engine, made outside the timing: a server
// sees another user on most requests (and Vexil remembers the plain context it prepared last,
// which passing the same object again and again would flatter).
const users = (n) => Array.from({ length: n }, (_, i) => ({ ...workload.user, targetingKey: `user-${i}` }));
const peerUsers = (n) => users(n).map((user) => peerContext(user, now));
const growthBookUsers = (n) => peerUsers(n).map((attributes) => ({ attributes }));

record('one', 'prepared', 'one flag/Vexil/prepared', measure((n) => {
  for (let i = 0; i < n; i += 1) sink += vexil.evaluate(rolloutKey, prepared, { now }).reason.length;
}, { iterations: 20_000 }));
record('one', 'plain', 'one flag/Vexil/plain_object_context', measure((n, fresh) => {
  for (let i = 0; i < n; i += 1) sink += vexil.evaluate(rolloutKey, fresh[i], { now }).reason.length;
}, { iterations: 20_000, setup: users }));
record('one', 'flagd', 'one flag/flagd-core', measure((n, fresh) => {
  for (let i = 0; i < n; i += 1) sink += flagd[rolloutResolver](rolloutKey, false, fresh[i]).reason.length;
}, { iterations: 20_000, setup: peerUsers }));
record('one', 'growthBook', 'one flag/GrowthBook', measure((n, fresh) => {
  for (let i = 0; i < n; i += 1) sink += growthBook.evalFeature(rolloutKey, fresh[i]).source.length;
}, { iterations: 20_000, setup: growthBookUsers }));

// A fresh prepared context each time (made outside the timing, as in ../engine.bench.mjs), so
// remembered regex answers cannot flatter the figure.
record('all', 'prepared', `all ${keys.length} flags/Vexil/prepared`, measure((n, fresh) => {
  for (let i = 0; i < n; i += 1) sink += vexil.evaluateAll(fresh[i], { now }).length;
}, {
  iterations: 200,
  setup: (n) => Array.from({ length: n }, () => vexil.prepare(workload.user)),
  teardown: (fresh) => fresh.forEach((preparedContext) => preparedContext.free()),
}));
record('all', 'plain', `all ${keys.length} flags/Vexil/plain_object_context`, measure((n, fresh) => {
  for (let i = 0; i < n; i += 1) sink += vexil.evaluateAll(fresh[i], { now }).length;
}, { iterations: 200, setup: users }));
record('all', 'flagd', `all ${keys.length} flags/flagd-core (resolveAll)`, measure((n, fresh) => {
  for (let i = 0; i < n; i += 1) sink += flagd.resolveAll(fresh[i]).length;
}, { iterations: 200, setup: peerUsers }));
// GrowthBook has no bulk evaluation: one evalFeature per key, as an application would.
record('all', 'growthBook', `all ${keys.length} flags/GrowthBook (evalFeature each)`, measure((n, fresh) => {
  for (let i = 0; i < n; i += 1) {
    for (const key of keys) sink += growthBook.evalFeature(key, fresh[i]).source.length;
  }
}, { iterations: 200, setup: growthBookUsers }));

const loadOptions = { iterations: 1, batches: 15, warmup: 2 };
// Freeing Vexil's engine is not timed, as the peers' objects are left to the garbage collector.
record('load', 'vexil', 'load 5000 flags/Vexil', measure((n, loaded) => {
  loaded.push(new Engine(large.vexil));
  sink += loaded[0].revision;
}, { ...loadOptions, setup: () => [], teardown: (loaded) => loaded.forEach((engine) => engine.free()) }));
record('load', 'flagd', 'load 5000 flags/flagd-core', measure(() => {
  sink += new FlagdCore(undefined, flagdLogger).setConfigurations(large.flagd).length;
}, loadOptions));
// GrowthBook takes a parsed payload and keeps it as is (no compilation): parsing the text is
// its whole load.
record('load', 'growthBook', 'load 5000 flags/GrowthBook (JSON.parse + initSync)', measure(() => {
  sink += new GrowthBookClient().initSync({ payload: JSON.parse(large.growthBook) }).ready ? 1 : 0;
}, loadOptions));
checkFlagdSilent('during the measurements');

// ---------------------------------------------------------------------------------------------

const rows = [
  ['one flag, prepared context', 'one', 'prepared'],
  ['one flag, a new plain-object context', 'one', 'plain'],
  [`all ${keys.length} flags, prepared context`, 'all', 'prepared'],
  [`all ${keys.length} flags, a new plain-object context`, 'all', 'plain'],
  ['load 5,000 flags from JSON text', 'load', 'vexil'],
];
const cell = (text, width) => String(text).padStart(width);
// Two significant digits below 1×, where one decimal would round 0.14× to 0.1×.
const ratio = (value) => `${value.toFixed(value < 1 ? 2 : 1)}×`;
console.log(
  `\n${'operation (median per operation)'.padEnd(36)}${cell('Vexil', 11)}${cell('flagd-core', 12)}${cell('GrowthBook', 12)}` +
    `${cell('flagd/Vexil', 13)}${cell('GB/Vexil', 10)}`,
);
for (const [label, operation, variant] of rows) {
  const { [variant]: base, flagd: flagdTime, growthBook: growthBookTime } = figures[operation];
  console.log(
    `${label.padEnd(36)}${cell(duration(base), 11)}${cell(duration(flagdTime), 12)}${cell(duration(growthBookTime), 12)}` +
      `${cell(ratio(flagdTime / base), 13)}${cell(ratio(growthBookTime / base), 10)}`,
  );
}
console.log('(The peers take plain objects only: each pair of evaluation rows shares their figures.)');
if (sink === 0) console.log('(unreachable: keeps the work observable)');
