// The engine's speed in Node through the package's public API, on the same generated workload
// as the native criterion benchmarks (written by `cargo run --release --example
// bench_snapshots`). Run with `make bench-js`. Prints one line per measurement: the median of
// several timed batches, with the fastest and slowest batch, so a noisy moment shows as spread
// instead of silently skewing a mean.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Engine } from 'vexil';

import { measure, show } from './measure.mjs';
import { __vexilMemory } from '../dist/vexil.js';

const directory = resolve(process.argv[2] ?? fileURLToPath(new URL('../../target/bench-snapshots/', import.meta.url)));
const read = (name) => readFileSync(join(directory, name), 'utf8');
const workload = JSON.parse(read('workload.json'));
const small = read('snapshot-200.json');
const large = read('snapshot-5000.json');
const now = workload.now;

let sink = 0;
const engine = new Engine(small);
const prepared = engine.prepare(workload.user);

// Each benchmarked flag must take its intended path, or the figure would measure something else.
const expectedReasons = {
  static: 'STATIC',
  rules: 'TARGETING_MATCH',
  rollout: 'SPLIT',
  multivariate: 'SPLIT',
  prerequisiteChain: 'SPLIT',
  segment: 'TARGETING_MATCH',
  regex: 'TARGETING_MATCH',
};
for (const [kind, key] of Object.entries(workload.flags)) {
  const { reason, errorCode } = engine.evaluate(key, prepared, { now });
  if (reason !== expectedReasons[kind] || errorCode) {
    throw new Error(`${kind} flag ${key} answered ${reason} ${errorCode ?? ''}, not ${expectedReasons[kind]}`);
  }
}

console.log(`Node ${process.version}; median of 15 batches (fastest – slowest batch)`);
for (const [kind, key] of Object.entries(workload.flags)) {
  if (kind === 'regex') continue;
  show(`evaluate/${kind}/prepared`, measure((n) => {
    for (let i = 0; i < n; i += 1) sink += engine.evaluate(key, prepared, { now }).reason.length;
  }, { iterations: 20_000 }));
}
show('evaluate/regex/remembered', measure((n) => {
  for (let i = 0; i < n; i += 1) sink += engine.evaluate(workload.flags.regex, prepared, { now }).reason.length;
}, { iterations: 20_000 }));
// Distinct users (as a server sees them), made outside the timing.
const users = (n) => Array.from({ length: n }, (_, i) => ({ ...workload.user, targetingKey: `user-${i}` }));
// The same plain object on every call: the engine prepares it once and remembers it.
show('evaluate/rollout/plain_object_context/same', measure((n) => {
  for (let i = 0; i < n; i += 1) sink += engine.evaluate(workload.flags.rollout, workload.user, { now }).reason.length;
}, { iterations: 5_000 }));
// Another user on every call: each call prepares its context.
show('evaluate/rollout/plain_object_context/new', measure((n, fresh) => {
  for (let i = 0; i < n; i += 1) sink += engine.evaluate(workload.flags.rollout, fresh[i], { now }).reason.length;
}, { iterations: 5_000, setup: users }));
show('evaluate/rollout/prepared/default_now', measure((n) => {
  for (let i = 0; i < n; i += 1) sink += engine.evaluate(workload.flags.rollout, prepared).reason.length;
}, { iterations: 20_000 }));
show('prepare_context', measure((n) => {
  for (let i = 0; i < n; i += 1) engine.prepare(workload.user).free();
}, { iterations: 5_000 }));
// A fresh prepared context each time (made outside the timing, as in the native benchmark), so
// remembered regex answers cannot flatter the figure.
show('evaluate_all/200_flags_prepared', measure((n, fresh) => {
  for (let i = 0; i < n; i += 1) sink += engine.evaluateAll(fresh[i], { now }).length;
}, {
  iterations: 100,
  setup: (n) => Array.from({ length: n }, () => engine.prepare(workload.user)),
  teardown: (fresh) => fresh.forEach((context) => context.free()),
}));
show('evaluate_all/200_flags_prepare_and_evaluate', measure((n, fresh) => {
  for (let i = 0; i < n; i += 1) sink += engine.evaluateAll(fresh[i], { now }).length;
}, { iterations: 200, setup: users }));

const before = __vexilMemory().byteLength;
// As in the native benchmark, freeing the engines is not timed.
show('load/5000_flags_from_json', measure((n, loaded) => {
  for (let i = 0; i < n; i += 1) {
    loaded.push(new Engine(large));
    sink += loaded[i].revision;
  }
}, { iterations: 1, batches: 15, warmup: 2, setup: () => [], teardown: (loaded) => loaded.forEach((engine) => engine.free()) }));
// The key list is made on first use, not at load: what that first use costs.
show('keys/5000_flags_first_list', measure((n, loaded) => {
  for (let i = 0; i < n; i += 1) sink += loaded[i].flagKeys.length;
}, { iterations: 1, batches: 15, warmup: 2, setup: () => [new Engine(large)], teardown: (loaded) => loaded.forEach((engine) => engine.free()) }));
const kept = new Engine(large);
console.log(
  `${'memory/5000_flags_loaded'.padEnd(44)} ${(__vexilMemory().byteLength / 2 ** 20).toFixed(1).padStart(9)} MiB   ` +
    `(WebAssembly memory; ${(before / 2 ** 20).toFixed(1)} MiB before loading it)`,
);
sink += kept.flagKeys.length;
// The costliest evaluations known (benches/support/worst.rs): each flag with the context that
// makes it spend the most of the cost limit, a fresh object per call so nothing is remembered.
// Last, because the worst-case snapshot is large and WebAssembly memory keeps its peak, which
// would skew the memory figure above.
const worstEngine = new Engine(read('worst-case-snapshot.json'));
for (const { flag, context } of JSON.parse(read('worst-cases.json'))) {
  const { reason, errorCode } = worstEngine.evaluate(flag, structuredClone(context), { now });
  show(`worst_case/${flag} (${errorCode ?? reason})`, measure((n, fresh) => {
    for (let i = 0; i < n; i += 1) sink += worstEngine.evaluate(flag, fresh[i], { now }).reason.length;
  }, { iterations: 20, setup: (n) => Array.from({ length: n }, (_, i) => ({ ...structuredClone(context), targetingKey: `${context.targetingKey}-${i}` })) }));
}
worstEngine.free();
if (sink === 0) console.log('(unreachable: keeps the work observable)');
