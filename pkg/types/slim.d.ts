export * from './engine.js';
export * from './client.js';

/** Compiles and instantiates the engine's WebAssembly; resolves when engines can be made. */
export function initialize(
  wasm: WebAssembly.Module | BufferSource | Response | Promise<Response> | URL | string,
): Promise<void>;
