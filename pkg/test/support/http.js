// Helpers for tests of the client against real HTTP servers on 127.0.0.1.

import { createServer } from 'node:http';

/**
 * Runs `use({ url, requests })` with a server on 127.0.0.1 answering every request with
 * `handler`; `requests` lists each request's `{ url, headers }`. The server is closed after,
 * whatever happens.
 */
export async function withServer(handler, use) {
  const requests = [];
  const server = createServer((request, response) => {
    requests.push({ url: request.url, headers: request.headers });
    handler(request, response);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await use({ url: `http://127.0.0.1:${server.address().port}`, requests });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Answers with 200 MiB of spaces (Content-Length announced when `declared`), written as fast as
 * the client reads them and no faster; `sent.bytes` counts what was handed to the socket.
 */
export function endless(sent, { declared = false } = {}) {
  const total = 200 * 2 ** 20;
  const chunk = Buffer.alloc(2 ** 20, 0x20);
  return (request, response) => {
    response.on('error', () => undefined);
    response.writeHead(200, { 'content-type': 'application/json', ...(declared ? { 'content-length': total } : {}) });
    let written = 0;
    const pump = () => {
      while (written < total && !response.destroyed) {
        written += chunk.length;
        sent.bytes += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', pump);
          return;
        }
      }
      response.end();
    };
    pump();
  };
}

/** Timers the test fires by hand; `delays()` lists the waits asked for and not yet fired. */
export function manualTimers() {
  let next = 1;
  const pending = new Map();
  return {
    setTimeout: (callback, ms) => {
      const id = next++;
      pending.set(id, { callback, ms });
      return id;
    },
    clearTimeout: (id) => pending.delete(id),
    delays: () => [...pending.values()].map((timer) => timer.ms),
  };
}

/**
 * A simulated clock and timers that keep Node's rule for a delay they cannot hold (over
 * 2^31 − 1 ms, under 1 ms, or not a number: 1 ms), so a client asking for one is caught.
 * `run(client, duration, stop)` fires the timers in order, waiting for the attempt each one
 * starts, until `duration` has passed or `stop()` says so.
 */
export function simulatedTime(start) {
  let now = start;
  let next = 1;
  const pending = new Map();
  return {
    now: () => now,
    setTimeout: (callback, ms) => {
      const delay = ms >= 1 && ms <= 2 ** 31 - 1 ? ms : 1;
      pending.set(next, { callback, at: now + delay });
      return next++;
    },
    clearTimeout: (id) => pending.delete(id),
    async run(client, duration, stop = () => false) {
      const end = now + duration;
      // The attempt the client started on creation.
      await client.refresh();
      while (!stop()) {
        let earliest;
        for (const entry of pending) if (!earliest || entry[1].at < earliest[1].at) earliest = entry;
        if (!earliest || earliest[1].at > end) return;
        pending.delete(earliest[0]);
        now = earliest[1].at;
        earliest[1].callback();
        // Joins the attempt the timer started.
        await client.refresh();
      }
    },
  };
}

/** Resolves when `check()` is truthy (checked every 5 ms), or rejects after `ms` with `what`. */
export async function within(ms, what, check) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
