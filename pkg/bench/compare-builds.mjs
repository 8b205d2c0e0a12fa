// Compares how fast two or more WebAssembly builds of the engine load the 5,000-flag snapshot,
// in one Node process with the loads interleaved, so that the machine's ups and downs fall on
// every build alike. Single benchmark runs on a shared machine swing by a fifth; this is how the
// builds in docs/benchmarks.md were chosen. Every build must come from the same source as
// dist/vexil.js (the glue checks nothing).
//
//   node bench/compare-builds.mjs a.wasm b.wasm [more.wasm ...] [--rounds 40]

import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args.splice(roundsAt, 2)[1]) : 40;
const builds = args;
if (builds.length < 2 || !(rounds > 3)) {
  console.error('usage: node bench/compare-builds.mjs a.wasm b.wasm [more.wasm ...] [--rounds N]');
  process.exit(2);
}

const glue = fileURLToPath(new URL('../dist/vexil.js', import.meta.url));
const snapshot = fileURLToPath(new URL('../../target/bench-snapshots/snapshot-5000.json', import.meta.url));
const text = readFileSync(snapshot, 'utf8');
const encoder = new TextEncoder();

// Each build gets its own copy of the glue module, hence its own instance and memory.
const scratch = mkdtempSync(join(tmpdir(), 'vexil-builds-'));
const instances = [];
try {
  for (const [index, build] of builds.entries()) {
    const copy = join(scratch, `glue-${index}.js`);
    copyFileSync(glue, copy);
    const instance = await import(copy);
    instance.initSync({ module: readFileSync(build) });
    instances.push(instance);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// What the SDK does to load, without the JS catalog (the same for every build).
function load(instance) {
  const buffer = new instance.TextBuffer(text.length);
  const view = new Uint8Array(instance.__vexilMemory(), buffer.address(), text.length);
  const { written } = encoder.encodeInto(text, view);
  const engine = instance.WasmEngine.fromBuffer(buffer, written, undefined);
  buffer.free();
  return engine;
}

const times = builds.map(() => []);
for (let round = 0; round < rounds; round += 1) {
  for (const [index, instance] of instances.entries()) {
    const start = process.hrtime.bigint();
    const engine = load(instance);
    times[index].push(Number(process.hrtime.bigint() - start) / 1e6);
    engine.free();
  }
}
const warmup = 3;
console.log(`loading the 5,000-flag snapshot, ${rounds - warmup} interleaved rounds (after ${warmup} warm-up)`);
for (const [index, build] of builds.entries()) {
  const sorted = times[index].slice(warmup).sort((a, b) => a - b);
  const at = (fraction) => sorted[Math.floor(fraction * (sorted.length - 1))].toFixed(2);
  console.log(`${build.padEnd(40)} median ${at(0.5)} ms   quartiles ${at(0.25)} – ${at(0.75)} ms   fastest ${at(0)} ms`);
}
