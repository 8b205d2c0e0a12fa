// The vectors and vexil/html in Deno (the npm `deno` package's binary), through the package's
// Deno entry; and a client's lifetime there against the real flag service.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { startService } from './support/service.js';

const pkg = fileURLToPath(new URL('../', import.meta.url));
const vectors = fileURLToPath(new URL('../../tests/vectors/', import.meta.url));
// VEXIL_DENO runs them on another Deno (the lowest the README names, say) than the pinned one.
const DENO = process.env.VEXIL_DENO ?? fileURLToPath(new URL('../node_modules/.bin/deno', import.meta.url));

test('every vector gives the documented result in Deno', () => {
  const output = execFileSync(
    DENO,
    ['run', '--no-prompt', '--no-config', `--allow-read=${pkg},${vectors}`, 'test/support/deno-vectors.js'],
    { cwd: pkg, encoding: 'utf8', env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }, timeout: 60_000 },
  );
  const result = JSON.parse(output);
  assert.deepEqual(result.failures, []);
  assert.ok(result.counts.evaluation >= 250 && result.counts.bucketing >= 500, JSON.stringify(result.counts));
  assert.ok(result.checks >= result.counts.evaluation * 3 + result.counts.loadErrors + result.counts.bucketing);
});

test('vexil/html works in Deno: answers from the Deno entry, injected into a streamed page', () => {
  const script = `
import { createClient } from './src/entry/deno.js';
import { evaluateFlags, injectBootstrap } from './src/html.js';
const flags = createClient({ storage: null, bootstrap: { schemaVersion: 1, revision: 1, generatedAt: '2026-12-01T00:00:00Z',
  flags: [{ key: 'greeting', type: 'string', variants: { hi: '</script>hé' }, fallthrough: { variant: 'hi' } }] } });
const chunks = ['<html><head><title>t</title></he', 'ad><body>ok</body></html>'].map((text) => new TextEncoder().encode(text));
const page = new Response(new ReadableStream({ start(c) { chunks.forEach((chunk) => c.enqueue(chunk)); c.close(); } }), { headers: { 'content-type': 'text/html' } });
console.log(await injectBootstrap(page, evaluateFlags(flags, { targetingKey: 'u' })).text());
flags.close();
`;
  const output = execFileSync(DENO, ['run', '--no-prompt', '--no-config', '--ext=js', '-'], {
    cwd: pkg,
    input: script,
    encoding: 'utf8',
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    timeout: 60_000,
  });
  const json = /<title>t<\/title><script type="application\/json" id="vexil-bootstrap">(.*)<\/script><\/head><body>ok/.exec(output)?.[1];
  assert.ok(json, output);
  assert.equal(JSON.parse(json).flags.greeting.value, '</script>hé');
});

// A Deno script that has its flags and never calls close() must end by itself, as in Node: the
// client's timers and its live stream may not hold Deno's event loop.
describe('a Deno script that never calls close()', () => {
  let service;
  let folder;

  before(async () => {
    service = await startService();
    folder = mkdtempSync(join(tmpdir(), 'vexil-deno-'));
  });

  after(async () => {
    await service?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  // Runs `body` after a client of the service's production environment was made with `options`
  // (`flags`, with `service` and `admin` at hand); resolves to what it printed, as JSON, once it
  // ended by itself.
  async function ended(name, options, body) {
    const script = join(folder, name);
    writeFileSync(
      script,
      `import { createClient } from ${JSON.stringify(pathToFileURL(join(pkg, 'src/entry/deno.js')).href)};
const [service, key, admin] = Deno.args;
const flags = createClient({ url: service + '/sdk/v1/snapshot', headers: { authorization: 'Bearer ' + key }, storage: null, context: { targetingKey: 'user-42', jurisdiction: 'quebec' }, ...${JSON.stringify(options)} });
${body}`,
    );
    const limit = 20_000;
    const result = await runFor(
      DENO,
      ['run', '--no-prompt', '--no-config', `--allow-net=${new URL(service.url).host}`, script, service.url, service.clientKey, service.admin],
      { cwd: folder, env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
      limit,
    );
    assert.equal(result.signal, null, `the script did not end by itself within ${limit} ms; it printed ${result.stdout} ${result.stderr}`);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout);
  }

  test('ends by itself once done, though its live stream was open', async () => {
    // The change is announced on the stream long before the TTL of ten minutes, so the script's
    // own `change` proves the stream was open when it finished.
    try {
      const printed = await ended(
        'stream.js',
        { ttl: 600_000 },
        `await flags.ready({ timeout: 20000 });
const before = flags.getBooleanValue('quebec-ontario-launch', false);
const changed = new Promise((resolve) => flags.on('change', resolve));
// Waiting for an event is the script's own business: a client's stream never holds the process.
const hold = setTimeout(() => {}, 20000);
const toggled = await fetch(service + '/api/v1/flags/quebec-ontario-launch/toggle', {
  method: 'POST', headers: { authorization: 'Bearer ' + admin, 'content-type': 'application/json' }, body: JSON.stringify({ enabled: false }),
});
await toggled.body?.cancel();
await changed;
clearTimeout(hold);
console.log(JSON.stringify({ before, after: flags.getBooleanValue('quebec-ontario-launch', true), source: flags.status.source }));`,
      );
      assert.deepEqual(printed, { before: true, after: false, source: 'network' });
    } finally {
      await service.api('POST', '/api/v1/flags/quebec-ontario-launch/toggle', { enabled: true });
    }
  });

  test('ends by itself with its next poll due', async () => {
    // No stream: the client's next poll, ten minutes away, is the one thing left to wait for.
    const printed = await ended(
      'polling.js',
      { ttl: 600_000, stream: false },
      `await flags.ready({ timeout: 20000 });
console.log(JSON.stringify({ value: flags.getBooleanValue('quebec-ontario-launch', false) }));`,
    );
    assert.deepEqual(printed, { value: true });
  });
});

// Runs a program until it ends or `limit` ms pass (then it is killed by its PID); resolves to
// its exit code or the signal that ended it, and what it printed.
function runFor(command, args, options, limit) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), limit);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
