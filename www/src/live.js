// The environment as published: the document every SDK gets (with per-user overrides), loaded
// into the engine, and kept current by following the service's stream of new revisions.

import { Engine } from './engine.js';
import * as session from './session.js';

/** The live document of one environment, and an engine on it. */
export class Live {
  #environment;
  #listeners = new Set();
  #abort = new AbortController();
  #etag = null;
  /** The published document's text, its parsed form, and an engine loaded from it. */
  text = null;
  document = null;
  engine = null;
  revision = 0;

  constructor(environment) {
    this.#environment = environment;
  }

  get environment() {
    return this.#environment;
  }

  /** Calls `listener()` (and waits for it) after every new revision. */
  subscribe(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Loads the current document; resolves once it is loaded. */
  async refresh() {
    const headers = { authorization: `Bearer ${session.token()}` };
    if (this.#etag) headers['if-none-match'] = this.#etag;
    const url = `/sdk/v1/snapshot?environment=${encodeURIComponent(this.#environment)}`;
    const response = await fetch(url, { headers, signal: this.#abort.signal, cache: 'no-store' });
    if (response.status === 304) return false;
    if (!response.ok) throw new Error(`the snapshot answered ${response.status}`);
    const text = await response.text();
    const engine = new Engine(text);
    if (this.engine && engine.revision === this.revision) {
      // Loaded meanwhile by another refresh (the stream's, or a change's own): the same
      // revision is the same document, and its listeners have been told.
      engine.free();
      this.#etag = response.headers.get('etag');
      return false;
    }
    this.engine?.free();
    this.text = text;
    this.document = JSON.parse(text);
    this.engine = engine;
    this.revision = engine.revision;
    this.#etag = response.headers.get('etag');
    // Awaited, so that whoever loaded the revision finds the page already following it.
    for (const listener of this.#listeners) await listener();
    return true;
  }

  /** Follows the stream (with the token in a header, never the URL) until `close()`. */
  async follow() {
    const signal = this.#abort.signal;
    let wait = 1000;
    while (!signal.aborted) {
      try {
        const url = `/sdk/v1/stream?environment=${encodeURIComponent(this.#environment)}`;
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${session.token()}`, accept: 'text/event-stream' },
          signal,
        });
        if (!response.ok || !response.body) throw new Error(`stream ${response.status}`);
        wait = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          // Each event ends with a blank line; any event may mean a new revision.
          if (buffer.includes('\n\n')) {
            buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
            await this.refresh().catch(() => {});
          }
        }
      } catch {
        if (signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, 30000);
      await this.refresh().catch(() => {});
    }
  }

  close() {
    this.#abort.abort();
    this.engine?.free();
    this.engine = null;
  }
}
