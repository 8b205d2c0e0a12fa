// Builds the console into www/dist/: the page, its stylesheet and its modules (minified with
// terser, module by module, no bundler), and the `vexil` package it runs (pkg/src and the
// browser WebAssembly build from pkg/dist, which `make wasm` makes). The output depends only
// on the inputs: the same sources give the same bytes, which `vexil serve` embeds at build time.
//
//   node build.mjs            build
//   node build.mjs --sizes    build, then print the sizes (docs/console.md)
//   node build.mjs --sizes --max-gzip N   and fail if the console's own modules, each gzipped
//                             as the service sends them, add up to more than N bytes

import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { minify } from 'terser';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
const pkg = join(here, '..', 'pkg');

async function files(dir) {
  const found = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...await files(path));
    else found.push(path);
  }
  return found;
}

async function minifyInto(from, to) {
  const source = await readFile(from, 'utf8');
  const result = await minify(source, { module: true, ecma: 2022, compress: { passes: 2 }, mangle: true, format: { comments: false } });
  await mkdir(dirname(to), { recursive: true });
  await writeFile(to, result.code);
  return result.code;
}

async function build() {
  try {
    await stat(join(pkg, 'dist', 'vexil_web.wasm'));
  } catch {
    throw new Error('pkg/dist/vexil_web.wasm is missing: run `make wasm` first');
  }
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  for (const name of ['index.html', 'console.css', 'favicon.svg']) await cp(join(here, name), join(out, name));
  // The editor's JSON view links to the snapshot format's schema.
  await cp(join(here, '..', 'docs', 'snapshot.schema.json'), join(out, 'snapshot.schema.json'));
  const own = [];
  for (const file of await files(join(here, 'src'))) {
    own.push(await minifyInto(file, join(out, 'src', relative(join(here, 'src'), file))));
  }
  for (const file of await files(join(pkg, 'src'))) {
    await minifyInto(file, join(out, 'vexil', 'src', relative(join(pkg, 'src'), file)));
  }
  await minifyInto(join(pkg, 'dist', 'vexil.js'), join(out, 'vexil', 'dist', 'vexil.js'));
  await cp(join(pkg, 'dist', 'vexil_web.wasm'), join(out, 'vexil', 'dist', 'vexil_web.wasm'));
  return own;
}

const own = await build();
if (process.argv.includes('--sizes')) {
  const minified = own.reduce((sum, code) => sum + Buffer.byteLength(code), 0);
  const gzipped = own.reduce((sum, code) => sum + gzipSync(code, { level: 9 }).length, 0);
  const css = await readFile(join(out, 'console.css'));
  console.log(`console JavaScript (without the engine): ${own.length} modules, ${minified} B minified, ${gzipped} B gzip (each module gzipped, as served)`);
  console.log(`console stylesheet: ${css.length} B, ${gzipSync(css, { level: 9 }).length} B gzip`);
  const limit = process.argv.indexOf('--max-gzip');
  if (limit > 0) {
    const budget = Number(process.argv[limit + 1]);
    if (!(budget > 0)) throw new Error('--max-gzip takes a number of bytes');
    if (gzipped > budget) {
      console.error(`the console's JavaScript is ${gzipped} B gzip, over its budget of ${budget} B`);
      process.exit(1);
    }
    console.log(`within the budget of ${budget} B gzip`);
  }
} else {
  console.log(`console built into ${relative(process.cwd(), out) || '.'}`);
}
