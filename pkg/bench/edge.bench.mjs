// Server rendering at the edge, measured: examples/edge/worker.js in Cloudflare's workerd with
// the 200-flag generated snapshot (written by `cargo run --release --example bench_snapshots`)
// on a config endpoint served here. Run with `make bench-edge`; prints
//
// - cold start to first answer: from spawning workerd to the first page with the user's flags
//   in it (the runtime's start, the engine's, the first snapshot fetch and compile), N times,
//   beside the same for a worker that answers without flags;
// - the per-request work inside workerd: a worker of this benchmark's repeats it n times in one
//   request (evaluating every flag for a new user; that plus making the markup; that plus
//   injecting it into a page and reading the page through; evaluating and reading the page
//   through without injecting, to tell the injection from the Response's own cost), and the time of n repeats less the time of none, over n, is the
//   cost of one (workerd's clock stands still while a request computes, so it cannot time
//   itself);
// - the whole request over HTTP on loopback, one at a time (median latency): the example's page
//   with flags, the same with the answers injected but no values rendered (no HTMLRewriter),
//   a worker that passes the origin's page through and one answering "ok";
// - the same per-request work in this Node process (the same V8), timed directly.
//
//   node bench/edge.bench.mjs [snapshot directory] [--runs N]

import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

import { createClient } from 'vexil';
import { bootstrapScript, evaluateFlags, injectBootstrap } from 'vexil/html';

import { measure, show } from './measure.mjs';
import { packageModules, startWorkerd } from '../test/support/workerd.js';

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '20' } },
});
const RUNS = Number(options.runs);
const REPEATS = 1000;

const pkg = fileURLToPath(new URL('../', import.meta.url));
const example = fileURLToPath(new URL('../../examples/edge/', import.meta.url));
const directory = resolve(positionals[0] ?? join(pkg, '../target/bench-snapshots'));
const snapshot = readFileSync(join(directory, 'snapshot-200.json'), 'utf8');
const workload = JSON.parse(readFileSync(join(directory, 'workload.json'), 'utf8'));
// The example's page, grown to a typical document's size (about 30 KB) with body text.
const page = readFileSync(join(example, 'index.html'), 'utf8').replace('</body>', `${'<p>Lorem ipsum dolor sit amet.</p>\n'.repeat(800)}</body>`);

// The config endpoint and the origin.
const site = createServer((request, response) => {
  if (request.url === '/flags.json') return response.writeHead(200, { 'content-type': 'application/json' }).end(snapshot);
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
});
await new Promise((done) => site.listen(0, '127.0.0.1', done));
const origin = `http://127.0.0.1:${site.address().port}`;

const scratch = mkdtempSync(join(tmpdir(), 'vexil-edge-bench-'));
writeFileSync(join(scratch, 'plain.js'), 'export default { fetch: () => new Response("ok") };\n');
writeFileSync(join(scratch, 'pass.js'), 'export default { fetch: (request, env) => fetch(env.ORIGIN) };\n');
writeFileSync(join(scratch, 'repeat.js'), `import { createClient } from 'vexil';
import { bootstrapScript, evaluateFlags, injectBootstrap } from 'vexil/html';

let flags;
let page;
export default {
  async fetch(request, env, ctx) {
    flags ??= createClient({ url: env.FLAGS_URL, ttl: 60_000 });
    flags.refreshIfDue(ctx);
    await flags.ready({ timeout: 2000 });
    const query = new URL(request.url).searchParams;
    // One page with the answers injected as the origin streams it (examples/edge without HTMLRewriter).
    if (query.get('what') === 'stream') return injectBootstrap(await fetch(env.ORIGIN), evaluateFlags(flags, { targetingKey: 'user-42' }));
    page ??= await (await fetch(env.ORIGIN)).arrayBuffer();
    const n = Number(query.get('n'));
    let sink = 0;
    for (let i = 0; i < n; i += 1) {
      const answers = evaluateFlags(flags, { targetingKey: 'user-' + i });
      if (query.get('what') === 'evaluate') sink += answers.revision;
      else if (query.get('what') === 'markup') sink += bootstrapScript(answers).length;
      else if (query.get('what') === 'read') sink += (await new Response(page, { headers: { 'content-type': 'text/html' } }).arrayBuffer()).byteLength;
      else sink += (await injectBootstrap(new Response(page, { headers: { 'content-type': 'text/html' } }), answers).arrayBuffer()).byteLength;
    }
    return new Response(String(sink));
  },
};
`);
const modules = packageModules(pkg, scratch);
const workers = {
  edge: [['worker.js', 'esModule', join(example, 'worker.js')], ...modules],
  plain: [['plain.js', 'esModule', join(scratch, 'plain.js')]],
  pass: [['pass.js', 'esModule', join(scratch, 'pass.js')]],
  repeat: [['repeat.js', 'esModule', join(scratch, 'repeat.js')], ...modules],
};
const bindings = { FLAGS_URL: `${origin}/flags.json`, ORIGIN: origin };
const COOKIE = { cookie: `user=${workload.user.targetingKey}` };

// The workerd running now, stopped by PID if the benchmark is interrupted.
let running;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    running?.stop();
    rmSync(scratch, { recursive: true, force: true });
    process.exit(130);
  });
}

const start = async (worker, probe) => (running = await startWorkerd(workers[worker], { network: true, bindings, probe, interval: 2 }));

// A page counts only with the user's flags in it.
const flagged = async (url) => {
  const response = await fetch(url, { headers: COOKIE });
  return response.ok && (await response.text()).includes('id="vexil-bootstrap"');
};
const answered = async (url) => (await fetch(url)).ok;

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const ms = (value) => `${value.toFixed(2)} ms`;

async function coldStarts(worker, probe) {
  const times = [];
  for (let run = 0; run < RUNS; run += 1) {
    const workerd = await start(worker, probe);
    times.push(performance.now() - workerd.started);
    workerd.stop();
  }
  times.sort((a, b) => a - b);
  return `median ${ms(quantile(times, 0.5))}, p95 ${ms(quantile(times, 0.95))}, fastest ${ms(times[0])} (${RUNS} starts)`;
}

// `measure` for an async operation: 15 batches of 100 after 200 to warm up.
async function measureAsync(operation) {
  for (let i = 0; i < 200; i += 1) await operation();
  const times = [];
  for (let batch = 0; batch < 15; batch += 1) {
    const began = process.hrtime.bigint();
    for (let i = 0; i < 100; i += 1) await operation();
    times.push(Number(process.hrtime.bigint() - began) / 1e9 / 100);
  }
  times.sort((a, b) => a - b);
  return { median: times[7], min: times[0], max: times[14] };
}

// Median milliseconds of one request to `url`, one at a time, after `warmup` of them.
async function latency(url, { headers, count = 200, warmup = 50 } = {}) {
  const times = [];
  for (let i = 0; i < warmup + count; i += 1) {
    const began = performance.now();
    const response = await fetch(url, { headers });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    await response.arrayBuffer();
    if (i >= warmup) times.push(performance.now() - began);
  }
  times.sort((a, b) => a - b);
  return quantile(times, 0.5);
}

// The cost of one repeat of `what` inside workerd: (time of REPEATS − time of none) / REPEATS.
async function inside(workerd, what) {
  const base = await latency(new URL(`/?what=${what}&n=0`, workerd.url), { count: 15, warmup: 3 });
  const many = await latency(new URL(`/?what=${what}&n=${REPEATS}`, workerd.url), { count: 15, warmup: 3 });
  return `${(((many - base) / REPEATS) * 1000).toFixed(1)} µs`;
}

try {
  console.log(`workerd ${JSON.parse(readFileSync(join(pkg, 'node_modules/workerd/package.json'), 'utf8')).version}, Node ${process.version}; snapshot of 200 flags (${snapshot.length} B), page of ${page.length} B`);
  console.log('\ncold start: spawn → first answer');
  console.log(`  page with flags (examples/edge)   ${await coldStarts('edge', flagged)}`);
  console.log(`  worker without flags              ${await coldStarts('plain', answered)}`);

  console.log(`\nper request inside workerd (${REPEATS} repeats in one request, less none; median of 15)`);
  const repeat = await start('repeat', async (url) => (await fetch(new URL('/?what=evaluate&n=1', url))).ok);
  try {
    console.log(`  evaluateFlags (200 flags)         ${await inside(repeat, 'evaluate')}`);
    console.log(`  evaluateFlags + bootstrapScript   ${await inside(repeat, 'markup')}`);
    console.log(`  evaluate + inject into the page   ${await inside(repeat, 'page')}`);
    console.log(`  evaluate + read the page (no injection) ${await inside(repeat, 'read')}`);
  } finally {
    repeat.stop();
  }

  console.log('\nwhole request over HTTP, one at a time (median of 200)');
  for (const [worker, path, name] of [
    ['edge', '/', 'page with flags (examples/edge)  '],
    ['repeat', '/?what=stream', 'the same without HTMLRewriter    '],
    ['pass', '/', 'origin page passed through       '],
    ['plain', '/', 'worker answering "ok"            '],
  ]) {
    const workerd = await start(worker, worker === 'edge' ? flagged : answered);
    try {
      console.log(`  ${name} ${ms(await latency(new URL(path, workerd.url), { headers: COOKIE }))}`);
    } finally {
      workerd.stop();
    }
  }

  console.log('\nper-request work in Node (median of 15 batches, fastest – slowest)');
  const client = createClient({ bootstrap: snapshot, storage: null });
  const context = { targetingKey: workload.user.targetingKey };
  const html = new TextEncoder().encode(page);
  let sink = 0;
  show('  evaluateFlags (200 flags)', measure((n) => {
    for (let i = 0; i < n; i += 1) sink += evaluateFlags(client, context).revision;
  }, { iterations: 200 }));
  show('  evaluateFlags + bootstrapScript', measure((n) => {
    for (let i = 0; i < n; i += 1) sink += bootstrapScript(evaluateFlags(client, context)).length;
  }, { iterations: 200 }));
  // The injection runs as the page streams; timed here as the whole page read through it,
  // beside the page read through without it.
  const inject = async () => {
    const response = injectBootstrap(new Response(html, { headers: { 'content-type': 'text/html' } }), evaluateFlags(client, context));
    sink += (await response.arrayBuffer()).byteLength;
  };
  const read = async () => {
    sink += evaluateFlags(client, context).revision;
    sink += (await new Response(html, { headers: { 'content-type': 'text/html' } }).arrayBuffer()).byteLength;
  };
  show('  evaluate + markup + inject (page)', await measureAsync(inject));
  show('  evaluate + read the page (no injection)', await measureAsync(read));
  client.close();
  if (sink === 0) console.log('');
} finally {
  site.close();
  rmSync(scratch, { recursive: true, force: true });
}
