// The real `vexil` package (the same engine every SDK runs), as the build places it next to
// the console's own files. Nothing in the console evaluates flags any other way.
export { Engine, VexilError, createClient } from '../vexil/src/entry/browser.js';
