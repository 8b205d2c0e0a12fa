// A Cloudflare worker that creates a client for the config endpoint named in its request's `url`
// parameter, waits until it is ready, and answers with what it served and how. Used by
// test/workerd-client.test.js, which serves it with the real workerd runtime.
import { createClient } from '../../src/entry/workerd.js';

export default {
  async fetch(request) {
    const url = new URL(request.url).searchParams.get('url');
    // The readiness probe names no endpoint.
    if (!url) return new Response('ready');
    const client = createClient({ url, backoff: { initial: 50, max: 100 } });
    const errors = [];
    client.on('error', (event) => errors.push(`${event.code}: ${event.error?.message ?? ''}`));
    try {
      await client.ready({ timeout: 5000 });
      const details = client.getBooleanDetails('checkout', false, { targetingKey: 'user-1' });
      return Response.json({ value: details.value, reason: details.reason, errors });
    } finally {
      client.close();
    }
  },
};
