// The same as worker.js in a plain Node HTTP server that is the site itself: one flag client
// per process (it refreshes by itself in Node), the flags evaluated for each request's user,
// their values rendered into index.html and the answers injected for page.js. Environment:
// FLAGS_URL (a client key's snapshot URL), PORT. Run by pkg/test/edge.test.js.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { createClient } from 'vexil';
import { evaluateFlags, injectBootstrap } from 'vexil/html';

const flags = createClient({ url: process.env.FLAGS_URL, ttl: 60_000 });
const here = new URL('./', import.meta.url);
const template = await readFile(new URL('index.html', here), 'utf8');

const userOf = (request) => /(?:^|;\s*)user=([^;]+)/.exec(request.headers.cookie ?? '')?.[1] ?? 'anonymous';
const escapeHtml = (text) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

// The values in the page's [data-flag] elements, so the page shows them from its first paint.
const render = (answers) =>
  template.replace(/(<(\w+) [^>]*data-flag="([\w-]+)"[^>]*>)(<\/\2>)/g, (_, open, tag, key, close) =>
    open + escapeHtml(String(answers?.flags[key]?.value ?? '')) + close,
  );

async function respond(request) {
  await flags.ready({ timeout: 2000 }); // only the first requests wait
  const answers = evaluateFlags(flags, { targetingKey: userOf(request) });
  const { pathname } = new URL(request.url, 'http://localhost');
  const headers = { 'cache-control': 'private, no-store' };
  if (pathname === '/flags') return answers ? Response.json(answers, { headers }) : new Response(null, { status: 503 });
  if (pathname === '/') {
    const page = new Response(render(answers), { headers: { ...headers, 'content-type': 'text/html; charset=utf-8' } });
    return injectBootstrap(page, answers); // the answers before </head>, for the page's client
  }
  // The page's script and the package's modules it imports; a real site has its own static files.
  if (!/^\/(page\.js|node_modules\/vexil\/src\/[\w-]+\.js)$/.test(pathname)) return new Response('not found', { status: 404 });
  return new Response(await readFile(new URL(`.${pathname}`, here)), { headers: { 'content-type': 'text/javascript' } });
}

const server = createServer(async (request, response) => {
  const answer = await respond(request);
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  if (answer.body) Readable.fromWeb(answer.body).pipe(response);
  else response.end();
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => console.log(`listening http://127.0.0.1:${server.address().port}`));
