// The package as users get it, for tests: `npm pack` of pkg/, installed into a fresh scratch
// project. Every test file that needs it packs once, in its own temporary folder.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Packs the package and installs the tarball into `app/` of a new temporary folder, whose
 * package.json is `manifest` (an ES module project by default). Resolves to `{ scratch, app,
 * tarball, installed, files, remove }`: `files` are the paths in the tarball, `remove()` deletes
 * the folder.
 */
export function installPacked(manifest = { type: 'module' }) {
  const scratch = mkdtempSync(join(tmpdir(), 'vexil-packed-'));
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: pkg, encoding: 'utf8' }));
  const tarball = join(scratch, packed.filename);
  const app = join(scratch, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, ...manifest }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app });
  return {
    scratch,
    app,
    tarball,
    installed: join(app, 'node_modules', 'vexil'),
    files: packed.files.map((file) => file.path),
    remove: () => rmSync(scratch, { recursive: true, force: true }),
  };
}

/**
 * A fresh copy of the app in `fixture/app` (a test fixture whose pinned tools scripts/setup-wasm.sh
 * installs in `fixture/node_modules`) with the packed package installed and `linked` (names in
 * the fixture's node_modules) linked beside it. Resolves to `{ scratch, app, tools, remove }`.
 */
export function installFixtureApp(fixture, linked) {
  const tools = join(fixture, 'node_modules');
  if (!existsSync(join(tools, '.vexil-lock'))) throw new Error(`the tools of ${fixture} are not installed: run scripts/setup-wasm.sh`);
  const scratch = mkdtempSync(join(tmpdir(), 'vexil-app-'));
  const app = join(scratch, 'app');
  cpSync(join(fixture, 'app'), app, { recursive: true });
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: pkg, encoding: 'utf8' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', join(scratch, packed.filename)], { cwd: app });
  for (const name of linked) symlinkSync(join(tools, name), join(app, 'node_modules', name));
  return { scratch, app, tools, remove: () => rmSync(scratch, { recursive: true, force: true }) };
}
