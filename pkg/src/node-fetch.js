// Node: the `fetch` a client uses unless given one. Snapshot requests go through Node's own
// `fetch`, and keep the process alive while they run (never longer than the client's `timeout`).
// The live stream never ends by itself, so it goes over a socket of its own that does not keep
// the process alive: a script that has its flags exits when it is done, and a server keeps its
// stream for as long as its own listeners keep it running.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

const REQUESTS = { 'http:': httpRequest, 'https:': httpsRequest };

// Statuses whose responses have no body (a Response refuses one).
const NULL_BODY = new Set([101, 204, 205, 304]);

/** `fetch`, but a `text/event-stream` request does not keep the process alive. */
export async function nodeFetch(url, init = {}) {
  const target = new URL(url);
  const headers = new Headers(init.headers);
  const send = REQUESTS[target.protocol];
  if (!send || headers.get('accept') !== 'text/event-stream') return fetch(url, init);
  return new Promise((resolve, reject) => {
    // A socket of its own (no agent): unreferencing a pooled one would reach other requests.
    const options = { headers: Object.fromEntries(headers), signal: init.signal, agent: false };
    const request = send(target, options, (response) => {
      try {
        const answered = new Headers();
        const raw = response.rawHeaders;
        for (let index = 0; index + 1 < raw.length; index += 2) answered.append(raw[index], raw[index + 1]);
        const body = NULL_BODY.has(response.statusCode) ? null : Readable.toWeb(response);
        resolve(new Response(body, { status: response.statusCode, statusText: response.statusMessage, headers: answered }));
      } catch (error) {
        response.destroy();
        reject(error);
      }
    });
    request.on('socket', (socket) => socket.unref());
    request.on('error', reject);
    request.end();
  });
}
