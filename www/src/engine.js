// The real `vexil` package (the same engine every SDK runs), as the build places it next to
// the console's own files. Nothing in the console evaluates flags any other way. The console
// draws evaluations from its first view, so it waits here, once, for the engine's WebAssembly.
import { ready } from '../vexil/src/entry/browser.js';

await ready();

export { Engine, VexilError, createClient } from '../vexil/src/entry/browser.js';
