// TypeScript users of the package as they get it: projects made from the packed tarball,
// compiled with the pinned TypeScript in `strict` mode against the real OpenFeature SDKs, under
// node16, nodenext and bundler resolution and as a CommonJS project; every compiled program then
// runs in Node and must print what it evaluated. The OpenFeature snippets are the README's own,
// read from it here, so the README cannot drift from what compiles.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { serve } from './support/server.js';

const run = promisify(execFile);
const pkg = fileURLToPath(new URL('../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/typescript/', import.meta.url));
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const SNAPSHOT = readFileSync(join(examples, 'snapshot.json'), 'utf8');
const README_URL = 'https://config.example.com/flags/production.json';
// The tools the projects use, installed once into the fixture folder (see scripts/setup-wasm.sh).
const TOOLS = ['typescript', '@openfeature/core', '@openfeature/web-sdk', '@openfeature/server-sdk', '@types/node'];
// user-42 in Quebec gets the launch; the default, false, would mean nothing was evaluated.
const LAUNCH = { launch: true };

let scratch;
let server;

/** Installs the fixture's pinned tools unless its lock file is the one last installed. */
function installTools() {
  const lock = readFileSync(join(fixture, 'package-lock.json'));
  const stamp = join(fixture, 'node_modules', '.vexil-lock');
  if (existsSync(stamp) && readFileSync(stamp).equals(lock)) return;
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: fixture, stdio: 'inherit' });
  writeFileSync(stamp, lock);
}

/** The README's one `ts` block containing `marker`, out of the list item it may sit in. */
function readmeSnippet(marker) {
  const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^( *)```ts\n([\s\S]*?)^\1```$/gm)]
    .map(([, indent, body]) => body.replace(new RegExp(`^${indent}`, 'gm'), ''))
    .filter((body) => body.includes(marker));
  assert.equal(blocks.length, 1, `the README should have one ts snippet with ${marker}`);
  return blocks[0];
}

/**
 * A README snippet as a program: its example URL pointed at the local server (the only change to
 * its text), then a line printing the `launch` it evaluated and closing OpenFeature.
 */
function readmeProgram(marker) {
  const snippet = readmeSnippet(marker);
  assert.ok(snippet.includes(README_URL), `the ${marker} snippet should use ${README_URL}`);
  return `${snippet.replace(README_URL, `${server.url}/examples/snapshot.json`)}
console.log(JSON.stringify({ launch }));
await OpenFeature.close();
`;
}

/** Writes `files` (path → text) under `dir`. */
function write(dir, files) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function tsconfig(compilerOptions, files) {
  const options = { strict: true, target: 'es2022', outDir: 'dist', ...compilerOptions };
  return `${JSON.stringify({ compilerOptions: options, files }, null, 2)}\n`;
}

/** Compiles the project `tsconfig` with the pinned TypeScript; fails with TypeScript's errors. */
async function compile(dir, tsconfigFile) {
  const tsc = join(fixture, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await run(process.execPath, [tsc, '-p', tsconfigFile], { cwd: dir });
  } catch (error) {
    assert.fail(`tsc -p ${tsconfigFile} in ${dir} failed:\n${error.stdout}${error.stderr}`);
  }
}

/** Runs a compiled program and returns what it printed, as JSON. */
async function execute(dir, file) {
  // The timeout only keeps a program that never exits from holding the test run.
  const { stdout } = await run(process.execPath, [file], { cwd: dir, timeout: 60_000 });
  return JSON.parse(stdout);
}

before(async () => {
  installTools();
  scratch = mkdtempSync(join(tmpdir(), 'vexil-typescript-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: pkg, encoding: 'utf8' }));
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch-typescript', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', join(scratch, packed[0].filename)], {
    cwd: scratch,
  });
  // The pinned tools beside the package, linked rather than installed again.
  for (const tool of TOOLS) {
    mkdirSync(join(scratch, 'node_modules', tool, '..'), { recursive: true });
    symlinkSync(join(fixture, 'node_modules', tool), join(scratch, 'node_modules', tool), 'dir');
  }
  server = await serve({}, { examples });
});

after(async () => {
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// A page project (the DOM, no Node types) and a server project (Node's types, no DOM) per mode.
const MODES = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
};

for (const [mode, resolution] of Object.entries(MODES)) {
  test(`strict ESM with "moduleResolution": "${mode}": the README's OpenFeature snippets and the engine compile and evaluate`, async () => {
    const dir = join(scratch, mode);
    write(dir, {
      'package.json': JSON.stringify({ private: true, type: 'module' }),
      'src/snapshot.ts': `export const SNAPSHOT: string = ${JSON.stringify(SNAPSHOT)};\n`,
      'src/web.ts': readmeProgram('@openfeature/web-sdk'),
      'src/server.ts': readmeProgram('@openfeature/server-sdk'),
      'src/engine.ts': readFileSync(join(fixture, 'src', 'engine.ts'), 'utf8'),
      'src/context.ts': readFileSync(join(fixture, 'src', 'context.ts'), 'utf8'),
      'src/html.ts': readFileSync(join(fixture, 'src', 'html.ts'), 'utf8'),
      'src/slim.ts': readFileSync(join(fixture, 'src', 'slim.ts'), 'utf8'),
      'tsconfig.page.json': tsconfig(
        { ...resolution, lib: ['es2022', 'dom'], types: [], outDir: 'dist/page' },
        ['src/web.ts', 'src/engine.ts', 'src/html.ts', 'src/slim.ts'],
      ),
      'tsconfig.server.json': tsconfig(
        { ...resolution, lib: ['es2022'], types: ['node'], outDir: 'dist/server' },
        ['src/server.ts', 'src/engine.ts', 'src/context.ts', 'src/html.ts'],
      ),
    });
    await Promise.all([compile(dir, 'tsconfig.page.json'), compile(dir, 'tsconfig.server.json')]);
    assert.deepEqual(await execute(dir, 'dist/page/web.js'), LAUNCH);
    assert.deepEqual(await execute(dir, 'dist/server/server.js'), LAUNCH);
    assert.deepEqual(await execute(dir, 'dist/server/engine.js'), {
      launch: true,
      variant: 'on',
      upload: 250,
      onboarding: true,
      client: true,
      flags: 9,
    });
  });
}

test('a strict CommonJS project with "module": "node16" loads the package with import(), as the README says', async () => {
  const dir = join(scratch, 'cjs');
  write(dir, {
    'package.json': JSON.stringify({ private: true, type: 'commonjs' }),
    'src/snapshot.ts': `export const SNAPSHOT: string = ${JSON.stringify(SNAPSHOT)};\n`,
    'src/main.ts': readFileSync(join(fixture, 'cjs', 'main.ts'), 'utf8'),
    'src/readme.ts': readmeSnippet('resolution-mode'),
    'tsconfig.json': tsconfig({ module: 'node16', moduleResolution: 'node16', lib: ['es2022'], types: ['node'] }, [
      'src/main.ts',
      'src/readme.ts',
    ]),
  });
  await compile(dir, 'tsconfig.json');
  assert.deepEqual(await execute(dir, 'dist/main.js'), { engine: true, openFeature: true });
});

test('vexil compiles without OpenFeature installed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vexil-typescript-bare-'));
  try {
    cpSync(join(scratch, 'node_modules', 'vexil'), join(dir, 'node_modules', 'vexil'), { recursive: true });
    write(dir, {
      'package.json': JSON.stringify({ private: true, type: 'module' }),
      'src/snapshot.ts': `export const SNAPSHOT: string = ${JSON.stringify(SNAPSHOT)};\n`,
      'src/engine.ts': readFileSync(join(fixture, 'src', 'engine.ts'), 'utf8'),
      'src/slim.ts': "import { initialize } from 'vexil/slim';\nexport const ready: Promise<void> = initialize(new URL('https://example.com/vexil.wasm'));\n",
      'tsconfig.json': tsconfig({ ...MODES.nodenext, lib: ['es2022', 'dom'], types: [], noEmit: true }, ['src/engine.ts', 'src/slim.ts']),
    });
    await compile(dir, 'tsconfig.json');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the declarations themselves compile in strict mode', async () => {
  const dir = join(scratch, 'declarations');
  const types = ['index', 'engine', 'client', 'slim', 'openfeature'].map((name) => join(pkg, 'types', `${name}.d.ts`));
  write(dir, {
    'tsconfig.json': tsconfig({ ...MODES.nodenext, lib: ['es2022', 'dom'], types: [], noEmit: true }, types),
  });
  await compile(dir, 'tsconfig.json');
});
