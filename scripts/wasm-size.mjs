// What a browser downloads for the package's default entry, compressed as servers send it: the
// size-tuned WebAssembly build, the wasm-bindgen glue and the SDK's own modules. The JavaScript
// is counted minified (terser, default options), as every production bundler ships it; the
// unminified sizes are printed too. Prints gzip (level 9) and brotli (quality 11) bytes per
// file and in total. With `--max-gzip BYTES`, exits 1 when the shipped total is over budget.
//
//   node scripts/wasm-size.mjs [--max-gzip 102400]

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('../pkg/', import.meta.url);
const { minify } = createRequire(root)('terser');

// The default browser entry and everything it imports, found by following its relative
// `import`/`export … from` specifiers (so a new module is counted without editing this list),
// and the WebAssembly file it fetches (`new URL('….wasm', import.meta.url)`).
const entry = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).exports['.'].browser;
const entryPath = new URL(entry, root).pathname.slice(root.pathname.length);
const jsFiles = [];
const wasmFiles = new Set();
const visit = (file) => {
  const path = new URL(file, root).pathname.slice(root.pathname.length);
  if (jsFiles.includes(path)) return;
  jsFiles.push(path);
  const source = readFileSync(new URL(path, root), 'utf8');
  for (const [, specifier] of source.matchAll(/(?:import|export)\s[^'"]*?from\s*'(\.[^']+)'/g)) {
    visit(new URL(specifier, new URL(path, root)).pathname.slice(root.pathname.length));
  }
  // The entry names the file it fetches (the glue's own default path is never used).
  if (path !== entryPath) return;
  for (const [, wasm] of source.matchAll(/new URL\('([^']+\.wasm)', import\.meta\.url\)/g)) {
    wasmFiles.add(new URL(wasm, new URL(path, root)).pathname.slice(root.pathname.length));
  }
};
visit(entry);
if (wasmFiles.size !== 1) throw new Error(`expected the browser entry to fetch one .wasm file, found ${[...wasmFiles]}`);
const [wasmFile] = wasmFiles;

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const brotli = (bytes) =>
  brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const measure = (bytes) => ({ raw: bytes.length, gzip: gzip(bytes), brotli: brotli(bytes) });

const rows = [{ file: wasmFile, shipped: measure(readFileSync(new URL(wasmFile, root))) }];
for (const file of jsFiles) {
  const source = readFileSync(new URL(file, root), 'utf8');
  const minified = await minify(source, { module: true });
  if (typeof minified.code !== 'string') throw new Error(`terser could not minify ${file}`);
  rows.push({ file, source: measure(Buffer.from(source)), shipped: measure(Buffer.from(minified.code)) });
}

const add = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });
const total = rows.reduce((sum, row) => add(sum, row.shipped), { raw: 0, gzip: 0, brotli: 0 });
const totalSource = rows.reduce((sum, row) => add(sum, row.source ?? row.shipped), { raw: 0, gzip: 0, brotli: 0 });

const pad = (value, width) => String(value).padStart(width);
const line = (name, { raw, gzip: gz, brotli: br }, note = '') =>
  console.log(`${name.padEnd(26)} ${pad(raw, 9)} ${pad(gz, 9)} ${pad(br, 9)}${note}`);
console.log(`${'file (as shipped)'.padEnd(26)} ${pad('bytes', 9)} ${pad('gzip', 9)} ${pad('brotli', 9)}`);
for (const row of rows) {
  line(row.file, row.shipped, row.source ? `   (unminified: ${row.source.gzip} gzip)` : '');
}
line('total', total, `   (unminified: ${totalSource.gzip} gzip)`);

/** With `option BYTES` on the command line, exits 1 when `gzip` is over that budget. */
function checkBudget(option, what, gzip) {
  const at = process.argv.indexOf(option);
  if (at === -1) return;
  const budget = Number(process.argv[at + 1]);
  if (!Number.isFinite(budget)) {
    console.error(`${option} needs a number of bytes`);
    process.exit(2);
  }
  if (gzip > budget) {
    console.error(`${what}over budget: ${gzip} bytes gzip > ${budget}`);
    process.exit(1);
  }
  console.log(`${what}within budget: ${gzip} bytes gzip <= ${budget}`);
}

checkBudget('--max-gzip', '', total.gzip);

// `vexil/remote` on its own (no WebAssembly): minified and compressed the same way. With
// `--remote-max-gzip BYTES`, exits 1 when it is over that budget.
const remoteFile = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).exports['./remote'].default;
const remoteSource = readFileSync(new URL(remoteFile, root), 'utf8');
const remoteMinified = await minify(remoteSource, { module: true });
if (typeof remoteMinified.code !== 'string') throw new Error(`terser could not minify ${remoteFile}`);
const remote = measure(Buffer.from(remoteMinified.code));
line(`remote: ${remoteFile.replace(/^\.\//, '')}`, remote, `   (unminified: ${measure(Buffer.from(remoteSource)).gzip} gzip)`);
checkBudget('--remote-max-gzip', 'vexil/remote ', remote.gzip);
