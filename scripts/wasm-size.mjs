// What a browser downloads for the package's default entry, compressed as servers send it:
// the WebAssembly, the wasm-bindgen glue and the SDK's own modules. Prints gzip (level 9) and
// brotli (quality 11) bytes per file and in total. With `--max-gzip BYTES`, exits 1 when the
// total is over that budget.
//
//   node scripts/wasm-size.mjs [--max-gzip 98304]

import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('../pkg/', import.meta.url);
const files = ['dist/vexil_bg.wasm', 'dist/vexil.js', 'src/engine.js', 'src/client.js', 'src/entry/browser.js'];

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const brotli = (bytes) =>
  brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

let total = { raw: 0, gzip: 0, brotli: 0 };
const rows = files.map((file) => {
  const bytes = readFileSync(new URL(file, root));
  const row = { file, raw: bytes.length, gzip: gzip(bytes), brotli: brotli(bytes) };
  total = { raw: total.raw + row.raw, gzip: total.gzip + row.gzip, brotli: total.brotli + row.brotli };
  return row;
});

const pad = (value, width) => String(value).padStart(width);
console.log(`${'file'.padEnd(24)} ${pad('bytes', 9)} ${pad('gzip', 9)} ${pad('brotli', 9)}`);
for (const row of [...rows, { file: 'total', ...total }]) {
  console.log(`${row.file.padEnd(24)} ${pad(row.raw, 9)} ${pad(row.gzip, 9)} ${pad(row.brotli, 9)}`);
}

const flag = process.argv.indexOf('--max-gzip');
if (flag !== -1) {
  const budget = Number(process.argv[flag + 1]);
  if (!Number.isFinite(budget)) {
    console.error('--max-gzip needs a number of bytes');
    process.exit(2);
  }
  if (total.gzip > budget) {
    console.error(`over budget: ${total.gzip} bytes gzip > ${budget}`);
    process.exit(1);
  }
  console.log(`within budget: ${total.gzip} bytes gzip <= ${budget}`);
}
