// vexil/html: flags rendered into a page by a server or edge worker, and read back by the page,
// so its client answers from the first render without asking for them. No imports (not even the
// engine: it takes the caller's client), so it runs in Workers, Deno, Node and browsers and adds
// nothing to a page that does not import it.
//
// What goes into a page is, by default, one user's evaluated answers (what `vexil/remote` takes
// as `bootstrap`): they reveal no targeting rules and no other user's values. They come from a
// client with a client key's snapshot, which has no server-only flag, or are limited to `keys`.
// A snapshot may go in too, for a page that evaluates locally, but only one without server-only
// flags or segments (a client key's): `bootstrapScript` refuses any other.

const ID = 'vexil-bootstrap';
const MARKER = '</head>';

// `<` (so nothing can close the element or open a comment), and everything outside ASCII, as
// JSON escapes: the markup is then plain ASCII, the same bytes whatever the page's charset, and
// free of the line separators old JavaScript parsers refused.
const UNSAFE = /[<\u007f-\uffff]/g;
const escape = (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * A snapshot or any JSON value (text or object) as text that is safe inside
 * `<script type="application/json">`: no `</script>` or `<!--` in a flag's value can end the
 * element. `JSON.parse(element.textContent)` reads it back unchanged.
 */
export function serializeSnapshot(snapshot) {
  const text = typeof snapshot === 'string' ? snapshot : JSON.stringify(snapshot);
  return text.replace(UNSAFE, escape);
}

/**
 * One context's answers from a local client (or engine) with a snapshot: `{revision, flags:
 * {key: {value, variant, reason, ...}}}`, the `bootstrap` a `vexil/remote` client takes; only
 * the flags in `keys` when given. Null while the client has no snapshot yet. Every flag of the
 * snapshot is answered: for a page, use a client key's snapshot (no server-only flags) or `keys`.
 */
export function evaluateFlags(client, context, { keys } = {}) {
  const engine = typeof client?.evaluateAll === 'function' ? client : client?.engine;
  if (!engine) return null;
  const wanted = keys ? new Set(keys) : null;
  const flags = {};
  for (const result of engine.evaluateAll(context)) {
    // Defined, not assigned: a flag may be called `__proto__`.
    if (!wanted || wanted.has(result.key)) Object.defineProperty(flags, result.key, { value: result, enumerable: true, writable: true, configurable: true });
  }
  return { revision: engine.revision ?? null, flags };
}

// The snapshot text last found free of server-only definitions: the same text arrives with
// every request, and is parsed once. (Looking for the word instead would miss it written with
// JSON escapes.)
let checked = null;

function serverOnly(definitions) {
  return Array.isArray(definitions) && definitions.some((definition) => definition?.metadata?.serverOnly === true);
}

// Throws when `value` is a snapshot with server-only flags or segments (a server key's).
function refuseServerOnly(value) {
  if (typeof value === 'string') {
    if (value === checked) return;
    let parsed;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new TypeError('vexil/html: the bootstrap is not JSON');
    }
    refuseServerOnly(parsed);
    checked = value;
    return;
  }
  if (serverOnly(value?.flags) || serverOnly(value?.segments)) {
    throw new TypeError(
      'vexil/html: this snapshot has server-only flags or segments and must not go into a page; use a client key\'s snapshot, or evaluateFlags() for one user',
    );
  }
}

function checkId(id) {
  if (!/^[A-Za-z][\w-]*$/.test(id)) throw new TypeError(`vexil/html: ${JSON.stringify(id)} is not a usable element id`);
  return id;
}

/**
 * `<script type="application/json" id="vexil-bootstrap">…</script>` holding `bootstrap`: one
 * user's answers (from `evaluateFlags`) or a client key's snapshot (text or object). Throws on a
 * snapshot with server-only flags or segments. Empty when `bootstrap` is null or undefined.
 */
export function bootstrapScript(bootstrap, { id = ID } = {}) {
  if (bootstrap === null || bootstrap === undefined) return '';
  refuseServerOnly(bootstrap);
  return `<script type="application/json" id="${checkId(id)}">${serializeSnapshot(bootstrap)}</script>`;
}

/**
 * What the page's `bootstrapScript` holds, parsed; undefined when there is none or it cannot
 * be read. Never throws. Pass it as the `bootstrap` of the page's client.
 */
export function readBootstrap({ id = ID, document = globalThis.document } = {}) {
  try {
    const element = document?.getElementById(id);
    return element ? JSON.parse(element.textContent) : undefined;
  } catch {
    return undefined;
  }
}

// ---- streaming injection -------------------------------------------------------------------

// ASCII letters compared without case; every other byte as it is. Safe on UTF-8 (and any
// ASCII-compatible charset): no byte of a multi-byte character is below 0x80.
const lower = (byte) => (byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte);

// Where `marker` (lower-case bytes, starting with a character that has no case, `<`) starts in
// `bytes`, or -1. The native indexOf skips to each candidate.
function find(bytes, marker) {
  for (let at = bytes.indexOf(marker[0]); at >= 0 && at <= bytes.length - marker.length; at = bytes.indexOf(marker[0], at + 1)) {
    let index = 1;
    while (index < marker.length && lower(bytes[at + index]) === marker[index]) index += 1;
    if (index === marker.length) return at;
  }
  return -1;
}

// How many bytes at the end of `bytes` could begin `marker`, to wait for the next chunk.
function pending(bytes, marker) {
  for (let length = Math.min(marker.length - 1, bytes.length); length > 0; length -= 1) {
    if (find(bytes.subarray(bytes.length - length), marker.subarray(0, length)) === 0) return length;
  }
  return 0;
}

function join(head, chunk) {
  if (!head.length) return chunk;
  const bytes = new Uint8Array(head.length + chunk.length);
  bytes.set(head);
  bytes.set(chunk, head.length);
  return bytes;
}

// The injection's state, fed a page's bytes chunk by chunk: `push` and `end` give the bytes to
// pass on, in order. At most `before.length - 1` bytes wait, for a marker split between chunks.
function injector(markup, { before = MARKER } = {}) {
  if (typeof before !== 'string' || !/^<[\x21-\x7e]+$/.test(before)) {
    throw new TypeError(`vexil/html: inject before a tag's text, such as '</head>' or '<body', not ${JSON.stringify(before)}`);
  }
  const encoder = new TextEncoder();
  const inserted = encoder.encode(markup);
  const marker = encoder.encode(before.toLowerCase());
  let held = new Uint8Array(0);
  let done = false;
  return {
    push(chunk) {
      if (done) return [chunk];
      const bytes = join(held, chunk);
      const at = find(bytes, marker);
      if (at >= 0) {
        done = true;
        held = new Uint8Array(0);
        return [bytes.subarray(0, at), inserted, bytes.subarray(at)];
      }
      const keep = pending(bytes, marker);
      held = bytes.slice(bytes.length - keep);
      return [bytes.subarray(0, bytes.length - keep)];
    },
    end() {
      if (done) return [];
      done = true;
      return [held, inserted];
    },
  };
}

// Enqueues the non-empty chunks; says whether there was one.
const enqueue = (controller, chunks) => {
  let any = false;
  for (const bytes of chunks) {
    if (!bytes.length) continue;
    controller.enqueue(bytes);
    any = true;
  }
  return any;
};

/**
 * A TransformStream of an HTML page's bytes that puts `markup` just before the first `before`
 * (a tag's text, default `</head>`, in any case, wherever chunks split it), or at the end of a
 * page without one. Bytes pass through as they arrive: at most `before.length - 1` of them wait.
 */
export function injectionStream(markup, options) {
  const inject = injector(markup, options);
  return new TransformStream({
    transform: (chunk, controller) => enqueue(controller, inject.push(chunk)),
    flush: (controller) => enqueue(controller, inject.end()),
  });
}

/**
 * `response` with `markup` injected (as `injectionStream` does), streamed: the same status and
 * headers, less `content-length`, which no longer holds. A response that is not HTML, or has no
 * body, comes back as it is.
 */
export function injectHtml(response, markup, options) {
  const type = response.headers.get('content-type') ?? '';
  if (!response.body || !markup || !/^\s*text\/html\b/i.test(type)) return response;
  const inject = injector(markup, options);
  const reader = response.body.getReader();
  // One stream pulling from the page rather than a TransformStream piped onto it: the same
  // bytes, at a third of the cost per response in Node (there is no pipe to set up).
  const body = new ReadableStream({
    // Reads until it has bytes to give: a stream calls pull again only after an enqueue.
    async pull(controller) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          enqueue(controller, inject.end());
          return controller.close();
        }
        if (enqueue(controller, inject.push(value))) return;
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * `response` (an HTML page) with `bootstrapScript(bootstrap, { id })` injected before
 * `</head>`: the one call a worker or server needs once it has the user's answers.
 */
export function injectBootstrap(response, bootstrap, { id, before } = {}) {
  return injectHtml(response, bootstrapScript(bootstrap, { id }), { before });
}

/**
 * A `storage` for a server-side client (`createClient({ url, storage })`) that also keeps the
 * text of the snapshot the client last loaded, as `.snapshot`: what to give `bootstrapScript`
 * for a page that evaluates locally (the client must fetch with a client key).
 */
export function snapshotStorage() {
  const items = new Map();
  let snapshot = null;
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem(key, value) {
      items.set(key, String(value));
      try {
        const record = JSON.parse(value);
        if (typeof record?.snapshot === 'string') snapshot = record.snapshot;
      } catch {
        // Not the client's snapshot record (its overrides, say).
      }
    },
    removeItem: (key) => void items.delete(key),
    get snapshot() {
      return snapshot;
    },
  };
}
