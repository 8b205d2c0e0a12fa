// The service's admin API (docs/api.md), with the signed-in token as a bearer token.

import * as session from './session.js';

/** An error the API answered (`code`, `message`, `details`, `status`), or a network failure. */
export class ApiError extends Error {
  constructor(status, code, message, details, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? {};
    this.retryAfter = retryAfter;
  }
}

/** Listeners told when the token is refused (so the page can ask to sign in again). */
const unauthorized = new Set();
export function onUnauthorized(listener) {
  unauthorized.add(listener);
}

/**
 * One call: `call('GET', '/flags', { query: { environment } })`. Resolves `{ body, etag,
 * revision, status }`; rejects with an {@link ApiError}.
 */
export async function call(method, path, { query, body, ifMatch, reason, token = session.token() } = {}) {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
  }
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (ifMatch !== undefined) headers['if-match'] = `"${ifMatch}"`;
  if (reason) headers['x-vexil-reason'] = reason;
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch (error) {
    throw new ApiError(0, 'network', `the service did not answer (${error.message})`);
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = parsed?.error ?? {};
    if (response.status === 401 && token && token === session.token()) for (const listener of unauthorized) listener();
    throw new ApiError(response.status, error.code ?? `http-${response.status}`,
      error.message ?? `the service answered ${response.status}`, error.details,
      Number(response.headers.get('retry-after')) || undefined);
  }
  return {
    body: parsed,
    status: response.status,
    etag: unquote(response.headers.get('etag')),
    revision: Number(response.headers.get('x-vexil-revision')) || undefined,
  };
}

function unquote(etag) {
  return etag ? etag.replace(/^W\//, '').replace(/^"|"$/g, '') : undefined;
}

/** Every flag of an environment (following the listing's pages). */
export async function listFlags(environment) {
  const flags = [];
  let cursor;
  let revision;
  do {
    const { body } = await call('GET', '/flags', { query: { environment, limit: 500, cursor } });
    flags.push(...body.flags);
    revision = body.revision;
    cursor = body.nextCursor;
  } while (cursor);
  return { flags, revision };
}
