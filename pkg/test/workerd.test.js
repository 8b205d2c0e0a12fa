// The vectors in Cloudflare's workerd runtime, through the package's workerd entry (which
// imports the WebAssembly as a compiled module, since Workers refuse to compile bytes).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('../', import.meta.url));
const vectors = fileURLToPath(new URL('../../tests/vectors/', import.meta.url));
const WORKERD = join(pkg, 'node_modules', '.bin', 'workerd');

// Module names mirror the package layout, so the modules' relative imports resolve.
const MODULES = [
  ['test/support/worker.js', 'esModule', join(pkg, 'test/support/worker.js')],
  ['test/support/vectors.js', 'esModule', join(pkg, 'test/support/vectors.js')],
  ['src/entry/workerd.js', 'esModule', join(pkg, 'src/entry/workerd.js')],
  ['src/engine.js', 'esModule', join(pkg, 'src/engine.js')],
  ['src/client.js', 'esModule', join(pkg, 'src/client.js')],
  ['dist/vexil.js', 'esModule', join(pkg, 'dist/vexil.js')],
  ['dist/vexil_bg.wasm', 'wasm', join(pkg, 'dist/vexil_bg.wasm')],
  ['vectors/evaluation.json', 'json', join(vectors, 'evaluation.json')],
  ['vectors/load-errors.json', 'json', join(vectors, 'load-errors.json')],
  ['vectors/diagnostics.json', 'json', join(vectors, 'diagnostics.json')],
  ['vectors/bucketing.json', 'json', join(vectors, 'bucketing.json')],
];

// `embed` paths are relative to the configuration file.
function config(port, directory) {
  const modules = MODULES.map(
    ([name, kind, path]) => `(name = ${JSON.stringify(name)}, ${kind} = embed ${JSON.stringify(relative(directory, path))})`,
  );
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ ${modules.join(',\n    ')} ],
  compatibilityDate = "2026-11-01",
);
`;
}

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

let child;
let scratch;
let url;
const output = [];

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'vexil-workerd-'));
  const port = await freePort();
  writeFileSync(join(scratch, 'config.capnp'), config(port, scratch));
  child = spawn(WORKERD, ['serve', join(scratch, 'config.capnp')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk) => output.push(String(chunk)));
  child.stderr.on('data', (chunk) => output.push(String(chunk)));
  url = `http://127.0.0.1:${port}/`;
  // Ready when it answers; give up (and show what it printed) after 20 s.
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd exited: ${output.join('')}`);
    try {
      await fetch(url, { method: 'HEAD' });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`workerd did not start: ${output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});

after(() => {
  // Ended by its PID even when a test failed.
  if (child && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('every vector gives the documented result in workerd', async () => {
  const response = await fetch(url);
  assert.equal(response.status, 200, output.join(''));
  const result = await response.json();
  assert.deepEqual(result.failures, []);
  assert.ok(result.counts.evaluation >= 250 && result.counts.bucketing >= 500, JSON.stringify(result.counts));
  assert.ok(result.checks >= result.counts.evaluation * 3 + result.counts.loadErrors + result.counts.bucketing);
});
