// Runs modules in Cloudflare's workerd runtime, listening on 127.0.0.1, for tests. Module names
// mirror file paths, so the modules' relative imports resolve.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKERD = fileURLToPath(new URL('../../node_modules/.bin/workerd', import.meta.url));

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// `embed` paths are relative to the configuration file.
function config(port, directory, modules, compatibilityDate, network) {
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
);
`;
}

/**
 * Serves `modules` (`[name, 'esModule' | 'wasm' | 'json' | 'text', path]`, the first being the
 * worker) and resolves to `{ url, output, stop }` once it answers. `stop` ends the process by
 * its PID. `compatibilityDate` picks the Workers behaviour to run with; with `network`, the
 * worker's `fetch` reaches loopback addresses (and nothing else); with `verbose`, workerd also
 * reports uncaught exceptions and rejected promises handed to `waitUntil` ("Uncaught (in
 * promise)"), which it otherwise keeps to itself.
 */
export async function startWorkerd(modules, { compatibilityDate = '2026-11-01', network = false, verbose = false } = {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'vexil-workerd-'));
  const port = await freePort();
  writeFileSync(join(scratch, 'config.capnp'), config(port, scratch, modules, compatibilityDate, network));
  const output = [];
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
    try {
      await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(1000) });
      return { url, output, stop };
    } catch {
      if (Date.now() > deadline) {
        stop();
        throw new Error(`workerd did not start: ${output.join('')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
