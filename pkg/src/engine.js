// The engine in JavaScript: a thin layer over the WebAssembly build (`dist/vexil.js`).
//
// The snapshot crosses into WebAssembly once and stays compiled there. Each evaluation crosses
// with a flag index and a prepared context handle and comes back as one number that packs the
// variant index, reason, error code and rule index (layout in src/wasm.rs); values, keys and
// rule ids are looked up in what the engine read once per flag, on the flag's first use (a large
// snapshot loads without describing, or even listing, flags nobody asks about). Evaluation
// never throws: if the WebAssembly instance traps, the instance is replaced, every engine
// reloads its last good snapshot on its next call, and the call that hit the trap answers with
// the default.
//
// What a caller hands over (contexts, options, instants, keys) is read here, in JavaScript,
// before anything crosses: getters, `toJSON` and Proxy traps run only then, and whatever they
// throw is the caller's input failing (INVALID_CONTEXT and the like), never the engine's. Only
// an exception from a call into WebAssembly can be a trap, and only a trap replaces the
// instance: replacing it makes every engine load its snapshot again.

import * as glue from '../dist/vexil.js';

const REASONS = [
  'STATIC',
  'DEFAULT',
  'TARGETING_MATCH',
  'SPLIT',
  'DISABLED',
  'OVERRIDE',
  'PREREQUISITE_FAILED',
  'ERROR',
];
const ERROR_CODES = [
  undefined,
  'FLAG_NOT_FOUND',
  'PARSE_ERROR',
  'TYPE_MISMATCH',
  'TARGETING_KEY_MISSING',
  'INVALID_CONTEXT',
  'GENERAL',
];
// Without a prototype: `type: 'constructor'` must not find Object's constructor.
const TYPES = Object.assign(Object.create(null), { boolean: 1, string: 2, number: 3, object: 4 });
// The position that stands for "no such flag", both ways across the boundary.
const NOT_FOUND = 0xffffffff;
// Half of a UTF-16 surrogate pair without the other half: no flag key can hold one.
const LONE_SURROGATE = /\p{Cs}/u;
const encoder = new TextEncoder();

// Bumped each time a trapped instance is replaced: objects made by an older instance are stale.
let generation = 0;

// Whether the entry module has instantiated the WebAssembly (read by the client, which waits
// with what it has until then). Browsers and `vexil/slim` instantiate after the import has
// finished, never holding it up; `ready()` settles when they have.
export let initialized = false;
let settle;
let loadFailure;
const whenReady = new Promise((resolve, reject) => {
  settle = [resolve, reject];
});
// A failure reaches those who wait for `ready()`, and engines made after it; never unhandled.
whenReady.catch(() => {});

/**
 * @internal Called by the entry modules once the WebAssembly is ready, or at once with the
 * promise of it.
 */
export function markInitialized(instantiating) {
  if (!instantiating) {
    initialized = true;
    settle[0]();
  } else {
    instantiating.then(() => markInitialized(), (error) => settle[1]((loadFailure = error)));
  }
}

/** Resolves once engines can be made; rejects if the WebAssembly could not be loaded. */
export function ready() {
  return whenReady;
}

// The instance (by generation) whose lookup tables have their secret seed.
let seededGeneration = -1;

// Gives the instance the secret its lookup tables hash with, before its first snapshot loads,
// so a snapshot's author cannot choose keys that all land in one slot (src/fasthash.rs). Done
// at the first load rather than at import: Workers refuse random values outside a handler.
// An engine made at a Worker's global scope still gets one, from Math.random.
function seedTables() {
  if (seededGeneration === generation) return;
  seededGeneration = generation;
  const words = new Uint32Array(2);
  try {
    globalThis.crypto.getRandomValues(words);
  } catch {
    words[0] = Math.random() * 2 ** 32;
    words[1] = Math.random() * 2 ** 32;
  }
  glue.seed_tables(words[0], words[1]);
}

/** An error thrown for input that cannot be used at all (a snapshot, limits, a context). */
export class VexilError extends Error {
  constructor(message, code, path) {
    super(message);
    this.name = 'VexilError';
    this.code = code;
    if (path !== undefined) this.path = path;
  }
}

// What a freed context answers with (made once: an Error records a stack trace when made).
const FREED = new VexilError('this context was freed', 'INVALID_CONTEXT');

// What a call into WebAssembly refused, as the engine said it (src/wasm.rs throws an Error with
// a `code`); undefined for anything else. Only for exceptions from calls into WebAssembly,
// where no caller code runs.
function fromWasmError(error) {
  if (error instanceof Error && !(error instanceof VexilError) && typeof error.code === 'string') {
    return new VexilError(error.message, error.code, error.path);
  }
  return undefined;
}

// Whether an exception from a call into WebAssembly left the instance unusable. A trap is a
// WebAssembly.RuntimeError (unreachable, which is how a Rust panic or an allocation failure
// ends; an access out of bounds). A RangeError counts too: running out of stack inside
// WebAssembly throws one, and leaves the engine's state half-changed just as a trap does. The
// instance is made by this module's realm, so its errors are this realm's.
function isTrap(error) {
  return error instanceof WebAssembly.RuntimeError || error instanceof RangeError;
}

// The answer after a call into WebAssembly threw `error`: the instance is replaced if it
// trapped; either way the call answers GENERAL.
function engineFailure(error) {
  if (error instanceof VexilError) return new VexilError(error.message, 'GENERAL');
  if (isTrap(error)) {
    recover();
    return new VexilError('the engine failed and was restarted', 'GENERAL');
  }
  return new VexilError('the engine failed', 'GENERAL');
}

// Words for any thrown value, without running the caller's code again where that can be
// avoided (a thrown Proxy or an object whose `message` getter throws gets a general phrase).
function describeThrown(thrown) {
  try {
    if (thrown === null || (typeof thrown !== 'object' && typeof thrown !== 'function')) return String(thrown);
    const message = thrown.message;
    if (typeof message === 'string') return message;
  } catch {
    // Fall through to the general phrase.
  }
  return 'an exception that is not an Error';
}

// A caller's value in a message: strings quoted (and cut), anything else by its kind only, so
// that no conversion of the caller's runs.
function show(value) {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return 'a symbol';
    default:
      return value === null ? 'null' : `an ${typeof value}`;
  }
}

// Replaces the instance after a trap. Old handles point into the old memory: they are detached
// (never freed into the new instance) and rebuilt on demand.
function recover() {
  generation += 1;
  glue.__vexilReinstantiate();
}

function detach(handle) {
  // Unregisters the handle from the glue's finalizer and forgets its pointer, without calling
  // into the new instance.
  if (handle && typeof handle.__destroy_into_raw === 'function') handle.__destroy_into_raw();
}

function deepFreeze(value) {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

// A snapshot's UTF-8 in a buffer inside WebAssembly memory, with its length. Text is encoded in
// place: for a large snapshot, making the bytes in JS first and copying them over costs several
// times more. A new buffer starts at one byte per UTF-16 unit, exact for ASCII, and grows once
// to the most the rest could need if the text has other characters. Give it back with
// `buffer.free()` (or `detach` it if the instance trapped).
function intoWasm(text) {
  const buffer = new glue.TextBuffer(text.length);
  try {
    const view = (from, length) => new Uint8Array(glue.__vexilMemory(), buffer.address() + from, length);
    if (typeof text !== 'string') {
      view(0, text.length).set(text);
      return [buffer, text.length];
    }
    let { read, written } = encoder.encodeInto(text, view(0, text.length));
    if (read < text.length) {
      const rest = text.length - read;
      buffer.resize(written + 3 * rest);
      written += encoder.encodeInto(text.slice(read), view(written, 3 * rest)).written;
    }
    return [buffer, written];
  } catch (error) {
    // Growing the buffer trapped: it goes with the instance.
    detach(buffer);
    throw error;
  }
}

/**
 * `use(buffer, length)` with `text` encoded into WebAssembly memory; the buffer is freed
 * afterwards, or, when the instance trapped, left to go with it. (Keeping it for the next
 * snapshot would save zeroing a new one, under 2 % of a load, but hold its megabytes in memory
 * that never shrinks.)
 */
function withTextInWasm(text, use) {
  const [buffer, length] = intoWasm(text);
  let result;
  try {
    result = use(buffer, length);
  } catch (error) {
    // A refused input leaves the instance sound; a trap does not, and takes the buffer along.
    if (isTrap(error)) detach(buffer);
    else buffer.free();
    throw error;
  }
  buffer.free();
  return result;
}

// Contexts cross through one buffer kept in WebAssembly memory (per instance), encoded straight
// into it: handing wasm-bindgen a new string copies it character by character into a fresh
// allocation, about a sixth of an evaluation with a new context. A context too long for the
// buffer gets a buffer of its own, so one huge context does not keep memory for good.
const CONTEXT_BYTES = 4096;
let contextBuffer;
let contextBufferGeneration = -1;

/**
 * Prepares the context JSON `text` in the engine behind `handle`: into the prepared context
 * `into` when given (replacing it), else as a new one. Throws as `prepareBuffer` does.
 */
function prepareText(handle, text, into) {
  if (contextBufferGeneration !== generation) {
    // A replaced instance's buffer went with it: forgotten, never freed into the new one.
    detach(contextBuffer);
    contextBuffer = new glue.TextBuffer(CONTEXT_BYTES);
    contextBufferGeneration = generation;
  }
  const view = new Uint8Array(glue.__vexilMemory(), contextBuffer.address(), CONTEXT_BYTES);
  const { read, written } = encoder.encodeInto(text, view);
  if (read === text.length) return prepareFrom(handle, contextBuffer, written, into);
  return withTextInWasm(text, (buffer, length) => prepareFrom(handle, buffer, length, into));
}

function prepareFrom(handle, buffer, length, into) {
  if (!into) return handle.prepareBuffer(buffer, length);
  handle.prepareInto(into, buffer, length);
  return into;
}

let lastInstantText;
let lastInstant;

const dateValue = Date.prototype.getTime;

/**
 * The instant to evaluate at, as [seconds, nanoseconds] since the Unix epoch, or undefined when
 * `now` is none. No caller code runs: a Date's time is read through Date's own method, which
 * refuses anything but a real Date (a Proxy of one included) instead of calling into it.
 */
function instant(now) {
  if (now === undefined) now = Date.now();
  if (typeof now === 'object' && now !== null) {
    try {
      now = dateValue.call(now);
    } catch {
      return undefined;
    }
  }
  if (typeof now === 'number') {
    if (!Number.isFinite(now)) return undefined;
    const seconds = Math.floor(now / 1000);
    return [seconds, Math.round((now - seconds * 1000) * 1e6)];
  }
  if (typeof now === 'string') {
    // Callers often pass the same text many times in a row: parse it once.
    if (now !== lastInstantText) {
      const parsed = glue.parseInstant(now);
      lastInstantText = now;
      lastInstant = parsed.length === 2 ? [parsed[0], parsed[1]] : undefined;
    }
    return lastInstant;
  }
  return undefined;
}

/** `instant(now)`, or a VexilError saying what is wrong with `now`. */
function instantOrProblem(now) {
  return (
    instant(now) ??
    new VexilError(
      `invalid now ${show(now)}: an instant is a Date, Unix milliseconds or RFC 3339 text`,
      'INVALID_INSTANT',
    )
  );
}

/**
 * A context as the JSON text that crosses into WebAssembly, or a VexilError when it cannot be
 * read. This is where the caller's getters, `toJSON` and Proxy traps run; whatever they throw
 * (any value) is the context's fault, never the engine's.
 */
function contextText(context) {
  if (context === undefined || context === null) return '{}';
  if (typeof context === 'string') return context;
  let text;
  try {
    text = JSON.stringify(context);
  } catch (thrown) {
    return new VexilError(`the context cannot be read: ${describeThrown(thrown)}`, 'INVALID_CONTEXT');
  }
  if (typeof text !== 'string') {
    return new VexilError(`the context is ${show(context)}, not an object`, 'INVALID_CONTEXT');
  }
  return text;
}

/**
 * The options of an evaluation, read once: `{ now, defaultValue, type }`, or a VexilError when
 * reading them threw. null and undefined are no options.
 */
function readOptions(options) {
  if (options === undefined || options === null) return NO_OPTIONS;
  try {
    return { now: options.now, defaultValue: options.defaultValue, type: options.type };
  } catch (thrown) {
    return new VexilError(`the options cannot be read: ${describeThrown(thrown)}`, 'GENERAL');
  }
}

const NO_OPTIONS = Object.freeze({ now: undefined, defaultValue: undefined, type: undefined });

const arrayBufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;

/**
 * A snapshot as the constructor takes it, read: text and bytes as they are (bytes told by what
 * they are, not by asking a Proxy), an object as its JSON text. Throws a VexilError (NOT_JSON)
 * when reading it throws, whatever was thrown.
 */
function readableSnapshot(snapshot) {
  if (typeof snapshot !== 'object' || snapshot === null || ArrayBuffer.isView(snapshot)) return snapshot;
  try {
    arrayBufferLength.call(snapshot);
    return snapshot;
  } catch {
    // Not an ArrayBuffer: an object to write as JSON.
  }
  try {
    return JSON.stringify(snapshot);
  } catch (thrown) {
    throw new VexilError(`the snapshot cannot be read: ${describeThrown(thrown)}`, 'NOT_JSON');
  }
}

/**
 * The engine's options, read once into plain data: `{ limits }` with the limits as parsed JSON.
 * Throws a VexilError (INVALID_LIMITS) when reading them throws.
 */
function readableOptions(options) {
  try {
    const limits = options?.limits;
    if (!limits) return {};
    const text = JSON.stringify(limits);
    if (text === undefined) throw new Error(`they are ${show(limits)}, not an object`);
    return { limits: JSON.parse(text) };
  } catch (thrown) {
    throw new VexilError(`the limits cannot be read: ${describeThrown(thrown)}`, 'INVALID_LIMITS');
  }
}

// Whether `key` can name a flag: a string, without half a surrogate pair (which would cross as
// U+FFFD and find a flag with that character instead).
function isFlagKey(key) {
  return typeof key === 'string' && !LONE_SURROGATE.test(key);
}

function failure(defaultValue, errorCode, errorMessage) {
  const result = { value: defaultValue, variant: null, reason: 'ERROR', errorCode };
  if (errorMessage) result.errorMessage = errorMessage;
  return result;
}

/**
 * A context handed to an engine once, for many evaluations. Made by {@link Engine#prepare}.
 */
export class PreparedContext {
  #engine;
  #text;
  #handle;
  #generation;
  #problem;

  /** @internal */
  constructor(engine, context) {
    this.#engine = engine;
    const text = contextText(context);
    if (text instanceof VexilError) {
      // It cannot be read (a cycle, a BigInt, a getter that throws): every evaluation with it
      // says INVALID_CONTEXT.
      this.#generation = generation;
      this.#problem = text;
      return;
    }
    this.#text = text;
    this.#prepare();
  }

  /** @internal Whether `value` is a PreparedContext (asked without running a Proxy's traps). */
  static _is(value) {
    return typeof value === 'object' && value !== null && #engine in value;
  }

  #prepare() {
    this.#generation = generation;
    this.#handle = undefined;
    this.#problem = undefined;
    try {
      this.#handle = prepareText(this.#engine._handle(), this.#text);
    } catch (error) {
      const refused = fromWasmError(error);
      // A trapped instance is replaced, and the next use prepares again.
      this.#problem = refused ? new VexilError(refused.message, 'INVALID_CONTEXT') : engineFailure(error);
    }
  }

  /** @internal The wasm handle for `engine`, or a VexilError explaining why there is none. */
  _for(engine) {
    if (engine !== this.#engine) {
      return new VexilError('this context was prepared for another engine', 'INVALID_CONTEXT');
    }
    if (this.#generation !== generation && this.#text !== undefined) {
      detach(this.#handle);
      this.#prepare();
    }
    return this.#handle ?? this.#problem;
  }

  /** Releases the context's memory now rather than when it is garbage-collected. */
  free() {
    // A handle from a replaced instance is only forgotten: freeing it would free into the new one.
    if (this.#generation === generation) this.#handle?.free();
    else detach(this.#handle);
    this.#handle = undefined;
    this.#text = undefined;
    this.#problem = FREED;
  }
}

const DEFAULT_MAX_DOCUMENT_BYTES = 16 * 2 ** 20;

// The UTF-8 length of `text`, as `encodeInto` writes it (a lone surrogate becomes U+FFFD, three
// bytes); it stops counting once past `stop`.
function utf8Length(text, stop) {
  let bytes = 0;
  for (let index = 0; index < text.length && bytes <= stop; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      index += 1;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The engine's LIMIT_DOCUMENT_BYTES error if `snapshot` (text or a Uint8Array) is over the document
 * size limit, else undefined. Limits that are not readable are left for the engine to refuse,
 * checked here against the default.
 */
function oversized(snapshot, limits) {
  const given = limits?.maxDocumentBytes;
  const limit = Number.isSafeInteger(given) && given >= 0 ? given : DEFAULT_MAX_DOCUMENT_BYTES;
  let size;
  if (typeof snapshot === 'string') {
    // Each UTF-16 unit is one to three bytes (a pair of them, four): counted one by one only
    // when those bounds leave it open.
    if (snapshot.length <= limit / 3) return undefined;
    const bytes = snapshot.length > limit ? snapshot.length : utf8Length(snapshot, limit);
    if (bytes <= limit) return undefined;
    size = `at least ${bytes}`;
  } else if (snapshot instanceof Uint8Array) {
    if (snapshot.byteLength <= limit) return undefined;
    size = snapshot.byteLength;
  } else {
    return undefined;
  }
  return new VexilError(`document size in bytes is ${size}, over the limit of ${limit}`, 'LIMIT_DOCUMENT_BYTES', '$');
}

/** A compiled flag snapshot. */
export class Engine {
  #text;
  #limits;
  #handle;
  #generation;
  #catalog;
  #keys;
  #definitions;
  #flags;
  #shared;
  #index;
  // The context last given as a plain object (or text), prepared: calls that pass the same
  // context (a request handler asking for several flags) prepare it once. Keyed by its JSON
  // text, so a caller changing the object in between gets a fresh preparation.
  #lastContextText;
  #lastContext;
  #diagnostics;

  /**
   * Loads a snapshot: JSON text, UTF-8 bytes, or an already parsed object. Throws a
   * {@link VexilError} with `code` (and `path` where known) when it cannot be used at all.
   */
  constructor(snapshot, options = {}) {
    if (!initialized) {
      throw new VexilError(
        loadFailure
          ? `the engine's WebAssembly could not be loaded: ${describeThrown(loadFailure)}`
          : "the engine's WebAssembly is not ready yet: await ready() first",
        'NOT_INITIALIZED',
      );
    }
    // The caller's getters, toJSON and Proxy traps run here, and what they throw is refused.
    snapshot = readableSnapshot(snapshot);
    options = readableOptions(options);
    // Kept (as text, or a private copy of the bytes) to reload after a trap.
    if (typeof snapshot === 'string') this.#text = snapshot;
    else if (snapshot instanceof Uint8Array) this.#text = snapshot.slice();
    else if (snapshot instanceof ArrayBuffer) this.#text = new Uint8Array(snapshot.slice(0));
    else if (snapshot !== null && typeof snapshot === 'object') this.#text = JSON.stringify(snapshot);
    else throw new VexilError('a snapshot is JSON text, UTF-8 bytes or an object', 'NOT_JSON');
    // Refused before the document is copied into WebAssembly memory, which grows for it and
    // never shrinks: checked only in there, an oversized document would keep its memory.
    const oversize = oversized(this.#text, options.limits);
    if (oversize) throw oversize;
    this.#limits = options.limits ? JSON.stringify(options.limits) : undefined;
    this.#load();
  }

  #load() {
    seedTables();
    this.#generation = generation;
    let handle;
    try {
      handle = withTextInWasm(this.#text, (buffer, length) =>
        glue.WasmEngine.fromBuffer(buffer, length, this.#limits),
      );
    } catch (error) {
      const known = fromWasmError(error);
      if (known) throw known;
      // The instance trapped while loading: replace it, and report the snapshot as unusable
      // here rather than retrying something that may trap again.
      if (isTrap(error)) recover();
      throw new VexilError(`the engine failed while loading: ${describeThrown(error)}`, 'GENERAL');
    }
    this.#handle = handle;
    // A context prepared by a replaced instance is gone with it.
    detach(this.#lastContext);
    this.#lastContext = undefined;
    this.#lastContextText = undefined;
    // Only the header crosses now. Positions are looked up as keys are first asked for, and
    // the key list is made when first needed: an application asks for a few of thousands of
    // flags, and reloads every few minutes.
    const catalog = Object.freeze(JSON.parse(handle.catalog()));
    this.#catalog = catalog;
    this.#keys = undefined;
    this.#flags = new Array(catalog.flagCount);
    this.#shared = new Array(catalog.flagCount);
    this.#index = new Map();
    this.#diagnostics = undefined;
  }

  /** @internal The live wasm handle, reloading the snapshot after an instance was replaced. */
  _handle() {
    if (this.#generation !== generation) {
      detach(this.#handle);
      this.#load();
    }
    return this.#handle;
  }

  // The position of the flag `key`, asked of the engine the first time and remembered; undefined
  // when there is no such flag.
  #position(key) {
    let position = this.#index.get(key);
    if (position === undefined && isFlagKey(key)) {
      const found = this._handle().position(key);
      if (found !== NOT_FOUND) this.#index.set(key, (position = found));
    }
    return position;
  }

  // Every flag key in snapshot order, made on first use: the keys cross as one string and their
  // lengths, and are cut apart here.
  #keyList() {
    if (!this.#keys) {
      const keys = this.#guard(() => {
        const handle = this._handle();
        const joined = handle.keys();
        const lengths = handle.keyLengths();
        const keys = new Array(lengths.length);
        let start = 0;
        for (let position = 0; position < lengths.length; position += 1) {
          keys[position] = joined.slice(start, (start += lengths[position]));
        }
        return keys;
      });
      // After a failure the list is asked for again next time, from the replaced instance.
      if (keys instanceof VexilError) return [];
      this.#keys = Object.freeze(keys);
    }
    return this.#keys;
  }

  /**
   * @internal A hash of each flag's definition as written in the snapshot, by key (the first
   * flag with a key, as lookups do), made on first use; the client compares two snapshots'
   * to report which flags changed. Undefined if the engine failed making it.
   */
  _definitions() {
    if (!this.#definitions) {
      const hashes = this.#guard(() => {
        const handle = this._handle();
        return withTextInWasm(this.#text, (buffer, length) => handle.definitionHashes(buffer, length));
      });
      if (hashes instanceof VexilError) return undefined;
      const keys = this.#keyList();
      const definitions = new Map();
      for (let position = 0; position < keys.length; position += 1) {
        if (!definitions.has(keys[position])) definitions.set(keys[position], hashes[position]);
      }
      this.#definitions = definitions;
    }
    return this.#definitions;
  }

  /** The snapshot's `revision`. */
  get revision() {
    return this.#catalog.revision;
  }

  /** The snapshot's `schemaVersion`. */
  get schemaVersion() {
    return this.#catalog.schemaVersion;
  }

  /** When the snapshot was generated (RFC 3339 text). */
  get generatedAt() {
    return this.#catalog.generatedAt;
  }

  /** The snapshot's environment, or null. */
  get environment() {
    return this.#catalog.environment ?? null;
  }

  /** Every flag key, in snapshot order. */
  get flagKeys() {
    return [...this.#keyList()];
  }

  /** What the snapshot says about one flag (type, variants, metadata, validity), or undefined. */
  flag(key) {
    const flag = this.#guard(() => {
      const position = this.#position(key);
      return position === undefined ? undefined : this.#flag(position);
    });
    return flag instanceof VexilError ? undefined : flag;
  }

  /** Problems confined to single flags or segments, with JSON paths. */
  diagnostics() {
    if (!this.#diagnostics) {
      const text = this.#guard(() => this._handle().diagnostics());
      // After a failure the list is asked for again next time, from the replaced instance.
      if (text instanceof VexilError) return Object.freeze([]);
      this.#diagnostics = deepFreeze(JSON.parse(text));
    }
    return this.#diagnostics;
  }

  /**
   * Hands a context to the engine once, for many fast evaluations. Never throws: a context that
   * cannot be read makes every evaluation with it answer `INVALID_CONTEXT`.
   */
  prepare(context) {
    return new PreparedContext(this, context);
  }

  /**
   * Evaluates one flag: `{ value, variant, reason, errorCode?, ruleId? }`. `value` is the
   * variant's value, or `options.defaultValue` (null if not given) when no variant is served.
   * `options.now` is a Date, Unix milliseconds or RFC 3339 text (default: the current time;
   * anything else gives `INVALID_INSTANT`); `options.type` ('boolean', 'string', 'number',
   * 'object') asks for a type, and another type gives `TYPE_MISMATCH`. A context that cannot be
   * read gives `INVALID_CONTEXT`, a key that is not a string `FLAG_NOT_FOUND`. Never throws.
   */
  evaluate(key, context, options) {
    const read = readOptions(options);
    if (read instanceof VexilError) return failure(null, read.code, read.message);
    const defaultValue = read.defaultValue === undefined ? null : read.defaultValue;
    // Only a string names a type: anything else would be converted by calling into it.
    const expected = read.type === undefined ? 0 : typeof read.type === 'string' ? TYPES[read.type] : undefined;
    if (expected === undefined) return failure(defaultValue, 'GENERAL', `unknown type ${show(read.type)}`);
    return this.#evaluate(key, context, read.now, defaultValue, expected);
  }

  /** `evaluate` as a boolean flag with a default. */
  booleanDetails(key, defaultValue, context, options) {
    return this.#typed(key, defaultValue, context, options, TYPES.boolean);
  }

  /** `evaluate` as a string flag with a default. */
  stringDetails(key, defaultValue, context, options) {
    return this.#typed(key, defaultValue, context, options, TYPES.string);
  }

  /** `evaluate` as a number flag with a default. */
  numberDetails(key, defaultValue, context, options) {
    return this.#typed(key, defaultValue, context, options, TYPES.number);
  }

  /** `evaluate` as an object flag (any JSON value) with a default. */
  objectDetails(key, defaultValue, context, options) {
    return this.#typed(key, defaultValue, context, options, TYPES.object);
  }

  // Typed details read only `now` from their options.
  #typed(key, defaultValue, context, options, expected) {
    let now;
    if (options !== undefined && options !== null) {
      try {
        now = options.now;
      } catch (thrown) {
        return failure(defaultValue, 'GENERAL', `the options cannot be read: ${describeThrown(thrown)}`);
      }
    }
    return this.#evaluate(key, context, now, defaultValue, expected);
  }

  // The hot path: no closures, no option objects, one call into WebAssembly. Every caller value
  // is read before the call (by #contextHandle and instant), so whatever the call throws is the
  // engine's.
  #evaluate(key, context, now, defaultValue, expected) {
    try {
      const position = this.#index.get(key) ?? this.#position(key);
      // An unknown flag is still counted in the statistics, like every evaluation.
      const packed = this.#evaluateAt(position ?? NOT_FOUND, context, now, expected);
      // Looking the flag up comes first, as in the engine: an unknown flag is FLAG_NOT_FOUND
      // whatever the context.
      if (position === undefined) return failure(defaultValue, 'FLAG_NOT_FOUND', `no flag ${show(key)}`);
      return this.#result(position, packed, defaultValue);
    } catch (error) {
      const failed = engineFailure(error);
      return failure(defaultValue, failed.code, failed.message);
    }
  }

  /**
   * Every flag for one context, in snapshot order: an array of results, each with its flag's
   * `key`. (An array, not an object keyed by flag: building an object of hundreds of keys costs
   * more than evaluating them.) The results are frozen, and the same answer of a flag is the
   * same object from call to call. Never throws.
   */
  evaluateAll(context, options) {
    const keys = this.#keyList();
    const packed = this.#withContext(context, options, (prepared, now) =>
      this._handle().evaluateAll(prepared, now[0], now[1]),
    );
    const results = new Array(keys.length);
    let code;
    let message;
    if (packed instanceof VexilError) {
      [code, message] = [packed.code, packed.message];
    } else {
      try {
        for (let position = 0; position < keys.length; position += 1) {
          results[position] = this.#sharedResult(position, packed[position], keys[position]);
        }
        return results;
      } catch (error) {
        ({ code, message } = engineFailure(error));
      }
    }
    for (let position = 0; position < keys.length; position += 1) {
      const result = failure(null, code, message);
      result.key = keys[position];
      results[position] = result;
    }
    return results;
  }

  /** The evaluation of `key` with every step taken: `{ evaluation, steps }`. Not counted. */
  explain(key, context, options) {
    const explained = this.#withContext(context, options, (prepared, now) => {
      if (!isFlagKey(key)) {
        return { evaluation: failure(null, 'FLAG_NOT_FOUND', `no flag ${show(key)}`), steps: [{ step: 'flagNotFound' }] };
      }
      return JSON.parse(this._handle().explain(key, prepared, now[0], now[1]));
    });
    if (explained instanceof VexilError) {
      return { evaluation: failure(null, explained.code, explained.message), steps: [] };
    }
    return explained;
  }

  /** Evaluation counts per flag and variant, and errors, since loading or the last reset. */
  stats() {
    const text = this.#guard(() => this._handle().stats());
    return JSON.parse(text instanceof VexilError ? '{"flags":[],"unknownFlagEvaluations":0}' : text);
  }

  /** Sets every statistics counter back to zero. */
  resetStats() {
    this.#guard(() => this._handle().resetStats());
  }

  /** Releases the engine's memory now rather than when it is garbage-collected. */
  free() {
    // What a replaced instance made is only forgotten: freeing it would free into the new one.
    if (this.#generation === generation) {
      this.#lastContext?.free();
      this.#handle?.free();
    } else {
      detach(this.#lastContext);
      detach(this.#handle);
    }
    this.#lastContext = undefined;
    this.#lastContextText = undefined;
    this.#handle = undefined;
    // A later call reloads from the snapshot text, as after a trap.
    this.#generation = -1;
  }

  // What the engine says about the flag at `position`, read on first use and kept (frozen, so
  // served values cannot be changed by a caller).
  #flag(position) {
    let flag = this.#flags[position];
    if (flag === undefined) {
      flag = deepFreeze(JSON.parse(this._handle().flag(position)));
      this.#flags[position] = flag;
    }
    return flag;
  }

  // The prepared context to evaluate `context` with, or a VexilError saying why there is none.
  // Throws only what a call into WebAssembly threw.
  #contextHandle(context) {
    if (PreparedContext._is(context)) return context._for(this);
    const text = contextText(context);
    if (text instanceof VexilError) return text;
    const handle = this._handle();
    if (text === this.#lastContextText && this.#lastContext) return this.#lastContext;
    // The last plain context's handle is reused: a server passing another object on every
    // call then makes no handle for the garbage collector. Until it succeeds, the handle
    // still holds the previous context, so that is what the text says.
    let prepared;
    try {
      prepared = prepareText(handle, text, this.#lastContext);
    } catch (error) {
      const refused = fromWasmError(error);
      if (refused) return new VexilError(refused.message, 'INVALID_CONTEXT');
      throw error;
    }
    this.#lastContext = prepared;
    this.#lastContextText = text;
    return prepared;
  }

  #evaluateAt(position, context, now, expected) {
    const prepared = this.#contextHandle(context);
    if (prepared instanceof VexilError) return prepared;
    const at = instantOrProblem(now);
    if (at instanceof VexilError) return at;
    return this._handle().evaluate(position, prepared, at[0], at[1], expected);
  }

  // A flag gives few distinct answers (a variant, a reason, a rule), so bulk results are built
  // once per answer and shared, frozen: most of a bulk evaluation's cost had been building them.
  #sharedResult(position, packed, key) {
    let answers = this.#shared[position];
    if (answers === undefined) {
      answers = new Map();
      this.#shared[position] = answers;
    }
    let result = answers.get(packed);
    if (result === undefined) {
      result = this.#result(position, packed, null);
      result.key = key;
      Object.freeze(result);
      // Bounded, in case a flag has very many rules or variants.
      if (answers.size < 64) answers.set(packed, result);
    }
    return result;
  }

  #result(position, packed, defaultValue) {
    if (packed instanceof VexilError) return failure(defaultValue, packed.code, packed.message);
    const variant1 = packed % 65536;
    const codes = Math.floor(packed / 65536) % 256;
    const rule1 = Math.floor(packed / 16777216);
    const flag = this.#flag(position);
    const result = {
      value: defaultValue,
      variant: null,
      reason: REASONS[codes % 16] ?? 'ERROR',
    };
    if (variant1 > 0) {
      const [variant, value] = flag.variants[variant1 - 1];
      result.value = value;
      result.variant = variant;
    }
    const errorCode = ERROR_CODES[Math.floor(codes / 16)];
    if (errorCode) result.errorCode = errorCode;
    if (rule1 > 0) result.ruleId = flag.rules[rule1 - 1];
    return result;
  }

  // Runs `call`, which reads no caller values; if a call into WebAssembly throws, answers with a
  // VexilError (code GENERAL), having replaced the instance if it trapped. Nothing escapes.
  #guard(call) {
    try {
      return call();
    } catch (error) {
      return engineFailure(error);
    }
  }

  // Reads `options` and the context, then runs `call` with the context's handle and the instant,
  // under the trap guard; a problem with either is the answer (a VexilError) instead.
  #withContext(context, options, call) {
    const read = readOptions(options);
    if (read instanceof VexilError) return read;
    return this.#guard(() => {
      const prepared = this.#contextHandle(context);
      if (prepared instanceof VexilError) return prepared;
      const now = instantOrProblem(read.now);
      if (now instanceof VexilError) return now;
      return call(prepared, now);
    });
  }
}

// `using engine = new Engine(...)` (and `using` a prepared context) frees it at the end of the
// block, where the runtime knows `Symbol.dispose`.
if (typeof Symbol.dispose === 'symbol') {
  for (const type of [Engine, PreparedContext]) {
    Object.defineProperty(type.prototype, Symbol.dispose, {
      value() {
        this.free();
      },
      writable: true,
      configurable: true,
    });
  }
}

/** @internal For the SDK's own tests: makes the instance trap. */
export function _trapForTesting() {
  try {
    glue.__vexilTrap();
  } catch {
    recover();
    return true;
  }
  return false;
}

/** @internal For the SDK's own tests: how many times a trapped instance has been replaced. */
export function _restartsForTesting() {
  return generation;
}
