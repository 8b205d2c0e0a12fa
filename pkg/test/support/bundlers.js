// Fresh projects for the bundler tests: the app in test/fixtures/bundlers/app, the package
// installed from its packed tarball, and the bundlers pinned in test/fixtures/bundlers (installed
// once by scripts/setup-wasm.sh, linked into each project, so nothing is downloaded here).

import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const fixtures = fileURLToPath(new URL('../fixtures/bundlers/', import.meta.url));
export const tools = join(fixtures, 'node_modules');

/**
 * Packs the package into `scratch` and installs the tarball once into a template project, whose
 * `node_modules` every project then copies. Returns the installed package's directory.
 */
export function installTarball(scratch) {
  if (!existsSync(join(tools, '.vexil-lock'))) {
    throw new Error(`the pinned bundlers are not installed in ${tools}: run scripts/setup-wasm.sh`);
  }
  const pkg = fileURLToPath(new URL('../../', import.meta.url));
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: pkg, encoding: 'utf8' }));
  const template = join(scratch, 'template');
  cpSync(join(fixtures, 'app', 'package.json'), join(template, 'package.json'));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', join(scratch, packed.filename)], { cwd: template });
  return join(template, 'node_modules', 'vexil');
}

/**
 * A fresh copy of the app in `scratch` with the installed package and `links` (name in the
 * project's node_modules → folder in the tools' node_modules). Returns its directory.
 */
export function project(scratch, links) {
  const dir = mkdtempSync(join(scratch, 'app-'));
  cpSync(join(fixtures, 'app'), dir, { recursive: true });
  cpSync(join(scratch, 'template', 'node_modules'), join(dir, 'node_modules'), { recursive: true });
  for (const [name, target] of Object.entries(links)) symlinkSync(join(tools, target), join(dir, 'node_modules', name));
  return dir;
}

/** Runs a tool's command line in `dir`; returns what it printed, or throws with it. */
export function run(dir, command, args) {
  try {
    return execFileSync(command, args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    throw new Error(`${[command, ...args].join(' ')} failed:\n${error.stdout}\n${error.stderr}`);
  }
}

/**
 * Starts Vite's dev server for `dir` on 127.0.0.1 and a free port; resolves to `{ url, output,
 * stop }` once it answers. `stop` ends it by its PID.
 */
export async function viteDev(dir) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(dir, 'node_modules', 'vite', 'bin', 'vite.js'), '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = [];
  child.stdout.on('data', (chunk) => output.push(String(chunk)));
  child.stderr.on('data', (chunk) => output.push(String(chunk)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      return; // Already gone.
    }
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}/`;
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`vite exited early:\n${output.join('')}`);
    try {
      if ((await fetch(url)).ok) return { url, output, stop };
    } catch {
      // Not listening yet.
    }
    if (attempt === 300) {
      await stop();
      throw new Error(`vite did not answer within 30 s:\n${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Opens `url` in a new tab of `browser` and waits until the app shows its flag from the
 * snapshot. Resolves to what the page showed, in order, and everything that went wrong: page
 * errors, console errors, failed requests and answers of 400 or more; and each `.wasm` fetched
 * with its status and content type.
 */
export async function visit(browser, url) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems = [];
    const wasm = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
      if (new URL(response.url()).pathname.endsWith('.wasm')) {
        wasm.push({ path: new URL(response.url()).pathname, status: response.status(), type: response.headers()['content-type'] });
      }
    });
    // Every text the flag's element shows, from the first (before the WebAssembly arrives).
    await page.addInitScript(() => {
      window.shown = [];
      new MutationObserver(() => {
        const text = document.querySelector('#launch')?.textContent;
        if (text && window.shown.at(-1) !== text) window.shown.push(text);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.goto(url);
    await page
      .waitForFunction(() => window.shown.some((text) => !text.includes('PROVIDER_NOT_READY')), null, { timeout: 30_000 })
      .catch(() => problems.push('the flag never showed a value from the snapshot'));
    return { shown: await page.evaluate(() => window.shown), problems, wasm };
  } finally {
    await context.close();
  }
}
