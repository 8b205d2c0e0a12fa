// Server rendering at the edge, as examples/edge/ does it, from the packed tarball: the worker
// (worker.js) runs in Cloudflare's workerd in front of an origin served here, the Node server
// (server.js) runs as its own process, and both put each user's flags into the page, whose
// script (page.js) is loaded in headless Chromium. The config endpoint is a real HTTP server
// here too, whose snapshot the test changes.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium } from './support/chromium.js';
import { startNodeServer } from './support/node-server.js';
import { installPacked } from './support/packed.js';
import { packageModules, startWorkerd } from './support/workerd.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/edge/', import.meta.url));
const TTL = 300;
const HOSTILE = '</script><script>alert(1)</script>';

// bob sees blue; everyone else red, and green from revision 2.
const snapshot = (revision) =>
  JSON.stringify({
    schemaVersion: 1,
    revision,
    generatedAt: '2026-12-01T00:00:00Z',
    flags: [
      {
        key: 'color',
        type: 'string',
        variants: { red: 'red', blue: 'blue', green: 'green' },
        rules: [{ id: 'bob', conditions: [{ attribute: 'targetingKey', op: 'equals', value: 'bob' }], serve: { variant: 'blue' } }],
        fallthrough: { variant: revision === 1 ? 'red' : 'green' },
      },
      { key: 'motto', type: 'string', variants: { hostile: HOSTILE }, fallthrough: { variant: 'hostile' } },
    ],
  });

let packed;
let origin;
let workerd;
let node;
let chromium;
const state = { revision: 1, snapshots: 0 };

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));

// The config endpoint at /flags.json, and the site: index.html sent in two chunks that split
// `</head>` between them, page.js and the package's modules.
function site() {
  return createServer((request, response) => {
    const { pathname } = new URL(request.url, 'http://x');
    if (pathname === '/flags.json') {
      state.snapshots += 1;
      return response.writeHead(200, { 'content-type': 'application/json' }).end(snapshot(state.revision));
    }
    if (pathname === '/') {
      const html = readFileSync(join(packed.app, 'index.html'), 'utf8');
      const cut = html.indexOf('</head>') + 4;
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-origin': 'yes' });
      response.write(html.slice(0, cut));
      return setTimeout(() => response.end(html.slice(cut)), 30);
    }
    if (/^\/(page\.js|node_modules\/vexil\/src\/\w+\.js)$/.test(pathname)) {
      return response.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(packed.app, pathname)));
    }
    response.writeHead(404).end();
  });
}

// examples/edge/server.js, as its own process.
const startNode = (flagsUrl) => startNodeServer(['server.js'], { cwd: packed.app, env: { ...process.env, FLAGS_URL: flagsUrl, PORT: '0' } });

before(async () => {
  packed = installPacked();
  for (const file of ['worker.js', 'server.js', 'page.js', 'index.html']) copyFileSync(join(EXAMPLE, file), join(packed.app, file));
  origin = site();
  const url = await listen(origin);
  workerd = await startWorkerd(
    [['worker.js', 'esModule', join(packed.app, 'worker.js')], ...packageModules(packed.installed, packed.app)],
    { network: true, bindings: { FLAGS_URL: `${url}/flags.json`, ORIGIN: url, FLAGS_TTL: String(TTL) } },
  );
  node = await startNode(`${url}/flags.json`);
  chromium = await launchChromium();
});

after(async () => {
  await chromium?.stop();
  node?.stop();
  workerd?.stop();
  origin?.close();
  packed?.remove();
});

const get = (base, user) => fetch(new URL('/', base), { headers: { cookie: `theme=dark; user=${user}` } });
const ENTITIES = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"' };
const decode = (html) => html.replace(/&#(\d+);|&\w+;/g, (entity, code) => (code ? String.fromCharCode(code) : ENTITIES[entity]));

// The rendered values and the injected answers of one user's page.
async function pageOf(base, user) {
  const response = await get(base, user);
  const html = await response.text();
  const json = /<script type="application\/json" id="vexil-bootstrap">(.*?)<\/script><\/head>/s.exec(html)?.[1];
  assert.ok(json, `no bootstrap right before </head>:\n${html}`);
  assert.equal(html.match(/id="vexil-bootstrap"/g).length, 1);
  const answers = JSON.parse(json);
  const text = (id) => [...html.matchAll(/<\w+ id="(\w+)" data-flag="\w+">(.*?)<\/\w+>/g)].find((match) => match[1] === id)?.[2];
  return { response, html, answers, color: text('color'), motto: text('motto') };
}

for (const [shape, base] of [
  ['the worker in workerd', () => workerd.url],
  ['the Node server', () => node.url],
]) {
  test(`${shape} renders and injects each user's own flags, and a hostile value stays inert`, async () => {
    for (const [user, color] of [
      ['alice', 'red'],
      ['bob', 'blue'],
    ]) {
      const { response, html, answers, color: shown, motto } = await pageOf(base(), user);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'private, no-store');
      assert.equal(shown, color);
      assert.equal(answers.flags.color.value, color);
      assert.equal(answers.revision, state.revision);
      assert.equal(answers.flags.motto.value, HOSTILE);
      assert.ok(!motto.includes('<'));
      assert.equal(decode(motto), HOSTILE);
      assert.ok(!html.includes('<script>alert'), 'the hostile value broke out');
    }
  });
}

test('the worker keeps the origin status and headers, and injects across a </head> split between chunks', async () => {
  const { response, html } = await pageOf(workerd.url, 'alice');
  assert.equal(response.headers.get('x-origin'), 'yes');
  assert.equal(response.headers.get('content-length'), null);
  // The origin sent `…</he` and, 30 ms later, `ad>…`: the markup still precedes the whole tag.
  assert.match(html, /<\/script><\/head>\n<body>/);
});

test('a snapshot change reaches the page after the TTL, through refreshIfDue', async () => {
  assert.equal((await pageOf(workerd.url, 'alice')).color, 'red');
  const before = state.snapshots;
  state.revision = 2;
  await new Promise((resolve) => setTimeout(resolve, TTL * 2));
  assert.equal(state.snapshots, before, 'nothing fetched without a request');
  // The next requests start one refresh (in the background: workerd-refresh.test.js holds
  // one in flight) and, once it has landed, render the new revision.
  let page;
  for (let tries = 0; tries < 100 && (page = await pageOf(workerd.url, 'alice')).color !== 'green'; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(page.color, 'green');
  assert.equal(page.answers.revision, 2);
  assert.equal(state.snapshots, before + 1, 'one refresh');
  assert.equal((await pageOf(workerd.url, 'bob')).color, 'blue');
});

// Loads the page as `user` with the page's own flag requests held: it must show the server's
// values from the first parsed text on, with its client ready from the bootstrap alone.
async function browse(base, user, expected) {
  const context = await chromium.browser.newContext();
  const problems = [];
  try {
    await context.addCookies([{ name: 'user', value: user, url: base }]);
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(String(error)));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      dialog.dismiss();
    });
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await page.route('**/flags', async (route) => {
      await held;
      await route.continue();
    });
    // Every text #color has had, from the moment the parser inserts it.
    await page.addInitScript(() => {
      window.seen = [];
      new MutationObserver(() => {
        const text = document.getElementById('color')?.textContent;
        if (text !== undefined && window.seen.at(-1) !== text) window.seen.push(text);
      }).observe(document, { childList: true, subtree: true, characterData: true });
    });
    await page.goto(new URL('/', base).href);
    await page.waitForFunction(() => window.flags !== undefined, null, { timeout: 30_000 });
    const early = await page.evaluate(() => ({
      details: window.flags.getStringDetails('color', 'none'),
      motto: document.getElementById('motto').textContent,
      color: document.getElementById('color').textContent,
    }));
    assert.deepEqual([early.color, early.details.value, early.details.reason], [expected, expected, 'CACHED']);
    assert.equal(early.motto, HOSTILE);
    // Now the page's client may ask: it confirms the same answer and nothing changes.
    release();
    await page.waitForFunction(() => window.flags.getStringDetails('color', 'none').reason !== 'CACHED', null, { timeout: 30_000 });
    assert.deepEqual(await page.evaluate(() => window.seen), [expected], 'the text changed after the first parse');
    assert.equal(await page.evaluate(() => window.flags.getStringValue('color', 'none')), expected);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
}

test('Chromium shows the worker-rendered value from the first parse, its client starting from the bootstrap', async () => {
  await browse(workerd.url, 'bob', 'blue');
  // Whichever revision the worker has now (the test above moved it on): what its HTML says.
  const { color } = await pageOf(workerd.url, 'alice');
  assert.ok(['red', 'green'].includes(color));
  await browse(workerd.url, 'alice', color);
});

test("Chromium shows the Node server's value the same way", async () => {
  await browse(node.url, 'bob', 'blue');
});

test("the README's Server rendering snippets are the examples' code, from their first import on", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const file of ['worker.js', 'page.js', 'server.js']) {
    const code = readFileSync(join(EXAMPLE, file), 'utf8');
    const body = code.slice(code.indexOf('\nimport ') + 1);
    assert.ok(readme.includes(`\`\`\`js\n${body}\`\`\``), `the README should show examples/edge/${file} from its first import`);
  }
});
