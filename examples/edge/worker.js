// A Cloudflare Worker in front of a site: it keeps one flag client per isolate, evaluates the
// flags for each request's user, renders them into the origin's HTML and injects the answers
// for the page's `vexil/remote` client (page.js), which then starts from them. Bindings:
// FLAGS_URL (a client key's snapshot URL), ORIGIN (the site), FLAGS_TTL (ms, optional).
// Run by pkg/test/edge.test.js and measured by pkg/bench/edge.bench.mjs.
import { createClient } from 'vexil';
import { evaluateFlags, injectBootstrap } from 'vexil/html';

let flags; // one client per isolate, made by its first request (bindings arrive with it)

// Whom a request evaluates for: your session lookup; a cookie here.
const userOf = (request) => /(?:^|;\s*)user=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1] ?? 'anonymous';

const answer = (answers) =>
  answers ? Response.json(answers, { headers: { 'cache-control': 'private, no-store' } }) : new Response('no flags yet', { status: 503 });

export default {
  async fetch(request, env, ctx) {
    flags ??= createClient({ url: env.FLAGS_URL, ttl: Number(env.FLAGS_TTL ?? 60_000) });
    flags.refreshIfDue(ctx); // in the background, once the copy is a TTL old
    await flags.ready({ timeout: 2000 }); // only the isolate's first requests wait
    const url = new URL(request.url);
    const user = { targetingKey: userOf(request) };
    // The page's client asks here to stay fresh: the worker, not the page, says who the user is.
    if (url.pathname === '/flags') return answer(evaluateFlags(flags, user));

    const page = await fetch(new URL(url.pathname + url.search, env.ORIGIN), request);
    if (!/^text\/html/.test(page.headers.get('content-type') ?? '')) return page;
    const answers = evaluateFlags(flags, user);
    // The answers before </head>, for the page's client, and the values in the HTML itself, so
    // the page shows them from its first paint.
    const response = new HTMLRewriter()
      .on('[data-flag]', {
        element(element) {
          element.setInnerContent(String(answers?.flags[element.getAttribute('data-flag')]?.value ?? ''));
        },
      })
      .transform(injectBootstrap(page, answers));
    response.headers.set('cache-control', 'private, no-store'); // one user's page
    return response;
  },
};
