// Runs modules in Cloudflare's workerd runtime, listening on 127.0.0.1, for tests. Module names
// mirror file paths, so the modules' relative imports resolve.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const WORKERD = fileURLToPath(new URL('../../node_modules/.bin/workerd', import.meta.url));

async function headAnswered(url) {
  await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(1000) });
  return true;
}

// `embed` paths are relative to the configuration file.
function config(port, directory, modules, { compatibilityDate, network, bindings }) {
  const texts = Object.entries(bindings).map(([name, text]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)})`);
  const list = modules.map(
    ([name, kind, path]) => `(name = ${JSON.stringify(name)}, ${kind} = embed ${JSON.stringify(relative(directory, path))})`,
  );
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker)${network ? ', (name = "internet", network = (allow = ["local"]))' : ''} ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ ${list.join(',\n    ')} ],
  compatibilityDate = ${JSON.stringify(compatibilityDate)},
  bindings = [ ${texts.join(', ')} ],
);
`;
}

/**
 * Serves `modules` (`[name, 'esModule' | 'wasm' | 'json' | 'text', path]`, the first being the
 * worker) and resolves to `{ url, output, stop, started }` once it answers. `stop` ends the process by
 * its PID. `compatibilityDate` picks the Workers behaviour to run with; with `network`, the
 * worker's `fetch` reaches loopback addresses (and nothing else); `bindings` are text bindings
 * (`env.NAME`); with `verbose`, workerd also reports uncaught exceptions and rejected promises
 * handed to `waitUntil` ("Uncaught (in promise)"), which it otherwise keeps to itself. It counts
 * as started once `probe(url)` resolves true (by default, once a HEAD request gets any answer),
 * tried every `interval` ms; `started` is when the process was spawned (`performance.now()`).
 */
export async function startWorkerd(
  modules,
  { compatibilityDate = '2026-11-01', network = false, bindings = {}, verbose = false, probe = headAnswered, interval = 100 } = {},
) {
  const scratch = mkdtempSync(join(tmpdir(), 'vexil-workerd-'));
  const port = await freePort();
  writeFileSync(join(scratch, 'config.capnp'), config(port, scratch, modules, { compatibilityDate, network, bindings }));
  const output = [];
  const started = performance.now();
  const args = ['serve', ...(verbose ? ['--verbose'] : []), join(scratch, 'config.capnp')];
  const child = spawn(WORKERD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk) => output.push(String(chunk)));
  child.stderr.on('data', (chunk) => output.push(String(chunk)));
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = () => {
    if (!exited) process.kill(child.pid, 'SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited) {
      stop();
      throw new Error(`workerd exited: ${output.join('')}`);
    }
    if (await probe(url).catch(() => false)) return { url, output, stop, started };
    if (Date.now() > deadline) {
      stop();
      throw new Error(`workerd did not start: ${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/**
 * The package's modules as a bundler for Workers resolves them for a worker that imports
 * `vexil` and `vexil/html`: the files of `installed` (a vexil package folder) under
 * node_modules/vexil/, and a module `vexil` (written into `directory`) re-exporting the workerd
 * entry. For `startWorkerd`, after the worker itself.
 */
export function packageModules(installed, directory) {
  writeFileSync(join(directory, 'vexil.js'), "export * from './node_modules/vexil/src/entry/workerd.js';\n");
  const files = ['src/entry/workerd.js', 'src/engine.js', 'src/client.js', 'dist/vexil.js'];
  return [
    ['vexil', 'esModule', join(directory, 'vexil.js')],
    ['vexil/html', 'esModule', join(installed, 'src/html.js')],
    ...files.map((file) => [`node_modules/vexil/${file}`, 'esModule', join(installed, file)]),
    ['node_modules/vexil/dist/vexil_bg.wasm', 'wasm', join(installed, 'dist/vexil_bg.wasm')],
  ];
}
