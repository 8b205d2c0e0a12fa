export * from './engine.js';

/** Compiles and instantiates the engine's WebAssembly; resolves when engines can be made. */
export function initialize(
  wasm: WebAssembly.Module | BufferSource | Response | Promise<Response> | URL | string,
): Promise<void>;
