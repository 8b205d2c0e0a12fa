// The client SDK: keeps an Engine loaded with the newest good snapshot from a config endpoint,
// and answers flag questions from it. Fetching, storage, timers and the clock are injectable per
// client; nothing is module-global. Nothing here throws at a caller who asks for a flag.

import { Engine, VexilError, initialized, ready } from './engine.js';

const DEFAULTS = {
  ttl: 5 * 60 * 1000,
  jitter: 0.1,
  timeout: 10 * 1000,
  backoff: { initial: 1000, max: 5 * 60 * 1000 },
};

const PERSISTED_VERSION = 1;

// The longest wait a timer can be given: setTimeout fires at once (after 1 ms, in Node) when
// asked to wait longer, which turned a long Retry-After into a request every millisecond.
const MAX_TIMER_DELAY = 2 ** 31 - 1;

// The engine's default document size limit, which is also the default body limit.
const DEFAULT_MAX_BODY_BYTES = 16 * 2 ** 20;

// Redirects followed within one attempt (same origin only, unless allowed otherwise).
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

// Media types read as a snapshot: JSON's, and the generic ones static file hosts give files
// they do not recognise. Anything else (an HTML login or captive-portal page, XML) is refused
// unread.
const READABLE_TYPES = new Set(['application/json', 'text/json', 'text/plain', 'application/octet-stream', 'binary/octet-stream']);

// The live stream: the longest line (and event data) it may send, in characters, so a hostile
// stream cannot grow memory; and how long it may stay silent (the service sends a comment every 15 s) before
// the connection is taken for dead and opened again.
const MAX_STREAM_LINE = 64 * 1024;
const STREAM_IDLE = 60 * 1000;

/** `ms` as a delay every timer honours: within [0, 2^31 − 1]; `fallback` if `ms` is not a number. */
function timerDelay(ms, fallback) {
  const value = typeof ms === 'number' && !Number.isNaN(ms) ? ms : fallback;
  return Math.min(MAX_TIMER_DELAY, Math.max(0, value || 0));
}

/** A duration option: a number ≥ 0 (at most the longest timer delay), else `fallback`. */
function duration(value, fallback) {
  return typeof value === 'number' && value >= 0 ? Math.min(value, MAX_TIMER_DELAY) : fallback;
}

/** A byte count option: an integer ≥ 0, else `fallback`. */
function byteCount(value, fallback) {
  return Number.isSafeInteger(value) && value >= 0 ? value : fallback;
}

function readableType(header) {
  if (!header) return true;
  const type = header.split(';')[0].trim().toLowerCase();
  return READABLE_TYPES.has(type) || type.endsWith('+json');
}

function originOf(url) {
  try {
    return new URL(url, globalThis.location?.href).origin;
  } catch {
    return undefined;
  }
}

/** Lets go of a response's body unread (cancelling its download). */
function discard(response) {
  try {
    response.body?.cancel().catch(() => undefined);
  } catch {
    // Already read or locked: nothing to let go of.
  }
}

function tooLarge(size, limit) {
  return new VexilError(`the response body is ${size} bytes, over the limit of ${limit} (maxBodyBytes)`, 'LIMIT_DOCUMENT_BYTES');
}

/**
 * The response body's bytes, refused with LIMIT_DOCUMENT_BYTES as soon as it is known to be over
 * `limit`: from Content-Length before reading, else while reading (the download is cancelled).
 */
async function readBounded(response, limit) {
  const declared = response.headers.get('content-length');
  if (declared && /^\d+$/.test(declared.trim()) && Number(declared) > limit) {
    discard(response);
    throw tooLarge(Number(declared), limit);
  }
  const reader = response.body?.getReader?.();
  if (!reader) {
    // A fetch without streams: the whole body, checked afterwards.
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength > limit) throw tooLarge(bytes.byteLength, limit);
    return bytes;
  }
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      reader.cancel().catch(() => undefined);
      throw tooLarge(`more than ${limit}`, limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

// Why a 4xx answer will not change by asking again soon.
function refusal(status) {
  if (status === 401 || status === 403) return 'the key or headers sent are refused';
  if (status === 404 || status === 410) return 'there is no snapshot at this URL';
  return 'the request is refused';
}

// FNV-1a over the UTF-16 code units: a cheap integrity check for a persisted copy (it catches
// truncation and corruption, not tampering, which storage on the same device cannot prevent).
function checksum(text) {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16);
}

function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
  };
}

function defaultStorage() {
  try {
    // Reading `localStorage` itself throws where storage is disabled.
    const storage = globalThis.localStorage;
    if (storage && typeof storage.getItem === 'function') return storage;
  } catch {
    // Fall through to memory.
  }
  return memoryStorage();
}

/** Seconds or an HTTP date, as milliseconds from `now`; undefined when absent or unreadable. */
function retryAfter(header, now) {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

// The keys whose definitions differ between two engines' snapshots (added, removed or changed
// in their text), from hashes the engines make of each flag's text: parsing both snapshots in
// JavaScript to compare them took longer than loading one. If either engine cannot say, every
// key counts as changed.
function changedKeys(before, after) {
  const old = before._definitions();
  const now = after._definitions();
  if (!old || !now) return [...new Set([...before.flagKeys, ...after.flagKeys])];
  const keys = [];
  for (const [key, hash] of now) if (old.get(key) !== hash) keys.push(key);
  for (const key of old.keys()) if (!now.has(key)) keys.push(key);
  return keys;
}

// The client's context with a call's own on top, or undefined when reading either threw (a
// getter, a Proxy): that call then answers INVALID_CONTEXT.
function mergedContext(base, extra) {
  try {
    return { ...base, ...extra };
  } catch {
    return undefined;
  }
}

// What a call answers, with `value` as its default, when its context cannot be read.
function unreadableContext(value) {
  const errorMessage = 'the context cannot be read: reading one of its attributes threw';
  return { value, variant: null, reason: 'ERROR', errorCode: 'INVALID_CONTEXT', errorMessage };
}

// An object keyed by flag or variant keys: without a prototype, so that a key such as
// `__proto__` or `constructor` is an own property like any other and nothing is inherited.
function keyed(entries) {
  const object = Object.create(null);
  for (const [key, value] of entries) object[key] = value;
  return object;
}

// `options[name]` of a call's options, or undefined when there is none or reading it throws:
// calls that never throw or reject treat unreadable options as absent.
function option(options, name) {
  try {
    return options?.[name];
  } catch {
    return undefined;
  }
}

/** A client that keeps the newest good snapshot of one config endpoint. */
export class Client {
  #options;
  #fetch;
  #setTimeout;
  #clearTimeout;
  #now;
  #random;
  #storage;
  #storageKey;
  #engine = null;
  // The current snapshot's text, kept to tell which flags a replacement changes.
  #text = null;
  #etag = null;
  #source = null;
  #lastSuccess = undefined;
  // When the first failed attempt since the last success ended; undefined while not failing.
  #failingSince = undefined;
  #failures = 0;
  #stale = false;
  // 'manual' follows redirects here, to check each one's origin; 'follow' where the runtime
  // hides manual redirects (browsers), checking the final origin afterwards.
  #redirects = 'manual';
  #timer = undefined;
  #dueAt = 0;
  #inflight = null;
  #abort = null;
  #closed = false;
  #listeners = new Map();
  #context;
  #prepared = null;
  #overrides = new Map();
  #counts = new Map();
  #readyWaiters = [];
  #flushTimer = undefined;
  #detach = [];
  // The live stream's controller, once one was opened (it then reconnects until close()), the
  // timer of its next reconnection and its failures in a row.
  #stream = null;
  #streamTimer = undefined;
  #streamFailures = 0;

  constructor(options = {}) {
    const jitter = Number(options.jitter ?? DEFAULTS.jitter);
    this.#options = {
      ...DEFAULTS,
      ...options,
      ttl: duration(options.ttl, DEFAULTS.ttl),
      timeout: duration(options.timeout, DEFAULTS.timeout),
      jitter: Number.isNaN(jitter) ? DEFAULTS.jitter : Math.min(1, Math.max(0, jitter)),
      backoff: {
        initial: duration(options.backoff?.initial, DEFAULTS.backoff.initial),
        max: duration(options.backoff?.max, DEFAULTS.backoff.max),
      },
      maxBodyBytes: byteCount(options.maxBodyBytes ?? options.limits?.maxDocumentBytes, DEFAULT_MAX_BODY_BYTES),
    };
    this.#fetch = options.fetch ?? globalThis.fetch?.bind(globalThis);
    const setTimer = options.setTimeout ?? globalThis.setTimeout.bind(globalThis);
    // Every wait the client asks for goes through here, so none can overflow a timer. None keeps
    // a Node process alive (a script exits when done; a server runs on its own listeners) but a
    // caller's own `ready({ timeout })`, which is `kept`.
    this.#setTimeout = (callback, ms, kept) => {
      const timer = setTimer(callback, timerDelay(ms, 0));
      kept || timer?.unref?.();
      return timer;
    };
    this.#clearTimeout = options.clearTimeout ?? globalThis.clearTimeout.bind(globalThis);
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#storage = options.storage === undefined ? defaultStorage() : options.storage ?? memoryStorage();
    this.#storageKey = options.storageKey ?? `vexil:${options.url ?? 'snapshot'}`;
    this.#context = options.context ?? {};
    this.#loadOverrides();

    // In browsers the WebAssembly arrives after the import: until then, answers are defaults
    // (PROVIDER_NOT_READY), and the bootstrap or stored copy loads the moment it is there.
    const start = () => {
      if (options.bootstrap !== undefined) this.#accept(options.bootstrap, null, 'bootstrap');
      if (!this.#engine) this.#restore();
    };
    if (initialized) start();
    else ready().catch(() => {}).then(() => this.#closed || start());
    if (this.#options.url) {
      this.#watchVisibility();
      this.refresh();
    }
    if (this.#options.eventsUrl) this.#scheduleFlush();
  }

  // ---- loading -------------------------------------------------------------------------------

  #accept(snapshot, etag, source, decoded) {
    let engine;
    try {
      engine = new Engine(snapshot, { limits: this.#options.limits });
    } catch (error) {
      this.#emit('error', { error, code: error.code ?? 'GENERAL', source });
      return false;
    }
    if (this.#engine && engine.revision < this.#engine.revision) {
      engine.free();
      const error = new VexilError(
        `revision ${engine.revision} is older than the loaded ${this.#engine.revision}; kept the loaded one`,
        'OLDER_REVISION',
      );
      this.#emit('error', { error, code: error.code, source });
      return false;
    }
    const text =
      decoded ??
      (typeof snapshot === 'string' ? snapshot : snapshot instanceof Uint8Array ? new TextDecoder().decode(snapshot) : JSON.stringify(snapshot));
    const first = this.#engine === null;
    // Which flags changed is only worked out when a snapshot replaces another.
    const keys = first ? [] : changedKeys(this.#engine, engine);
    this.#freeEngine();
    this.#engine = engine;
    this.#text = text;
    this.#etag = etag;
    this.#source = source;
    if (source !== 'storage') this.#persist(text, etag, engine.revision);
    if (first) {
      this.#emit('ready', { source, revision: engine.revision });
      for (const resolve of this.#readyWaiters.splice(0)) resolve(true);
    } else if (keys.length > 0) {
      this.#emit('change', { keys, revision: engine.revision, source });
    }
    return true;
  }

  #persist(text, etag, revision) {
    if (!this.#storage) return;
    try {
      const record = { version: PERSISTED_VERSION, etag, revision, checksum: checksum(text), snapshot: text };
      this.#storage.setItem(this.#storageKey, JSON.stringify(record));
    } catch (error) {
      // Storage full or refused: the client still works, only the next start is colder.
      this.#emit('error', { error, code: 'STORAGE', source: 'storage' });
    }
  }

  #restore() {
    let raw;
    try {
      raw = this.#storage?.getItem(this.#storageKey);
    } catch {
      return;
    }
    if (!raw) return;
    let record;
    try {
      record = JSON.parse(raw);
    } catch {
      record = undefined;
    }
    const intact =
      record?.version === PERSISTED_VERSION &&
      typeof record.snapshot === 'string' &&
      record.checksum === checksum(record.snapshot);
    if (!intact || !this.#accept(record.snapshot, record.etag ?? null, 'storage')) {
      // A corrupt or unusable copy is discarded, never fatal.
      try {
        this.#storage.removeItem(this.#storageKey);
      } catch {
        // Nothing more to do.
      }
      if (!intact) {
        const error = new VexilError('the persisted snapshot was corrupt and was discarded', 'CORRUPT_PERSISTED');
        this.#emit('error', { error, code: error.code, source: 'storage' });
      }
    }
  }

  // ---- fetching ------------------------------------------------------------------------------

  /** Fetches now (one request at a time); resolves when that attempt has finished. */
  refresh() {
    return this.#refresh();
  }

  /**
   * Where timers do not run between requests (Cloudflare Workers), call this on each request:
   * when the next refresh is due (the TTL, or the backoff after a failure, has passed) and none
   * is in flight, it starts one and hands it to `ctx.waitUntil`, so the response need not wait.
   */
  refreshIfDue(ctx) {
    if (!this.#inflight && this.#now() >= this.#dueAt) ctx.waitUntil(this.#refresh());
  }

  #refresh() {
    if (this.#closed || !this.#options.url || !this.#fetch) return Promise.resolve();
    if (this.#inflight) return this.#inflight;
    this.#clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#inflight = this.#attempt().finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  async #attempt() {
    const controller = new AbortController();
    this.#abort = controller;
    let timedOut = false;
    const timer = this.#setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#options.timeout);
    let delay;
    try {
      const headers = { accept: 'application/json', ...this.#options.headers };
      // A 304 confirms only the snapshot whose ETag was sent.
      const sent = this.#engine && this.#etag;
      if (sent) headers['if-none-match'] = sent;
      let response = await this.#request(headers, controller.signal, 'no-cache');
      if (response.status === 304 && !sent) {
        // A 304 that confirms nothing (a validator in the configured headers, a cache on the
        // way, or a bootstrap being served): asked once more at once, in full, bypassing
        // caches ('no-store': Workers refuse 'reload').
        discard(response);
        this.#etag = null;
        const full = Object.fromEntries(
          Object.entries(headers).filter(([name]) => !/^if-(none-match|modified-since)$/i.test(name)),
        );
        response = await this.#request(full, controller.signal, 'no-store');
      }
      if (response.ok || response.status === 304) this.#offered(response);
      if (response.status === 304) {
        discard(response);
        if (!sent) throw new VexilError('304 Not Modified with no snapshot cached, twice', 'NOT_MODIFIED_WITHOUT_SNAPSHOT');
        this.#succeeded();
      } else if (response.ok) {
        delay = await this.#load(response);
      } else {
        const { status } = response;
        const wait = retryAfter(response.headers.get('retry-after'), this.#now());
        discard(response);
        // A 4xx other than 408 and 429 is the configuration's fault (key, headers, URL), and
        // asking again soon gets the same answer.
        const refused = status >= 400 && status < 500 && status !== 408 && status !== 429;
        const error = refused
          ? new VexilError(`the config endpoint answered ${status}: ${refusal(status)}`, `HTTP_${status}`)
          : new VexilError(`the config endpoint answered ${status}`, `HTTP_${status}`);
        delay = this.#failed({ error, code: error.code, source: 'network' }, true, { retryAfter: wait, refused });
      }
    } catch (error) {
      if (this.#closed) return;
      const code = timedOut ? 'TIMEOUT' : error instanceof VexilError ? error.code : 'NETWORK';
      const reported = timedOut ? new VexilError(`no answer within ${this.#options.timeout} ms`, 'TIMEOUT') : error;
      delay = this.#failed({ error: reported, code, source: 'network' }, true);
    } finally {
      this.#clearTimeout(timer);
      this.#abort = null;
    }
    if (delay === undefined) delay = this.#jittered(this.#options.ttl);
    this.#schedule(delay);
  }

  // Fetches the endpoint, following up to MAX_REDIRECTS redirects to its own origin; a redirect
  // elsewhere is refused unless `allowCrossOriginRedirects`, before any request goes there.
  async #request(headers, signal, cache) {
    let target = String(this.#options.url);
    const origin = originOf(target);
    const allowed = (url) => this.#options.allowCrossOriginRedirects === true || originOf(url) === origin;
    for (let redirects = 0; ; redirects += 1) {
      const response = await this.#fetch(target, { headers, signal, cache, redirect: this.#redirects });
      if (response.type === 'opaqueredirect') {
        // This runtime does not show where a manual redirect leads (browsers, where CORS keeps
        // headers from other origins): follow from now on, and check where it led.
        if (this.#redirects === 'follow' || redirects === MAX_REDIRECTS) throw new VexilError('a redirect that cannot be followed', 'REDIRECT');
        this.#redirects = 'follow';
        continue;
      }
      if (response.redirected && response.url && !allowed(response.url)) {
        discard(response);
        throw new VexilError(`the config endpoint redirected to another origin (${originOf(response.url)})`, 'CROSS_ORIGIN_REDIRECT');
      }
      const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
      if (!location) return response;
      discard(response);
      let next;
      try {
        next = new URL(location, target).href;
      } catch {
        throw new VexilError(`the config endpoint redirected to an unreadable location ${JSON.stringify(location)}`, 'REDIRECT');
      }
      if (!allowed(next)) {
        throw new VexilError(
          `the config endpoint redirected to another origin (${originOf(next)}); not followed without allowCrossOriginRedirects`,
          'CROSS_ORIGIN_REDIRECT',
        );
      }
      if (redirects === MAX_REDIRECTS) throw new VexilError(`more than ${MAX_REDIRECTS} redirects`, 'REDIRECT');
      target = next;
    }
  }

  // Reads a 200 answer and loads it; returns the wait before the next attempt if it failed.
  async #load(response) {
    if (!readableType(response.headers.get('content-type'))) {
      discard(response);
      const type = response.headers.get('content-type');
      const error = new VexilError(`the config endpoint answered with ${type}, not JSON; not read`, 'CONTENT_TYPE');
      return this.#failed({ error, code: error.code, source: 'network' }, true);
    }
    const bytes = await readBounded(response, this.#options.maxBodyBytes);
    const text = new TextDecoder().decode(bytes);
    const etag = response.headers.get('etag');
    if (this.#engine && text === this.#text) {
      // The same document under another ETag: nothing to load, and nothing to write to storage.
      this.#etag = etag;
      this.#succeeded();
      return undefined;
    }
    if (!initialized) {
      await ready().catch(() => {});
      if (this.#closed) return undefined;
    }
    if (!this.#accept(bytes, etag, 'network', text)) {
      // An unusable or older document: keep serving, and try again on the failure schedule.
      return this.#failed(undefined, false);
    }
    this.#succeeded();
    return undefined;
  }

  #succeeded() {
    this.#lastSuccess = this.#now();
    this.#failingSince = undefined;
    this.#failures = 0;
    if (this.#source === 'bootstrap' || this.#source === 'storage') this.#source = 'network';
    if (this.#stale) {
      this.#stale = false;
      this.#emit('fresh', { revision: this.#engine?.revision ?? null });
    }
  }

  // Records a failed attempt and returns how long to wait before the next: the backoff (the
  // longest at once when `refused`), lengthened to `retryAfter` but never past the longest.
  #failed(event, report, { retryAfter: asked, refused = false } = {}) {
    const now = this.#now();
    this.#failures += 1;
    this.#failingSince ??= now;
    if (report && event) this.#emit('error', event);
    const { max } = this.#options.backoff;
    const backoff = refused ? max : this.#backoff(this.#failures);
    // Stale once refreshing has been failing for longer than the TTL.
    if (this.#engine && !this.#stale && now - this.#failingSince > this.#options.ttl) {
      this.#stale = true;
      const age = this.#lastSuccess === undefined ? null : now - this.#lastSuccess;
      this.#emit('stale', { age, failingSince: this.#failingSince, revision: this.#engine.revision });
    }
    const delay = this.#jittered(backoff);
    return asked === undefined ? delay : Math.max(delay, Math.min(asked, max));
  }

  // The wait after `failures` failures in a row: doubling from `backoff.initial` to `backoff.max`.
  #backoff(failures) {
    const { initial, max } = this.#options.backoff;
    return Math.min(max, initial * 2 ** Math.min(failures - 1, 30));
  }

  #jittered(delay) {
    const spread = this.#options.jitter * (2 * this.#random() - 1);
    return Math.max(0, Math.round(delay * (1 + spread)));
  }

  #schedule(delay) {
    if (this.#closed || this.#paused()) return;
    delay = timerDelay(delay, this.#options.ttl);
    this.#clearTimeout(this.#timer);
    this.#dueAt = this.#now() + delay;
    this.#timer = this.#setTimeout(() => {
      this.#timer = undefined;
      this.#refresh();
    }, delay);
  }

  #paused() {
    return this.#options.pauseWhenHidden !== false && globalThis.document?.visibilityState === 'hidden';
  }

  #watchVisibility() {
    const document = globalThis.document;
    if (!document?.addEventListener || this.#options.pauseWhenHidden === false) return;
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') {
        this.#clearTimeout(this.#timer);
        this.#timer = undefined;
        if (this.#options.eventsUrl) this.flush({ beacon: true });
      } else if (!this.#inflight && this.#timer === undefined) {
        const wait = this.#dueAt - this.#now();
        if (wait <= 0) this.#refresh();
        else this.#schedule(wait);
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    this.#detach.push(() => document.removeEventListener('visibilitychange', onVisibility));
  }

  // ---- live updates ------------------------------------------------------------------------

  // Opens the stream a snapshot response offers in X-Vexil-Stream, once: it then reconnects
  // until close(). Not in Workers unless asked (`stream: true`): there nothing may outlive the
  // request that started it. The stream gets the client's headers (the key), so never another
  // origin's.
  #offered(response) {
    const path = response.headers.get('x-vexil-stream');
    const wanted = this.#options.stream ?? globalThis.navigator?.userAgent !== 'Cloudflare-Workers';
    if (!path || this.#stream || wanted === false) return;
    let url;
    try {
      url = new URL(path, new URL(this.#options.url, globalThis.location?.href));
    } catch {
      return;
    }
    if (url.origin === originOf(this.#options.url)) this.#listen(url.href);
  }

  // One connection to the stream; when it fails or ends, the next after the backoff. Polling
  // goes on all the while, so a stream that never works costs only its own attempts.
  async #listen(url) {
    const controller = new AbortController();
    this.#stream = controller;
    let timer;
    const watch = (ms) => {
      this.#clearTimeout(timer);
      timer = this.#setTimeout(() => controller.abort(), ms);
    };
    try {
      watch(this.#options.timeout);
      const headers = { accept: 'text/event-stream', ...this.#options.headers };
      const response = await this.#fetch(url, { headers, signal: controller.signal, cache: 'no-store' });
      if (!response.ok) throw new VexilError(`the stream answered ${response.status}`, `HTTP_${response.status}`);
      await this.#read(response.body.getReader(), () => watch(STREAM_IDLE));
      throw new VexilError('the stream ended', 'STREAM_ENDED');
    } catch (error) {
      if (this.#closed) return;
      const code = error instanceof VexilError ? error.code : controller.signal.aborted ? 'TIMEOUT' : 'NETWORK';
      this.#emit('error', { error, code, source: 'stream' });
      this.#streamFailures += 1;
      this.#streamTimer = this.#setTimeout(() => this.#listen(url), this.#jittered(this.#backoff(this.#streamFailures)));
    } finally {
      this.#clearTimeout(timer);
      // Lets go of the connection whatever ended this one (a refused or overlong answer).
      controller.abort();
    }
  }

  // Reads server-sent events (LF, CRLF or CR line ends; a chunk may end anywhere, even between
  // CR and LF) and acts on `revision` ones; `alive` is called on every chunk.
  async #read(reader, alive) {
    const decoder = new TextDecoder();
    let rest = '';
    let event = '';
    let data = '';
    let id = '';
    let cr = false;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      alive();
      let text = decoder.decode(value, { stream: true });
      // A CR ends a line at once; an LF right after it, in the next chunk, is part of that end.
      if (cr && text[0] === '\n') text = text.slice(1);
      cr = text.endsWith('\r');
      const lines = (rest + text).split(/\r\n?|\n/);
      rest = lines.pop();
      for (const line of lines) {
        const [, field, content] = /^([^:]*):? ?(.*)$/s.exec(line);
        if (!line) {
          if (event === 'revision') this.#announced(data, id);
          event = data = '';
        } else if (field === 'event') event = content;
        else if (field === 'data') data += `${content}\n`;
        else if (field === 'id') id = content;
      }
      if (rest.length + data.length > MAX_STREAM_LINE) {
        throw new VexilError(`a stream line or event over ${MAX_STREAM_LINE} characters`, 'LIMIT_STREAM_LINE');
      }
    }
  }

  // A revision newer than the loaded one is fetched at once. Twice at most: the first refresh
  // may join one that started before the revision was published.
  async #announced(data, id) {
    let revision;
    try {
      revision = JSON.parse(data).revision;
    } catch {
      // The event's id is the revision too.
    }
    revision = Number(revision ?? id);
    this.#streamFailures = 0;
    for (let tries = 0; tries < 2 && !this.#closed && revision > (this.#engine?.revision ?? -1); tries += 1) {
      await this.#refresh();
    }
  }

  // ---- events and readiness ------------------------------------------------------------------

  /**
   * Calls `handler` on `ready`, `change`, `stale`, `fresh` (a refresh succeeded after `stale`) or
   * `error`; returns a function that stops it.
   */
  on(event, handler) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(handler);
    return () => this.off(event, handler);
  }

  /** Stops calling `handler` on `event`. */
  off(event, handler) {
    this.#listeners.get(event)?.delete(handler);
  }

  #emit(event, payload) {
    for (const handler of [...(this.#listeners.get(event) ?? [])]) {
      try {
        handler(payload);
      } catch {
        // A listener's failure must not break the client or the other listeners.
      }
    }
  }

  /**
   * Resolves `true` once a snapshot is loaded (from the bootstrap, storage or the network), or
   * `false` if `timeout` milliseconds pass first or the client is closed. Never rejects.
   */
  ready(options) {
    const timeout = option(options, 'timeout');
    if (this.#engine) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer;
      const settle = (value) => {
        if (timer !== undefined) this.#clearTimeout(timer);
        resolve(value);
      };
      this.#readyWaiters.push(settle);
      // No timer for a timeout that is not a number, or Infinity: the wait is unbounded.
      if (typeof timeout === 'number' && timeout < Infinity) {
        timer = this.#setTimeout(
          () => {
            this.#readyWaiters = this.#readyWaiters.filter((waiter) => waiter !== settle);
            resolve(false);
          },
          timeout,
          true,
        );
      }
    });
  }

  /** Facts about the loaded snapshot and the last fetch. */
  get status() {
    return {
      ready: this.#engine !== null,
      revision: this.#engine?.revision ?? null,
      source: this.#source,
      stale: this.#stale,
      lastSuccess: this.#lastSuccess ?? null,
      failingSince: this.#failingSince ?? null,
      failures: this.#failures,
      closed: this.#closed,
    };
  }

  /** The loaded engine, or null before the first snapshot. */
  get engine() {
    return this.#engine;
  }

  // ---- evaluation ----------------------------------------------------------------------------

  /** Sets the context used when a call gives none. */
  setContext(context) {
    this.#context = context ?? {};
    // Prepared again on first use; the old one's WebAssembly memory is given back now, not
    // left to a finalizer (some runtimes never run them).
    this.#prepared?.free();
    this.#prepared = null;
  }

  // Gives back the WebAssembly memory of the engine and of the context prepared for it.
  #freeEngine() {
    this.#prepared?.free();
    this.#prepared = null;
    this.#engine?.free();
  }

  #details(key, defaultValue, context, type) {
    const engine = this.#engine;
    let result;
    if (!engine) {
      result = { value: defaultValue, variant: null, reason: 'ERROR', errorCode: 'PROVIDER_NOT_READY' };
    } else {
      const forced = this.#overridden(engine, key, defaultValue, type);
      if (forced) {
        result = forced;
      } else {
        let evaluated;
        if (context === undefined) {
          if (!this.#prepared) this.#prepared = engine.prepare(this.#context);
          evaluated = engine.evaluate(key, this.#prepared, { defaultValue, type });
        } else {
          const merged = mergedContext(this.#context, context);
          evaluated =
            merged === undefined ? unreadableContext(defaultValue) : engine.evaluate(key, merged, { defaultValue, type });
        }
        result = this.#freshness(evaluated);
      }
    }
    this.#count(key, result);
    return result;
  }

  // Results from a snapshot the server has not confirmed say so: CACHED from a bootstrap or a
  // persisted copy, STALE when refreshing has failed for longer than the TTL. The engine's own
  // reason stays in `engineReason`. Without a `url` there is no server to confirm anything: a
  // bootstrap is then the configuration itself, and its results carry the engine's reasons.
  #freshness(result) {
    if (result.reason === 'ERROR') return result;
    const freshness = this.#stale
      ? 'STALE'
      : (this.#source === 'bootstrap' && this.#options.url) || this.#source === 'storage'
        ? 'CACHED'
        : null;
    if (!freshness) return result;
    return { ...result, reason: freshness, engineReason: result.reason };
  }

  #overridden(engine, key, defaultValue, type) {
    const variant = this.#overrides.get(key);
    if (variant === undefined) return undefined;
    const flag = engine.flag(key);
    const entry = flag?.variants.find(([name]) => name === variant);
    if (!entry) return undefined;
    if (type !== undefined && flag.type !== type) {
      return { value: defaultValue, variant: null, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' };
    }
    return { value: entry[1], variant, reason: 'LOCAL_OVERRIDE' };
  }

  /** The value of a boolean flag, or `defaultValue`. */
  getBooleanValue(key, defaultValue, context) {
    return this.#details(key, defaultValue, context, 'boolean').value;
  }

  /** The value of a string flag, or `defaultValue`. */
  getStringValue(key, defaultValue, context) {
    return this.#details(key, defaultValue, context, 'string').value;
  }

  /** The value of a number flag, or `defaultValue`. */
  getNumberValue(key, defaultValue, context) {
    return this.#details(key, defaultValue, context, 'number').value;
  }

  /** The value of an object flag (any JSON), or `defaultValue`. */
  getObjectValue(key, defaultValue, context) {
    return this.#details(key, defaultValue, context, 'object').value;
  }

  /** `{ value, variant, reason, errorCode?, ruleId? }` of a boolean flag. */
  getBooleanDetails(key, defaultValue, context) {
    return this.#details(key, defaultValue, context, 'boolean');
  }

  /** `{ value, variant, reason, errorCode?, ruleId? }` of a string flag. */
  getStringDetails(key, defaultValue, context) {
    return this.#details(key, defaultValue, context, 'string');
  }

  /** `{ value, variant, reason, errorCode?, ruleId? }` of a number flag. */
  getNumberDetails(key, defaultValue, context) {
    return this.#details(key, defaultValue, context, 'number');
  }

  /** `{ value, variant, reason, errorCode?, ruleId? }` of an object flag. */
  getObjectDetails(key, defaultValue, context) {
    return this.#details(key, defaultValue, context, 'object');
  }

  /**
   * Every flag's value for a context (the client's context by default): key → value, in an
   * object without a prototype (a flag may be called `__proto__` or `constructor`).
   */
  allFlags(context) {
    const values = Object.create(null);
    const engine = this.#engine;
    if (!engine) return values;
    const merged = context === undefined ? (this.#prepared ??= engine.prepare(this.#context)) : mergedContext(this.#context, context);
    const results =
      merged === undefined ? engine.flagKeys.map((key) => ({ key, ...unreadableContext(null) })) : engine.evaluateAll(merged);
    for (const result of results) {
      if (Object.hasOwn(values, result.key)) continue;
      const forced = this.#overridden(engine, result.key, null, undefined);
      const final = forced ?? this.#freshness(result);
      this.#count(result.key, final);
      values[result.key] = final.value;
    }
    return values;
  }

  // ---- local overrides (QA) ------------------------------------------------------------------

  /** Serves `variant` for `key` on this device, until cleared; reported as LOCAL_OVERRIDE. */
  setOverride(key, variant) {
    this.#overrides.set(String(key), String(variant));
    this.#saveOverrides();
  }

  /** Removes one local override, or all of them when no key is given. */
  clearOverride(key) {
    if (key === undefined) this.#overrides.clear();
    else this.#overrides.delete(key);
    this.#saveOverrides();
  }

  /** The local overrides, as an object of flag key → variant (without a prototype). */
  overrides() {
    return keyed(this.#overrides);
  }

  #loadOverrides() {
    try {
      const raw = this.#storage?.getItem(`${this.#storageKey}:overrides`);
      const parsed = raw ? JSON.parse(raw) : {};
      for (const [key, variant] of Object.entries(parsed)) {
        if (typeof variant === 'string') this.#overrides.set(key, variant);
      }
    } catch {
      // Unreadable overrides are dropped: they are a convenience, not configuration.
    }
  }

  #saveOverrides() {
    try {
      this.#storage?.setItem(`${this.#storageKey}:overrides`, JSON.stringify(this.overrides()));
    } catch {
      // As above.
    }
  }

  // ---- statistics and exposure ---------------------------------------------------------------

  #count(key, result) {
    let flag = this.#counts.get(key);
    if (!flag) {
      flag = { variants: new Map(), errors: 0 };
      this.#counts.set(key, flag);
    }
    if (result.errorCode) flag.errors += 1;
    else flag.variants.set(result.variant, (flag.variants.get(result.variant) ?? 0) + 1);
    const hook = this.#options.onEvaluation;
    if (hook) {
      try {
        hook({ key, ...result });
      } catch {
        // A hook's failure must not reach the caller asking for a flag.
      }
    }
  }

  /** Evaluation counts since the last flush: `{ flags: [{ flag, variants: {variant: count}, errors }] }`. */
  stats() {
    const flags = [];
    for (const [flag, { variants, errors }] of this.#counts) {
      flags.push({ flag, variants: keyed(variants), errors });
    }
    return { flags };
  }

  /**
   * Sends the counts to `eventsUrl` (if configured) and starts counting afresh. Resolves to the
   * counts sent. With `{ beacon: true }` uses `navigator.sendBeacon` where available.
   */
  async flush(options) {
    const beacon = option(options, 'beacon') ?? false;
    const counts = this.stats();
    this.#counts = new Map();
    const url = this.#options.eventsUrl;
    if (!url || counts.flags.length === 0) return counts;
    const body = JSON.stringify({ ...counts, sentAt: new Date(this.#now()).toISOString() });
    try {
      if (beacon && globalThis.navigator?.sendBeacon) {
        globalThis.navigator.sendBeacon(String(url), body);
      } else if (this.#fetch) {
        await this.#fetch(String(url), { method: 'POST', headers: { 'content-type': 'application/json' }, body, keepalive: true });
      }
    } catch (error) {
      this.#emit('error', { error, code: 'EVENTS', source: 'events' });
    }
    return counts;
  }

  #scheduleFlush() {
    const interval = duration(this.#options.flushInterval, 60 * 1000);
    this.#flushTimer = this.#setTimeout(() => {
      this.flush().finally(() => {
        if (!this.#closed) this.#scheduleFlush();
      });
    }, interval);
  }

  /**
   * Stops every timer, request and listener, and gives back the engine's WebAssembly memory.
   * Evaluation keeps answering from the last snapshot, which is then loaded again on first use
   * and held until `close()` is called again.
   */
  close() {
    this.#freeEngine();
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimeout(this.#timer);
    this.#clearTimeout(this.#flushTimer);
    this.#abort?.abort();
    this.#stream?.abort();
    this.#clearTimeout(this.#streamTimer);
    for (const detach of this.#detach.splice(0)) detach();
    for (const resolve of this.#readyWaiters.splice(0)) resolve(false);
    this.#listeners.clear();
  }
}

// `using client = createClient(...)` closes it at the end of the block, where the runtime
// knows `Symbol.dispose`.
if (typeof Symbol.dispose === 'symbol') {
  Object.defineProperty(Client.prototype, Symbol.dispose, {
    value() {
      this.close();
    },
    writable: true,
    configurable: true,
  });
}

/** Makes a client; see {@link Client}. */
export function createClient(options) {
  return new Client(options);
}

