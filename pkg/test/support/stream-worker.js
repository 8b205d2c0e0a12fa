// A Cloudflare worker that creates a client for the config endpoint named in its request's `url`
// parameter, with `stream: true` when asked (`stream=1`). It answers with the revision it
// serves, the URLs it fetched and the errors it saw: at once after the first snapshot, or, with
// the stream, after the first change. Used by test/client-stream.test.js.
import { createClient } from '../../src/entry/workerd.js';

export default {
  async fetch(request) {
    const params = new URL(request.url).searchParams;
    const url = params.get('url');
    // The readiness probe names no endpoint.
    if (!url) return new Response('ready');
    const fetched = [];
    const client = createClient({
      url,
      headers: { authorization: 'Bearer k' },
      ...(params.get('stream') ? { stream: true } : {}),
      fetch: (target, init) => {
        fetched.push(String(target));
        return fetch(target, init);
      },
    });
    const errors = [];
    client.on('error', (event) => errors.push(`${event.source} ${event.code}`));
    try {
      const changed = new Promise((resolve) => client.on('change', resolve));
      await client.ready({ timeout: 5000 });
      if (params.get('stream')) await Promise.race([changed, new Promise((resolve) => setTimeout(resolve, 5000))]);
      return Response.json({ revision: client.status.revision, fetched, errors });
    } finally {
      client.close();
    }
  },
};
